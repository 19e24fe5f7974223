// Workload 5 (issue 14): `tidemark diff` on a declared schema of 1,000 tables
// × 10 columns with 2 indexes and 1 foreign key each, against a database
// that already matches it (the drift check a CI job runs: exit 0). Targets:
// ≤ 1 s SQLite, ≤ 2 s PostgreSQL, ≤ 3 s MariaDB, for the whole command.
// Beside it, when Debian's python3-alembic is there: a Python process that
// builds the same SQLAlchemy metadata and runs Alembic's compare_metadata
// (what `alembic revision --autogenerate` and `alembic check` do) on the
// same database.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emit, note, sample, tempDir, tidemark, timeCommand } from "./lib.mjs";

const TABLES = 1000;
const PYTHON = "/usr/bin/python3";
const name = (i) => `t${String(i).padStart(4, "0")}`;

/** The declared schema: each table points at the one before it (the first at itself). */
function schemaModule() {
  const lines = ['import { defineSchema, sql } from "tidemark";', "export default defineSchema({", "  tables: {"];
  for (let i = 0; i < TABLES; i++) {
    lines.push(
      `    ${name(i)}: {`,
      "      columns: {",
      '        id: { type: "integer", primaryKey: true, autoIncrement: true },',
      '        c1: { type: "varchar(100)", nullable: false },',
      '        c2: { type: "integer" },',
      '        c3: { type: "bigint", nullable: false, default: 0 },',
      '        c4: { type: "text" },',
      '        c5: { type: "boolean", default: false },',
      '        c6: { type: "decimal(10,2)" },',
      '        c7: { type: "timestamp", default: sql("CURRENT_TIMESTAMP") },',
      '        c8: { type: "date" },',
      `        parent_id: { type: "integer", references: { table: "${name(Math.max(i - 1, 0))}", column: "id" } },`,
      "      },",
      '      indexes: [{ columns: ["c1"] }, { columns: ["c2", "c3"] }],',
      "    },",
    );
  }
  lines.push("  },", "});", "");
  return lines.join("\n");
}

/** The same schema as SQLAlchemy metadata, compared by Alembic; prints the number of differences it finds. */
function alembicScript() {
  return `import sys, threading
from sqlalchemy import create_engine, MetaData, Table, Column, Integer, BigInteger, String, Text, Boolean, Numeric, DateTime, Date, ForeignKey, Index, text
from alembic.migration import MigrationContext
from alembic.autogenerate import compare_metadata

md = MetaData()
for i in range(${TABLES}):
    name = "t%04d" % i
    parent = "t%04d" % max(i - 1, 0)
    Table(name, md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("c1", String(100), nullable=False),
        Column("c2", Integer),
        Column("c3", BigInteger, nullable=False, server_default=text("0")),
        Column("c4", Text),
        Column("c5", Boolean, server_default=text("false")),
        Column("c6", Numeric(10, 2)),
        Column("c7", DateTime, server_default=text("CURRENT_TIMESTAMP")),
        Column("c8", Date),
        Column("parent_id", Integer, ForeignKey(parent + ".id", name="fk_%s_parent_id_%s" % (name, parent))),
        Index("ix_%s_c1" % name, "c1"),
        Index("ix_%s_c2_c3" % name, "c2", "c3"),
    )

def compare():
    engine = create_engine(sys.argv[1])
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        print(len(compare_metadata(context, md)))

# Reflecting a table reflects the tables its foreign keys point at, recursively: a chain of
# ${TABLES} tables needs a deep stack.
sys.setrecursionlimit(1_000_000)
threading.stack_size(1 << 29)
thread = threading.Thread(target=compare)
thread.start()
thread.join()
`;
}

function alembicAvailable() {
  const result = spawnSync(PYTHON, ["-c", "import alembic, sqlalchemy"], { stdio: "ignore" });
  return result.status === 0;
}

const TARGETS_MS = { sqlite: 1000, postgres: 2000, mariadb: 3000 };

