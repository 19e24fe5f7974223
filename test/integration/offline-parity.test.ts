/**
 * Offline SQL parity, on every dialect: the script `--sql` prints, run through
 * the database's own client (sqlite3, psql, mariadb), must leave the same
 * schema (introspected), data and version rows as the online command over the
 * same range. Log rows are compared by revision, direction and status only.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/api/tidemark.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import type { SchemaModel } from "../../src/dialects/schema-model.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { runCli, besideTarget } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";

const dialects = await testDialects();
const [A1, B2, C3, D4] = ["aaaa00000001", "bbbb00000002", "cccc00000003", "dddd00000004"] as const;

const USERS_TS = `import type { Op } from "tidemark";
export const revision = "${A1}";
export const revises = null;
export const message = "users and posts";
export async function upgrade(op: Op) {
  await op.createTable("users", {
    id: { type: "integer", primaryKey: true, autoIncrement: true },
    email: { type: "varchar(255)", nullable: false, unique: true },
    name: { type: "text" },
    score: { type: "integer", nullable: false, default: 0 },
    created_at: { type: "timestamp", default: op.sql("CURRENT_TIMESTAMP") },
  });
  await op.createTable("posts", {
    id: { type: "integer", primaryKey: true, autoIncrement: true },
    user_id: { type: "integer", references: { table: "users", column: "id", onDelete: "cascade" } },
    title: { type: "varchar(200)", nullable: false },
  });
  await op.createIndex("posts", ["user_id", "title"], { name: "ix_posts_user_title" });
}
export async function downgrade(op: Op) {
  await op.dropTable("posts");
  await op.dropTable("users");
}
`;

/** Raw SQL per dialect: a table, a view, and a trigger whose body has semicolons (BEGIN…END, or $$ PL/pgSQL). */
const TAGS: Record<DialectName, { up: string; down: string }> = {
  sqlite: {
    up: `CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL DEFAULT 'it''s; here', uses INTEGER NOT NULL DEFAULT 0);
CREATE VIEW v_user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TRIGGER trg_tags_count AFTER INSERT ON tags
BEGIN
  UPDATE tags SET uses = uses + 1 WHERE id = NEW.id; -- a comment; with a semicolon
END;
INSERT INTO tags (label) VALUES ('first; one');`,
    down: "DROP TRIGGER trg_tags_count;\nDROP VIEW v_user_posts;\nDROP TABLE tags;",
  },
  postgres: {
    up: `CREATE TABLE tags (id serial PRIMARY KEY, label text NOT NULL DEFAULT 'it''s; here', uses integer NOT NULL DEFAULT 0);
CREATE VIEW v_user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE FUNCTION tags_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.uses := NEW.uses + 1; -- a comment; with a semicolon
  RETURN NEW;
END;
$$;
CREATE TRIGGER trg_tags_count BEFORE INSERT ON tags FOR EACH ROW EXECUTE FUNCTION tags_touch();
INSERT INTO tags (label) VALUES ('first; one');`,
    down: "DROP TRIGGER trg_tags_count ON tags;\nDROP FUNCTION tags_touch();\nDROP VIEW v_user_posts;\nDROP TABLE tags;",
  },
  mysql: {
    up: `CREATE TABLE tags (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(100) NOT NULL DEFAULT 'it''s; here', uses INT NOT NULL DEFAULT 0);
CREATE VIEW v_user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TRIGGER trg_tags_count BEFORE INSERT ON tags FOR EACH ROW
BEGIN
  SET NEW.uses = NEW.uses + 1; -- a comment; with a semicolon
  IF NEW.label = '' THEN SET NEW.label = 'empty; label'; END IF;
END;
INSERT INTO tags (label) VALUES ('first; one');`,
    down: "DROP TRIGGER trg_tags_count;\nDROP VIEW v_user_posts;\nDROP TABLE tags;",
  },
};

const SEED_MJS = `export const revision = "${C3}";
export const revises = "${B2}";
export const message = "nicknames and seed rows";
export async function upgrade(op) {
  await op.addColumn("users", "nickname", { type: "varchar(64)" });
  await op.createIndex("users", ["nickname"], { name: "ix_users_nickname" });
  await op.bulkInsert("users", [
    { email: "o'brien@example.com", name: "Miles O'Brien", nickname: null, score: 3 },
    { email: "back\\\\slash@example.com", name: null, nickname: 'back\\\\slash; "quoted" -- no comment', score: 0 },
    { email: "plain@example.com", name: "?", nickname: "p", score: -1 },
  ]);
  await op.bulkInsert("posts", [{ user_id: 1, title: "it's /* not */ a comment" }, { user_id: 2, title: "?" }]);
}
export async function downgrade(op) {
  await op.execute("DELETE FROM posts WHERE title <> ?", ["it's -- kept"]);
  await op.execute("DELETE FROM users");
  await op.dropIndex("users", "ix_users_nickname");
  await op.dropColumn("users", "nickname");
}
`;

