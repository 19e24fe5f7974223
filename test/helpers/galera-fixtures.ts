/**
 * Projects and application writers for the Galera proofs
 * (test/integration/galera.test.ts).
 */
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { queryNode } from "./galera.js";

/** `count` numbered migrations, each creating a table with a primary key and one row; `slow` steps also sleep. */
export function numberedChain(
  count: number,
  slow: { readonly steps?: readonly number[]; readonly seconds?: number } = {},
): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i += 1) {
    const sleep = slow.steps?.includes(i) === true ? `SELECT SLEEP(${slow.seconds ?? 1});\n` : "";
    files[`migrations/${String(i).padStart(3, "0")}_t${i}.sql`] =
      `-- +upgrade\nCREATE TABLE t${i} (id INTEGER PRIMARY KEY);\n${sleep}INSERT INTO t${i} VALUES (${i});\n-- +downgrade\nDROP TABLE t${i};\n`;
  }
  return files;
}

/** Every step of `count` applied exactly once, nothing left running or failed, each table holding its one row. */
export async function appliedOnce(
  url: string,
  count: number,
): Promise<{ done: Record<string, number>; unfinished: number; version: string[]; rows: number[] }> {
  const done: Record<string, number> = {};
  for (const row of await queryNode(
    url,
    "SELECT revision, COUNT(*) AS n FROM tidemark_log WHERE status = 'done' GROUP BY revision",
  )) {
    done[String(row.revision)] = Number(row.n);
  }
  const [unfinished] = await queryNode(url, "SELECT COUNT(*) AS n FROM tidemark_log WHERE status <> 'done'");
  const version = (await queryNode(url, "SELECT version FROM tidemark_version")).map((row) => String(row.version));
  const rows: number[] = [];
  for (let i = 1; i <= count; i += 1) rows.push(...(await queryNode(url, `SELECT id FROM t${i}`)).map((row) => Number(row.id)));
  return { done, unfinished: Number(unfinished?.n), version, rows };
}

export function expectedOnce(count: number): {
  done: Record<string, number>;
  unfinished: number;
  version: string[];
  rows: number[];
} {
  const done: Record<string, number> = {};
  for (let i = 1; i <= count; i += 1) done[String(i)] = 1;
  return { done, unfinished: 0, version: [String(count)], rows: Array.from({ length: count }, (_, i) => i + 1) };
}

/** A numbered step that creates a table and then waits in JavaScript: a runner can be killed inside it. */
export const SLOW_STEP = [
  'export const message = "slow";',
  "export async function upgrade(op) {",
  '  await op.createTable("half", { id: { type: "integer", primaryKey: true } });',
  "  await new Promise((resolve) => setTimeout(resolve, 60000));",
  "}",
  "",
].join("\n");

export const FIRST_STEP = "-- +upgrade\nCREATE TABLE first (id INTEGER PRIMARY KEY);\n-- +downgrade\nDROP TABLE first;\n";

/** The column rename of the single-server rolling proof. */
export const PEOPLE = "-- +expand\nCREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));\n";
export const RENAME = `export const message = "people.name -> people.full_name";
export async function expand(op) {
  await op.addColumn("people", "full_name", { type: "varchar(200)" });
  await op.syncColumns({ table: "people", from: "name", to: "full_name", forward: "NEW.name", backward: "NEW.full_name" });
}
export async function migrate(op) {
  await op.backfill({ table: "people", set: { full_name: "name" }, where: "full_name IS NULL AND name IS NOT NULL", batchSize: 50 });
}
export async function contract(op) {
  await op.dropSync({ table: "people", from: "name", to: "full_name" });
  await op.dropColumn("people", "name");
}
`;

/** Writes are refused between expand and contract: a change triggers cannot keep consistent. */
export const FORBID = `export const message = "people: no writes while the type changes";
export async function expand(op) {
  await op.forbidWrites("people");
}
export async function contract(op) {
  await op.allowWrites("people");
}
`;

export interface Writer {
  /** Failures other than a certification conflict (which the writer retries, as an application on Galera does). */
  readonly errors: string[];
  readonly conflicts: { count: number };
  stop(): Promise<void>;
}

export interface WriterShared {
  /** What each row must hold at the end, by id. */
  readonly expected: Map<number, string>;
  readonly ids: { next: number };
  /** Rows one writer is changing now: the other leaves them alone, so the last write is the one recorded. */
  readonly busy: Set<number>;
}

function isConflict(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /deadlock|WSREP detected deadlock\/conflict/i.test(text);
}

/**
 * Inserts and updates continuously as one release would, on its own node:
 * the old release knows only `name`, the new one only `full_name`. A
 * certification conflict is retried, as oslo.db's deadlock retry does for
 * every OpenStack service on Galera; anything else is an error.
 */
