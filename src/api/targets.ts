/** Small facts about targets and rows that the API needs before planning. */
import type { RepositoryHandle } from "./project.js";

/** `+N` / `-N` depend on what is applied, so they can only be checked once the database is read. */
export function isRelativeTarget(target: string): boolean {
  return /^[+-]\d+$/.test(target);
}

/**
 * Which version rows say where a repository is: '' for plain ones; for
 * rolling ones the expand rows, since expand always runs first.
 */
export function headRowsPhase(repository: Pick<RepositoryHandle, "rolling">): string {
  return repository.rolling ? "expand" : "";
}
