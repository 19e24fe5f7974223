/**
 * Statements a database refuses inside a transaction block (issue 11): in a
 * step that runs in one they are found before anything runs — with
 * PostgreSQL's own parser — and the error says how to mark the revision.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { refusedInTransaction } from "../../src/sql/transaction-blocks.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";

afterAll(removeProjects);

describe("what PostgreSQL refuses in a transaction block, read with its parser", () => {
  it.each([
    ["CREATE INDEX CONCURRENTLY ix ON t (a)", "CREATE INDEX CONCURRENTLY"],
    ["create unique index concurrently if not exists ix on t (a)", "CREATE INDEX CONCURRENTLY"],
    ["DROP INDEX CONCURRENTLY ix", "DROP INDEX CONCURRENTLY"],
    ["REINDEX INDEX CONCURRENTLY ix", "REINDEX … CONCURRENTLY"],
    ["VACUUM ANALYZE t", "VACUUM"],
    ["CREATE DATABASE other", "CREATE DATABASE"],
    ["ALTER SYSTEM SET work_mem = '8MB'", "ALTER SYSTEM"],
  ])("%s", async (sql, what) => {
    expect(await refusedInTransaction(sql, "postgres")).toBe(what);
  });

  it.each([
    "CREATE INDEX ix ON t (a)",
    "SELECT 'CREATE INDEX CONCURRENTLY ix ON t (a)'",
    "-- CREATE INDEX CONCURRENTLY\nCREATE TABLE concurrently (a int)",
    "ANALYZE t",
    "ALTER TYPE mood ADD VALUE 'meh'",
    "ALTER DATABASE app SET search_path = x",
  ])("lets %j run in a transaction", async (sql) => {
    expect(await refusedInTransaction(sql, "postgres")).toBeUndefined();
  });

  it("refuses ALTER TYPE … ADD VALUE only where the server is older than 12", async () => {
    expect(await refusedInTransaction("ALTER TYPE mood ADD VALUE 'meh'", "postgres", { serverVersion: 110022 })).toBe(
      "ALTER TYPE … ADD VALUE (before PostgreSQL 12)",
    );
    expect(await refusedInTransaction("ALTER TYPE mood ADD VALUE 'meh'", "postgres", { serverVersion: 150010 })).toBeUndefined();
  });

  it("knows SQLite's VACUUM and nothing of MySQL's", async () => {
    expect(await refusedInTransaction("-- tidy up\nVACUUM", "sqlite")).toBe("VACUUM");
    expect(await refusedInTransaction("SELECT 'VACUUM'", "sqlite")).toBeUndefined();
    expect(await refusedInTransaction("CREATE INDEX CONCURRENTLY ix ON t (a)", "mysql")).toBeUndefined();
  });
});

const dialects = (await testDialects()).filter((dialect) => dialect === "postgres");

describe.each(dialects)("a transactional step holding CREATE INDEX CONCURRENTLY on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  const FIRST = "-- +upgrade\nCREATE TABLE t (a int);\n";

  it("is refused before anything runs, naming file and line and the fix (SQL script)", async () => {
    const dir = makeProject({
      "migrations/001_t.sql": FIRST,
      "migrations/002_ix.sql": "-- +upgrade\nCREATE TABLE u (b int);\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n",
    });
    const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("002_ix.sql:3: CREATE INDEX CONCURRENTLY cannot run inside a transaction block");
    expect(result.stderr).toContain("`-- transactional: false`");
    expect(result.stderr).toContain("`export const transactional = false`");
    // Nothing ran: not even revision 1, nor tidemark's own tables.
    expect(await query(database.url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).toEqual(
      [],
    );
  });

  it("runs once the revision is marked transactional: false", async () => {
    const dir = makeProject({
      "migrations/001_t.sql": FIRST,
      "migrations/002_ix.sql": "-- transactional: false\n-- +upgrade\nCREATE INDEX CONCURRENTLY ix_t_a ON t (a);\n",
    });
    const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await query(database.url, "SELECT indexname FROM pg_indexes WHERE tablename = 't'")).toEqual([
      { indexname: "ix_t_a" },
    ]);
  });

  it("is refused in a script step too (op.execute and createIndex({ concurrently })), rolled back", async () => {
    for (const call of [
      'await op.execute("CREATE INDEX CONCURRENTLY ix_t_a ON t (a)");',
      'await op.createIndex("t", ["a"], { name: "ix_t_a", concurrently: true });',
    ]) {
      const dir = makeProject({
        "migrations/001_t.sql": FIRST,
        "migrations/002_ix.mjs": `export async function upgrade(op) {\n  await op.createTable("u", { b: { type: "integer" } });\n  ${call}\n}\n`,
      });
      const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and revision 2 runs in one",
      );
      expect(result.stderr).toContain("The step was rolled back");
      expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "1" }]);
      expect(await query(database.url, "SELECT table_name FROM information_schema.tables WHERE table_name = 'u'")).toEqual([]);
      await query(database.url, "DROP TABLE t, tidemark_version, tidemark_log");
    }
  });
});
