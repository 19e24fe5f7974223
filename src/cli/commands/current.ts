import type { CommandContext } from "../context.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const entries = await tidemark.current(context.selection);
  const { out } = context;
  out.json({ ok: true, repositories: entries });
  for (const entry of entries) {
    for (const step of entry.unfinished ?? []) {
      out.line(`${entry.repository}: ${step.resumable ? "" : out.colors.red("BLOCKED ")}${step.message}`);
    }
    if (entry.rows.length === 0) {
      out.line(`${entry.repository}: base (nothing applied)`);
      continue;
    }
    for (const row of entry.rows) {
      const phase = row.phase === "" ? "" : ` ${row.phase}`;
      const head = row.head ? out.colors.green(" (head)") : "";
      out.line(`${entry.repository}${phase}: ${out.colors.bold(row.version)}${head} ${row.message}`);
    }
  }
  return 0;
}
