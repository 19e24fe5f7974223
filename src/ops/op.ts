/**
 * Operations are plain data first, SQL second: the same objects are executed
 * online, rendered offline, checked against phase rules and written by
 * autogenerate. Every kind here must be compiled by each dialect and
 * categorised in phases/category.ts (both are exhaustive by type).
 */

/** A raw SQL expression, e.g. a default of `op.sql("CURRENT_TIMESTAMP")`. */
export interface SqlExpression {
  readonly kind: "sql";
  readonly sql: string;
}

export type DefaultValue = string | number | boolean | null | SqlExpression;

export type ForeignKeyAction = "cascade" | "restrict" | "set null" | "set default" | "no action";

export interface ColumnReference {
  readonly table: string;
  readonly column: string;
  readonly onDelete?: ForeignKeyAction;
  readonly onUpdate?: ForeignKeyAction;
}

/** What a script writes for one column (the key of the record is its name). */
export interface ColumnSpec {
  /** A portable type name (integer, varchar(255), timestamptz, …) or any type string, passed through. */
  readonly type: string;
  /** Columns are nullable unless `nullable: false` or part of the primary key. */
  readonly nullable?: boolean;
  readonly default?: DefaultValue;
  readonly primaryKey?: boolean;
  readonly autoIncrement?: boolean;
  readonly unique?: boolean;
  readonly references?: ColumnReference;
}

export interface ColumnDef extends ColumnSpec {
  readonly name: string;
}

export interface ForeignKeyDef {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete?: ForeignKeyAction;
  readonly onUpdate?: ForeignKeyAction;
}

export interface UniqueDef {
  readonly name?: string;
  readonly columns: readonly string[];
}

export interface CheckDef {
  readonly name?: string;
  readonly expression: string;
}

export interface CreateTable {
  readonly kind: "createTable";
  readonly table: string;
  readonly columns: readonly ColumnDef[];
  /** Composite primary key; single-column keys may use `primaryKey: true` on the column instead. */
  readonly primaryKey?: readonly string[];
  readonly uniques?: readonly UniqueDef[];
  readonly checks?: readonly CheckDef[];
  readonly foreignKeys?: readonly ForeignKeyDef[];
  readonly ifNotExists?: boolean;
}

export interface DropTable {
  readonly kind: "dropTable";
  readonly table: string;
  readonly ifExists?: boolean;
}

export interface RenameTable {
  readonly kind: "renameTable";
  readonly table: string;
  readonly to: string;
  /**
   * The contract half of `aliasTable(table, to)`: the view `to` is replaced
   * by the renamed table in one atomic step (PostgreSQL and SQLite: one
   * transaction; MySQL: one `RENAME TABLE`), so no reader of `to` ever finds
   * neither.
   */
  readonly overAlias?: boolean;
}

/**
 * Expand half of a table rename: a view `alias` over `table` that both
 * releases can read and write through while the rename rolls out (SQLite:
 * with INSTEAD OF triggers). `renameTable(table, alias, { overAlias: true })`
 * in contract finishes it.
 */
export interface AliasTable {
  readonly kind: "aliasTable";
  readonly table: string;
  readonly alias: string;
}

/** Checks the existing rows against a constraint added with `notValid` (PostgreSQL `VALIDATE CONSTRAINT`). */
export interface ValidateConstraint {
  readonly kind: "validateConstraint";
  readonly table: string;
  readonly name: string;
}

/**
 * `SET NOT NULL` without a long lock: on PostgreSQL a `CHECK (col IS NOT
 * NULL) NOT VALID`, validated, then SET NOT NULL (12+ skips the scan because
 * of the validated check), then the check dropped.
 */
export interface SetNotNull {
  readonly kind: "setNotNull";
  readonly table: string;
  readonly column: string;
}

/**
 * Contract half of `changeType`: the sync triggers `sync` dropped, the old
 * column dropped and its `replacement` renamed to its name, together.
 */
export interface SwapColumn {
  readonly kind: "swapColumn";
  readonly table: string;
  readonly column: string;
  readonly replacement: string;
  /** The syncColumns name whose triggers kept the replacement in step. */
  readonly sync: string;
}

export interface AddColumn {
  readonly kind: "addColumn";
  readonly table: string;
  readonly column: ColumnDef;
}

export interface DropColumn {
  readonly kind: "dropColumn";
  readonly table: string;
  readonly column: string;
}

/** Only the fields that are present change; `default: null` drops the default. */
export interface AlterColumn {
  readonly kind: "alterColumn";
  readonly table: string;
  readonly column: string;
  readonly type?: string;
  readonly nullable?: boolean;
  readonly default?: DefaultValue;
  /** PostgreSQL `USING` expression for a type change. */
  readonly using?: string;
}

