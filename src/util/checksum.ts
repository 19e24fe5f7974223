/** The checksum tidemark keeps of a script's text (tidemark_log, `validate`, `check`). */
import { createHash } from "./lazy-crypto.js";

/**
 * What the checksum is made of changed (v2: a leading BOM is dropped): caches
 * that store checksums key their entries by it, so none from v1 are reused.
 */
export const CHECKSUM_VERSION = "2";

const BOM = "\uFEFF";

/**
 * sha256 of the text with line endings normalised and a leading UTF-8 BOM
 * dropped, so that a checkout on Windows or an editor that adds a BOM does
 * not count as an edit (Flyway ignores both too).
 */
export function textChecksum(text: string): string {
  return sha256(normalised(text.startsWith(BOM) ? text.slice(1) : text));
}

/**
 * The checksum tidemark stored before v2 (BOM included), or undefined when
 * the text has no BOM and both are the same: a script applied with a BOM by
 * an older tidemark must not count as changed.
 */
export function legacyTextChecksum(text: string): string | undefined {
  return text.startsWith(BOM) ? sha256(normalised(text)) : undefined;
}

function normalised(text: string): string {
  return text.replace(/\r\n/g, "\n");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
