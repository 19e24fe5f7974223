/**
 * On PostgreSQL the runner sends the next step's message before the answer
 * to this one (pg's pipeline mode), so that the server goes from step to
 * step without waiting for the client (issues 11, 19). That is safe only if
 * the server itself refuses a step sent behind one that failed, and one
 * sent after the lock was lost: these tests hold the real server to it.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, Statement } from "../../src/dialects/dialect.js";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";
import { lockPostgres } from "../../src/dialects/postgres/postgres-lock.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { rejection } from "../helpers/failures.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";

afterAll(removeProjects);

const dialects = (await testDialects()).filter((dialect) => dialect === "postgres");

const move = (from: string, to: string, onlyIf?: Statement): Statement => ({
  sql: `UPDATE v SET k = ? WHERE k = ?${onlyIf === undefined ? "" : ` AND (${onlyIf.sql})`}`,
  params: [to, from, ...(onlyIf?.params ?? [])],
  expectRows: 1,
});
const step = (from: string, to: string, body: string, onlyIf?: Statement): Statement[] => [
  { sql: "BEGIN" },
  move(from, to, onlyIf),
  { sql: body },
  { sql: "COMMIT" },
];

describe.each(dialects)("batches sent behind one another on %s", (dialect) => {
  let database: TestDatabase;
  let connection: Connection;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
    await query(database.url, "CREATE TABLE v (k text PRIMARY KEY); INSERT INTO v VALUES ('1')");
    connection = await connectPostgres(parseDatabaseUrl(database.url));
  });
  afterEach(async () => {
    await connection.close();
    await database.drop();
  });

  const tableExists = async (name: string) =>
    (await query(database.url, `SELECT to_regclass('${name}') IS NOT NULL AS present`))[0]?.present;

  it("are sent at once and answered in order", async () => {
    expect(connection.pipelinesBatches).toBe(true);
    const first = connection.executeBatch?.(step("1", "2", "CREATE TABLE two (x int)"));
    const second = connection.executeBatch?.(step("2", "3", "CREATE TABLE three (x int)"));
    expect(await first).toHaveLength(4);
    expect(await second).toHaveLength(4);
    expect(await query(database.url, "SELECT k FROM v")).toEqual([{ k: "3" }]);
  });

  it("behind a statement that failed, the next batch is refused until ROLLBACK: nothing of it runs", async () => {
    const first = connection.executeBatch?.(step("1", "2", "INSERT INTO nowhere VALUES (1)")) ?? Promise.resolve();
    const second = connection.executeBatch?.(step("2", "3", "CREATE TABLE three (x int)")) ?? Promise.resolve();
    expect((await rejection(first)).message).toContain('relation "nowhere" does not exist');
    expect((await rejection(second)).message).toContain("current transaction is aborted");
    await connection.execute("ROLLBACK");
    expect(await query(database.url, "SELECT k FROM v")).toEqual([{ k: "1" }]);
    expect(await tableExists("three")).toBe(false);
  });

  it("behind a COMMIT that failed (a deferred constraint), the next batch's fence stops it", async () => {
    await query(
      database.url,
      "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p_id int REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)",
    );
    const first = connection.executeBatch?.(step("1", "2", "INSERT INTO c VALUES (7)")) ?? Promise.resolve();
    const second = connection.executeBatch?.(step("2", "3", "CREATE TABLE three (x int)"));
    expect((await rejection(first)).message).toContain("violates foreign key constraint");
    // BEGIN ran, and the fence changed no row: the version is still 1, not the 2 it expected.
    expect(await second).toEqual([{ affectedRows: 0 }, { affectedRows: 0 }]);
    await connection.execute("ROLLBACK");
    expect(await query(database.url, "SELECT k FROM v")).toEqual([{ k: "1" }]);
    expect(await tableExists("three")).toBe(false);
  });

  it("the lock's condition holds while its session holds the lock, and stops a fence once the session is gone", async () => {
    const lockSession = await connectPostgres(parseDatabaseUrl(database.url));
    const lock = await lockPostgres(lockSession, "sent-ahead", 5_000);
    const held = lock.heldCondition;
    if (held === undefined) throw new Error("a PostgreSQL lock has a condition the server can check");
    expect(await connection.executeBatch?.(step("1", "2", "CREATE TABLE two (x int)", held))).toHaveLength(4);
    await query(database.url, `SELECT pg_terminate_backend(${lockSession.sessionId})`);
    const refused = await connection.executeBatch?.(step("2", "3", "CREATE TABLE three (x int)", held));
    expect(refused).toEqual([{ affectedRows: 0 }, { affectedRows: 0 }]);
    await connection.execute("ROLLBACK");
    await lockSession.close();
    expect(await query(database.url, "SELECT k FROM v")).toEqual([{ k: "2" }]);
    expect(await tableExists("three")).toBe(false);
  });
});

describe.each(dialects)("a run whose steps are sent ahead on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  it("stops at a step whose COMMIT fails: the step sent behind it leaves no trace", async () => {
    const dir = makeProject({
      "migrations/001_one.sql": "-- +upgrade\nCREATE TABLE one (x int);\n",
      "migrations/002_two.sql": "-- +upgrade\nCREATE TABLE two (x int);\n",
      "migrations/003_deferred.sql":
        "-- +upgrade\nCREATE TABLE p (id int PRIMARY KEY);\n" +
        "CREATE TABLE c (p_id int REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (7);\n",
      "migrations/004_four.sql": "-- +upgrade\nCREATE TABLE four (x int);\n",
    });
    const result = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/revision 3 \(\S*migrations\/003_deferred.sql\), upgrade failed: /);
    expect(result.stderr).toContain("violates foreign key constraint");
    expect(result.stderr).not.toContain("revision 4");
    const tables = await query(
      database.url,
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((row) => row.name)).toEqual(["one", "tidemark_log", "tidemark_version", "two"]);
    expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "2" }]);
    expect(await query(database.url, "SELECT revision, status FROM tidemark_log ORDER BY id")).toEqual([
      { revision: "1", status: "done" },
      { revision: "2", status: "done" },
    ]);
    // The mark the lock's session took goes with the lock.
    expect(
      await query(
        database.url,
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
          "WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      ),
    ).toEqual([{ n: 0 }]);
  });
});