export interface RenameColumn {
  readonly kind: "renameColumn";
  readonly table: string;
  readonly column: string;
  readonly to: string;
}

export interface CreateIndex {
  readonly kind: "createIndex";
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
  /**
   * Build without blocking writes: PostgreSQL `CREATE INDEX CONCURRENTLY`
   * (outside a transaction; the index is checked valid after, and an invalid
   * one a failed earlier try left is dropped first); MySQL `ALGORITHM=INPLACE,
   * LOCK=NONE`. The default in rolling repositories.
   */
  readonly concurrently?: boolean;
  /** Partial index predicate (PostgreSQL, SQLite). */
  readonly where?: string;
  readonly ifNotExists?: boolean;
}

export interface DropIndex {
  readonly kind: "dropIndex";
  readonly table: string;
  readonly name: string;
  readonly concurrently?: boolean;
  readonly ifExists?: boolean;
}

export interface AddForeignKey {
  readonly kind: "addForeignKey";
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete?: ForeignKeyAction;
  readonly onUpdate?: ForeignKeyAction;
  /** PostgreSQL `NOT VALID`: only new rows are checked until `validateConstraint`. */
  readonly notValid?: boolean;
}

export interface AddUnique {
  readonly kind: "addUnique";
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
}

export interface AddCheck {
  readonly kind: "addCheck";
  readonly table: string;
  readonly name: string;
  readonly expression: string;
  /** PostgreSQL `NOT VALID`: only new rows are checked until `validateConstraint`. */
  readonly notValid?: boolean;
}

export type ConstraintType = "foreignKey" | "unique" | "check" | "primaryKey";

export interface DropConstraint {
  readonly kind: "dropConstraint";
  readonly table: string;
  readonly name: string;
  /** MySQL needs to know what it drops; the others do not. */
  readonly type?: ConstraintType;
}

export interface CreateView {
  readonly kind: "createView";
  readonly name: string;
  readonly sql: string;
  readonly orReplace?: boolean;
}

export interface DropView {
  readonly kind: "dropView";
  readonly name: string;
  readonly ifExists?: boolean;
}

/** Raw SQL. `unsafe` marks a statement the phase classifier may not understand. */
export interface Execute {
  readonly kind: "execute";
  readonly sql: string;
  readonly params?: readonly unknown[];
  readonly unsafe?: string;
  /** The script line of the call, when known (kept for marked statements, so that `check` can name it). */
  readonly line?: number;
  /** Set for `op.query`: the script reads the rows, so a rolling phase needs a `readOnly` or `unsafe` mark. */
  readonly query?: { readonly readOnly: boolean };
  /** Set for `op.backfill` while a body is recorded: the UPDATE it stands for, and why its expressions are refused. */
  readonly backfill?: { readonly problem?: string };
}

export interface BulkInsert {
  readonly kind: "bulkInsert";
  readonly table: string;
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

/**
 * Triggers that keep old and new columns consistent while two releases write.
 * `forward` computes each `to` column from the row (`NEW.<col>` refers to the
 * written row on every dialect); `backward` computes each `from` column.
 */
export interface SyncColumns {
  readonly kind: "syncColumns";
  readonly table: string;
  readonly name: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly forward: Readonly<Record<string, string>>;
  readonly backward: Readonly<Record<string, string>>;
}

export interface DropSync {
  readonly kind: "dropSync";
  readonly table: string;
  readonly name: string;
}

export interface ForbidWrites {
  readonly kind: "forbidWrites";
  readonly table: string;
  readonly message?: string;
}

export interface AllowWrites {
  readonly kind: "allowWrites";
  readonly table: string;
}

export type Op =
  | CreateTable
  | DropTable
  | RenameTable
  | AliasTable
  | AddColumn
  | DropColumn
  | AlterColumn
  | RenameColumn
  | CreateIndex
  | DropIndex
  | AddForeignKey
  | AddUnique
  | AddCheck
  | DropConstraint
  | CreateView
  | DropView
  | Execute
  | BulkInsert
  | SyncColumns
  | DropSync
  | ForbidWrites
  | AllowWrites
  | ValidateConstraint
  | SetNotNull
  | SwapColumn;

export type OpKind = Op["kind"];

export function sqlExpression(sql: string): SqlExpression {
  return { kind: "sql", sql };
}

export function isSqlExpression(value: unknown): value is SqlExpression {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "sql";
}

/** Fails the build when a switch over Op kinds misses one. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
