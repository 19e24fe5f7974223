/**
 * SQLite's table rebuild (https://sqlite.org/lang_altertable.html#otheralter),
 * as statements that run inside the step's transaction:
 *
 *   guard   refuse what would lose data or triggers (below)
 *   CREATE TABLE "_tidemark_new_t" (the new shape)
 *   INSERT INTO "_tidemark_new_t" (…) SELECT … FROM "t"
 *   guard   the copied rows satisfy the new table's foreign keys
 *   (AUTOINCREMENT: carry sqlite_sequence over, so ids are never reused)
 *   DROP TABLE "t"
 *   PRAGMA legacy_alter_table = ON; ALTER TABLE … RENAME TO "t"; … = OFF
 *   CREATE INDEX … (the indexes, which DROP TABLE took with it)
 *
 * Why these pragmas. SQLite's recipe wants `PRAGMA foreign_keys = OFF`, which
 * is a no-op inside a transaction. With foreign keys ON, `DROP TABLE "t"`
 * deletes every row first, firing ON DELETE CASCADE / SET NULL in the tables
 * that reference "t" (silent data loss) or leaving violations that fail the
 * COMMIT; `PRAGMA defer_foreign_keys` only defers the latter and the renamed
 * table never repairs them, so it does not help. Hence the first guard: it
 * refuses the rebuild while foreign keys are ON and "t" has rows that other
 * tables (or itself) may reference. The runner should set
 * `PRAGMA foreign_keys = OFF` before BEGIN of a SQLite step (and check
 * `PRAGMA foreign_key_check` before COMMIT); then the guard never fires.
 * `legacy_alter_table = ON` keeps the RENAME from re-parsing views and
 * triggers that name "t" while "t" does not exist (it fails with "error in
 * view …" otherwise); they find the new "t" by name afterwards. It is set
 * back to OFF, SQLite's default.
 *
 * Triggers on "t" die with DROP TABLE and the TableModel does not carry
 * their SQL, so the guard refuses a table that has triggers.
 *
 * The guards are a temporary table whose named CHECK constraints carry the
 * message: SQLite has no RAISE outside triggers.
 */
import type { CompileContext, Statement } from "../dialect.js";
import type { ColumnModel, TableModel } from "../schema-model.js";
import { wrapDefaultSql } from "../common/defaults.js";
import type { ColumnShape, TableShape } from "../common/shapes.js";
import { sameName } from "./sqlite-table-edits.js";

export interface RebuildRenderer {
  quoteIdentifier(name: string): string;
  literal(value: unknown): string;
  createTableSql(table: string, shape: TableShape, context: CompileContext): string;
}

export interface RebuildPlan {
  readonly current: TableModel;
  /** The new shape; its name is the current table's name. */
  readonly target: TableModel;
  /**
   * Target column → SQL that reads its value from the old table. Columns not
   * listed copy the same-named old column; a column the old table lacks is new
   * and gets its default.
   */
  readonly expressions?: ReadonlyMap<string, string>;
}

export const REBUILD_PREFIX = "_tidemark_new_";
const GUARD = "_tidemark_rebuild_guard";

export function rebuildStatements(plan: RebuildPlan, r: RebuildRenderer): Statement[] {
  const { current, target } = plan;
  const q = (name: string): string => r.quoteIdentifier(name);
  const table = q(current.name);
  const newName = `${REBUILD_PREFIX}${current.name}`;
  const newTable = q(newName);
  const guard = `temp.${q(GUARD)}`;

  const statements: Statement[] = [
    { sql: `DROP TABLE IF EXISTS ${guard}` },
    { sql: guardTableSql(guard, current.name, r) },
    { sql: preCheckSql(guard, current.name, r) },
    { sql: r.createTableSql(newTable, shapeOf(target), {}) },
  ];

  const copied = target.columns.filter(
    (column) => plan.expressions?.has(column.name) === true || current.columns.some((old) => sameName(old.name, column.name)),
  );
  if (copied.length > 0) {
    const into = copied.map((column) => q(column.name)).join(", ");
    const from = copied.map((column) => plan.expressions?.get(column.name) ?? q(column.name)).join(", ");
    statements.push({ sql: `INSERT INTO ${newTable} (${into}) SELECT ${from} FROM ${table}` });
  }
  if (target.foreignKeys.length > 0) {
    statements.push({
      sql: `INSERT INTO ${guard} (${q("foreign_key_violations")}) SELECT count(*) FROM pragma_foreign_key_check(${r.literal(newName)})`,
    });
  }
  if (target.columns.some((column) => column.autoIncrement)) {
    statements.push(
      { sql: `DELETE FROM sqlite_sequence WHERE name = ${r.literal(newName)}` },
      {
        sql: `INSERT INTO sqlite_sequence (name, seq) SELECT ${r.literal(newName)}, seq FROM sqlite_sequence WHERE name = ${r.literal(current.name)}`,
      },
    );
  }
  statements.push(
    { sql: `DROP TABLE ${table}` },
    { sql: "PRAGMA legacy_alter_table = ON" },
    { sql: `ALTER TABLE ${newTable} RENAME TO ${table}` },
    { sql: "PRAGMA legacy_alter_table = OFF" },
    { sql: `DROP TABLE ${guard}` },
  );
  for (const index of target.indexes) {
    // An entry that is not a column is an expression (`lower(email)`) and is written as is.
    const entries = index.columns.map((entry) => (target.columns.some((c) => sameName(c.name, entry)) ? q(entry) : entry));
    let sql = `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${q(index.name)} ON ${table} (${entries.join(", ")})`;
    if (index.where !== undefined) sql += ` WHERE ${index.where}`;
    statements.push({ sql });
  }
  return statements;
}

