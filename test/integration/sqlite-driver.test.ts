import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { connectSqlite } from "../../src/dialects/sqlite/sqlite-driver.js";
import { DatabaseError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "tidemark-sqlite-driver-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function memory(): Promise<Connection> {
  return connectSqlite(parseDatabaseUrl("sqlite::memory:"));
}

describe("connectSqlite: queries", () => {
  it("runs queries and statements with ? parameters, converting Date, boolean, null and objects", async () => {
    const db = await memory();
    expect(db.dialect).toBe("sqlite");
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at TEXT, flag INTEGER, extra TEXT)");
    const at = new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 678));
    const inserted = await db.execute("INSERT INTO t (name, at, flag, extra) VALUES (?, ?, ?, ?), (?, ?, ?, ?)", [
      "it's ?",
      at,
      true,
      { a: 1 },
      null,
      undefined,
      false,
      null,
    ]);
    expect(inserted).toEqual({ affectedRows: 2 });
    const rows = await db.query("SELECT id, name, at, flag, extra FROM t WHERE '?' = '?' ORDER BY id");
    expect(rows).toEqual([
      { id: 1, name: "it's ?", at: "2024-02-29 13:04:05.678", flag: 1, extra: '{"a":1}' },
      { id: 2, name: null, at: null, flag: 0, extra: null },
    ]);
    const dated = await db.query<{ d: string }>("SELECT datetime(at) AS d FROM t WHERE id = ?", [1]);
    expect(dated).toEqual([{ d: "2024-02-29 13:04:05" }]);
    expect(await db.execute("UPDATE t SET flag = ? WHERE flag IN (0, 1)", [5])).toEqual({ affectedRows: 2 });
    expect(await db.execute("SELECT * FROM t")).toEqual({ affectedRows: 0 });
    expect(await db.query("UPDATE t SET flag = 6")).toEqual([]);
    await db.close();
  });

  it("runs a parameterless chunk of several statements", async () => {
    const db = await memory();
    await db.execute("CREATE TABLE a (x INTEGER); CREATE INDEX ix_a ON a (x); INSERT INTO a VALUES (1);");
    expect(await db.query("SELECT name FROM sqlite_master WHERE type = 'index'")).toEqual([{ name: "ix_a" }]);
    expect(await db.query("SELECT x FROM a")).toEqual([{ x: 1 }]);
    await db.close();
  });

  it("turns a failing statement into a DatabaseError with the driver's message and code", async () => {
    const db = await memory();
    const error = await rejection(db.query("SELECT * FROM missing_table WHERE id = ?", [1]));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe("no such table: missing_table");
    expect((error as DatabaseError).fields).toMatchObject({ code: "SQLITE_ERROR", sql: "SELECT * FROM missing_table WHERE id = ?" });
    expect((error as DatabaseError).exitCode).toBe(1);
    const count = await rejection(db.query("SELECT ? + ?", [1]));
    expect(count).toBeInstanceOf(DatabaseError);
    await db.close();
  });

  it("turns foreign keys on and sets the busy timeout to the lock timeout", async () => {
    const db = await connectSqlite(parseDatabaseUrl("sqlite::memory:"), { lockTimeoutMs: 1234 });
    expect(await db.query("PRAGMA foreign_keys")).toEqual([{ foreign_keys: 1 }]);
    expect(await db.query("PRAGMA busy_timeout")).toEqual([{ timeout: 1234 }]);
    await db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)");
    await db.execute("CREATE TABLE c (p_id INTEGER REFERENCES p (id))");
    const error = await rejection(db.execute("INSERT INTO c VALUES (?)", [42]));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe("FOREIGN KEY constraint failed");
    await db.close();
  });

  it("closes idempotently and refuses queries afterwards", async () => {
    const db = await memory();
    await db.close();
    await db.close();
    const error = await rejection(db.query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe('The SQLite connection to ":memory:" is closed.');
  });
});

describe("connectSqlite: files", () => {
  it("creates a missing file by default and keeps the data", async () => {
    const path = join(dir, "created.db");
    const db = await connectSqlite(parseDatabaseUrl(`sqlite:${path}`));
    await db.execute("CREATE TABLE t (x INTEGER)");
    await db.close();
    expect(existsSync(path)).toBe(true);
    const again = await connectSqlite(parseDatabaseUrl(`sqlite:////${path.slice(1)}`), { mustExist: true });
    expect(await again.query("SELECT name FROM sqlite_master")).toEqual([{ name: "t" }]);
    await again.close();
  });

  it("with mustExist, refuses to create a missing file and names it", async () => {
    const path = join(dir, "absent.db");
    const error = await rejection(connectSqlite(parseDatabaseUrl(`sqlite:${path}`), { mustExist: true }));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toContain(`The SQLite database "${path}" does not exist.`);
    expect(existsSync(path)).toBe(false);
  });

  it("names the path when the directory is missing or is not a directory", async () => {
    const missing = join(dir, "no", "such", "dir", "x.db");
    const first = await rejection(connectSqlite(parseDatabaseUrl(`sqlite:${missing}`)));
    expect(first).toBeInstanceOf(DatabaseError);
    expect(first.message).toBe(
      `Cannot create the SQLite database "${missing}": the directory "${join(dir, "no", "such", "dir")}" does not exist.`,
    );
    const second = await rejection(connectSqlite(parseDatabaseUrl("sqlite:/dev/null/x.db")));
    expect(second).toBeInstanceOf(DatabaseError);
    expect(second.message).toBe('Cannot create the SQLite database "/dev/null/x.db": "/dev/null" is not a directory.');
    const third = await rejection(connectSqlite(parseDatabaseUrl(`sqlite:${dir}`)));
    expect(third.message).toBe(`The SQLite database path "${dir}" is a directory, not a file.`);
  });

  it("opens read-only with ?mode=ro", async () => {
    const path = join(dir, "ro.db");
    const setup = await connectSqlite(parseDatabaseUrl(`sqlite:${path}`));
    await setup.execute("CREATE TABLE t (x INTEGER)");
    await setup.close();
    const db = await connectSqlite(parseDatabaseUrl(`sqlite:${path}?mode=ro`));
    const error = await rejection(db.execute("INSERT INTO t VALUES (1)"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe("attempt to write a readonly database");
    await db.close();
  });
});
