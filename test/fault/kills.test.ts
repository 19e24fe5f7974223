/**
 * Fault suite (issue 12): SIGKILL at random points of `upgrade` over a
 * 20-step repository with slow steps, at least 30 kills per dialect (300
 * with TIDEMARK_FAULT_LONG=1). After every kill:
 * - PostgreSQL, SQLite: the database is exactly what a clean run to the
 *   recorded version leaves, with nothing half-done or unfinished; the next
 *   run goes on by itself.
 * - MySQL/MariaDB (DDL commits on its own): the rows describe the database —
 *   the version row names the last complete step, and a step that left
 *   anything behind has its `running` row. The operator's fix (undo the half
 *   step, `tidemark repair`) and a rerun reach the clean state.
 * At the end, a run to head leaves the clean-run state with one `done` row
 * per step.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli, startCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";
import { type Observed, Random, SIZE, STEPS, cleanTables, faultSeed, observe, slowRepository } from "./fault-harness.js";

const dialects = await testDialects();
const seed = faultSeed("kills");

afterAll(removeProjects);

/** Each round is a CLI start and at most 1.6 s of run; MySQL adds a repair now and then. */
const LONG_TIMEOUT = SIZE.killsPerDialect * 4_000 + 60_000;

// The dialects run side by side: the rounds mostly wait (process start-up, sleeps in the steps).
describe.concurrent("SIGKILL at random points", () => {
  it.each(dialects)(
    `%s: ${SIZE.killsPerDialect} kills, each leaving a state the rows describe; the runs reach the clean state`,
    async (dialect: DialectName) => {
      const database = await createTestDatabase(dialect);
      try {
        await killRounds(dialect, database);
      } finally {
        await database.drop();
      }
    },
    LONG_TIMEOUT,
  );
});

async function killRounds(dialect: DialectName, database: TestDatabase): Promise<void> {
  const random = new Random(seed + dialect.length);
  const dir = makeProject(slowRepository(dialect));
  const url = database.url;
  let kills = 0;
  let rounds = 0;
  let repairs = 0;
  const landed = new Set<number>();
  while (kills < SIZE.killsPerDialect) {
    rounds += 1;
    if (rounds > SIZE.killsPerDialect * 4) throw new Error(`only ${kills} kills landed in ${rounds} rounds`);
    const before = await observe(dialect, url);
    if (before.version === STEPS) await reset(dialect, database);
    const run = startCli(["upgrade", "--lock-timeout", "20", "--url", url], { cwd: dir });
    // Start-up takes ~0.2-0.5 s; the 20 steps about 1 s more.
    const timer = setTimeout(() => run.child.kill("SIGKILL"), random.int(150, 1600));
    const result = await run.done;
    clearTimeout(timer);
    const after = await observe(dialect, url);
    const where = `round ${rounds} (seed ${seed}): ${show(after)}`;
    if (result.code !== -2) {
      // It finished before the kill: a clean run to head.
      expect(result.code, `${where}\n${result.stderr}`).toBe(0);
      expect(after.version, where).toBe(STEPS);
      continue;
    }
    kills += 1;
    landed.add(after.version);
    if (dialect === "mysql") repairs += await checkAndRepairMysql(after, where, dir, url);
    else checkAtomic(after, where);
  }
  // Whatever the last kill left, one more run (after the operator's fix on MySQL) reaches the clean state.
  const last = await observe(dialect, url);
  if (dialect === "mysql") await checkAndRepairMysql(last, `final (seed ${seed})`, dir, url);
  const finish = await runCli(["upgrade", "--lock-timeout", "20", "--url", url], { cwd: dir });
  expect(finish.code, finish.stderr).toBe(0);
  const clean = await observe(dialect, url);
  expect(clean.version).toBe(STEPS);
  expect(clean.tables).toEqual(cleanTables(STEPS));
  expect(clean.log.unfinished).toEqual([]);
  for (const [revision, count] of clean.log.done) expect(count, `done rows of ${revision}`).toBe(1);
  const check = await runCli(["check", "--url", url], { cwd: dir });
  expect(check.code, check.stdout + check.stderr).toBe(0);
  console.warn(
    `kills on ${dialect}: ${kills} kills in ${rounds} rounds, at ${landed.size} different versions` +
      (dialect === "mysql" ? `, ${repairs} half-done steps repaired` : ""),
  );
  // The kills must have been spread over the run, not all at start-up.
  expect(landed.size).toBeGreaterThanOrEqual(Math.min(8, SIZE.killsPerDialect / 4));
}

function show(state: Observed): string {
  const tables = [...state.tables].map(([n, ids]) => `t_${n}[${ids.join(",")}]`).join(" ");
  const open = state.log.unfinished.map((row) => `${row.revision}:${row.status}`).join(" ");
  return `version ${state.version}; ${tables || "no tables"}${open === "" ? "" : `; unfinished ${open}`}`;
}

/** Transactional DDL: the database is exactly a clean run to the recorded version, and nothing is left open. */
function checkAtomic(state: Observed, where: string): void {
  expect(state.tables, where).toEqual(cleanTables(state.version));
  expect(state.log.unfinished, where).toEqual([]);
  expect(
    [...state.log.done.keys()].sort((a, b) => Number(a) - Number(b)),
    where,
  ).toEqual([...cleanTables(state.version).keys()].map(String));
}

/**
 * MySQL: the version row names the last complete step; every step after it
 * left nothing, except one whose `running` row says it started. The operator
 * undoes that step's table and runs `repair`; returns 1 when that was needed.
 */
async function checkAndRepairMysql(state: Observed, where: string, dir: string, url: string): Promise<number> {
  const complete = cleanTables(state.version);
  for (const [n, ids] of complete) expect(state.tables.get(n), `${where}: t_${n}`).toEqual(ids);
  const beyond = [...state.tables.keys()].filter((n) => n > state.version);
  expect(
    beyond.filter((n) => n > state.version + 1),
    where,
  ).toEqual([]);
  const running = state.log.unfinished;
  expect(
    running.every((row) => row.status === "running" && row.revision === String(state.version + 1)),
    where,
  ).toBe(true);
  if (beyond.length > 0) expect(running, `${where}: a half-done step without its running row`).toHaveLength(1);
  if (running.length === 0) return 0;
  // A rerun refuses to go on over a half-done step.
  const blocked = await runCli(["upgrade", "--url", url], { cwd: dir });
  expect(blocked.code, where).toBe(1);
  expect(blocked.stderr, where).toContain("is blocked");
  await queryDatabase(url, `DROP TABLE IF EXISTS t_${state.version + 1}`);
  const repair = await runCli(["repair", "--url", url], { cwd: dir });
  expect(repair.code, `${where}\n${repair.stderr}`).toBe(0);
  return 1;
}

async function reset(dialect: DialectName, database: TestDatabase): Promise<void> {
  if (dialect === "sqlite") {
    rmSync(database.name, { force: true });
    rmSync(`${database.name}-journal`, { force: true });
    return;
  }
  const tables = [...Array.from({ length: STEPS }, (_, i) => `t_${i + 1}`), "tidemark_version", "tidemark_log"];
  for (const table of tables) await queryDatabase(database.url, `DROP TABLE IF EXISTS ${table}`);
}
