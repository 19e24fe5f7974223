/**
 * Fault suite (issue 12), runners against each other and against the
 * network:
 * - 16 runners at once apply every step exactly once, all exiting 0;
 * - sessions killed mid-run (the lock's among them): no step runs twice,
 *   and a rerun finishes the work;
 * - a server gone silent mid-step ends the run within its timeout.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli, startCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";
import { startStallProxy } from "../helpers/stall-proxy.js";
import { Random, SIZE, faultSeed, sleep } from "./fault-harness.js";

const dialects = await testDialects();
const servers = dialects.filter((dialect): dialect is Exclude<DialectName, "sqlite"> => dialect !== "sqlite");
const seed = faultSeed("runners");

afterAll(removeProjects);

/** Steps 1..count insert their number into `counter`; every `slowEvery`-th one also pauses on the server. */
function counterRepository(dialect: DialectName, count: number, slowEvery: number, seconds: number): string {
  const pause = dialect === "postgres" ? `SELECT pg_sleep(${seconds});` : dialect === "mysql" ? `DO SLEEP(${seconds});` : "";
  const files: Record<string, string> = {};
  for (let n = 1; n <= count; n += 1) {
    // IF NOT EXISTS: on MySQL the CREATE commits by itself, so a session killed
    // after it leaves the table behind a step that repair then reruns.
    const create = n === 1 ? "CREATE TABLE IF NOT EXISTS counter (k INT);\n" : "";
    const slow = n % slowEvery === 0 && pause !== "" ? `${pause}\n` : "";
    files[`migrations/${String(n).padStart(3, "0")}_s${n}.sql`] =
      `-- +upgrade\n${create}INSERT INTO counter VALUES (${n});\n${slow}`;
  }
  return makeProject(files);
}

async function counter(url: string): Promise<number[]> {
  return (await query(url, "SELECT k FROM counter ORDER BY k")).map((row) => Number(row.k));
}

