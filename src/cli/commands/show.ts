import type { CommandContext } from "../context.js";
import { resolveTarget } from "../../graph/target.js";
import { TargetError } from "../../errors.js";
import { revisionInfo } from "./revision-info.js";

export async function run(context: CommandContext, args: readonly unknown[]): Promise<number> {
  const rev = String(args[0]);
  const tidemark = await context.tidemark();
  const repository = tidemark.project.repository(context.repo ?? tidemark.project.defaultRepositoryName());
  const target = resolveTarget(repository.map, rev, [], repository.scheme);
  if (target.kind === "base" || target.ids.length !== 1) {
    throw new TargetError(`show needs one revision; "${rev}" is ${target.kind === "base" ? "base" : target.ids.join(", ")}.`);
  }
  const info = revisionInfo(repository, target.ids[0] as string);
  const { out } = context;
  out.json({ ok: true, revision: info });
  const none = (list: readonly string[]) => (list.length === 0 ? "(none)" : list.join(", "));
  out.line(`Repository:    ${info.repository}`);
  out.line(`Revision ID:   ${out.colors.bold(info.id)}${info.head ? " (head)" : ""}${info.branchPoint ? " (branchpoint)" : ""}${info.mergePoint ? " (mergepoint)" : ""}`);
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
