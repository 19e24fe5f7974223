/**
 * Issue 12 items 5 and 6, bounded waits, on the server dialects:
 * - tidemark's sessions carry TCP keepalive and, with `--statement-timeout`,
 *   the server's own statement and idle-in-transaction limits;
 * - a server that goes silent mid-step (a local proxy that stops forwarding)
 *   ends the run within the timeout, with a clear error;
 * - PostgreSQL: a dead runner's statement still running is reported (pid,
 *   query, age) and waited for at most `--lock-timeout`;
 * - Ctrl-C / SIGTERM cancel the statement running on the server before
 *   tidemark exits; where DDL cannot roll back the step is recorded failed.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Connection, DialectName } from "../../src/dialects/dialect.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { runCli, startCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";
import { startStallProxy } from "../helpers/stall-proxy.js";

const servers = (await testDialects()).filter((dialect): dialect is Exclude<DialectName, "sqlite"> => dialect !== "sqlite");

afterAll(removeProjects);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sleepSql(dialect: DialectName, seconds: number): string {
  return dialect === "postgres" ? `SELECT pg_sleep(${seconds});` : `DO SLEEP(${seconds});`;
}

/** 001 makes `counter` and inserts 1; 002 inserts 2, then runs `slow`; 003 inserts 3. */
function counterProject(dialect: DialectName, slow: string): string {
  return makeProject({
    "migrations/001_counter.sql": "-- +upgrade\nCREATE TABLE counter (k INT);\nINSERT INTO counter VALUES (1);\n",
    "migrations/002_slow.sql": `-- +upgrade\nINSERT INTO counter VALUES (2);\n${slow}\n`,
    "migrations/003_three.sql": "-- +upgrade\nINSERT INTO counter VALUES (3);\n",
  });
}

/**
 * A statement that fails when it is cancelled. (MariaDB's SLEEP and BENCHMARK return normally when their
 * query is killed; a query reading rows fails with "Query execution was interrupted".)
 */
function cancellable(dialect: DialectName): string {
  return dialect === "postgres"
    ? "SELECT pg_sleep(30);"
    : "SELECT COUNT(*) FROM information_schema.COLUMNS a, information_schema.COLUMNS b, information_schema.COLUMNS c;";
}

/** The session of a runner busy in its slow statement, seen from another session; undefined when there is none. */
// A step's script goes to PostgreSQL in one message with its COMMIT: the sleep may be anywhere in the query text.
async function sleepingSession(dialect: DialectName, database: TestDatabase): Promise<number | undefined> {
  const sql =
    dialect === "postgres"
      ? `SELECT pid AS id FROM pg_stat_activity WHERE datname = '${database.name}' AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(%'`
      : `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${database.name}' AND (INFO LIKE 'DO SLEEP%' OR INFO LIKE 'SELECT COUNT(*) FROM information_schema.COLUMNS a%')`;
  const rows = await query(database.url, sql).catch(() => []);
  return rows[0] === undefined ? undefined : Number(rows[0].id);
}

async function untilSleeping(dialect: DialectName, database: TestDatabase): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await sleepingSession(dialect, database)) === undefined) {
    if (Date.now() > deadline) throw new Error("the step never started sleeping");
    await sleep(50);
  }
}

async function counter(url: string): Promise<number[]> {
  return (await query(url, "SELECT k FROM counter ORDER BY k")).map((row) => Number(row.k));
}

/**
 * Stops a run now: SIGTERM at once; Ctrl-C twice, since the first one only
 * asks the run to stop cleanly after the current step (issue 17).
 */
async function stopNow(child: ChildProcess, signal: "SIGINT" | "SIGTERM"): Promise<void> {
  if (signal === "SIGINT") {
    child.kill("SIGINT");
    await sleep(300);
  }
  child.kill(signal);
}