async function withDatabase(dialect: DialectName, work: (database: TestDatabase) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(dialect);
  try {
    await work(database);
  } finally {
    await database.drop();
  }
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

describe.concurrent(`${SIZE.parallelRunners} runners at once`, () => {
  it.each(dialects)(
    `%s: every step applied exactly once, every runner exits 0 (${SIZE.parallelRounds} round(s))`,
    async (dialect) => {
      for (let round = 1; round <= SIZE.parallelRounds; round += 1) {
        await withDatabase(dialect, async (database) => {
          const dir = counterRepository(dialect, 10, 4, 0.05);
          const runs = await Promise.all(
            range(SIZE.parallelRunners).map(() =>
              runCli(["upgrade", "head", "--lock-timeout", "120", "--url", database.url], { cwd: dir, timeoutMs: 180_000 }),
            ),
          );
          for (const run of runs) expect(run.code, run.stderr).toBe(0);
          expect(await counter(database.url)).toEqual(range(10));
          const done = await query(
            database.url,
            "SELECT revision, COUNT(*) AS n FROM tidemark_log WHERE status = 'done' GROUP BY revision",
          );
          expect(done.map((row) => Number(row.n))).toEqual(range(10).map(() => 1));
        });
      }
    },
    240_000,
  );
});

describe.concurrent("sessions killed mid-run", () => {
  it.each(servers)(
    `%s: no step runs twice, and a rerun finishes (${SIZE.lostLockRounds} round(s))`,
    async (dialect) => {
      const random = new Random(seed + dialect.length);
      for (let round = 1; round <= SIZE.lostLockRounds; round += 1) {
        await withDatabase(dialect, async (database) => {
          const dir = counterRepository(dialect, 6, 2, 0.6);
          const first = startCli(["upgrade", "--url", database.url], { cwd: dir });
          await sleep(random.int(0, 800));
          const second = startCli(["upgrade", "--lock-timeout", "30", "--url", database.url], { cwd: dir });
          // Somewhere in the run: every idle session of the database dies — the lock's among them.
          await sleep(random.int(400, 2500));
          const killed = await killIdleSessions(dialect, database);
          const [a, b] = await Promise.all([first.done, second.done]);
          const where = `round ${round} (seed ${seed}), ${killed} sessions killed`;
          for (const run of [a, b]) {
            expect([0, 1], `${where}\n${run.stderr}`).toContain(run.code);
            expect(run.stderr, where).not.toMatch(/\n\s+at /);
          }
          const seen = await counter(database.url).catch(() => []);
          expect(new Set(seen).size, `${where}: ${seen.join(",")}`).toBe(seen.length);
          // A step that died with its session on MySQL is left `running`: repair, then rerun.
          if (dialect === "mysql") await clearHalfDone(database, dir);
          const rerun = await runCli(["upgrade", "--lock-timeout", "30", "--url", database.url], { cwd: dir });
          expect(rerun.code, `${where}\n${rerun.stderr}`).toBe(0);
          expect(await counter(database.url), where).toEqual(range(6));
          const check = await runCli(["check", "--url", database.url], { cwd: dir });
          expect(check.code, `${where}\n${check.stdout}${check.stderr}`).toBe(0);
        });
      }
    },
    60_000 * SIZE.lostLockRounds + 30_000,
  );
});

/** Kills every idle session in the test database but the caller's: the runners' lock sessions, idle connections. */
async function killIdleSessions(dialect: "postgres" | "mysql", database: TestDatabase): Promise<number> {
  if (dialect === "postgres") {
    const rows = await query(
      database.url,
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = '${database.name}' AND state = 'idle' AND pid <> pg_backend_pid()`,
    );
    return rows.length;
  }
  const idle = await query(
    database.url,
    `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${database.name}' AND COMMAND = 'Sleep' AND ID <> CONNECTION_ID()`,
  );
  for (const row of idle) await query(database.url, `KILL ${Number(row.id)}`).catch(() => undefined);
  return idle.length;
}

/**
 * MySQL: a step whose session died is left `running`. Its INSERT ran in the
 * step's transaction, which died with the session, and step 1's CREATE is
 * idempotent, so there is nothing to undo by hand: repair clears the mark.
 */
async function clearHalfDone(database: TestDatabase, dir: string): Promise<void> {
  const running = await query(database.url, "SELECT revision FROM tidemark_log WHERE status IN ('running', 'failed')").catch(
    () => [],
  );
  if (running.length === 0) return;
  const repair = await runCli(["repair", "--url", database.url], { cwd: dir });
  expect(repair.code, repair.stderr).toBe(0);
}

describe.concurrent("a server gone silent mid-step", () => {
  it.each(servers)(
    "%s: the run ends within --statement-timeout and its grace, naming the step",
    async (dialect) => {
      await withDatabase(dialect, async (database) => {
        const proxy = await startStallProxy(database.url);
        try {
          const dir = counterRepository(dialect, 3, 2, 3);
          const run = startCli(["upgrade", "--statement-timeout", "2", "--url", proxy.url], { cwd: dir });
          await untilPaused(dialect, database);
          proxy.stall();
          const stalledAt = performance.now();
          const result = await run.done;
          const waited = (performance.now() - stalledAt) / 1000;
          expect(result.code, result.stderr).toBe(1);
          expect(result.stderr).toContain("did not answer within 7 s");
          expect(result.stderr).toContain("revision 2");
          // 2 s + 5 s of grace, then at most 2 s for the lock's release and 2 s to close: 11 s.
          expect(waited).toBeLessThan(12);
        } finally {
          await proxy.close();
        }
      });
    },
    60_000,
  );
});

// A step's script goes to PostgreSQL in one message with its COMMIT: the sleep may be anywhere in the query text.
async function untilPaused(dialect: "postgres" | "mysql", database: TestDatabase): Promise<void> {
  const sql =
    dialect === "postgres"
      ? `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = '${database.name}' AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(%'`
      : `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = '${database.name}' AND INFO LIKE 'DO SLEEP%'`;
  const deadline = Date.now() + 20_000;
  while (Number((await query(database.url, sql))[0]?.n ?? 0) === 0) {
    if (Date.now() > deadline) throw new Error("the step never paused");
    await sleep(50);
  }
}