function guardTableSql(guard: string, table: string, r: RebuildRenderer): string {
  const shown = JSON.stringify(table);
  const check = (column: string, message: string): string =>
    `${r.quoteIdentifier(column)} integer CONSTRAINT ${r.quoteIdentifier(message)} CHECK (${r.quoteIdentifier(column)} = 0)`;
  const columns = [
    check(
      "referencing_foreign_keys",
      `tidemark cannot rebuild table ${shown} while PRAGMA foreign_keys is ON: the table has rows and foreign keys ` +
        "reference it, so dropping the old copy would cascade to or orphan the referencing rows; " +
        "set PRAGMA foreign_keys = OFF before the transaction begins",
    ),
    check(
      "triggers",
      `tidemark cannot rebuild table ${shown}: it has triggers, which the rebuild would drop; ` +
        "drop them before this operation and create them again after it",
    ),
    check(
      "foreign_key_violations",
      `tidemark cannot rebuild table ${shown}: its rows violate its foreign keys; ` +
        `PRAGMA foreign_key_check(${shown}) lists them after the table is fixed by hand`,
    ),
  ];
  return `CREATE TEMP TABLE ${guard} (${columns.join(", ")})`;
}

function preCheckSql(guard: string, table: string, r: RebuildRenderer): string {
  const name = r.literal(table);
  const q = (id: string): string => r.quoteIdentifier(id);
  const referencing =
    `SELECT count(*) FROM sqlite_schema AS s, pragma_foreign_key_list(s.name) AS f WHERE s.type = 'table' ` +
    `AND lower(f."table") = lower(${name}) AND (SELECT foreign_keys FROM pragma_foreign_keys) = 1 ` +
    `AND EXISTS (SELECT 1 FROM ${q(table)})`;
  const triggers = `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND lower(tbl_name) = lower(${name})`;
  return `INSERT INTO ${guard} (${q("referencing_foreign_keys")}, ${q("triggers")}) SELECT (${referencing}), (${triggers})`;
}

/** A TableModel as the CREATE TABLE renderer sees it. */
export function shapeOf(model: TableModel): TableShape {
  const inline = model.primaryKey.length === 1 ? model.primaryKey[0]! : undefined;
  return {
    columns: model.columns.map((column) => columnShape(column, inline !== undefined && sameName(column.name, inline))),
    primaryKey: inline === undefined ? model.primaryKey : [],
    uniques: model.uniques.map((u) => (u.name === "" ? { columns: u.columns } : { name: u.name, columns: u.columns })),
    foreignKeys: model.foreignKeys.map((fk) => ({
      ...(fk.name === "" ? {} : { name: fk.name }),
      columns: fk.columns,
      refTable: fk.refTable,
      refColumns: fk.refColumns,
      onDelete: fk.onDelete,
      onUpdate: fk.onUpdate,
    })),
    checks: model.checks.map((c) => (c.name === "" ? { expression: c.expression } : { name: c.name, expression: c.expression })),
  };
}

function columnShape(column: ColumnModel, primaryKey: boolean): ColumnShape {
  // AUTOINCREMENT exists only on a single-column INTEGER PRIMARY KEY.
  const autoIncrement = column.autoIncrement && primaryKey;
  return {
    name: column.name,
    type: autoIncrement ? "integer" : column.type,
    nullable: column.nullable,
    ...(column.default === null ? {} : { defaultSql: wrapDefaultSql(column.default, "sqlite", column.type) }),
    autoIncrement,
    primaryKey,
    unique: false,
    ...(column.collation === undefined ? {} : { collation: column.collation }),
  };
}
