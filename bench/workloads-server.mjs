// Workload 4: 1,000 migrations on PostgreSQL and MariaDB against the native
// client (psql / mariadb) piping the same statements with the same commits.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeNumberedProject } from "./fixtures.mjs";
import { emit, hasTool, note, tempDir, tidemark, timeCommand } from "./lib.mjs";
import { bookkeepingFloorSql } from "./bookkeeping-floor.mjs";
import { floorSql, interleave, runKnex, runUmzug, statement, writePeerMigrations } from "./peers.mjs";

const MIGRATIONS = 1000;

const SERVERS = {
  postgres: {
    dialect: "postgres",
    client: "psql",
    url: (db) => `postgres://postgres@127.0.0.1:5432/${db}`,
    clientArgs: (db) => ["-X", "-q", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", db],
    async admin() {
      const { default: pg } = await import("pg");
      const client = new pg.Client({
        host: "127.0.0.1",
        port: 5432,
        user: "postgres",
        database: "postgres",
        connectionTimeoutMillis: 3000,
      });
      await client.connect();
      return {
        create: (db) => client.query(`CREATE DATABASE "${db}"`),
        drop: (db) => client.query(`DROP DATABASE IF EXISTS "${db}"`),
        async inspect(db) {
          const other = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: db });
          await other.connect();
          try {
            const tables = await other.query(
              "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name ~ '^t[0-9]+$'",
            );
            const version = await other.query("SELECT string_agg(version, ',') AS v FROM tidemark_version");
            return { tables: tables.rows[0].n, version: version.rows[0].v };
          } finally {
            await other.end();
          }
        },
        close: () => client.end(),
      };
    },
  },
  mariadb: {
    dialect: "mysql",
    client: "mariadb",
    url: (db) => `mysql://root@127.0.0.1:3306/${db}`,
    clientArgs: (db) => ["--no-defaults", "-h", "127.0.0.1", "-P", "3306", "-u", "root", db],
    async admin() {
      const { default: mysql } = await import("mysql2/promise");
      const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", connectTimeout: 3000 });
      return {
        create: (db) => conn.query(`CREATE DATABASE \`${db}\``),
        drop: (db) => conn.query(`DROP DATABASE IF EXISTS \`${db}\``),
        async inspect(db) {
          const [tables] = await conn.query(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name REGEXP '^t[0-9]+$'",
            [db],
          );
          const [version] = await conn.query(`SELECT group_concat(version) AS v FROM \`${db}\`.tidemark_version`);
          return { tables: Number(tables[0].n), version: version[0].v };
        },
        close: () => conn.end(),
      };
    },
  },
};

async function verify(admin, db, who) {
  const { tables, version } = await admin.inspect(db);
  if (tables !== MIGRATIONS || version !== String(MIGRATIONS)) {
    throw new Error(`${who} left ${tables} tables and version ${version} in ${db}; expected ${MIGRATIONS} and ${MIGRATIONS}`);
  }
}

/**
 * tidemark against the per-step floor (the server's own client running the
 * migrations' statements, one transaction each) and against the same with
 * tidemark's bookkeeping (bookkeeping-floor.mjs), interleaved; on PostgreSQL
 * also knex and umzug. Targets (issues 11, 19): ≤ 1.3× the floor, and on
 * PostgreSQL ahead of umzug.
 */
function serverWorkload(name) {
  const server = SERVERS[name];
  const bench = `upgrade-${name}-1000`;
  return async ({ runs }) => {
    if (!hasTool(server.client)) return note(bench, `${server.client} not installed; no floor`);
    let admin;
    try {
      admin = await server.admin();
    } catch (error) {
      return note(bench, `${name} unreachable (${error.code ?? error.message}); skipped`);
    }
    const dir = tempDir(`server-${name}`);
    writeNumberedProject(dir, MIGRATIONS, { configKind: "json" });
    writePeerMigrations(dir, server.dialect, MIGRATIONS);
    const floor = join(dir, "floor.sql");
    writeFileSync(floor, floorSql(server.dialect, MIGRATIONS));
    const bookkeeping = join(dir, "bookkeeping.sql");
    writeFileSync(bookkeeping, bookkeepingFloorSql(server.dialect, MIGRATIONS, statement));
    const stamp = `${process.pid}_${Date.now().toString(36)}`;
    const made = [];
    let n = 0;
    /** A fresh database for the next run of one contender; dropped at the end. */
    const fresh = async () => {
      const db = `tidemark_bench_${stamp}_${n++}`;
      await admin.create(db);
      made.push(db);
      return db;
    };
    let current;
    const contender = (label, run) => ({
      name: label,
      prepare: async () => {
        current = await fresh();
      },
      run: () => run(current),
    });
    const contenders = [
      contender("tidemark", (db) => tidemark(["upgrade", "head", "--url", server.url(db)], { cwd: dir }).ms),
      contender("floor", (db) => timeCommand(server.client, server.clientArgs(db), { cwd: dir, stdinFile: floor }).ms),
      contender(
        "bookkeeping",
        (db) => timeCommand(server.client, server.clientArgs(db), { cwd: dir, stdinFile: bookkeeping }).ms,
      ),
      ...(name === "postgres"
        ? [contender("knex", (db) => runKnex(dir, server.url(db))), contender("umzug", (db) => runUmzug(dir, server.url(db)))]
        : []),
    ];
    let result;
    try {
      result = await interleave(runs ?? 3, contenders);
      const first = made[0];
      if (first !== undefined) await verify(admin, first, "tidemark");
    } finally {
      for (const db of made) await admin.drop(db);
      await admin.close();
    }
    const floorRatio = Math.round((result.tidemark.median_ms / result.floor.median_ms) * 100) / 100;
    emit({
      bench,
      runs: runs ?? 3,
      ...result,
      floor_ratio: floorRatio,
      target_floor_ratio: 1.3,
      bookkeeping_floor_ratio: Math.round((result.tidemark.median_ms / result.bookkeeping.median_ms) * 100) / 100,
      ok: floorRatio <= 1.3 && (result.umzug === undefined || result.umzug.tidemark_ratio < 1),
    });
  };
}

export const upgradePostgres = serverWorkload("postgres");
export const upgradeMariadb = serverWorkload("mariadb");
