/**
 * What introspection reads from a live database (and what autogenerate and
 * the SQLite table rebuild work from). Names are as the database reports
 * them; types are the database's own spelling, lower-cased.
 */
import type { ForeignKeyAction } from "../ops/op.js";

export interface ColumnModel {
  readonly name: string;
  /** The database's type, lower-cased, e.g. `integer`, `character varying(255)`, `varchar(255)`. */
  readonly type: string;
  readonly nullable: boolean;
  /** The default as SQL text exactly as the database reports it, or null for none. */
  readonly default: string | null;
  readonly autoIncrement: boolean;
  /**
   * A collation other than the type's (PostgreSQL) or the table's (MySQL)
   * default, or SQLite's declared COLLATE; absent when the column has none.
   * A type change restates it, so that it is not lost (issue 13, D8).
   */
  readonly collation?: string;
  /** MySQL: a character set other than the table's default. */
  readonly charset?: string;
  /** MySQL: the column's COMMENT, when it has one. */
  readonly comment?: string;
  /** MySQL: `ON UPDATE` (e.g. `CURRENT_TIMESTAMP`), which MODIFY COLUMN drops unless restated. */
  readonly onUpdate?: string;
}

export interface IndexModel {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** Partial index predicate when the database reports one. */
  readonly where?: string;
}

export interface UniqueModel {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface ForeignKeyModel {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: ForeignKeyAction;
  readonly onUpdate: ForeignKeyAction;
}

export interface CheckModel {
  readonly name: string;
  readonly expression: string;
}

export interface TableModel {
  readonly name: string;
  /** In declaration order. */
  readonly columns: readonly ColumnModel[];
  readonly primaryKey: readonly string[];
  /** Plain and unique indexes that are not the primary key or a unique constraint. */
  readonly indexes: readonly IndexModel[];
  readonly uniques: readonly UniqueModel[];
  readonly foreignKeys: readonly ForeignKeyModel[];
  readonly checks: readonly CheckModel[];
}

export interface ViewModel {
  readonly name: string;
  readonly sql: string;
}

export interface TriggerModel {
  readonly name: string;
  readonly table: string;
}

export interface SchemaModel {
  readonly tables: readonly TableModel[];
  readonly views: readonly ViewModel[];
  readonly triggers: readonly TriggerModel[];
}

export interface IntrospectOptions {
  /** PostgreSQL schema (default `public`); ignored elsewhere. */
  readonly schema?: string;
  /** Tables to leave out (tidemark's own tables by default). */
  readonly exclude?: readonly string[];
}
