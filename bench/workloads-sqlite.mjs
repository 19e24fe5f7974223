// Workloads 1 and 2: `current` start-up, and applying 1,000 migrations on SQLite.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { baselineSql, writeNumberedProject } from "./fixtures.mjs";
import { bookkeepingFloorSql } from "./bookkeeping-floor.mjs";
import { floorSql, interleave, runKnex, runUmzug, statement, writePeerMigrations } from "./peers.mjs";
import { childEnv, emit, hasTool, nodeFloor, note, ramDir, round, sample, tempDir, tidemark, timeCommand } from "./lib.mjs";

const MIGRATIONS = 1000;

function removeDb(file) {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
}

/** Throws unless `file` holds the `count` bench tables and version row `count`. */
export function verifySqlite(file, count) {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name GLOB 't[0-9]*'").get().n;
    const version = db.prepare("SELECT group_concat(version) AS v FROM tidemark_version WHERE repository = 'core'").get().v;
    const done = db.prepare("SELECT count(*) AS n FROM tidemark_log WHERE status = 'done'").get().n;
    if (tables !== count || version !== String(count) || done !== count) {
      throw new Error(
        `${file}: expected ${count} tables, version ${count} and ${count} done log rows; found ${tables}, ${version}, ${done}`,
      );
    }
  } finally {
    db.close();
  }
}

function currentFor(kind, runs, target) {
  const dir = tempDir(`current-${kind}`);
  writeNumberedProject(dir, 20, { configKind: kind });
  tidemark(["upgrade", "head"], { cwd: dir });
  const probe = tidemark(["current"], { cwd: dir, stdout: "pipe" }).stdout;
  if (!probe.includes("20")) throw new Error(`current printed ${JSON.stringify(probe)}; expected version 20`);
  const result = sample(runs, () => tidemark(["current"], { cwd: dir }).ms, { warmup: 2 });
  const floor = nodeFloor();
  emit({
    bench: `current-${kind}-config`,
    ...result,
    target_ms: target,
    floor,
    over_floor_ms: round(result.median_ms - floor.median_ms),
    ok: result.median_ms <= target,
  });
}

export function current({ runs }) {
  currentFor("json", runs ?? 15, 60);
  currentFor("ts", runs ?? 15, 120);
}

function sqliteProject(dir, options) {
  writeNumberedProject(dir, MIGRATIONS);
  const script = join(dir, "baseline.sql");
  writeFileSync(script, baselineSql("sqlite", MIGRATIONS, options));
  return script;
}

/**
 * tidemark, the per-step floor (sqlite3), the floor with tidemark's bookkeeping
 * (bookkeeping-floor.mjs), knex and umzug on fresh files in `dir`, interleaved.
 */
async function contest(dir, rounds) {
  writeNumberedProject(dir, MIGRATIONS);
  writePeerMigrations(dir, "sqlite", MIGRATIONS);
  const floor = join(dir, "floor.sql");
  writeFileSync(floor, floorSql("sqlite", MIGRATIONS));
  const bookkeeping = join(dir, "bookkeeping.sql");
  writeFileSync(bookkeeping, bookkeepingFloorSql("sqlite", MIGRATIONS, statement));
  const fresh = (name) => () => removeDb(join(dir, name));
  const result = await interleave(rounds, [
    { name: "tidemark", prepare: fresh("bench.db"), run: () => tidemark(["upgrade", "head"], { cwd: dir }).ms },
    {
      name: "floor",
      prepare: fresh("floor.db"),
      run: () => timeCommand("sqlite3", ["floor.db"], { cwd: dir, stdinFile: floor }).ms,
    },
    {
      name: "bookkeeping",
      prepare: fresh("bookkeeping.db"),
      run: () => timeCommand("sqlite3", ["bookkeeping.db"], { cwd: dir, stdinFile: bookkeeping }).ms,
    },
    { name: "knex", prepare: fresh("knex.db"), run: () => runKnex(dir, "sqlite:knex.db") },
    { name: "umzug", prepare: fresh("umzug.db"), run: () => runUmzug(dir, "sqlite:umzug.db") },
  ]);
  verifySqlite(join(dir, "bench.db"), MIGRATIONS);
  return result;
}