describe.each(servers)("bounded waits on %s", (dialect) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  it("tidemark's session carries the statement limit, the idle-in-transaction limit and the server's keepalive", async () => {
    const read =
      dialect === "postgres"
        ? "SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle, " +
          "current_setting('tcp_keepalives_idle') AS keepalive, current_setting('client_connection_check_interval') AS client_check"
        : "SELECT @@SESSION.max_statement_time + 0 AS statement, @@SESSION.idle_transaction_timeout AS idle";
    const dir = makeProject({
      "migrations/001_settings.mjs": [
        "export async function upgrade(op) {",
        `  const [row] = await op.query(${JSON.stringify(read)});`,
        "  await op.execute('CREATE TABLE settings (doc TEXT)');",
        "  await op.execute('INSERT INTO settings VALUES (?)', [JSON.stringify(row)]);",
        "}",
        "",
      ].join("\n"),
    });
    const run = await runCli(["upgrade", "--statement-timeout", "7", "--url", database.url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const [row] = await query(database.url, "SELECT doc FROM settings");
    const settings = JSON.parse(String(row?.doc)) as Record<string, unknown>;
    if (dialect === "postgres") {
      expect(settings).toEqual({ statement: "7s", idle: "7s", keepalive: "15", client_check: "2s" });
    } else {
      expect({ statement: Number(settings.statement), idle: Number(settings.idle) }).toEqual({ statement: 7, idle: 7 });
    }
  });

  it("--statement-timeout: the server stops a statement that runs too long, and the run says so", async () => {
    // SELECT: MariaDB's DO SLEEP stops quietly at max_statement_time, SELECT SLEEP fails as it should.
    const dir = counterProject(dialect, dialect === "postgres" ? "SELECT pg_sleep(30);" : "SELECT SLEEP(30);");
    const run = await runCli(["upgrade", "--statement-timeout", "1", "--url", database.url], { cwd: dir, timeoutMs: 25_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(dialect === "postgres" ? /statement timeout/ : /max_statement_time exceeded/);
    expect(run.stderr).toContain("revision 2");
    expect(await counter(database.url)).toEqual([1]);
    if (dialect === "mysql") {
      const [log] = await query(database.url, "SELECT status FROM tidemark_log WHERE revision = '2'");
      expect(log?.status).toBe("failed");
    }
  });

  it("a server that goes silent mid-step ends the run within its timeout, and a rerun recovers", async () => {
    const proxy = await startStallProxy(database.url);
    try {
      const dir = counterProject(dialect, sleepSql(dialect, 4));
      const run = startCli(["upgrade", "--statement-timeout", "3", "--url", proxy.url], { cwd: dir });
      await untilSleeping(dialect, database);
      proxy.stall();
      const stalledAt = performance.now();
      const result = await run.done;
      const waited = (performance.now() - stalledAt) / 1000;
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain("did not answer within 8 s");
      expect(result.stderr).toContain("revision 2");
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // 3 s + 5 s of grace for the answer, a few to release the lock and close: never the hang it was.
      expect(waited).toBeLessThan(16);
    } finally {
      await proxy.close();
    }
    const dir = counterProject(dialect, sleepSql(dialect, 0));
    if (dialect === "mysql") {
      // The step's `running` row is committed and could not be closed: the repository is blocked until repair.
      const blocked = await runCli(["upgrade", "--url", database.url], { cwd: dir });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toContain("is blocked");
      expect((await runCli(["repair", "--url", database.url], { cwd: dir })).code).toBe(0);
    }
    const rerun = await runCli(["upgrade", "--url", database.url, "--lock-timeout", "20"], { cwd: dir });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await counter(database.url)).toEqual([1, 2, 3]);
  }, 60_000);

  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s cancels the statement running on the server (Ctrl-C the second time); the step is rolled back or recorded as failed",
    async (signal) => {
      const dir = counterProject(dialect, `CREATE TABLE made_in_step (id INT);\n${cancellable(dialect)}`);
      const run = startCli(["upgrade", "--url", database.url], { cwd: dir });
      await untilSleeping(dialect, database);
      await stopNow(run.child, signal);
      const result = await run.done;
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`${signal}: stopping`);
      expect(result.stderr).toMatch(new RegExp(`revision 2 .* interrupted by ${signal}`));
      // Nothing of tidemark's still runs on the server: the sleep was cancelled, not left behind.
      expect(await sleepingSession(dialect, database)).toBeUndefined();
      expect(result.ms).toBeLessThan(20_000);
      if (dialect === "postgres") {
        expect(await counter(database.url)).toEqual([1]);
        expect(await query(database.url, "SELECT to_regclass('made_in_step') AS t")).toEqual([{ t: null }]);
      } else {
        const [log] = await query(database.url, "SELECT status, error FROM tidemark_log WHERE revision = '2'");
        expect(log?.status).toBe("failed");
        expect(String(log?.error)).toContain(`interrupted by ${signal}`);
      }
    },
    45_000,
  );
});

