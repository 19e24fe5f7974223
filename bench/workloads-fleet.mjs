// Workload 5 (issue 18): one `upgrade head --fleet` over many databases
// against the shell loop users write today, one `tidemark upgrade head
// --url URL` per database (a process start, a script scan and load and a
// connection each). 500 SQLite files and 100 PostgreSQL databases, 20
// migrations each; target: the fleet run at most 0.25x the loop's time,
// with its peak memory flat in the number of targets (max RSS at 100, 500
// and 1,000 SQLite targets; V8 enlarges its young generation once, in the
// first few hundred targets, and the live heap after each full GC stays
// near 7 MB, so the curve levels off after that).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { writeNumberedProject } from "./fixtures.mjs";
import { CLI, childEnv, emit, note, ramDir, round, tempDir, timeCommand } from "./lib.mjs";
import { verifySqlite } from "./workloads-sqlite.mjs";

const MIGRATIONS = 20;
const TIME = "/usr/bin/time";

/** Adds `fleets` to the bench project's JSON config: one fleet file per name. */
function addFleets(dir, fleets) {
  const file = join(dir, "tidemark.config.json");
  const config = JSON.parse(readFileSync(file, "utf8"));
  config.fleets = Object.fromEntries(Object.entries(fleets).map(([name, list]) => [name, { file: list }]));
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

function writeList(file, urls) {
  writeFileSync(file, `${urls.join("\n")}\n`);
}

/** Wall time and peak RSS (KiB, from GNU time) of one command; RSS is null without /usr/bin/time. */
function timed(args, cwd) {
  if (!existsSync(TIME)) return { ...timeCommand(process.execPath, [CLI, ...args], { cwd }), rssKb: null };
  const out = join(cwd, `.time-${process.pid}`);
  const result = timeCommand(TIME, ["-o", out, "-f", "%M", process.execPath, CLI, ...args], { cwd });
  return { ms: result.ms, rssKb: Number(readFileSync(out, "utf8").trim().split("\n").pop()) };
}

/** `while read url; do tidemark upgrade head --url "$url"; done < list`: the loop a user writes today. */
function shellLoop(list, cwd) {
  const script = 'while IFS= read -r url; do "$0" "$1" upgrade head --url "$url" >/dev/null || exit 1; done < "$2"';
  return timeCommand("sh", ["-c", script, process.execPath, CLI, list], { cwd, env: childEnv() }).ms;
}

function result(bench, fleetMs, loopMs, targets, extra) {
  const ratio = Math.round((fleetMs / loopMs) * 100) / 100;
  emit({
    bench,
    targets,
    migrations: MIGRATIONS,
    median_ms: round(fleetMs),
    baseline: { name: `shell loop: tidemark upgrade head --url URL, once per database`, median_ms: round(loopMs) },
    ratio,
    target_ratio: 0.25,
    loadavg: loadavg().map((n) => round(n)),
    ...extra,
    ok: ratio <= 0.25 && (extra.memory_ok ?? true),
  });
}

export async function fleetSqlite() {
  const dir = tempDir("fleet-sqlite");
  writeNumberedProject(dir, MIGRATIONS, { configKind: "json" });
  const data = ramDir("fleet-sqlite-data") ?? tempDir("fleet-sqlite-data");
  const lists = {};
  for (const [name, count] of [
    ["f100", 100],
    ["f500", 500],
    ["f1000", 1000],
    ["loop", 500],
  ]) {
    mkdirSync(join(data, name));
    lists[name] = Array.from({ length: count }, (_, i) => `sqlite:${join(data, name, `t${i}.db`)}`);
    writeList(join(dir, `${name}.txt`), lists[name]);
  }
  addFleets(dir, { f100: "f100.txt", f500: "f500.txt", f1000: "f1000.txt" });
  const small = timed(["upgrade", "head", "--fleet", "f100"], dir);
  const large = timed(["upgrade", "head", "--fleet", "f500"], dir);
  const larger = timed(["upgrade", "head", "--fleet", "f1000"], dir);
  const loop = shellLoop(join(dir, "loop.txt"), dir);
  for (const name of ["f500", "loop"]) {
    for (const url of [lists[name][0], lists[name][lists[name].length - 1]])
      verifySqlite(url.slice("sqlite:".length), MIGRATIONS);
  }
  // Flat: five times the targets cost at most half as much memory again (1,000 is reported, not judged).
  const memoryOk = small.rssKb === null || large.rssKb <= small.rssKb * 1.5;
  result("fleet-sqlite-500", large.ms, loop, 500, {
    fleet_100_ms: round(small.ms),
    fleet_1000_ms: round(larger.ms),
    max_rss_kb: { targets_100: small.rssKb, targets_500: large.rssKb, targets_1000: larger.rssKb },
    memory_ok: memoryOk,
  });
}

export async function fleetPostgres() {
  const bench = "fleet-postgres-100";
  let client;
  try {
    const { default: pg } = await import("pg");
    client = new pg.Client({
      host: "127.0.0.1",
      port: 5432,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: 3000,
    });
    await client.connect();
  } catch (error) {
    return note(bench, `postgres unreachable (${error.code ?? error.message}); skipped`);
  }
  const dir = tempDir("fleet-postgres");
  writeNumberedProject(dir, MIGRATIONS, { configKind: "json" });
  const stamp = `${process.pid}_${Date.now().toString(36)}`;
  const names = { fleet: [], loop: [] };
  const url = (db) => `postgres://postgres@127.0.0.1:5432/${db}`;
  try {
    for (const set of ["fleet", "loop"]) {
      for (let i = 0; i < 100; i++) {
        const db = `tm_bench_${stamp}_${set}_${i}`;
        await client.query(`CREATE DATABASE "${db}"`);
        names[set].push(db);
      }
      writeList(join(dir, `${set}.txt`), names[set].map(url));
    }
    addFleets(dir, { fleet: "fleet.txt" });
    const fleet = timed(["upgrade", "head", "--fleet", "fleet", "--concurrency", "4"], dir);
    const loop = shellLoop(join(dir, "loop.txt"), dir);
    for (const db of [names.fleet[0], names.fleet[99], names.loop[0], names.loop[99]]) {
      const other = new (await import("pg")).default.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: db });
      await other.connect();
      try {
        const { rows } = await other.query("SELECT string_agg(version, ',') AS v FROM tidemark_version");
        if (rows[0].v !== String(MIGRATIONS)) throw new Error(`${db} is at ${rows[0].v}, expected ${MIGRATIONS}`);
      } finally {
        await other.end();
      }
    }
    result(bench, fleet.ms, loop, 100, { concurrency: 4, max_rss_kb: { targets_100: fleet.rssKb } });
  } finally {
    for (const db of [...names.fleet, ...names.loop]) await client.query(`DROP DATABASE IF EXISTS "${db}"`);
    await client.end();
  }
}
