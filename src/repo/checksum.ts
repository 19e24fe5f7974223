/**
 * Checksums of the script a step ran, stored in tidemark_log so that
 * `validate` and `check` can tell when an applied script was edited.
 */
import { textChecksum } from "../util/checksum.js";
import { derivedFromFile } from "../util/file-cache.js";
import { readScriptText } from "./read-text.js";
import type { Revision } from "../graph/revision.js";

/** The file a step of `phase` runs ('' = the revision's main file). */
export function stepFile(revision: Revision, phase: string): string | undefined {
  if (phase === "expand" || phase === "migrate" || phase === "contract") {
    return revision.files[phase] ?? revision.files.main;
  }
  return revision.files.main ?? revision.files.expand;
}

export { textChecksum };

/** The checksum of a script file (util/checksum.ts), through the file cache. */
export function fileChecksum(file: string): string {
  return derivedFromFile(file, { kind: "checksums", version: "1" }, readScriptText, textChecksum);
}
