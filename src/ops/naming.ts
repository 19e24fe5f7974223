/**
 * Names tidemark gives to what it creates, derived here and nowhere else:
 * default names for indexes and constraints (so a later `dropIndex` or
 * `dropConstraint` can name them), and the triggers (and PostgreSQL trigger
 * functions) of `syncColumns` and `forbidWrites`, on which the dialect
 * trigger compilers and the contract-drops-every-trigger rule must agree.
 * All fit PostgreSQL's 63-byte and MySQL's 64-character identifier limits:
 * a longer name keeps its ends and replaces the rest by a hash, so it stays
 * unique and deterministic.
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

export const TRIGGER_NAME_LIMIT = 63;

export interface SyncTriggerNames {
  readonly insert: string;
  readonly update: string;
  /** PostgreSQL: the trigger function both triggers call. */
  readonly function: string;
}

export interface ForbidTriggerNames {
  readonly insert: string;
  readonly update: string;
  readonly delete: string;
  /** PostgreSQL: the trigger function the three triggers call. */
  readonly function: string;
}

function sanitize(part: string): string {
  return part.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** `<prefix><middle>_<suffix>`, shortened with a hash of the full name when it is too long. */
export function boundedName(prefix: string, middle: string, suffix: string): string {
  const body = sanitize(middle);
  const full = `${prefix}${body}_${suffix}`;
  if (full.length <= TRIGGER_NAME_LIMIT) return full;
  const hash = createHash("sha256").update(`${prefix}\0${middle}\0${suffix}`).digest("hex").slice(0, 8);
  const room = TRIGGER_NAME_LIMIT - prefix.length - suffix.length - hash.length - 2;
  return `${prefix}${body.slice(0, Math.max(0, room))}_${hash}_${suffix}`;
}

/** Triggers of `op.syncColumns({ table, name, … })`; `dropSync` with the same name removes them. */
export function syncTriggerNames(op: { readonly table: string; readonly name: string }): SyncTriggerNames {
  return {
    insert: boundedName("tidemark_sync_", op.name, "ins"),
    update: boundedName("tidemark_sync_", op.name, "upd"),
    function: boundedName("tidemark_sync_", op.name, "fn"),
  };
}

/** Triggers of `op.forbidWrites(table)`; `allowWrites(table)` removes them. */
export function forbidTriggerNames(table: string): ForbidTriggerNames {
  return {
    insert: boundedName("tidemark_forbid_", table, "ins"),
    update: boundedName("tidemark_forbid_", table, "upd"),
    delete: boundedName("tidemark_forbid_", table, "del"),
    function: boundedName("tidemark_forbid_", table, "fn"),
  };
}

/** SQLite's INSTEAD OF triggers that make the view of `op.aliasTable` writable; they go with the view. */
export function aliasTriggerNames(alias: string): { readonly insert: string; readonly update: string; readonly delete: string } {
  return {
    insert: boundedName("tidemark_alias_", alias, "ins"),
    update: boundedName("tidemark_alias_", alias, "upd"),
    delete: boundedName("tidemark_alias_", alias, "del"),
  };
}

/** The column `changeType` adds next to `column`, and the name of the sync triggers that fill it. */
export function typeChangeNames(table: string, column: string): { readonly replacement: string; readonly sync: string } {
  return { replacement: fitIdentifier(`${column}_tidemark_new`), sync: `${table}_${column}_type` };
}