const SERVERS = {
  sqlite: {
    dialect: "sqlite",
    async database(dir) {
      const path = join(dir, "bench.db");
      return {
        url: `sqlite:${path}`,
        alembicUrl: `sqlite:///${path}`,
        apply: (sql) => applySqlite(path, sql),
        drop: async () => undefined,
      };
    },
  },
  postgres: {
    dialect: "postgres",
    async database(_dir, db) {
      const { default: pg } = await import("pg");
      const admin = new pg.Client({
        host: "127.0.0.1",
        port: 5432,
        user: "postgres",
        database: "postgres",
        connectionTimeoutMillis: 3000,
      });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${db}"`);
      return {
        url: `postgres://postgres@127.0.0.1:5432/${db}`,
        alembicUrl: `postgresql+psycopg2://postgres@127.0.0.1:5432/${db}`,
        apply: (sql, dir) =>
          pipe("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", db], sql, dir),
        drop: async () => {
          await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
          await admin.end();
        },
      };
    },
  },
  mariadb: {
    dialect: "mysql",
    async database(_dir, db) {
      const { default: mysql } = await import("mysql2/promise");
      const admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", connectTimeout: 3000 });
      await admin.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
      return {
        url: `mysql://root@127.0.0.1:3306/${db}`,
        alembicUrl: `mysql+pymysql://root@127.0.0.1:3306/${db}`,
        apply: (sql, dir) => pipe("mariadb", ["--no-defaults", "-h", "127.0.0.1", "-P", "3306", "-u", "root", db], sql, dir),
        drop: async () => {
          await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
          await admin.end();
        },
      };
    },
  },
};

async function applySqlite(path, sql) {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function pipe(client, args, sql, dir) {
  const file = join(dir, "schema-setup.sql");
  writeFileSync(file, sql);
  timeCommand(client, args, { cwd: dir, stdinFile: file });
}

function diffWorkload(server) {
  const bench = `diff-${server}-${TABLES}`;
  return async ({ runs }) => {
    const dir = tempDir(`diff-${server}`);
    writeFileSync(join(dir, "schema.ts"), schemaModule());
    mkdirSync(join(dir, "migrations"));
    const db = `tidemark_bench_diff_${process.pid}_${Date.now().toString(36)}`;
    let target;
    try {
      target = await SERVERS[server].database(dir, db);
    } catch (error) {
      return note(bench, `${server} unreachable (${error.code ?? error.message}); skipped`);
    }
    try {
      writeFileSync(join(dir, "tidemark.config.json"), JSON.stringify({ url: target.url, schema: "schema.ts" }));
      // Setup, untimed: the database is made from tidemark's own SQL for the schema, so that it matches.
      const setup = tidemark(["diff", "--sql"], { cwd: dir, allowFail: true, stdout: "pipe" });
      if (setup.status !== 3) throw new Error(`diff --sql on the empty database exited ${setup.status}, expected 3`);
      await target.apply(setup.stdout, dir);
      const check = tidemark(["diff"], { cwd: dir, allowFail: true, stdout: "pipe" });
      if (check.status !== 0)
        throw new Error(`diff on the matching database exited ${check.status}: ${check.stdout.slice(0, 500)}`);
      const ours = sample(runs ?? 5, () => tidemark(["diff"], { cwd: dir }).ms, { warmup: 1 });
      const line = {
        bench,
        median_ms: ours.median_ms,
        min_ms: ours.min_ms,
        runs: ours.runs,
        shape: `${TABLES} tables x 10 columns, 2 indexes and 1 foreign key each; database already matching (exit 0)`,
        target_ms: TARGETS_MS[server],
        ok: ours.median_ms <= TARGETS_MS[server],
      };
      if (alembicAvailable()) {
        const script = join(dir, "alembic_compare.py");
        writeFileSync(script, alembicScript());
        let found = "";
        try {
          const theirs = sample(Math.min(runs ?? 3, 3), () => {
            const result = timeCommand(PYTHON, [script, target.alembicUrl], { cwd: dir, stdout: "pipe" });
            found = result.stdout.trim();
            return result.ms;
          });
          line.alembic = {
            name: "python3 + Alembic 1.8 compare_metadata (compare_type) on the same database",
            median_ms: theirs.median_ms,
            runs: theirs.runs,
            differences_reported: Number(found),
          };
        } catch (error) {
          line.alembic = { error: String(error?.message ?? error).slice(-600) };
        }
      } else {
        line.alembic = { skipped: `${PYTHON} cannot import alembic (apt-get install python3-alembic)` };
      }
      emit(line);
    } finally {
      await target.drop();
    }
  };
}

export const diffSqlite = diffWorkload("sqlite");
export const diffPostgres = diffWorkload("postgres");
export const diffMariadb = diffWorkload("mariadb");
