/**
 * On PostgreSQL a SQL step goes to the server in one message: BEGIN, the
 * fenced version rows, the script, the `done` row and COMMIT (issues 11,
 * 19). The server stops at the first statement that fails and at a broken
 * fence, so a failure must name that statement and line and leave the
 * database as it was; text that a batch could change (a statement ending in
 * a line comment) must run as written.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { failedBatchIndex } from "../../src/dialects/common/batch-index.js";
import { rejection } from "../helpers/failures.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";

afterAll(removeProjects);

const dialects = (await testDialects()).filter((dialect) => dialect === "postgres");

describe.each(dialects)("a SQL step's script in one round trip on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  const FIRST = "-- +upgrade\nCREATE TABLE t (a int);\n";
  const tables = async () =>
    (
      await query(
        database.url,
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      )
    ).map((row) => row.name);

  it("a failing statement is named with its line; nothing of the step stays, and the next step does not start", async () => {
    const dir = makeProject({
      "migrations/001_t.sql": FIRST,
      "migrations/002_fail.sql":
        "-- +upgrade\nCREATE TABLE u (b int);\nINSERT INTO u VALUES (1);\n\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE v (c int);\n",
      "migrations/003_after.sql": "-- +upgrade\nCREATE TABLE w (d int);\n",
    });
    const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("002_fail.sql), upgrade failed at statement (line 5): INSERT INTO nowhere VALUES (1) — ");
    expect(result.stderr).toContain('relation "nowhere" does not exist');
    expect(result.stderr).toContain("The step was rolled back; the database is as it was before the step.");
    expect(await tables()).toEqual(["t", "tidemark_log", "tidemark_version"]);
    expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "1" }]);
    expect(await query(database.url, "SELECT revision, status FROM tidemark_log ORDER BY id")).toEqual([
      { revision: "1", status: "done" },
    ]);
  });

  it("a statement ending in a line comment keeps the comment to itself", async () => {
    const dir = makeProject({
      "migrations/001_t.sql": FIRST,
      "migrations/002_comments.sql":
        "-- +upgrade\nCREATE TABLE u (b int) -- the comment ends the text\n;\nCREATE TABLE v (c int) /* a block */;\n",
    });
    const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await tables()).toEqual(["t", "tidemark_log", "tidemark_version", "u", "v"]);
  });

  it("a deferred constraint broken at COMMIT rolls the step back without blaming a statement", async () => {
    const dir = makeProject({
      "migrations/001_t.sql": FIRST,
      "migrations/002_deferred.sql":
        "-- +upgrade\nCREATE TABLE p (id int PRIMARY KEY);\n" +
        "CREATE TABLE c (p_id int REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (7);\n",
    });
    const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("violates foreign key constraint");
    expect(result.stderr).not.toContain("failed at statement");
    expect(result.stderr).toContain("The step was rolled back");
    expect(await tables()).toEqual(["t", "tidemark_log", "tidemark_version"]);
    expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "1" }]);
  });
});

describe.each(dialects)("the driver's one-message batch on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    await query(database.url, "CREATE TABLE v (k text PRIMARY KEY); INSERT INTO v VALUES ('a')");
  });
  afterEach(async () => {
    await database.drop();
  });

  const move = (from: string, to: string) => ({ sql: "UPDATE v SET k = ? WHERE k = ?", params: [to, from], expectRows: 1 });

  it("reports what each statement changed, a passed fence as the rows it must change", async () => {
    const connection = await connectPostgres(parseDatabaseUrl(database.url));
    try {
      const results = await connection.executeBatch?.([
        { sql: "BEGIN" },
        move("a", "b"),
        { sql: "INSERT INTO v VALUES ('c'), ('d')" },
        { sql: "COMMIT" },
      ]);
      expect(results).toEqual([{ affectedRows: 0 }, { affectedRows: 1 }, { affectedRows: 2 }, { affectedRows: 0 }]);
    } finally {
      await connection.close();
    }
    expect(await query(database.url, "SELECT k FROM v ORDER BY k")).toEqual([{ k: "b" }, { k: "c" }, { k: "d" }]);
  });

  it("stops at a broken fence: nothing after it runs, and its result says what it changed", async () => {
    const connection = await connectPostgres(parseDatabaseUrl(database.url));
    try {
      const results = await connection.executeBatch?.([
        { sql: "BEGIN" },
        move("zz", "b"),
        { sql: "CREATE TABLE after_fence (x int)" },
        { sql: "COMMIT" },
      ]);
      expect(results).toEqual([{ affectedRows: 0 }, { affectedRows: 0 }]);
      await connection.execute("ROLLBACK");
      // The connection goes on: the next batch runs.
      expect(await connection.executeBatch?.([move("a", "e")])).toEqual([{ affectedRows: 1 }]);
    } finally {
      await connection.close();
    }
    expect(await query(database.url, "SELECT to_regclass('after_fence') AS t")).toEqual([{ t: null }]);
    expect(await query(database.url, "SELECT k FROM v")).toEqual([{ k: "e" }]);
  });

  it("names the statement that failed, by its index and its text", async () => {
    const connection = await connectPostgres(parseDatabaseUrl(database.url));
    try {
      const error = await rejection(
        connection.executeBatch?.([{ sql: "BEGIN" }, move("a", "b"), { sql: "INSERT INTO nowhere VALUES (1)" }]) ??
          Promise.resolve(),
      );
      expect(failedBatchIndex(error)).toBe(2);
      expect(error.message).toContain('relation "nowhere" does not exist');
      expect((error as { fields?: { sql?: string } }).fields?.sql).toBe("INSERT INTO nowhere VALUES (1)");
      await connection.execute("ROLLBACK");
    } finally {
      await connection.close();
    }
    expect(await query(database.url, "SELECT k FROM v")).toEqual([{ k: "a" }]);
  });
});
