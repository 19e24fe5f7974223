/**
 * What the three introspectors share: which tables to leave out, how
 * referential actions are spelled in the model, and the order of lists.
 */
import type { ForeignKeyAction } from "../ops/op.js";
import type { IntrospectOptions } from "./schema-model.js";

/** tidemark's own tables (tidemark_lock: the lease on a Galera cluster), left out unless the caller passes its own list. */
export const DEFAULT_EXCLUDED_TABLES: readonly string[] = ["tidemark_version", "tidemark_log", "tidemark_lock"];

export function excludedTables(options: IntrospectOptions): ReadonlySet<string> {
  return new Set(options.exclude ?? DEFAULT_EXCLUDED_TABLES);
}

const ACTIONS: Readonly<Record<string, ForeignKeyAction>> = {
  cascade: "cascade",
  restrict: "restrict",
  "set null": "set null",
  "set default": "set default",
  "no action": "no action",
  // PostgreSQL's pg_constraint.confupdtype / confdeltype codes.
  c: "cascade",
  r: "restrict",
  n: "set null",
  d: "set default",
  a: "no action",
};

/** `NO ACTION`, `SET NULL`, `c`… → the ForeignKeyAction; anything unknown as `no action`. */
export function foreignKeyAction(text: unknown): ForeignKeyAction {
  const key = String(text ?? "")
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, " ");
  return ACTIONS[key] ?? "no action";
}

/** Constraint and index lists are ordered by name on every dialect (code-unit order). */
export function byName<T extends { readonly name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
