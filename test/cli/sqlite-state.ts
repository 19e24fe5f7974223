/**
 * Looks inside the SQLite database a CLI test drove, the way a user would
 * with the sqlite3 shell: schema from sqlite_master and PRAGMA table_info,
 * tidemark's own rows, and a full dump to prove "nothing changed".
 */
import Database from "better-sqlite3";
import { existsSync, readFileSync } from "node:fs";

export type Row = Record<string, unknown>;

function withDb<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Every query of a test goes through here (read-only: the test never changes what it inspects). */
export function query(file: string, sql: string, params: readonly unknown[] = []): Row[] {
  return withDb(file, (db) => db.prepare(sql).all(...params) as Row[]);
}

/** User objects (tables, indexes, views, triggers) by name, tidemark's own tables included. */
export function objects(file: string): { type: string; name: string; tbl_name: string; sql: string | null }[] {
  return query(
    file,
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
  ) as { type: string; name: string; tbl_name: string; sql: string | null }[];
}

export function tableNames(file: string): string[] {
  return query(file, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map(
    (row) => String(row.name),
  );
}

export function objectSql(file: string, name: string): string | undefined {
  const row = query(file, "SELECT sql FROM sqlite_master WHERE name = ?", [name])[0];
  return row === undefined ? undefined : String(row.sql);
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly dflt_value: string | null;
  readonly pk: number;
}

export function columns(file: string, table: string): ColumnInfo[] {
  return query(file, `PRAGMA table_info("${table}")`) as unknown as ColumnInfo[];
}

export function indexList(file: string, table: string): { name: string; unique: number; origin: string }[] {
  return query(file, `PRAGMA index_list("${table}")`) as { name: string; unique: number; origin: string }[];
}

export function foreignKeys(file: string, table: string): Row[] {
  return query(file, `PRAGMA foreign_key_list("${table}")`);
}

/** (phase, version) rows of one repository in tidemark_version, sorted. */
export function versionRows(file: string, repository = "core", table = "tidemark_version"): { phase: string; version: string }[] {
  return query(file, `SELECT phase, version FROM "${table}" WHERE repository = ? ORDER BY phase, version`, [repository]) as {
    phase: string;
    version: string;
  }[];
}

export function versions(file: string, repository = "core"): string[] {
  return versionRows(file, repository).map((row) => row.version);
}

export interface LogRow {
  readonly repository: string;
  readonly revision: string;
  readonly phase: string;
  readonly direction: string;
  readonly checksum: string | null;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly error: string | null;
  readonly progress: string | null;
}

export function logRows(file: string): LogRow[] {
  return query(file, "SELECT * FROM tidemark_log ORDER BY id") as unknown as LogRow[];
}

/** The schema and every row of every table, as text: equal dumps mean an unchanged database. */
export function dump(file: string): string {
  if (!existsSync(file)) return "<no database file>";
  return withDb(file, (db) => {
    const master = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all() as {
      type: string;
      name: string;
      sql: string | null;
    }[];
    const parts = [JSON.stringify(master)];
    for (const entry of master) {
      if (entry.type !== "table") continue;
      parts.push(`${entry.name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${entry.name}" ORDER BY rowid`).all())}`);
    }
    return parts.join("\n");
  });
}

/** The raw bytes of the file (SPEC §6: a refused command leaves the database byte-for-byte as it was). */
export function bytes(file: string): Buffer | undefined {
  return existsSync(file) ? readFileSync(file) : undefined;
}