describe.runIf(servers.includes("postgres"))("a dead runner's statement still running on PostgreSQL", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await database.drop();
  });

  /** A session that looks like a runner's leftover: tidemark's application name, busy, holding `counter`. */
  async function leftover(
    seconds: number,
  ): Promise<{ readonly pid: number; readonly done: Promise<unknown>; close(): Promise<void> }> {
    const parsed = parseDatabaseUrl(`${database.url}?application_name=tidemark`);
    const connection: Connection = await (await loadDialect("postgres")).driver.connect(parsed);
    const pid = connection.sessionId as number;
    await connection.execute("BEGIN");
    await connection.execute("LOCK TABLE counter IN ACCESS EXCLUSIVE MODE");
    const done = connection
      .query(`SELECT pg_sleep(${seconds})`)
      .then(() => connection.execute("COMMIT"))
      .catch(() => undefined);
    return { pid, done, close: () => connection.close() };
  }

  it("is reported with its pid, query and age, and waited for at most --lock-timeout", async () => {
    const dir = counterProject("postgres", "");
    const first = await runCli(["upgrade", "1", "--url", database.url], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const busy = await leftover(8);
    try {
      await sleep(300);
      const started = performance.now();
      const refused = await runCli(["upgrade", "--lock-timeout", "2", "--url", database.url], { cwd: dir });
      expect(refused.code, refused.stderr).toBe(1);
      expect((performance.now() - started) / 1000).toBeLessThan(7);
      expect(refused.stderr).toContain(`note: Waiting for a statement of an earlier tidemark run`);
      expect(refused.stderr).toMatch(new RegExp(`pid ${busy.pid}, active for \\d+ s: SELECT pg_sleep\\(8\\)`));
      expect(refused.stderr).toContain("after --lock-timeout (2 s)");
      expect(refused.stderr).toContain(`SELECT pg_cancel_backend(${busy.pid})`);
      // (Not `counter`: the leftover holds it.)
      expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "1" }]);
      // A longer --lock-timeout waits for it to end, then runs.
      const waited = await runCli(["upgrade", "--lock-timeout", "30", "--url", database.url], { cwd: dir });
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stderr).toContain(`pid ${busy.pid}`);
      expect(await counter(database.url)).toEqual([1, 2, 3]);
    } finally {
      await busy.close();
    }
  }, 60_000);

  it("a runner killed mid-statement does not make the next one wait for that statement's end", async () => {
    const dir = counterProject("postgres", "SELECT pg_sleep(40);");
    const killed = startCli(["upgrade", "--url", database.url], { cwd: dir });
    await untilSleeping("postgres", database);
    killed.child.kill("SIGKILL");
    await killed.done;
    const next = startCli(["upgrade", "--lock-timeout", "15", "--url", database.url], { cwd: makeNoSleep() });
    const result = await next.done;
    expect(result.code, result.stderr).toBe(0);
    // The server stopped the orphan (client_connection_check_interval) or the runner waited for it: never its 40 s.
    expect(result.ms).toBeLessThan(20_000);
    expect(await counter(database.url)).toEqual([1, 2, 3]);
  }, 60_000);

  function makeNoSleep(): string {
    return counterProject("postgres", "SELECT pg_sleep(0);");
  }
});

