import type { CommandContext } from "../context.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const { out } = context;
  const result = tidemark.branches(context.selection);
  out.json({ ok: true, repositories: result });
  for (const entry of result) {
    if (entry.branchPoints.length === 0) out.line(`${entry.repository}: no branches`);
    for (const point of entry.branchPoints) {
      out.line(`${entry.repository}: ${out.colors.bold(point.id)} (branchpoint) ${point.message}`);
      for (const child of point.children) out.line(`  -> ${child}`);
    }
  }
  return 0;
}
