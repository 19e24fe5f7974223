import type { CommandContext } from "../context.js";

export async function run(context: CommandContext, args: readonly unknown[]): Promise<number> {
  const rev = String(args[0]);
  const tidemark = await context.tidemark();
  const info = tidemark.show(rev, context.repo === undefined ? {} : { repo: context.repo });
  const { out } = context;
  out.json({ ok: true, revision: info });
  const none = (list: readonly string[]) => (list.length === 0 ? "(none)" : list.join(", "));
  out.line(`Repository:    ${info.repository}`);
  out.line(
    `Revision ID:   ${out.colors.bold(info.id)}${info.head ? " (head)" : ""}${info.branchPoint ? " (branchpoint)" : ""}${info.mergePoint ? " (mergepoint)" : ""}`,
  );
  out.line(`Revises:       ${none(info.parents)}`);
  out.line(`Revised by:    ${none(info.children)}`);
  out.line(`Depends on:    ${none(info.dependsOn)}`);
  out.line(`Branch labels: ${none(info.branchLabels)}`);
  out.line(`Rolling:       ${info.rolling ? "yes" : "no"}`);
  out.line(`Path:          ${info.file}`);
  out.line("");
  out.line(`    ${info.message}`);
  return 0;
}
