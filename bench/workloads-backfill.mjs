// Workload (issue 19): a backfill of 1M rows (TIDEMARK_BENCH_BACKFILL_ROWS
// for a quicker run) under an application writing 200 rows a second, on
// PostgreSQL, MariaDB and SQLite. tidemark's `op.backfill` (default,
// adaptive batch size) against the database's own batch loop — a stored
// procedure updating key ranges of 1,000 with a COMMIT per batch (SQLite:
// the same loop in-process through better-sqlite3) — each on a fresh table,
// interleaved. Reported: total time ratio (target ≤ 1.1×) and the writer's
// p99 latency ratio (target ≤ 1.2×), with the writer's idle p99 for scale.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeConfig } from "./fixtures.mjs";
import { ROOT, emit, median, note, round, tempDir, tidemark } from "./lib.mjs";

const ROWS = Number(process.env.TIDEMARK_BENCH_BACKFILL_ROWS ?? 1_000_000);
const LOOP_BATCH = 1000;
const RATE = 200;

// TIDEMARK_BENCH_BACKFILL_MS sets the backfill's batchMs (default: tidemark's, 20 ms).
const BATCH_MS = process.env.TIDEMARK_BENCH_BACKFILL_MS;
const REVISION = `export const message = "backfill items.twice";
export async function upgrade(op) {
  await op.backfill({ table: "items", set: { twice: "n * 2" }${BATCH_MS === undefined ? "" : `, batchMs: ${Number(BATCH_MS)}`} });
}
export async function downgrade() {}
`;

/** Starts the writer; resolves once it is connected. `stop()` resolves to its latency figures. */
function startWriter(dialect, target) {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bench", "backfill-writer.mjs"), dialect, target, String(ROWS), String(RATE)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  let ready;
  const isReady = new Promise((resolve, reject) => {
    ready = resolve;
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? undefined : reject(new Error(`writer exited with ${code}`))));
  });
  child.stdout.on("data", (chunk) => {
    out += chunk;
    if (out.includes("ready\n")) ready();
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return isReady.then(() => ({
    async stop() {
      child.kill("SIGTERM");
      await exited;
      return JSON.parse(
        out
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .pop(),
      );
    },
  }));
}

const SERVERS = {
  postgres: {
    async open() {
      const { default: pg } = await import("pg");
      const admin = new pg.Client({
        host: "127.0.0.1",
        port: 5432,
        user: "postgres",
        database: "postgres",
        connectionTimeoutMillis: 3000,
      });
      await admin.connect();
      return {
        url: (db) => `postgres://postgres@127.0.0.1:5432/${db}`,
        async create(db) {
          await admin.query(`CREATE DATABASE "${db}"`);
          const client = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: db });
          await client.connect();
          await client.query(
            "CREATE TABLE items (id bigint PRIMARY KEY, n integer NOT NULL, twice integer, touched integer NOT NULL DEFAULT 0)",
          );
          await client.query(`INSERT INTO items (id, n) SELECT g, g % 1000 FROM generate_series(1, ${ROWS}) g`);
          await client.query("VACUUM ANALYZE items");
          await client.query(`CREATE PROCEDURE backfill_loop() LANGUAGE plpgsql AS $$
DECLARE lo bigint := 0; hi bigint;
BEGIN
  SELECT max(id) INTO hi FROM items;
  WHILE lo < hi LOOP
    UPDATE items SET twice = n * 2 WHERE id > lo AND id <= lo + ${LOOP_BATCH};
    lo := lo + ${LOOP_BATCH};
    COMMIT;
  END LOOP;
END $$`);
          return {
            loop: async () => void (await client.query("CALL backfill_loop()")),
            done: async () => Number((await client.query("SELECT count(*)::int AS n FROM items WHERE twice = n * 2")).rows[0].n),
            close: () => client.end(),
          };
        },
        drop: (db) => admin.query(`DROP DATABASE IF EXISTS "${db}"`),
        close: () => admin.end(),
      };
    },
    writer: "postgres",
  },
  mariadb: {
    async open() {
      const { default: mysql } = await import("mysql2/promise");
      const admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", connectTimeout: 3000 });
      return {
        url: (db) => `mysql://root@127.0.0.1:3306/${db}`,
        async create(db) {
          await admin.query(`CREATE DATABASE \`${db}\``);
          const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: db });
          await conn.query(
            "CREATE TABLE items (id BIGINT PRIMARY KEY, n INT NOT NULL, twice INT NULL, touched INT NOT NULL DEFAULT 0) ENGINE=InnoDB",
          );
          await conn.query(`INSERT INTO items (id, n) SELECT seq, seq % 1000 FROM seq_1_to_${ROWS}`);
          await conn.query("ANALYZE TABLE items");
          await conn.query(`CREATE PROCEDURE backfill_loop()
BEGIN
  DECLARE lo BIGINT DEFAULT 0;
  DECLARE hi BIGINT;
  SELECT MAX(id) INTO hi FROM items;
  WHILE lo < hi DO
    START TRANSACTION;
    UPDATE items SET twice = n * 2 WHERE id > lo AND id <= lo + ${LOOP_BATCH};
    COMMIT;
    SET lo = lo + ${LOOP_BATCH};
  END WHILE;
END`);
          return {
            loop: async () => void (await conn.query("CALL backfill_loop()")),
            done: async () => Number((await conn.query("SELECT COUNT(*) AS n FROM items WHERE twice = n * 2"))[0][0].n),
            close: () => conn.end(),
          };
        },
        drop: (db) => admin.query(`DROP DATABASE IF EXISTS \`${db}\``),
        close: () => admin.end(),
      };
    },
    writer: "mysql",
  },
  sqlite: {
    async open() {
      const { default: Database } = await import("better-sqlite3");
      const dir = tempDir("backfill-sqlite");
      const file = (db) => join(dir, `${db}.db`);
      return {
        url: (db) => `sqlite:${file(db)}`,
        target: file,
        async create(db) {
          const handle = new Database(file(db));
          handle.pragma("journal_mode = WAL");
          handle.pragma("busy_timeout = 10000");
          handle.exec(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, twice INTEGER, touched INTEGER NOT NULL DEFAULT 0)",
          );
          handle.exec(
            `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${ROWS}) INSERT INTO items (id, n) SELECT i, i % 1000 FROM g`,
          );
          const update = handle.prepare("UPDATE items SET twice = n * 2 WHERE id > ? AND id <= ?");
          const batch = handle.transaction((lo) => update.run(lo, lo + LOOP_BATCH));
          return {
            async loop() {
              const hi = handle.prepare("SELECT MAX(id) AS m FROM items").get().m;
              for (let lo = 0; lo < hi; lo += LOOP_BATCH) {
                batch(lo);
                // Let the writer's process in between batches, as a server's scheduler would.
                await new Promise((resolve) => setImmediate(resolve));
              }
            },
            done: async () => handle.prepare("SELECT COUNT(*) AS n FROM items WHERE twice = n * 2").get().n,
            close: async () => handle.close(),
          };
        },
        drop: async () => undefined,
        close: async () => undefined,
      };
    },
    writer: "sqlite",
  },
};

