/**
 * Runs compiled ops on an in-memory better-sqlite3 database the way the
 * runner does (one transaction per batch), and reads TableModels back with a
 * small reader that understands the CREATE TABLE text this compiler writes.
 */
import Database from "better-sqlite3";
import type { ForeignKeyAction } from "../../../src/ops/op.js";
import type { Op } from "../../../src/ops/op.js";
import type { ForeignKeyModel, IndexModel, TableModel, UniqueModel } from "../../../src/dialects/schema-model.js";
import { sqliteCompiler } from "../../../src/dialects/sqlite/sqlite-compiler.js";

export type Db = Database.Database;

export function openDb(foreignKeys = true): Db {
  const db = new Database(":memory:");
  db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
  return db;
}

/** Compiles and runs the ops inside one transaction; rolls back and rethrows on error. */
export function runOps(db: Db, ...ops: Op[]): void {
  db.exec("BEGIN");
  try {
    for (const op of ops) {
      const table = sqliteCompiler.needsTableModel(op) && "table" in op ? readModel(db, op.table) : undefined;
      for (const statement of sqliteCompiler.compile(op, table === undefined ? {} : { table })) {
        db.prepare(statement.sql).run(...((statement.params ?? []) as unknown[]));
      }
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

export function rows(db: Db, sql: string): Record<string, unknown>[] {
  return db.prepare(sql).all() as Record<string, unknown>[];
}

export function tableSql(db: Db, name: string): string {
  const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) as
    | { sql: string }
    | undefined;
  if (row === undefined) throw new Error(`no table ${name}`);
  return row.sql;
}

const unquote = (list: string): string[] => [...list.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replace(/""/g, '"'));
const action = (text: string): ForeignKeyAction => text.toLowerCase() as ForeignKeyAction;

export function readModel(db: Db, name: string): TableModel | undefined {
  const sqlRow = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) as
    | { sql: string }
    | undefined;
  if (sqlRow === undefined) return undefined;
  const lines = sqlRow.sql.split("\n").map((line) => line.trim().replace(/,$/, ""));
  const info = rows(db, `SELECT * FROM pragma_table_info(${sqliteCompiler.literal(name)})`);
  const pk = info
    .filter((c) => Number(c.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((c) => String(c.name));
  const columns = info.map((c) => ({
    name: String(c.name),
    type: String(c.type).toLowerCase(),
    nullable: Number(c.notnull) === 0,
    default: c.dflt_value === null ? null : String(c.dflt_value),
    autoIncrement: pk.length === 1 && pk[0] === c.name && /AUTOINCREMENT/i.test(sqlRow.sql),
  }));
  const list = rows(db, `SELECT * FROM pragma_index_list(${sqliteCompiler.literal(name)})`);
  const indexColumns = (index: string): string[] =>
    rows(db, `SELECT name FROM pragma_index_info(${sqliteCompiler.literal(index)}) ORDER BY seqno`).map((r) => String(r.name));
  const indexes: IndexModel[] = list
    .filter((i) => i.origin === "c")
    .map((i) => {
      const text = (db.prepare("SELECT sql FROM sqlite_schema WHERE name = ?").get(i.name) as { sql: string }).sql;
      const where = / WHERE (.*)$/s.exec(text)?.[1];
      return {
        name: String(i.name),
        columns: indexEntries(text),
        unique: Number(i.unique) === 1,
        ...(where === undefined ? {} : { where }),
      };
    });
  const named = lines.flatMap((line) => {
    const m = /^CONSTRAINT "((?:[^"]|"")*)" UNIQUE \((.*)\)$/.exec(line);
    return m === null ? [] : [{ name: m[1]!.replace(/""/g, '"'), columns: unquote(m[2]!) }];
  });
  const uniques: UniqueModel[] = [...named];
  for (const index of list.filter((i) => i.origin === "u")) {
    const cols = indexColumns(String(index.name));
    if (!named.some((u) => u.columns.join() === cols.join())) uniques.push({ name: "", columns: cols });
  }
  const fkRows = rows(db, `SELECT * FROM pragma_foreign_key_list(${sqliteCompiler.literal(name)}) ORDER BY id, seq`);
  const foreignKeys: ForeignKeyModel[] = [];
  for (const id of [...new Set(fkRows.map((r) => Number(r.id)))]) {
    const group = fkRows.filter((r) => Number(r.id) === id);
    const cols = group.map((r) => String(r.from));
    const line = lines.find(
      (l) => l.startsWith("CONSTRAINT") && l.includes(`FOREIGN KEY (${cols.map((c) => `"${c}"`).join(", ")})`),
    );
    foreignKeys.push({
      name: line === undefined ? "" : unquote(line)[0]!,
      columns: cols,
      refTable: String(group[0]!.table),
      refColumns: group.map((r) => String(r.to)),
      onDelete: action(String(group[0]!.on_delete)),
      onUpdate: action(String(group[0]!.on_update)),
    });
  }
  const checks = lines.flatMap((line) => {
    const m = /^CONSTRAINT "((?:[^"]|"")*)" CHECK \((.*)\)$/.exec(line);
    return m === null ? [] : [{ name: m[1]!.replace(/""/g, '"'), expression: m[2]! }];
  });
  return { name, columns, primaryKey: pk, indexes, uniques, foreignKeys, checks };
}

/** The entries of `CREATE INDEX … ON t (a, lower(b))`: names unquoted, expressions as written. */
function indexEntries(sql: string): string[] {
  const start = sql.indexOf("(", sql.search(/ ON /i));
  const entries: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of sql.slice(start + 1)) {
    if (ch === "(") depth += 1;
    if (ch === ")" && depth-- === 0) break;
    if (ch === "," && depth === 0) {
      entries.push(current.trim());
      current = "";
    } else current += ch;
  }
  entries.push(current.trim());
  return entries.map((e) => (/^"(?:[^"]|"")*"$/.test(e) ? e.slice(1, -1).replace(/""/g, '"') : e));
}
