/**
 * Checksums of the script a step ran, stored in tidemark_log so that
 * `validate` and `check` can tell when an applied script was edited.
 */
import { textChecksum } from "../util/checksum.js";
import { derivedFromFile } from "../util/file-cache.js";
import { readScriptText } from "./read-text.js";
export { textChecksum };

/** The checksum of a script file (util/checksum.ts), through the file cache. */
export function fileChecksum(file: string): string {
  return derivedFromFile(file, { kind: "checksums", version: "1" }, readScriptText, textChecksum);
}
