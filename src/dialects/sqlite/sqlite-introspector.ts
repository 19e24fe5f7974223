/**
 * SQLite → SchemaModel, from the PRAGMA table functions plus the stored
 * CREATE statements (sqlite-table-sql.ts) for what PRAGMAs leave out.
 *
 * Choices where SQLite differs from the servers:
 * - `autoIncrement` means the AUTOINCREMENT keyword, so that a table
 *   rebuild writes the column back exactly as it was; a plain
 *   `INTEGER PRIMARY KEY` still gets rowids but reports false.
 * - A rowid-alias INTEGER PRIMARY KEY, and the key columns of a WITHOUT
 *   ROWID table, are reported NOT NULL (SQLite cannot store NULL there even
 *   though PRAGMA says notnull = 0).
 * - Constraints declared without a name get PostgreSQL-style names
 *   (`t_a_key`, `t_a_fkey`, `t_a_check`, `t_check`), since SQLite keeps none.
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
  TriggerModel,
  UniqueModel,
  ViewModel,
} from "../schema-model.js";
import { byName, excludedTables, foreignKeyAction } from "../introspect-support.js";
import { parseCreateIndex, parseCreateTable, viewSelect, type ParsedTable } from "./sqlite-table-sql.js";

interface MasterRow {
  readonly type: string;
  readonly name: string;
  readonly tbl_name: string;
  readonly sql: string | null;
  [key: string]: unknown;
}

interface ColumnRow {
  readonly cid: number;
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly dflt_value: string | null;
  readonly pk: number;
  readonly hidden: number;
  [key: string]: unknown;
}

interface IndexListRow {
  readonly name: string;
  readonly unique: number;
  readonly origin: string;
  readonly partial: number;
  [key: string]: unknown;
}

interface IndexColumnRow {
  readonly seqno: number;
  readonly cid: number;
  readonly name: string | null;
  readonly key: number;
  [key: string]: unknown;
}

interface ForeignKeyRow {
  readonly id: number;
  readonly seq: number;
  readonly table: string;
  readonly from: string;
  readonly to: string | null;
  readonly on_update: string;
  readonly on_delete: string;
  [key: string]: unknown;
}

export async function introspectSqlite(connection: Connection, options: IntrospectOptions = {}): Promise<SchemaModel> {
  const excluded = excludedTables(options);
  const master = await connection.query<MasterRow>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master " +
      "WHERE type IN ('table', 'view', 'trigger', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  );
  const indexSql = new Map(master.filter((row) => row.type === "index").map((row) => [row.name, row.sql ?? ""]));
  const catalog = await readCatalog(connection);
  const tables: TableModel[] = [];
  for (const row of master) {
    if (row.type !== "table" || excluded.has(row.name)) continue;
    tables.push(readTable(catalog, row.name, row.sql ?? "", indexSql));
  }
  const views: ViewModel[] = master
    .filter((row) => row.type === "view" && !excluded.has(row.name))
    .map((row) => ({ name: row.name, sql: viewSelect(row.sql ?? "") }));
  const triggers: TriggerModel[] = master
    .filter((row) => row.type === "trigger" && !excluded.has(row.tbl_name))
    .map((row) => ({ name: row.name, table: row.tbl_name }));
  return { tables, views, triggers };
}

/** The PRAGMA rows of every table, grouped by table (or index) name. */
interface Catalog {
  readonly columns: ReadonlyMap<string, ColumnRow[]>;
  readonly withoutRowid: ReadonlySet<string>;
  readonly indexLists: ReadonlyMap<string, IndexListRow[]>;
  readonly indexColumns: ReadonlyMap<string, IndexColumnRow[]>;
  readonly foreignKeys: ReadonlyMap<string, ForeignKeyRow[]>;
}

function groupBy<R extends Record<string, unknown>>(rows: readonly R[], key: string): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of rows) {
    const name = String(row[key]);
    const list = groups.get(name);
    if (list === undefined) groups.set(name, [row]);
    else list.push(row);
  }
  return groups;
}

/**
 * The table-valued PRAGMA functions joined to sqlite_master: one query per
 * kind of object for the whole schema, not one per table (a schema of a
 * thousand tables is read in five statements).
 */
async function readCatalog(connection: Connection): Promise<Catalog> {
  const tables = "FROM sqlite_master m JOIN";
  const onlyTables = "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
  const columns = await connection.query<ColumnRow & { tidemark_table: string }>(
    `SELECT m.name AS tidemark_table, p.* ${tables} pragma_table_xinfo(m.name) p ${onlyTables} ORDER BY m.name, p.cid`,
  );
  const listed = await connection.query<{ name: string; wr: number }>(
    "SELECT name, wr FROM pragma_table_list WHERE schema = 'main'",
  );
  const indexLists = await connection.query<IndexListRow & { tidemark_table: string }>(
    `SELECT m.name AS tidemark_table, l.* ${tables} pragma_index_list(m.name) l ${onlyTables}`,
  );
  const indexColumns = await connection.query<IndexColumnRow & { tidemark_index: string }>(
    `SELECT l.name AS tidemark_index, c.* ${tables} pragma_index_list(m.name) l JOIN pragma_index_xinfo(l.name) c ${onlyTables} ` +
      "ORDER BY l.name, c.seqno",
  );
  const foreignKeys = await connection.query<ForeignKeyRow & { tidemark_table: string }>(
    `SELECT m.name AS tidemark_table, f.* ${tables} pragma_foreign_key_list(m.name) f ${onlyTables}`,
  );
  return {
    columns: groupBy(columns, "tidemark_table"),
    withoutRowid: new Set(listed.filter((row) => row.wr === 1).map((row) => row.name)),
    indexLists: groupBy(indexLists, "tidemark_table"),
    indexColumns: groupBy(indexColumns, "tidemark_index"),
    foreignKeys: groupBy(foreignKeys, "tidemark_table"),
  };
}