/** One timed run under the writer: `run()` returns when the backfill is done. */
async function underWriter(server, db, run) {
  const writer = await startWriter(server.writer, server.target?.(db) ?? server.urlOf(db));
  const began = performance.now();
  await run();
  const ms = performance.now() - began;
  return { ms, ...(await writer.stop()) };
}

function backfillWorkload(name) {
  const bench = `backfill-${name}`;
  return async ({ runs }) => {
    let server;
    try {
      server = await SERVERS[name].open();
    } catch (error) {
      return note(bench, `${name} unreachable (${error.code ?? error.message}); skipped`);
    }
    const spec = { writer: SERVERS[name].writer, target: server.target, urlOf: server.url };
    const dir = tempDir(`backfill-${name}`);
    mkdirSync(join(dir, "migrations"), { recursive: true });
    writeConfig(dir, { kind: "json", scheme: "numbered" });
    writeFileSync(join(dir, "migrations", "0001_backfill.mjs"), REVISION);
    const stamp = `${process.pid}_${Date.now().toString(36)}`;
    let n = 0;
    const made = [];
    const samples = { tidemark: [], loop: [] };
    let idle;
    try {
      for (let round = 0; round < (runs ?? 1); round++) {
        const order = round % 2 === 0 ? ["tidemark", "loop"] : ["loop", "tidemark"];
        for (const who of order) {
          const db = `tm_backfill_${stamp}_${n++}`;
          made.push(db);
          const table = await server.create(db);
          try {
            if (idle === undefined) {
              // The writer alone, for scale: its p99 with nothing else running.
              idle = await underWriter(spec, db, () => new Promise((resolve) => setTimeout(resolve, 3000)));
            }
            const result = await underWriter(spec, db, () =>
              who === "loop"
                ? table.loop()
                : Promise.resolve(tidemark(["upgrade", "head", "--url", server.url(db)], { cwd: dir })),
            );
            const done = await table.done();
            if (done !== ROWS) throw new Error(`${who} left ${done} of ${ROWS} rows backfilled in ${db}`);
            samples[who].push(result);
          } finally {
            await table.close();
            await server.drop(db);
          }
        }
      }
    } finally {
      await server.close();
    }
    const figure = (list) => ({
      median_ms: round(median(list.map((s) => s.ms))),
      writer_p99_ms: round(median(list.map((s) => s.p99_ms))),
      writer_p50_ms: round(median(list.map((s) => s.p50_ms))),
      writes: median(list.map((s) => s.writes)),
    });
    const ours = figure(samples.tidemark);
    const loop = figure(samples.loop);
    emit({
      bench,
      rows: ROWS,
      runs: runs ?? 1,
      rate_per_s: RATE,
      batch_ms: BATCH_MS === undefined ? "default" : Number(BATCH_MS),
      tidemark: ours,
      loop,
      writer_idle_p99_ms: idle?.p99_ms,
      time_ratio: Math.round((ours.median_ms / loop.median_ms) * 100) / 100,
      p99_ratio: Math.round((ours.writer_p99_ms / loop.writer_p99_ms) * 100) / 100,
      targets: { time_ratio: 1.1, p99_ratio: 1.2 },
    });
  };
}

export const backfillPostgres = backfillWorkload("postgres");
export const backfillMariadb = backfillWorkload("mariadb");
export const backfillSqlite = backfillWorkload("sqlite");
