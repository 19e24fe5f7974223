/**
 * MySQL/MariaDB → SchemaModel from information_schema, for the connection's
 * current database, one query per kind of object.
 *
 * Choices where MySQL differs:
 * - A unique index and a unique constraint are the same object in MySQL;
 *   every unique index is reported in `uniques` (as TABLE_CONSTRAINTS does),
 *   never in `indexes`. The index MySQL adds for a foreign key is a real
 *   index and is reported.
 * - A prefix index column is reported as `name(length)`.
 * - Defaults are SQL text: MariaDB already reports them so (its `NULL`
 *   means no default); MySQL reports literals bare, so text literals are
 *   quoted here, numbers and expression defaults left as they are.
 * - Types are COLUMN_TYPE lower-cased (`int(11)`, `varchar(255)`,
 *   `int(10) unsigned`); MariaDB's JSON is `longtext` with a `json_valid`
 *   check, reported as such.
 * - View SQL is VIEW_DEFINITION without the current database's qualifier.
 */
import type { Connection } from "../dialect.js";
import type {
  CheckModel,
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  IntrospectOptions,
  SchemaModel,
  TableModel,
  UniqueModel,
} from "../schema-model.js";
import { DatabaseError } from "../../errors.js";
import { byName, excludedTables, foreignKeyAction } from "../introspect-support.js";

type AnyRow = Record<string, unknown>;

interface TableParts {
  readonly columns: ColumnModel[];
  primaryKey: string[];
  readonly indexes: IndexModel[];
  readonly uniques: UniqueModel[];
  readonly foreignKeys: ForeignKeyModel[];
  readonly checks: CheckModel[];
}

const NUMERIC_TYPES = new Set([
  "tinyint",
  "smallint",
  "mediumint",
  "int",
  "integer",
  "bigint",
  "decimal",
  "numeric",
  "float",
  "double",
  "real",
  "bit",
  "year",
]);

/** information_schema values can arrive as Buffers (binary collations). */
function str(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return String(value);
}

function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function introspectMysql(connection: Connection, options: IntrospectOptions = {}): Promise<SchemaModel> {
  const [info] = await connection.query("SELECT DATABASE() AS db, VERSION() AS version");
  const database = info?.["db"];
  if (database === null || database === undefined) {
    throw new DatabaseError("Cannot introspect MySQL: no database is selected; name one in the URL (mysql://host/DATABASE).");
  }
  const mariadb = /mariadb/i.test(str(info?.["version"]));
  const excluded = excludedTables(options);
  // The table's default collation here, once: joining COLUMNS to TABLES per column made
  // MariaDB open every table's definition again for each of its columns (×2.4 on 1,000 tables).
  const tableRows = await connection.query(
    "SELECT TABLE_NAME AS name, TABLE_COLLATION AS table_collation FROM information_schema.TABLES " +
      "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
  );
  const parts = new Map<string, TableParts>();
  const collations = new Map<string, string>();
  for (const row of [...tableRows].sort((a, b) => codeUnitOrder(str(a["name"]), str(b["name"])))) {
    const name = str(row["name"]);
    if (excluded.has(name)) continue;
    parts.set(name, { columns: [], primaryKey: [], indexes: [], uniques: [], foreignKeys: [], checks: [] });
    collations.set(name, str(row["table_collation"]));
  }

  await readColumns(connection, parts, collations, mariadb);
  await readIndexes(connection, parts);
  await readForeignKeys(connection, parts, str(database));
  await readChecks(connection, parts, mariadb);

  const tables: TableModel[] = [...parts].map(([name, p]) => ({
    name,
    columns: p.columns,
    primaryKey: p.primaryKey,
    indexes: byName(p.indexes),
    uniques: byName(p.uniques),
    foreignKeys: byName(p.foreignKeys),
    checks: byName(p.checks),
  }));
  const views = (
    await connection.query(
      "SELECT TABLE_NAME AS name, VIEW_DEFINITION AS definition FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
    )
  )
    .map((row) => ({ name: str(row["name"]), sql: unqualify(str(row["definition"]), str(database)) }))
    .filter((view) => !excluded.has(view.name))
    .sort((a, b) => codeUnitOrder(a.name, b.name));
  const triggers = (
    await connection.query(
      "SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
    )
  )
    .map((row) => ({ name: str(row["name"]), table: str(row["tbl"]) }))
    .filter((trigger) => !excluded.has(trigger.table))
    .sort((a, b) => codeUnitOrder(a.name, b.name));
  return { tables, views, triggers };
}

/**
 * MySQL stores view definitions with every name qualified by the database
 * (`db`.`t`.`c`); without it, the same view compares equal across databases.
 */
function unqualify(sql: string, database: string): string {
  return sql.split(`\`${database.replace(/`/g, "``")}\`.`).join("");
}

/** A cheap catalog lookup in the current database. */
export async function mysqlTableExists(connection: Connection, name: string): Promise<boolean> {
  const rows = await connection.query(
    "SELECT 1 AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'",
    [name],
  );
  return rows.length > 0;
}

