// Workload 4: 1,000 migrations on PostgreSQL and MariaDB against the native
// client (psql / mariadb) piping the same statements with the same commits.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { baselineSql, writeNumberedProject } from "./fixtures.mjs";
import { emit, hasTool, note, pairStats, tempDir, tidemark, timeCommand } from "./lib.mjs";

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

function serverWorkload(name) {
  const server = SERVERS[name];
  const bench = `upgrade-${name}-1000`;
  return async ({ runs }) => {
    if (!hasTool(server.client)) return note(bench, `${server.client} not installed; no baseline`);
    let admin;
    try {
      admin = await server.admin();
    } catch (error) {
      return note(bench, `${name} unreachable (${error.code ?? error.message}); skipped`);
    }
    const dir = tempDir(`server-${name}`);
    writeNumberedProject(dir, MIGRATIONS, { configKind: "json" });
    const script = join(dir, "baseline.sql");
    writeFileSync(script, baselineSql(server.dialect, MIGRATIONS));
    const stamp = `${process.pid}_${Date.now().toString(36)}`;
    const ours = [];
    const theirs = [];
    const total = runs ?? 3;
    try {
      for (let i = 0; i < total; i++) {
        const mine = `tidemark_bench_${stamp}_${i}_t`;
        const base = `tidemark_bench_${stamp}_${i}_b`;
        await admin.create(mine);
        await admin.create(base);
        try {
          ours.push(tidemark(["upgrade", "head", "--url", server.url(mine)], { cwd: dir }).ms);
          theirs.push(timeCommand(server.client, server.clientArgs(base), { cwd: dir, stdinFile: script }).ms);
          if (i === 0) {
            await verify(admin, mine, "tidemark");
            await verify(admin, base, server.client);
          }
        } finally {
          await admin.drop(mine);
          await admin.drop(base);
        }
      }
    } finally {
      await admin.close();
    }
    const stats = pairStats(ours, theirs);
    emit({
      bench,
      median_ms: stats.median_ms,
      runs: total,
      baseline: { name: `${server.client} < same statements and transaction boundaries`, median_ms: stats.baseline_ms },
      ratio: stats.ratio,
      ratios: stats.ratios,
      target_ratio: 2,
      ok: stats.ratio <= 2,
    });
  };
}

export const upgradePostgres = serverWorkload("postgres");
export const upgradeMariadb = serverWorkload("mariadb");