/**
 * Without --statement-timeout no deadline can tell a long statement from a
 * silent server, so after 15 s without an answer tidemark asks the server,
 * from the lock's session, what the step's session is doing.
 */
describe.concurrent("a silent connection without --statement-timeout", () => {
  async function stalledRun(
    dialect: "postgres" | "mysql",
    stall: (proxy: Awaited<ReturnType<typeof startStallProxy>>) => void,
  ): Promise<{ readonly result: { code: number; stderr: string }; readonly waited: number }> {
    const database = await createTestDatabase(dialect);
    const proxy = await startStallProxy(database.url);
    try {
      const run = startCli(["upgrade", "--url", proxy.url], { cwd: counterProject(dialect, sleepSql(dialect, 3)) });
      await untilSleeping(dialect, database);
      stall(proxy);
      const stalledAt = performance.now();
      const result = await run.done;
      return { result, waited: (performance.now() - stalledAt) / 1000 };
    } finally {
      await proxy.close();
      await database.drop();
    }
  }

  it.each(servers)(
    "%s: a session whose answer was lost (the server says it is idle) ends the run",
    async (dialect) => {
      // Connection 0 is the lock's session, 1 the steps': only the steps' route goes silent.
      const { result, waited } = await stalledRun(dialect, (proxy) => proxy.stall(1));
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/got no answer for 1\d s, although the server says the session is idle/);
      expect(result.stderr).toContain("revision 2");
      // 15 s before the first question, 2 s before the second; then close.
      expect(waited).toBeLessThan(26);
    },
    60_000,
  );

  it.each(servers)(
    "%s: a server gone silent (the second session gets no answer either) ends the run",
    async (dialect) => {
      const { result, waited } = await stalledRun(dialect, (proxy) => proxy.stall());
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/got no answer for \d+ s, and a second session's question got no answer either/);
      expect(result.stderr).toContain("revision 2");
      // 15 s before the question, 15 s for its answer, 2 s to release the lock, 2 s to close.
      expect(waited).toBeLessThan(40);
    },
    70_000,
  );
});

describe("Ctrl-C on SQLite", () => {
  it("stops before the step's next statement (its statements run in-process), and the step rolls back", async () => {
    const database = await createTestDatabase("sqlite");
    try {
      const marker = join(dirname(database.name), "step-2-started");
      const dir = makeProject({
        "migrations/001_one.sql": "-- +upgrade\nCREATE TABLE counter (k INT);\nINSERT INTO counter VALUES (1);\n",
        "migrations/002_two.mjs": [
          'import { writeFileSync } from "node:fs";',
          "export async function upgrade(op) {",
          "  await op.execute('INSERT INTO counter VALUES (2)');",
          `  writeFileSync(${JSON.stringify(marker)}, "");`,
          "  await new Promise((resolve) => setTimeout(resolve, 2_000));",
          "  await op.execute('INSERT INTO counter VALUES (3)');",
          "}",
          "",
        ].join("\n"),
      });
      const run = startCli(["upgrade", "--url", database.url], { cwd: dir });
      while (!existsSync(marker)) await sleep(50);
      await stopNow(run.child, "SIGINT");
      const result = await run.done;
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/revision 2 .* interrupted by SIGINT/);
      expect(result.stderr).toContain("The step was rolled back");
      // The step's own pause is JavaScript, which tidemark cannot cut short: the run stops when it returns.
      expect(await counter(database.url)).toEqual([1]);
    } finally {
      await database.drop();
    }
  }, 60_000);
});