export function startWriter(connection: Connection, release: "old" | "new", shared: WriterShared): Writer {
  const errors: string[] = [];
  const conflicts = { count: 0 };
  const column = release === "old" ? "name" : "full_name";
  let running = true;
  let count = 0;
  const write = async (sql: string, params: unknown[]): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await connection.execute(sql, params);
        return;
      } catch (error) {
        if (!isConflict(error) || attempt >= 10) throw error;
        conflicts.count += 1;
      }
    }
  };
  const loop = (async () => {
    while (running) {
      count += 1;
      const full = `${release}${count} x${count}`;
      const keys = [...shared.expected.keys()].filter((id) => !shared.busy.has(id));
      const id = count % 3 === 0 && keys.length > 0 ? (keys[(count * 7) % keys.length] as number) : shared.ids.next++;
      const update = shared.expected.has(id);
      shared.busy.add(id);
      try {
        if (update) await write(`UPDATE people SET ${column} = ? WHERE id = ?`, [full, id]);
        else await write(`INSERT INTO people (id, ${column}) VALUES (?, ?)`, [id, full]);
        shared.expected.set(id, full);
      } catch (error) {
        errors.push(`${release} writer: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        shared.busy.delete(id);
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  })();
  return {
    errors,
    conflicts,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** A project for the offline and keystone comparisons: tables, a view, a trigger, seed rows (explicit ids: Galera interleaves auto-increment values). */
export function parityProject(): Record<string, string> {
  const extension = "keystone/contrib/example/migrate_repo";
  return {
    "tidemark.config.json": JSON.stringify({
      repositories: { core: { path: "migrations" }, example: { path: extension, extension: true } },
    }),
    "migrations/aaaa00000001_users.ts": `export const revision = "aaaa00000001";
export const revises = null;
export async function upgrade(op) {
  await op.createTable("users", {
    id: { type: "integer", primaryKey: true, autoIncrement: true },
    email: { type: "varchar(255)", nullable: false, unique: true },
    score: { type: "integer", nullable: false, default: 0 },
  });
  await op.createIndex("users", ["score"], { name: "ix_users_score" });
}
export async function downgrade(op) {
  await op.dropTable("users");
}
`,
    "migrations/bbbb00000002_tags.sql": `-- revision: bbbb00000002
-- revises: aaaa00000001
-- +upgrade
CREATE TABLE tags (id INT PRIMARY KEY, label VARCHAR(100) NOT NULL DEFAULT 'it''s; here', uses INT NOT NULL DEFAULT 0);
CREATE VIEW v_tags AS SELECT id, label FROM tags;
CREATE TRIGGER trg_tags_count BEFORE INSERT ON tags FOR EACH ROW
BEGIN
  SET NEW.uses = NEW.uses + 1; -- a comment; with a semicolon
END;
INSERT INTO tags (id, label) VALUES (1, 'first; one');
-- +downgrade
DROP TRIGGER trg_tags_count;
DROP VIEW v_tags;
DROP TABLE tags;
`,
    "migrations/cccc00000003_seed.mjs": `export const revision = "cccc00000003";
export const revises = "bbbb00000002";
export async function upgrade(op) {
  await op.addColumn("users", "nickname", { type: "varchar(64)" });
  await op.bulkInsert("users", [
    { id: 1, email: "o'brien@example.com", nickname: null, score: 3 },
    { id: 2, email: "plain@example.com", nickname: "p; -- q", score: -1 },
  ]);
  await op.alterColumn("users", "nickname", { type: "varchar(100)", default: "anon" });
}
export async function downgrade(op) {
  await op.execute("DELETE FROM users");
  await op.dropColumn("users", "nickname");
}
`,
    [`${extension}/__init__.py`]: "",
    [`${extension}/migrate.cfg`]: "[db_settings]\nrepository_id=example\nversion_table=migrate_version\nrequired_dbs=[]\n",
    [`${extension}/versions/__init__.py`]: "",
    [`${extension}/versions/001_example_table.sql`]:
      "-- +upgrade\nCREATE TABLE example (id INTEGER PRIMARY KEY, type VARCHAR(255), extra TEXT);\n-- +downgrade\nDROP TABLE example;\n",
    [`${extension}/versions/002_example_note.sql`]:
      "-- +upgrade\nCREATE TABLE example_note (id INTEGER PRIMARY KEY);\n-- +downgrade\nDROP TABLE example_note;\n",
  };
}

export interface DatabaseSnapshot {
  readonly tables: readonly string[];
  readonly schema: unknown;
  readonly versions: readonly string[];
  readonly log: readonly string[];
  readonly data: readonly string[];
}

/** Schema (introspected), version rows of both tables, log rows by order, and the rows of the fixture's data tables. */
export async function snapshotDatabase(url: string): Promise<DatabaseSnapshot> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    const schema = await dialect.introspector.introspect(connection, { exclude: [] });
    const tables = schema.tables.map((table) => table.name).sort();
    const dump = async (sql: string) => (await connection.query(sql)).map((row) => JSON.stringify(Object.values(row)));
    const versions: string[] = [];
    for (const table of ["migrate_version", "tidemark_version"]) {
      if (tables.includes(table))
        versions.push(
          ...(await dump(`SELECT '${table}', repository, phase, version FROM ${table} ORDER BY repository, phase, version`)),
        );
    }
    const log = tables.includes("tidemark_log")
      ? await dump("SELECT repository, revision, direction, status FROM tidemark_log ORDER BY id")
      : [];
    const data: string[] = [];
    for (const table of ["users", "tags", "example"])
      if (tables.includes(table)) data.push(...(await dump(`SELECT * FROM ${table} ORDER BY id`)));
    // tidemark_lock exists only on Galera (the lease): not part of the comparison.
    const compared = { ...schema, tables: schema.tables.filter((table) => table.name !== "tidemark_lock") };
    return { tables: tables.filter((table) => table !== "tidemark_lock"), schema: compared, versions, log, data };
  } finally {
    await connection.close();
  }
}
