/**
 * Checksums of the script a step ran, stored in tidemark_log so that
 * `validate` and `check` can tell when an applied script was edited.
 */
import { createHash } from "../util/lazy-crypto.js";
import { readScriptText } from "./read-text.js";
import type { Revision } from "../graph/revision.js";

/** The file a step of `phase` runs ('' = the revision's main file). */
export function stepFile(revision: Revision, phase: string): string | undefined {
  if (phase === "expand" || phase === "migrate" || phase === "contract") {
    return revision.files[phase] ?? revision.files.main;
  }
  return revision.files.main ?? revision.files.expand;
}

/** sha256 of the file with line endings normalised, so a checkout on Windows does not count as an edit. */
export function fileChecksum(file: string): string {
  return textChecksum(readScriptText(file));
}

export function textChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n/g, "\n")).digest("hex");
}
