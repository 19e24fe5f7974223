/**
 * Checksums of the script a step ran, stored in tidemark_log so that
 * `validate` and `check` can tell when an applied script was edited.
 */
import { CHECKSUM_VERSION, legacyTextChecksum, textChecksum } from "../util/checksum.js";
import { derivedFromFile } from "../util/file-cache.js";
import { readScriptText } from "./read-text.js";
export { textChecksum };

/** The checksum of a script file (util/checksum.ts), through the file cache. */
export function fileChecksum(file: string): string {
  return derivedFromFile(file, { kind: "checksums", version: CHECKSUM_VERSION }, readScriptText, textChecksum);
}

/** Is `applied` this file's checksum as an older tidemark computed it? Read only on a mismatch. */
export function matchesLegacyChecksum(file: string, applied: string): boolean {
  return legacyTextChecksum(readScriptText(file)) === applied;
}