/** A column's charset and collation are kept only where they differ from its table's default (`collations`). */
async function readColumns(
  connection: Connection,
  parts: Map<string, TableParts>,
  collations: ReadonlyMap<string, string>,
  mariadb: boolean,
): Promise<void> {
  const rows = await connection.query(
    "SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS data_type, " +
      "IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra, CHARACTER_SET_NAME AS charset, " +
      "COLLATION_NAME AS collation, COLUMN_COMMENT AS comment FROM information_schema.COLUMNS " +
      "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION",
  );
  for (const row of rows) {
    const extra = str(row["extra"]).toLowerCase();
    const collation = row["collation"] === null || row["collation"] === undefined ? "" : str(row["collation"]);
    const own = collation !== "" && collation !== collations.get(str(row["tbl"]));
    const comment = row["comment"] === null || row["comment"] === undefined ? "" : str(row["comment"]);
    parts.get(str(row["tbl"]))?.columns.push({
      name: str(row["name"]),
      type: str(row["type"]).toLowerCase(),
      nullable: str(row["nullable"]) === "YES",
      default: defaultText(row["dflt"], str(row["data_type"]).toLowerCase(), extra, mariadb),
      autoIncrement: extra.includes("auto_increment"),
      ...(own ? { charset: str(row["charset"]), collation } : {}),
      ...(comment === "" ? {} : { comment }),
      ...onUpdateOf(extra),
    });
  }
}

/** `on update current_timestamp()` (MariaDB) or `DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)` (MySQL 8). */
function onUpdateOf(extra: string): { onUpdate?: string } {
  const match = /\bon update (current_timestamp(?:\(\d*\))?)/i.exec(extra);
  return match === null ? {} : { onUpdate: (match[1] as string).toUpperCase() };
}

function defaultText(value: unknown, dataType: string, extra: string, mariadb: boolean): string | null {
  if (value === null || value === undefined) return null;
  const text = str(value);
  if (mariadb) return text === "NULL" ? null : text;
  if (extra.includes("default_generated") || NUMERIC_TYPES.has(dataType)) return text;
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

async function readIndexes(connection: Connection, parts: Map<string, TableParts>): Promise<void> {
  // SELECT *: MySQL 8 adds EXPRESSION (functional key parts), MariaDB has none.
  const rows = await connection.query<AnyRow>(
    "SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
  );
  const groups = new Map<string, { table: string; name: string; unique: boolean; columns: string[] }>();
  for (const row of rows) {
    const table = str(row["TABLE_NAME"]);
    const name = str(row["INDEX_NAME"]);
    const key = `${table}\u0000${name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { table, name, unique: Number(row["NON_UNIQUE"]) === 0, columns: [] };
      groups.set(key, group);
    }
    const column =
      row["COLUMN_NAME"] === null || row["COLUMN_NAME"] === undefined ? `(${str(row["EXPRESSION"])})` : str(row["COLUMN_NAME"]);
    const subPart = row["SUB_PART"];
    group.columns.push(subPart === null || subPart === undefined ? column : `${column}(${str(subPart)})`);
  }
  for (const group of groups.values()) {
    const table = parts.get(group.table);
    if (table === undefined) continue;
    if (group.name === "PRIMARY") table.primaryKey = group.columns;
    else if (group.unique) table.uniques.push({ name: group.name, columns: group.columns });
    else table.indexes.push({ name: group.name, columns: group.columns, unique: false });
  }
}

async function readForeignKeys(connection: Connection, parts: Map<string, TableParts>, database: string): Promise<void> {
  const rows = await connection.query(
    `SELECT rc.TABLE_NAME AS tbl, rc.CONSTRAINT_NAME AS name, rc.UPDATE_RULE AS on_update, rc.DELETE_RULE AS on_delete,
            k.COLUMN_NAME AS col, k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
            k.REFERENCED_COLUMN_NAME AS ref_col
       FROM information_schema.REFERENTIAL_CONSTRAINTS rc
       JOIN information_schema.KEY_COLUMN_USAGE k
         ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
        AND k.TABLE_NAME = rc.TABLE_NAME
      WHERE rc.CONSTRAINT_SCHEMA = DATABASE()
      ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  );
  const groups = new Map<string, { table: string; fk: ForeignKeyModel & { columns: string[]; refColumns: string[] } }>();
  for (const row of rows) {
    const table = str(row["tbl"]);
    const key = `${table}\u0000${str(row["name"])}`;
    let group = groups.get(key);
    if (group === undefined) {
      const refSchema = str(row["ref_schema"]);
      const refTable = str(row["ref_table"]);
      group = {
        table,
        fk: {
          name: str(row["name"]),
          columns: [],
          refTable: refSchema === "" || refSchema === database ? refTable : `${refSchema}.${refTable}`,
          refColumns: [],
          onDelete: foreignKeyAction(row["on_delete"]),
          onUpdate: foreignKeyAction(row["on_update"]),
        },
      };
      groups.set(key, group);
    }
    group.fk.columns.push(str(row["col"]));
    group.fk.refColumns.push(str(row["ref_col"]));
  }
  for (const group of groups.values()) parts.get(group.table)?.foreignKeys.push(group.fk);
}

async function readChecks(connection: Connection, parts: Map<string, TableParts>, mariadb: boolean): Promise<void> {
  const available = await connection.query(
    "SELECT 1 AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'CHECK_CONSTRAINTS'",
  );
  if (available.length === 0) return; // MySQL before 8.0.16 keeps no CHECK constraints.
  // MariaDB check names are per table (CHECK_CONSTRAINTS has TABLE_NAME); MySQL's are per schema.
  const rows = await connection.query(
    mariadb
      ? "SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause " +
          "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
      : "SELECT tc.TABLE_NAME AS tbl, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause " +
          "FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc " +
          "ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME " +
          "WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'",
  );
  for (const row of rows) {
    parts.get(str(row["tbl"]))?.checks.push({ name: str(row["name"]), expression: str(row["clause"]) });
  }
}
