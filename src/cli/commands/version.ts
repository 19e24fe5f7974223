import type { CommandContext } from "../context.js";

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const entries = await tidemark.version(context.selection);
  context.out.json({ ok: true, repositories: entries });
  const many = entries.length > 1;
  for (const entry of entries) {
    const text = entry.phases
      .map(({ phase, versions }) => (phase === "" ? versions.join(" ") : `${phase} ${versions.join(" ")}`))
      .join(", ");
    // keystone's db_version prints just the number: scripts parse it.
    context.out.result(many ? `${entry.repository}: ${text}` : text);
  }
  return 0;
}
