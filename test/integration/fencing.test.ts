/**
 * Issue 12, "the recorded state is never wrong": a runner whose lock
 * session dies mid-run must not let a second runner apply a step twice.
 * Each step's version row moves with a compare-and-set inside the step's
 * transaction, and the lock is verified before every step, so a lost lock
 * stops the run and every step still runs exactly once.
 */
import { spawn } from "node:child_process";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/dialects/dialect.js";
import { BIN, runCli, type CliResult } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";

const dialects = (await testDialects()).filter((dialect): dialect is Exclude<DialectName, "sqlite"> => dialect !== "sqlite");

afterAll(removeProjects);

/** 001..005 each insert their number into `counter`; 002 and 004 take `seconds` (the sleep is in the step's transaction). */
function counterRepository(dialect: DialectName, seconds: number): string {
  const sleep = dialect === "postgres" ? `SELECT pg_sleep(${seconds});` : `DO SLEEP(${seconds});`;
  const step = (n: number, slow: boolean) => `-- +upgrade\nINSERT INTO counter VALUES (${n});\n${slow ? `${sleep}\n` : ""}`;
  return makeProject({
    "migrations/001_counter.sql": "-- +upgrade\nCREATE TABLE counter (k INT);\nINSERT INTO counter VALUES (1);\n",
    "migrations/002_two.sql": step(2, true),
    "migrations/003_three.sql": step(3, false),
    "migrations/004_four.sql": step(4, true),
    "migrations/005_five.sql": step(5, false),
  });
}

function start(dir: string, url: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "upgrade", "head", "--url", url], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function counter(url: string): Promise<number[]> {
  return (await query(url, "SELECT k FROM counter ORDER BY k")).map((row) => Number(row.k));
}

/** Waits until `sql` returns a row with n > 0 (the slow step has started). */
async function until(url: string, sql: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Number((await query(url, sql).catch(() => [{ n: 0 }]))[0]?.n ?? 0) === 0) {
    if (Date.now() > deadline) throw new Error(`never true: ${sql}`);
    await sleep(50);
  }
}

describe.each(dialects)("a lost lock session on %s", (dialect) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  it.runIf(dialect === "postgres")(
    "idle_session_timeout kills the lock session: no step runs twice, both runners stop, a rerun finishes",
    async () => {
      const dir = counterRepository(dialect, 3);
      const timedOut = `${database.url}?options=-c%20idle_session_timeout%3D1500`;
      const first = start(dir, timedOut);
      await sleep(2500);
      const second = await runCli(["upgrade", "head", "--url", timedOut], { cwd: dir });
      const a = await first;
      // Neither may claim success for what it could not finish safely.
      expect([a.code, second.code].sort()).toEqual([1, 1]);
      expect(`${a.stderr}\n${second.stderr}`).toMatch(/migration lock .* was lost|another runner changed the state/);
      // The values each appear once: no step ran twice.
      const seen = await counter(database.url);
      expect(new Set(seen).size).toBe(seen.length);
      const rerun = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await counter(database.url)).toEqual([1, 2, 3, 4, 5]);
      expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "5" }]);
      const check = await runCli(["check", "--url", database.url], { cwd: dir });
      expect(check.code, check.stdout + check.stderr).toBe(0);
    },
    60_000,
  );

  it("a killed lock session stops the runner before its next step, and every step still runs once", async () => {
    const dir = counterRepository(dialect, 2);
    const first = start(dir, database.url);
    // Step 2 is sleeping inside its transaction: the idle session of the same database is the lock's.
    await until(
      database.url,
      dialect === "postgres"
        ? `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = '${database.name}' AND pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(%' AND state = 'active'`
        : `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = '${database.name}' AND INFO LIKE 'DO SLEEP%'`,
    );
    if (dialect === "postgres") {
      await query(
        database.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database.name}' AND application_name = 'tidemark' AND state = 'idle'`,
      );
    } else {
      const idle = await query(
        database.url,
        `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${database.name}' AND COMMAND = 'Sleep' AND ID <> CONNECTION_ID()`,
      );
      for (const row of idle) await query(database.url, `KILL ${Number(row.id)}`);
    }
    const a = await first;
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/The migration lock .* was lost/);
    expect(a.stderr).not.toContain("revision 3");
    expect(await counter(database.url)).toEqual([1, 2]);
    expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "2" }]);
    const rerun = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await counter(database.url)).toEqual([1, 2, 3, 4, 5]);
  }, 60_000);
});
