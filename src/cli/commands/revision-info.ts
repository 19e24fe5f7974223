/** A revision as reports show it. */
import type { RepositoryHandle } from "../../api/project.js";
import type { RevisionInfo } from "../../api/types.js";
import { isRolling, revisionFile } from "../../graph/revision.js";

export function revisionInfo(repository: RepositoryHandle, id: string): RevisionInfo {
  const { map } = repository;
  const revision = map.get(id);
  if (revision === undefined) throw new Error(`unknown revision ${id}`);
  const children = map.children(id);
  return {
    repository: repository.config.name,
    id,
    parents: revision.parents,
    dependsOn: revision.dependsOn,
    branchLabels: revision.branchLabels,
    message: revision.message,
    file: revisionFile(revision) ?? "",
    head: children.length === 0,
    branchPoint: children.length > 1,
    mergePoint: revision.parents.length > 1,
    children,
    rolling: isRolling(revision),
  };
}