/** On SQLite both alterColumn and the NOT NULL addColumn rebuild a table; on MySQL alterColumn is a MODIFY. */
const ALTER_TS = `import type { Op } from "tidemark";
export const revision = "${D4}";
export const revises = "${C3}";
export const message = "alter users.name";
export async function upgrade(op: Op) {
  await op.alterColumn("users", "name", { type: "varchar(100)", default: "anon" });
  await op.addColumn("posts", "published", { type: "boolean", nullable: false, default: false });
  await op.alterColumn("posts", "title", { nullable: true });
}
export async function downgrade(op: Op) {
  await op.alterColumn("posts", "title", { nullable: false });
  await op.dropColumn("posts", "published");
  await op.alterColumn("users", "name", { type: "text", default: null });
}
`;

function fixture(dialect: DialectName): Record<string, string> {
  return {
    "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "migrations" } } }),
    [`migrations/${A1}_users.ts`]: USERS_TS,
    [`migrations/${B2}_tags.sql`]: sqlRevision(B2, A1, TAGS[dialect].up, TAGS[dialect].down, "tags, a view and a trigger"),
    [`migrations/${C3}_seed.mjs`]: SEED_MJS,
    [`migrations/${D4}_alter.ts`]: ALTER_TS,
  };
}

/** Runs a script through the dialect's own command-line client. */
function runClient(database: TestDatabase, dir: string, script: string): { code: number; output: string } {
  const file = join(dir, "offline.sql");
  writeFileSync(file, script);
  const url = parseDatabaseUrl(database.url);
  const env = { ...process.env, ...(url.password === undefined ? {} : { PGPASSWORD: url.password, MYSQL_PWD: url.password }) };
  const [command, args, input] =
    database.dialect === "sqlite"
      ? ["sqlite3", [database.name], script]
      : database.dialect === "postgres"
        ? ["psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", database.url, "-f", file], undefined]
        : [
            "mariadb",
            ["-h", url.host ?? "127.0.0.1", "-P", String(url.port ?? 3306), "-u", url.user ?? "root", database.name],
            script,
          ];
  const result = spawnSync(command, args, { input, env, encoding: "utf8", timeout: 60_000 });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

interface Snapshot {
  readonly schema: unknown;
  readonly versions: string[];
  readonly log: string[];
  readonly users: string[];
}

async function snapshot(url: string): Promise<Snapshot> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    const exists = (table: string) => dialect.introspector.tableExists(connection, table);
    const rows = async (sql: string, columns: string[]) =>
      (await connection.query(sql)).map((row) => columns.map((column) => JSON.stringify(row[column] ?? null)).join("|"));
    const users = (await exists("users")).valueOf()
      ? await rows("SELECT * FROM users ORDER BY id", ["id", "email", "name", "full_name", "nickname", "score"])
      : [];
    return {
      schema: await dialect.introspector.introspect(connection),
      versions: (await exists("tidemark_version"))
        ? await rows("SELECT repository, phase, version FROM tidemark_version ORDER BY phase, version", [
            "repository",
            "phase",
            "version",
          ])
        : [],
      log: (await exists("tidemark_log"))
        ? await rows("SELECT revision, direction, status FROM tidemark_log ORDER BY id", ["revision", "direction", "status"])
        : [],
      users,
    };
  } finally {
    await connection.close();
  }
}

/** What the alterColumn of users.name renders as, needing the table's tracked shape on SQLite and MySQL. */
const REWRITE: Record<DialectName, string> = {
  sqlite: [
    'CREATE TABLE "_tidemark_new_users" (',
    '  "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,',
    '  "email" text NOT NULL,',
    "  \"name\" text DEFAULT 'anon',",
    '  "score" integer NOT NULL DEFAULT 0,',
    '  "created_at" text DEFAULT CURRENT_TIMESTAMP,',
    '  "nickname" text,',
    '  UNIQUE ("email")',
    ");",
  ].join("\n"),
  postgres: `ALTER TABLE "users" ALTER COLUMN "name" DROP DEFAULT, ALTER COLUMN "name" TYPE varchar(100), ALTER COLUMN "name" SET DEFAULT 'anon';`,
  mysql: "ALTER TABLE `users` MODIFY COLUMN `name` varchar(100) DEFAULT 'anon';",
};

const CLI_DIALECT: Record<DialectName, string> = { sqlite: "sqlite", postgres: "postgresql", mysql: "mariadb" };

