// The contenders of the migration workloads (issue 19), each run on a fresh
// database, interleaved round by round so that drift of a shared disk or CPU
// hits all of them alike:
//   tidemark — `tidemark upgrade head`;
//   floor    — the database's own client running only the migrations'
//              statements, with the same commits (one transaction per step);
//   knex     — knex's migrator over the same statements (its default: the
//              batch in one transaction);
//   umzug    — umzug over the same statements, recording in a table of its own.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, round, timeCommand } from "./lib.mjs";

const PEERS = fileURLToPath(new URL("./peers/", import.meta.url));
export const QUOTE = { sqlite: '"', postgres: '"', mysql: "`" };

export const statement = (dialect, n) => `CREATE TABLE ${QUOTE[dialect]}t${n}${QUOTE[dialect]} (id integer)`;

/** The per-step floor: the migrations' statements alone, each in its own transaction (MySQL: its own autocommit). */
export function floorSql(dialect, count) {
  const lines = [];
  if (dialect === "sqlite") lines.push(".bail on");
  if (dialect === "postgres") lines.push("\\set ON_ERROR_STOP on", "SET client_min_messages = warning;");
  const begin = dialect === "sqlite" ? "BEGIN IMMEDIATE;" : "BEGIN;";
  for (let n = 1; n <= count; n++) {
    if (dialect === "mysql") lines.push(`${statement(dialect, n)};`);
    else lines.push(begin, `${statement(dialect, n)};`, "COMMIT;");
  }
  return `${lines.join("\n")}\n`;
}

/** The same migrations as knex and umzug files, beside tidemark's project in `dir`. */
export function writePeerMigrations(dir, dialect, count) {
  const knexDir = join(dir, "knex-migrations");
  const umzugDir = join(dir, "umzug-migrations");
  mkdirSync(knexDir, { recursive: true });
  mkdirSync(umzugDir, { recursive: true });
  for (let n = 1; n <= count; n++) {
    const name = String(n).padStart(4, "0");
    const sql = statement(dialect, n);
    writeFileSync(
      join(knexDir, `${name}_x.cjs`),
      `exports.up = (knex) => knex.raw(${JSON.stringify(sql)});\nexports.down = (knex) => knex.raw("DROP TABLE t${n}");\n`,
    );
    writeFileSync(join(umzugDir, `${name}_x.sql`), sql);
  }
}

export function runKnex(dir, url) {
  return timeCommand(process.execPath, [join(PEERS, "knex-run.mjs"), dir, url], { cwd: dir }).ms;
}

export function runUmzug(dir, url) {
  return timeCommand(process.execPath, [join(PEERS, "umzug-run.mjs"), dir, url], { cwd: dir }).ms;
}

/**
 * `rounds` rounds; in each, every contender runs once after its `prepare`
 * (a fresh database, untimed), the order rotating from round to round.
 * Returns each contender's median and, per contender, the median of its
 * per-round ratio to `contenders[0]` (tidemark).
 */
export async function interleave(rounds, contenders) {
  const times = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]);
    for (const contender of order) {
      await contender.prepare?.();
      times.get(contender.name).push(await contender.run());
    }
  }
  const ours = times.get(contenders[0].name);
  const result = {};
  for (const contender of contenders) {
    const mine = times.get(contender.name);
    result[contender.name] = {
      median_ms: round(median(mine)),
      ...(contender === contenders[0]
        ? {}
        : { tidemark_ratio: Math.round(median(ours.map((ms, i) => ms / mine[i])) * 100) / 100 }),
    };
  }
  return result;
}
