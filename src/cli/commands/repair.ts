import type { CommandContext } from "../context.js";
import { announceTarget } from "./target.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const database = announceTarget(tidemark, context.out);
  const results = await tidemark.repair(context.selection);
  const { out } = context;
  out.json({ ok: true, target: database, repositories: results });
  for (const result of results) {
    out.line(
      result.cleared === 0
        ? `${result.repository}: nothing to repair`
        : `${result.repository}: cleared ${result.cleared} unfinished step${result.cleared === 1 ? "" : "s"}`,
    );
  }
  return 0;
}