describe.each(dialects)("offline SQL parity on %s", (dialectName: DialectName) => {
  let offline: TestDatabase;
  let online: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    [offline, online] = await Promise.all([createTestDatabase(dialectName), createTestDatabase(dialectName)]);
    dir = makeProject(fixture(dialectName));
  });
  afterEach(async () => {
    await Promise.all([offline.drop(), online.drop()]);
  });
  afterAll(() => removeProjects());

  /** Runs a command online against one of the databases, through the API the CLI uses. */
  async function onlineRun(database: TestDatabase, run: (tidemark: Tidemark) => Promise<unknown>): Promise<void> {
    const tidemark = await Tidemark.open({ cwd: dir, url: database.url, env: {} });
    try {
      await run(tidemark);
    } finally {
      await tidemark.close();
    }
  }

  /** Renders with the CLI (given only the dialect: no URL to connect to) and applies with the client. */
  async function offlineRun(args: string[]): Promise<{ code: number; output: string; script: string }> {
    const rendered = await runCli([...args, "--sql", "--dialect", CLI_DIALECT[dialectName]], { cwd: dir });
    expect(besideTarget(rendered.stderr)).toBe("");
    expect(rendered.code).toBe(0);
    return { ...runClient(offline, dir, rendered.stdout), script: rendered.stdout };
  }

  async function expectParity(): Promise<Snapshot> {
    const [got, want] = await Promise.all([snapshot(offline.url), snapshot(online.url)]);
    expect(got).toEqual(want);
    return got;
  }

  it("upgrade base -> head", { timeout: 60_000 }, async () => {
    const applied = await offlineRun(["upgrade", "head"]);
    expect(applied.output).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.script).toContain(REWRITE[dialectName]);
    await onlineRun(online, (t) => t.upgrade("head"));
    const result = await expectParity();
    const schema = result.schema as SchemaModel;
    expect(schema.tables.map((table) => table.name)).toEqual(["posts", "tags", "users"]);
    expect(schema.tables.find((table) => table.name === "users")?.indexes.map((index) => index.name)).toEqual([
      "ix_users_nickname",
    ]);
    expect(schema.views.map((view) => view.name)).toEqual(["v_user_posts"]);
    expect(schema.triggers).toEqual([{ name: "trg_tags_count", table: "tags" }]);
    expect(result.versions).toEqual([`"core"|""|"${D4}"`]);
    expect(result.log).toEqual([A1, B2, C3, D4].map((id) => `"${id}"|"up"|"done"`));
    expect(result.users).toHaveLength(3);
    expect(result.users.join("\n")).toContain(`"Miles O'Brien"|null`);
    expect(result.users.join("\n")).toContain(`null|"back\\\\slash; \\"quoted\\" -- no comment"`);
  });

  it("upgrade START -> head from a database brought to START online", { timeout: 60_000 }, async () => {
    await onlineRun(offline, (t) => t.upgrade(B2));
    const applied = await offlineRun(["upgrade", `${B2}:head`]);
    expect(applied.code).toBe(0);
    // The tables created below START are known to the offline script: the rebuild/MODIFY rendered.
    expect(applied.script).toContain(REWRITE[dialectName]);
    expect(applied.script).not.toContain("CREATE TABLE IF NOT EXISTS");
    await onlineRun(online, async (t) => {
      await t.upgrade(B2);
      await t.upgrade("head");
    });
    const result = await expectParity();
    expect(result.versions).toEqual([`"core"|""|"${D4}"`]);
  });

  it.each([B2, "base"])("downgrade head:%s matches an online downgrade", { timeout: 60_000 }, async (target) => {
    await Promise.all([onlineRun(offline, (t) => t.upgrade("head")), onlineRun(online, (t) => t.upgrade("head"))]);
    const applied = await offlineRun(["downgrade", `head:${target}`]);
    expect(applied.output).toBe("");
    expect(applied.code).toBe(0);
    await onlineRun(online, (t) => t.downgrade(target));
    const result = await expectParity();
    expect(result.versions).toEqual(target === "base" ? [] : [`"core"|""|"${B2}"`]);
    expect(result.log.slice(4)).toEqual((target === "base" ? [D4, C3, B2, A1] : [D4, C3]).map((id) => `"${id}"|"down"|"done"`));
  });

  it("the START guard stops a script run against a database that is not at START, changing nothing", {
    timeout: 60_000,
  }, async () => {
    await onlineRun(offline, (t) => t.upgrade(A1));
    const before = await snapshot(offline.url);
    const applied = await offlineRun(["upgrade", `${B2}:head`]);
    expect(applied.code).not.toBe(0);
    expect(applied.output).toContain(`tidemark_database_is_not_at_${B2}`);
    expect(await snapshot(offline.url)).toEqual(before);
  });

  it("the START guard also stops a script run against a database without tidemark's tables", { timeout: 60_000 }, async () => {
    const applied = await offlineRun(["downgrade", `head:${B2}`]);
    expect(applied.code).not.toBe(0);
    expect(await snapshot(offline.url)).toEqual({
      schema: { tables: [], views: [], triggers: [] },
      versions: [],
      log: [],
      users: [],
    });
  });

  it("stamp TARGET --sql sets the version rows as an online stamp does", { timeout: 60_000 }, async () => {
    const applied = await offlineRun(["stamp", C3]);
    expect(applied.code).toBe(0);
    await onlineRun(online, (t) => t.stamp(C3));
    const result = await expectParity();
    expect(result.versions).toEqual([`"core"|""|"${C3}"`]);
    expect(result.log).toEqual([`"${C3}"|"stamp"|"done"`]);
  });
});

