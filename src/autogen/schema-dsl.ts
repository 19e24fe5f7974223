/**
 * The declared schema as a user writes it (SPEC §11): the Op API's own
 * column vocabulary (`ColumnSpec`), so that what a script writes and what a
 * schema declares are one language, plus `renamedFrom` hints. Every type
 * here is a closed object type, so a misspelt key in a literal passed to
 * `defineSchema` is a compile error for a TypeScript user (JavaScript users
 * get the same refusal when the schema loads: declared-schema.ts).
 */
import type { CheckDef, ColumnSpec, ForeignKeyDef, SqlExpression, UniqueDef } from "../ops/op.js";
import { sqlExpression } from "../ops/op.js";

export interface DeclaredColumn extends ColumnSpec {
  /** The column's name in the database before this schema renamed it. */
  readonly renamedFrom?: string;
}

export interface DeclaredIndex {
  /** Default: `ix_<table>_<columns>` (`ux_…` for a unique index). */
  readonly name?: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
  /** Partial index predicate (PostgreSQL, SQLite). */
  readonly where?: string;
}

export interface DeclaredTable {
  /** The table's name in the database before this schema renamed it. */
  readonly renamedFrom?: string;
  /** Column name → spec; the order is the order of CREATE TABLE (not compared). */
  readonly columns: Readonly<Record<string, DeclaredColumn>>;
  /** A composite primary key; a single-column key may say `primaryKey: true` on the column. */
  readonly primaryKey?: readonly string[];
  readonly indexes?: readonly DeclaredIndex[];
  readonly uniques?: readonly UniqueDef[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly checks?: readonly CheckDef[];
}

export interface SchemaDefinition {
  readonly tables?: Readonly<Record<string, DeclaredTable>>;
  /** View name → its SELECT. */
  readonly views?: Readonly<Record<string, string>>;
}

/** Types the schema and returns it unchanged: `export default defineSchema({ tables: { … } })`. */
export function defineSchema(schema: SchemaDefinition): SchemaDefinition {
  return schema;
}

/** A SQL expression as a column default, as `op.sql(…)` is in a script: `default: sql("CURRENT_TIMESTAMP")`. */
export function sql(text: string): SqlExpression {
  return sqlExpression(text);
}
