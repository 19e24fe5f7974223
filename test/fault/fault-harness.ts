/**
 * What the fault suite (issue 12) shares: its size (bounded for `npm test`,
 * larger with TIDEMARK_FAULT_LONG=1), a seeded random source (printed, and
 * set with TIDEMARK_FAULT_SEED), the slow 20-step repository the kills land
 * in, and a probe that reads what a database holds.
 */
import { existsSync } from "node:fs";
import type { Connection, DialectName } from "../../src/dialects/dialect.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { loadDialect } from "../../src/dialects/registry.js";

export const LONG = process.env["TIDEMARK_FAULT_LONG"] === "1";

/** The suite's size: the bounded form stays within a few minutes on two busy cores. */
export const SIZE = {
  killsPerDialect: LONG ? 300 : 30,
  lostLockRounds: LONG ? 20 : 2,
  parallelRunners: 16,
  parallelRounds: LONG ? 10 : 1,
  fuzzInProcess: LONG ? 10_000 : 1_000,
  fuzzCli: LONG ? 300 : 24,
} as const;

/** The seed of this run: TIDEMARK_FAULT_SEED, else a fresh one; printed so that a failure can be replayed. */
export function faultSeed(suite: string): number {
  const given = process.env["TIDEMARK_FAULT_SEED"];
  const seed = given === undefined || given === "" ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  console.warn(`fault suite ${suite}: seed ${seed} (replay with TIDEMARK_FAULT_SEED=${seed})`);
  return seed;
}

/** A small seeded generator (mulberry32). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const STEPS = 20;

/**
 * 20 numbered steps; step N makes table t_N, inserts 1, pauses (in the step's
 * transaction: in JavaScript, or on the server for every third step), then
 * inserts 2. A step cut short leaves t_N without its 2 — or, where DDL cannot
 * roll back (MySQL), with its 1 only.
 */
export function slowRepository(dialect: DialectName): Record<string, string> {
  const files: Record<string, string> = {};
  for (let n = 1; n <= STEPS; n += 1) {
    const serverPause =
      n % 3 === 0 && dialect !== "sqlite"
        ? `  await op.execute(${JSON.stringify(dialect === "postgres" ? "SELECT pg_sleep(0.08)" : "DO SLEEP(0.08)")});\n`
        : "";
    files[`migrations/${String(n).padStart(3, "0")}_t${n}.mjs`] = [
      "export async function upgrade(op) {",
      `  await op.execute("CREATE TABLE t_${n} (id INT)");`,
      `  await op.execute("INSERT INTO t_${n} VALUES (1)");`,
      `  await new Promise((resolve) => setTimeout(resolve, ${n % 2 === 0 ? 60 : 15}));`,
      serverPause,
      `  await op.execute("INSERT INTO t_${n} VALUES (2)");`,
      "}",
      "",
    ].join("\n");
  }
  return files;
}

/** What the database holds, as far as the fault checks care. */
export interface Observed {
  /** The applied version (0: base). */
  readonly version: number;
  /** Each t_N present, with its ids in order. */
  readonly tables: ReadonlyMap<number, readonly number[]>;
  /** tidemark_log rows by status: revision → count. */
  readonly log: {
    readonly done: ReadonlyMap<string, number>;
    readonly unfinished: readonly { revision: string; status: string }[];
  };
}

/** Reads a test database through tidemark's own drivers; one connection per look (SQLite files come and go). */
export async function observe(dialect: DialectName, url: string): Promise<Observed> {
  const path = parseDatabaseUrl(url).path;
  if (dialect === "sqlite" && path !== undefined && !existsSync(path)) {
    return { version: 0, tables: new Map(), log: { done: new Map(), unfinished: [] } };
  }
  const connection = await connect(url);
  try {
    const names = await tableNames(dialect, connection);
    const tables = new Map<number, readonly number[]>();
    for (const name of names) {
      const match = /^t_(\d+)$/.exec(name);
      if (match === null) continue;
      const rows = await connection.query(`SELECT id FROM ${name} ORDER BY id`);
      tables.set(
        Number(match[1]),
        rows.map((row) => Number(row.id)),
      );
    }
    let version = 0;
    if (names.includes("tidemark_version")) {
      const rows = await connection.query("SELECT version FROM tidemark_version");
      if (rows.length > 1) throw new Error(`${rows.length} version rows: ${JSON.stringify(rows)}`);
      version = rows.length === 0 ? 0 : Number(rows[0]?.version);
    }
    const done = new Map<string, number>();
    const unfinished: { revision: string; status: string }[] = [];
    if (names.includes("tidemark_log")) {
      for (const row of await connection.query("SELECT revision, status FROM tidemark_log WHERE direction = 'up' ORDER BY id")) {
        const revision = String(row.revision);
        if (row.status === "done") done.set(revision, (done.get(revision) ?? 0) + 1);
        else unfinished.push({ revision, status: String(row.status) });
      }
    }
    return { version, tables, log: { done, unfinished } };
  } finally {
    await connection.close();
  }
}

export async function connect(url: string): Promise<Connection> {
  const parsed = parseDatabaseUrl(url);
  return (await loadDialect(parsed.dialect)).driver.connect(parsed, { lockTimeoutMs: 10_000 });
}

async function tableNames(dialect: DialectName, connection: Connection): Promise<string[]> {
  const sql =
    dialect === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table'"
      : dialect === "postgres"
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
        : "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()";
  return (await connection.query(sql)).map((row) => String(row.name));
}

/** The state a clean run to step `version` leaves: t_1..t_version, each holding 1 and 2. */
export function cleanTables(version: number): Map<number, readonly number[]> {
  const tables = new Map<number, readonly number[]>();
  for (let n = 1; n <= version; n += 1) tables.set(n, [1, 2]);
  return tables;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
