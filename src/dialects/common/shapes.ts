/**
 * What the compilers render a table from. createTable builds it from the
 * op's ColumnDefs; the SQLite rebuild builds it from a TableModel. Types are
 * already dialect types and defaults already SQL, so both paths share one
 * renderer.
 */
import type { CheckDef, ForeignKeyAction, ForeignKeyDef, UniqueDef } from "../../ops/op.js";

export interface ReferenceShape {
  readonly table: string;
  readonly column: string;
  readonly onDelete?: ForeignKeyAction;
  readonly onUpdate?: ForeignKeyAction;
}

export interface ColumnShape {
  readonly name: string;
  /** The dialect's type; empty for a SQLite column without one. */
  readonly type: string;
  readonly nullable: boolean;
  /** SQL after DEFAULT, or undefined for no default. */
  readonly defaultSql?: string;
  readonly autoIncrement: boolean;
  /** A single-column primary key, written on the column. */
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly references?: ReferenceShape;
  /** Kept from the live column by type changes and rebuilds (see ColumnModel). */
  readonly collation?: string;
  readonly charset?: string;
  readonly comment?: string;
  readonly onUpdate?: string;
}

export interface TableShape {
  readonly columns: readonly ColumnShape[];
  /** A table-level (composite) primary key; empty when a column carries it. */
  readonly primaryKey: readonly string[];
  readonly uniques: readonly UniqueDef[];
  readonly foreignKeys: readonly ForeignKeyDef[];
  readonly checks: readonly CheckDef[];
}
