/** Which version rows say where a repository is. */
import type { RepositoryHandle } from "./project.js";

/**
 * Which version rows say where a repository is: '' for plain ones; for
 * rolling ones the expand rows, since expand always runs first.
 */
export function headRowsPhase(repository: Pick<RepositoryHandle, "rolling">): string {
  return repository.rolling ? "expand" : "";
}
