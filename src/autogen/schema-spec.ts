/**
 * The one shape both sides of a comparison take: the declared schema (from
 * a module, or from a `.sql` file run on a scratch database) and the live
 * database. It is close to the Op API, because the ops autogenerate writes
 * are made from it: columns carry a `type` and a `default` an op can take.
 *
 * `origin` says how a table's types and defaults are spelled:
 * - `declared`: as a user wrote them in a module — portable names
 *   (`varchar(255)`) that the dialect maps, defaults as values;
 * - `database`: as a database reported them (`character varying(255)`,
 *   defaults as SQL text), which must never be mapped a second time.
 */
import type { DefaultValue, ForeignKeyAction } from "../ops/op.js";

export type SpecOrigin = "declared" | "database";

export interface ColumnEntry {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  /** undefined: no default. A `database` column's default is an SqlExpression of the reported text. */
  readonly default: DefaultValue | undefined;
  readonly autoIncrement: boolean;
  readonly renamedFrom?: string;
}

export interface IndexEntry {
  /** Empty when the declaration left it to the default. */
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly where?: string;
}

export interface UniqueEntry {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface ForeignKeyEntry {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: ForeignKeyAction;
  readonly onUpdate: ForeignKeyAction;
}

export interface CheckEntry {
  readonly name: string;
  readonly expression: string;
}

export interface TableEntry {
  readonly name: string;
  readonly origin: SpecOrigin;
  readonly renamedFrom?: string;
  /** In declaration order. */
  readonly columns: readonly ColumnEntry[];
  readonly primaryKey: readonly string[];
  readonly indexes: readonly IndexEntry[];
  readonly uniques: readonly UniqueEntry[];
  readonly foreignKeys: readonly ForeignKeyEntry[];
  readonly checks: readonly CheckEntry[];
}

export interface ViewEntry {
  readonly name: string;
  readonly sql: string;
}

export interface SchemaSpec {
  readonly tables: readonly TableEntry[];
  readonly views: readonly ViewEntry[];
}

export const EMPTY_SCHEMA: SchemaSpec = { tables: [], views: [] };
