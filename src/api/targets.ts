/** Small facts about targets and rows that the API needs before planning. */
import type { TargetPurpose } from "../graph/target.js";
import type { RepositoryHandle } from "./project.js";

/**
 * `+N`, `-N`, `BRANCH@+N` and `BRANCH@-N` depend on what is applied, so
 * they can only be checked once the database is read, unless they go the
 * wrong way for the command (`upgrade -1`), which is refused at once.
 */
export function isRelativeTarget(target: string, purpose: TargetPurpose = "any"): boolean {
  const match = /^(?:[^@]+@)?([+-])\d+$/.exec(target);
  if (match === null) return false;
  if (purpose === "upgrade") return match[1] === "+";
  if (purpose === "downgrade") return match[1] === "-";
  return true;
}

/**
 * Which version rows say where a repository is: '' for plain ones; for
 * rolling ones the expand rows, since expand always runs first.
 */
export function headRowsPhase(repository: Pick<RepositoryHandle, "rolling">): string {
  return repository.rolling ? "expand" : "";
}