/** A cheap catalog lookup (SQLite table names are case-insensitive). */
export async function sqliteTableExists(connection: Connection, name: string): Promise<boolean> {
  const rows = await connection.query("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE", [
    name,
  ]);
  return rows.length > 0;
}

function collationOf(parsed: ParsedTable, column: string): { collation?: string } {
  const collation = parsed.collations.get(column.toLowerCase());
  return collation === undefined ? {} : { collation };
}

function readTable(catalog: Catalog, name: string, sql: string, indexSql: ReadonlyMap<string, string>): TableModel {
  const parsed = parseCreateTable(sql);
  const columnRows = (catalog.columns.get(name) ?? []).filter((row) => row.hidden !== 1);
  const primaryKey = columnRows
    .filter((row) => row.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((row) => row.name);
  const withoutRowid = catalog.withoutRowid.has(name);
  const rowidAlias =
    !withoutRowid && primaryKey.length === 1
      ? columnRows.find((row) => row.name === primaryKey[0] && row.type.toUpperCase() === "INTEGER")?.name
      : undefined;
  const columns: ColumnModel[] = columnRows.map((row) => ({
    name: row.name,
    type: row.type.toLowerCase(),
    nullable: row.notnull === 0 && row.name !== rowidAlias && !(withoutRowid && row.pk > 0),
    default: row.dflt_value,
    autoIncrement: parsed.autoIncrement.has(row.name.toLowerCase()),
    ...collationOf(parsed, row.name),
  }));

  const indexes: IndexModel[] = [];
  const uniques: UniqueModel[] = [];
  const indexRows = [...(catalog.indexLists.get(name) ?? [])];
  // sqlite_autoindex_T_N numbers the UNIQUE constraints in declaration order.
  indexRows.sort((a, b) => autoindexNumber(a.name) - autoindexNumber(b.name));
  for (const index of indexRows) {
    if (index.origin === "pk") continue;
    const keyColumns = (catalog.indexColumns.get(index.name) ?? []).filter((row) => row.key === 1);
    if (index.origin === "u") {
      const cols = keyColumns.map((row) => row.name ?? "");
      uniques.push({ name: declaredUniqueName(cols, parsed), columns: cols });
      continue;
    }
    // The CREATE INDEX text is only read for what PRAGMA leaves out: expressions and a partial index's WHERE.
    const needsText = index.partial === 1 || keyColumns.some((row) => row.name === null);
    const created = needsText ? parseCreateIndex(indexSql.get(index.name) ?? "") : { items: [], where: undefined };
    const model: { -readonly [K in keyof IndexModel]: IndexModel[K] } = {
      name: index.name,
      columns: keyColumns.map((row, k) => row.name ?? created.items[k] ?? ""),
      unique: index.unique === 1,
    };
    if (index.partial === 1 && created.where !== undefined) model.where = created.where;
    indexes.push(model);
  }

  const foreignKeys = readForeignKeys(catalog, name, parsed);
  const checks: CheckModel[] = parsed.checks.map((check) => ({ name: check.name ?? "", expression: check.expression }));
  return {
    name,
    columns,
    primaryKey,
    indexes: byName(indexes),
    uniques: byName(uniques),
    foreignKeys: byName(foreignKeys),
    checks: byName(checks),
  };
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((col, k) => col.toLowerCase() === b[k]!.toLowerCase());
}

function autoindexNumber(name: string): number {
  const match = /^sqlite_autoindex_.*_(\d+)$/.exec(name);
  return match ? Number(match[1]) : 0;
}

function declaredUniqueName(columns: readonly string[], parsed: ParsedTable): string {
  return parsed.uniques.find((u) => u.name !== undefined && sameColumns(u.columns, columns))?.name ?? "";
}

function readForeignKeys(catalog: Catalog, table: string, parsed: ParsedTable): ForeignKeyModel[] {
  const rows = catalog.foreignKeys.get(table) ?? [];
  const groups = new Map<number, ForeignKeyRow[]>();
  for (const row of rows) groups.set(row.id, [...(groups.get(row.id) ?? []), row]);
  const out: ForeignKeyModel[] = [];
  // SQLite numbers foreign keys from the last declared: the highest id came first.
  for (const id of [...groups.keys()].sort((a, b) => b - a)) {
    const group = groups.get(id)!.sort((a, b) => a.seq - b.seq);
    const first = group[0]!;
    const columns = group.map((row) => row.from);
    let refColumns = group.map((row) => row.to ?? "");
    if (group.some((row) => row.to === null)) {
      // No column list: the referenced table's primary key (matched case-insensitively, as SQLite names tables).
      const refTable = [...catalog.columns.keys()].find((candidate) => candidate.toLowerCase() === first.table.toLowerCase());
      refColumns = (catalog.columns.get(refTable ?? first.table) ?? [])
        .filter((row) => row.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((row) => row.name);
    }
    const declared = parsed.foreignKeys.find(
      (fk) =>
        fk.name !== undefined && fk.refTable.toLowerCase() === first.table.toLowerCase() && sameColumns(fk.columns, columns),
    )?.name;
    out.push({
      name: declared ?? "",
      columns,
      refTable: first.table,
      refColumns,
      onDelete: foreignKeyAction(first.on_delete),
      onUpdate: foreignKeyAction(first.on_update),
    });
  }
  return out;
}
