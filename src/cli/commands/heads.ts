import type { CommandContext } from "../context.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const { out } = context;
  const result = tidemark.heads(context.selection);
  out.json({ ok: true, repositories: result });
  for (const entry of result) {
    if (entry.heads.length === 0) out.line(`${entry.repository}: (no revisions)`);
    for (const head of entry.heads) {
      const labels = head.branchLabels.length === 0 ? "" : ` (${head.branchLabels.join(", ")})`;
      out.line(`${entry.repository}: ${out.colors.bold(head.id)}${labels} (head) ${head.message}`);
    }
  }
  return 0;
}
