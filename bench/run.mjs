// `npm run bench`: tidemark's performance workloads, one JSON line each.
//   node bench/run.mjs [--only current,heads,...] [--runs N] [--keep]
// --only takes workload names or groups (sqlite, graph, servers); --runs
// overrides every workload's run count; --keep leaves the temp fixtures.
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { CLI, emit, nodeFloor, parseArgs, removeTempDirs, round, setCacheDir, tempDir, tempDirs } from "./lib.mjs";
import { current, upgradeSqlite, upgradeSqliteSingle, upgradeSqliteTs } from "./workloads-sqlite.mjs";
import { graphWorkload } from "./workloads-graph.mjs";
import { upgradeSqlTs } from "./workloads-offline.mjs";
import { upgradeMariadb, upgradePostgres } from "./workloads-server.mjs";
import { diffMariadb, diffPostgres, diffSqlite } from "./workloads-autogen.mjs";
import { fleetPostgres, fleetSqlite } from "./workloads-fleet.mjs";
import { redact } from "./workloads-redact.mjs";
import { backfillMariadb, backfillPostgres, backfillSqlite } from "./workloads-backfill.mjs";

const WORKLOADS = [
  ["current", current],
  ["upgrade-sqlite", upgradeSqlite],
  ["upgrade-sqlite-single", upgradeSqliteSingle],
  ["upgrade-sqlite-ts", upgradeSqliteTs],
  ["heads", graphWorkload("heads")],
  ["history", graphWorkload("history")],
  ["check", graphWorkload("check")],
  ["upgrade-sql", graphWorkload("upgrade-sql")],
  ["upgrade-sql-ts", upgradeSqlTs],
  ["upgrade-postgres", upgradePostgres],
  ["upgrade-mariadb", upgradeMariadb],
  ["diff-sqlite", diffSqlite],
  ["diff-postgres", diffPostgres],
  ["diff-mariadb", diffMariadb],
  ["fleet-sqlite", fleetSqlite],
  ["fleet-postgres", fleetPostgres],
  ["redact", redact],
  ["backfill-postgres", backfillPostgres],
  ["backfill-mariadb", backfillMariadb],
  ["backfill-sqlite", backfillSqlite],
];

const GROUPS = {
  sqlite: ["upgrade-sqlite", "upgrade-sqlite-single", "upgrade-sqlite-ts"],
  graph: ["heads", "history", "check", "upgrade-sql", "upgrade-sql-ts"],
  servers: ["upgrade-postgres", "upgrade-mariadb"],
  postgres: ["upgrade-postgres"],
  mariadb: ["upgrade-mariadb"],
  mysql: ["upgrade-mariadb"],
  autogen: ["diff-sqlite", "diff-postgres", "diff-mariadb"],
  fleet: ["fleet-sqlite", "fleet-postgres"],
  backfill: ["backfill-postgres", "backfill-mariadb", "backfill-sqlite"],
};

function selected(only) {
  if (only === undefined) return WORKLOADS;
  const names = new Set([...only].flatMap((name) => GROUPS[name] ?? [name]));
  const unknown = [...names].filter((name) => !WORKLOADS.some(([known]) => known === name));
  if (unknown.length > 0) {
    const known = [...WORKLOADS.map(([name]) => name), ...Object.keys(GROUPS)].join(", ");
    throw new Error(`unknown workload ${unknown.join(", ")}; known: ${known}`);
  }
  return WORKLOADS.filter(([name]) => names.has(name));
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`usage: node bench/run.mjs [--only ${WORKLOADS.map(([n]) => n).join(",")}] [--runs N] [--keep]\n`);
    return 0;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench does).`);
  const workloads = selected(options.only);
  setCacheDir(tempDir("cache"));
  const started = performance.now();
  const floor = nodeFloor(Math.max(15, options.runs ?? 15));
  // The machine's load at the start: numbers from a busy machine run high.
  emit({ bench: "node-startup-floor", ...floor, cpus: availableParallelism(), loadavg: loadavg().map((n) => round(n)) });
  let failed = 0;
  try {
    for (const [name, run] of workloads) {
      const began = performance.now();
      try {
        await run({ runs: options.runs });
      } catch (error) {
        failed++;
        emit({ bench: name, error: String(error?.message ?? error).slice(0, 2000), ok: false });
      }
      process.stderr.write(`# ${name}: ${round((performance.now() - began) / 1000)} s\n`);
    }
  } finally {
    if (options.keep) process.stderr.write(`# fixtures kept: ${tempDirs().join(" ")}\n`);
    else removeTempDirs();
  }
  process.stderr.write(`# total: ${round((performance.now() - started) / 1000)} s\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`bench: ${error?.message ?? error}\n`);
    process.exitCode = 2;
  },
);
