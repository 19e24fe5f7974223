/**
 * tidemark's SQLite connection keeps its rollback journal between commits
 * (PERSIST) and leaves the database as it found it: DELETE mode and no
 * journal file once closed; a WAL database is never switched. That a killed
 * run's kept journal is rolled back is test/fault/kills.test.ts's business.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../../src/config/database-url.js";
import { connectSqlite } from "../../../src/dialects/sqlite/sqlite-driver.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tidemark-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function journalMode(file: string): string {
  const db = new Database(file);
  try {
    return String(db.pragma("journal_mode", { simple: true }));
  } finally {
    db.close();
  }
}

async function commitTwice(file: string): Promise<{ journalWhileOpen: boolean }> {
  const connection = await connectSqlite(parseDatabaseUrl(`sqlite:${file}`));
  await connection.execute("BEGIN IMMEDIATE");
  await connection.execute("CREATE TABLE t (a integer)");
  await connection.execute("COMMIT");
  await connection.execute("BEGIN IMMEDIATE");
  await connection.execute("INSERT INTO t VALUES (?)", [1]);
  await connection.execute("COMMIT");
  const journalWhileOpen = existsSync(`${file}-journal`);
  await connection.close();
  return { journalWhileOpen };
}

describe("SQLite rollback journal", () => {
  it("is kept between commits and removed, with DELETE mode back, when the connection closes", async () => {
    const file = join(dir, "a.db");
    const { journalWhileOpen } = await commitTwice(file);
    expect(journalWhileOpen).toBe(true);
    expect(existsSync(`${file}-journal`)).toBe(false);
    expect(journalMode(file)).toBe("delete");
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT a FROM t").all()).toEqual([{ a: 1 }]);
    db.close();
  });

  it("leaves a WAL database in WAL mode", async () => {
    const file = join(dir, "wal.db");
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.close();
    const { journalWhileOpen } = await commitTwice(file);
    expect(journalWhileOpen).toBe(false);
    expect(journalMode(file)).toBe("wal");
  });
});
