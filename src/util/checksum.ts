/** The checksum tidemark keeps of a script's text (tidemark_log, `validate`, `check`). */
import { createHash } from "./lazy-crypto.js";

/** sha256 of the text with line endings normalised, so a checkout on Windows does not count as an edit. */
export function textChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n/g, "\n")).digest("hex");
}