/**
 * Each migration commits (4 fsyncs in SQLite's rollback-journal mode), so on
 * a shared disk the times are mostly I/O; the same contest on a RAM disk
 * shows each tool's own CPU overhead. Targets (issue 19): ≤ 1.15× the
 * per-step floor on disk, ≤ 1.6× on the RAM disk.
 */
export async function upgradeSqlite({ runs }) {
  if (!hasTool("sqlite3")) return note("upgrade-sqlite-1000", "sqlite3 CLI not installed; no floor");
  const rounds = runs ?? 3;
  const disk = await contest(tempDir("sqlite-sql"), rounds);
  const ramFolder = ramDir("sqlite-sql");
  const ram = ramFolder === undefined ? undefined : await contest(ramFolder, rounds);
  const ratio = (r) => Math.round((r.tidemark.median_ms / r.floor.median_ms) * 100) / 100;
  const withBookkeeping = (r) => Math.round((r.tidemark.median_ms / r.bookkeeping.median_ms) * 100) / 100;
  emit({
    bench: "upgrade-sqlite-1000",
    runs: rounds,
    disk: { ...disk, floor_ratio: ratio(disk), target_floor_ratio: 1.15, bookkeeping_floor_ratio: withBookkeeping(disk) },
    ...(ram === undefined
      ? {}
      : { ram: { ...ram, floor_ratio: ratio(ram), target_floor_ratio: 1.6, bookkeeping_floor_ratio: withBookkeeping(ram) } }),
    ok: ratio(disk) <= 1.15 && (ram === undefined || ratio(ram) <= 1.6),
  });
}

export function upgradeSqliteSingle({ runs }) {
  const dir = tempDir("sqlite-single");
  const script = sqliteProject(dir, { singleTransaction: true });
  const db = join(dir, "bench.db");
  const result = sample(runs ?? 5, () => tidemark(["upgrade", "head", "--single-transaction"], { cwd: dir }).ms, {
    prepare: () => removeDb(db),
  });
  verifySqlite(db, MIGRATIONS);
  const base = hasTool("sqlite3")
    ? sample(runs ?? 5, () => timeCommand("sqlite3", ["baseline.db"], { cwd: dir, stdinFile: script }).ms, {
        prepare: () => removeDb(join(dir, "baseline.db")),
      })
    : undefined;
  emit({
    bench: "upgrade-sqlite-1000-single-transaction",
    ...result,
    target_ms: 250,
    floor: nodeFloor(),
    ...(base === undefined
      ? {}
      : { baseline: { name: "sqlite3 CLI < same statements in one transaction", median_ms: base.median_ms } }),
    ok: result.median_ms <= 250,
  });
}

/**
 * TypeScript scripts are transformed once and then served from tidemark's
 * caches (here in TMPDIR: the project has no node_modules): the first run
 * (TIDEMARK_NO_CACHE, as on a fresh deploy) is printed apart from the median
 * of the runs after it.
 */
export function upgradeSqliteTs({ runs }) {
  const dir = tempDir("sqlite-ts");
  writeNumberedProject(dir, MIGRATIONS, { language: "ts" });
  const db = join(dir, "bench.db");
  removeDb(db);
  // The cold run caches nothing; the first timed run fills this TMPDIR's caches.
  const cacheDir = tempDir("cache-ts");
  const cold = tidemark(["upgrade", "head"], { cwd: dir, env: childEnv({ TMPDIR: cacheDir, TIDEMARK_NO_CACHE: "1" }) }).ms;
  verifySqlite(db, MIGRATIONS);
  const env = childEnv({ TMPDIR: cacheDir });
  const result = sample(runs ?? 3, () => tidemark(["upgrade", "head"], { cwd: dir, env }).ms, {
    prepare: () => removeDb(db),
  });
  emit({
    bench: "upgrade-sqlite-1000-ts",
    ...result,
    cold_ms: round(cold),
    target_ms: 2000,
    ok: result.median_ms <= 2000,
    cold_ok: cold <= 2000,
  });
}
