/**
 * Default names for indexes and constraints, so that a later `dropIndex` or
 * `dropConstraint` can name them. Kept within PostgreSQL's 63-byte and
 * MySQL's 64-character identifier limits by hashing the tail when needed.
 */
import { createHash } from "../util/lazy-crypto.js";

const MAX_IDENTIFIER = 63;

export function defaultConstraintName(prefix: string, table: string, columns: readonly string[]): string {
  const full = [prefix, table, ...columns].join("_").replace(/[^A-Za-z0-9_]/g, "_");
  return fitIdentifier(full);
}

export function fitIdentifier(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_IDENTIFIER - 9)}_${hash}`;
}