const ROLLING: Record<string, string> = {
  "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "migrations" } } }),
  [`migrations/${A1}_users.ts`]: `export const revision = "${A1}";
export const revises = null;
export async function expand(op) {
  await op.createTable("users", { id: { type: "integer", primaryKey: true }, name: { type: "varchar(50)" } });
}
`,
  [`migrations/${B2}_rename.ts`]: `export const revision = "${B2}";
export const revises = "${A1}";
export async function expand(op) {
  await op.addColumn("users", "full_name", { type: "varchar(50)" });
  await op.syncColumns({ table: "users", from: "name", to: "full_name", forward: "NEW.name", backward: "NEW.full_name" });
}
export async function migrate(op) {
  await op.backfill({ table: "users", set: { full_name: "name" }, where: "full_name IS NULL", key: "id", batchSize: 2 });
}
export async function contract(op) {
  await op.dropSync({ table: "users", from: "name", to: "full_name" });
  await op.alterColumn("users", "full_name", { nullable: false });
  await op.dropColumn("users", "name");
}
`,
};

describe.each(dialects)("offline SQL parity of a rolling repository on %s", (dialectName: DialectName) => {
  afterAll(() => removeProjects());

  it("expand, migrate and contract from START, with rows to backfill", { timeout: 60_000 }, async () => {
    const [offline, online] = await Promise.all([createTestDatabase(dialectName), createTestDatabase(dialectName)]);
    try {
      const dir = makeProject(ROLLING);
      for (const database of [offline, online]) {
        const tidemark = await Tidemark.open({ cwd: dir, url: database.url, env: {} });
        await tidemark.upgrade(A1).finally(() => tidemark.close());
        const parsed = parseDatabaseUrl(database.url);
        const connection = await (await loadDialect(parsed.dialect)).driver.connect(parsed);
        await connection
          .execute("INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'it''s'), (3, 'c')")
          .finally(() => connection.close());
      }
      const rendered = await runCli(["upgrade", `${A1}:head`, "--sql", "--dialect", CLI_DIALECT[dialectName]], { cwd: dir });
      expect(besideTarget(rendered.stderr)).toBe("");
      expect(runClient(offline, dir, rendered.stdout)).toEqual({ code: 0, output: "" });
      const tidemark = await Tidemark.open({ cwd: dir, url: online.url, env: {} });
      await tidemark.upgrade("head").finally(() => tidemark.close());
      const [got, want] = await Promise.all([snapshot(offline.url), snapshot(online.url)]);
      expect(got).toEqual(want);
      expect(got.versions).toEqual(["contract", "expand", "migrate"].map((phase) => `"core"|"${phase}"|"${B2}"`));
      expect((got.schema as SchemaModel).tables[0]?.columns.map((c) => [c.name, c.nullable])).toEqual([
        ["id", false],
        ["full_name", false],
      ]);
      expect((got.schema as SchemaModel).triggers).toEqual([]);
    } finally {
      await Promise.all([offline.drop(), online.drop()]);
    }
  });
});

describe("offline SQL parity on sqlite: foreign keys", () => {
  afterAll(() => removeProjects());

  it("refuses to commit a step that leaves rows without parents, as online", { timeout: 30_000 }, async () => {
    const database = await createTestDatabase("sqlite");
    try {
      const dir = makeProject({
        [`migrations/${A1}_orphans.sql`]: sqlRevision(
          A1,
          null,
          "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id));\nINSERT INTO c (id, p_id) VALUES (1, 42);",
        ),
      });
      const rendered = await runCli(["upgrade", "head", "--sql", "--dialect", "sqlite"], { cwd: dir });
      expect(rendered.code).toBe(0);
      expect(runClient(database, dir, rendered.stdout).code).not.toBe(0);
      expect((await snapshot(database.url)).versions).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});
