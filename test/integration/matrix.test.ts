/**
 * The foundation, on every dialect: the same suite runs against SQLite, the
 * real PostgreSQL and the real MariaDB, through the library API, and checks
 * the database itself (introspection, version rows, log rows).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/api/tidemark.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, Dialect, DialectName } from "../../src/dialects/dialect.js";
import { MigrationError, type TidemarkError, UsageError } from "../../src/errors.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";

const dialects = await testDialects();

const USERS_TS = `
export const revision = "aaaaaaaaaaa1";
export const revises = null;
export const message = "users";
export async function upgrade(op) {
  await op.createTable("users", {
    id: { type: "integer", primaryKey: true, autoIncrement: true },
    email: { type: "varchar(255)", nullable: false, unique: true },
    "Mixed Case": { type: "text" },
  });
  await op.createIndex("users", ["Mixed Case"], { name: "ix users mixed" });
}
export async function downgrade(op) {
  await op.dropTable("users");
}
`;

const POSTS_SQL = sqlRevision(
  "bbbbbbbbbbb2",
  "aaaaaaaaaaa1",
  "CREATE TABLE posts (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, note VARCHAR(50) DEFAULT 'a;b');\nINSERT INTO posts (id, title) VALUES (1, 'it''s; fine');",
  "DROP TABLE posts;",
);

const OPS_TS = `
export const revision = "ccccccccccc3";
export const revises = "bbbbbbbbbbb2";
export const message = "ops";
export async function upgrade(op) {
  await op.addColumn("users", "nickname", { type: "varchar(64)" });
  await op.bulkInsert("users", [{ email: "a@x", nickname: "a" }, { email: "b@x", nickname: "b" }]);
  await op.alterColumn("users", "nickname", { type: "varchar(100)" });
  await op.renameColumn("users", "nickname", "handle");
  const rows = await op.query("SELECT email FROM users WHERE handle = ?", ["b"]);
  if (rows.length !== 1) throw new Error("query saw " + rows.length + " rows");
  await op.addColumn("posts", "user_id", { type: "integer" });
  await op.addForeignKey("posts", ["user_id"], "users", ["id"], { name: "fk_posts_user", onDelete: "cascade" });
  await op.addUnique("posts", ["title"], { name: "uq_posts_title" });
  await op.createView("user_emails", "SELECT email FROM users");
  await op.renameTable("posts", "articles");
}
export async function downgrade(op) {
  await op.renameTable("articles", "posts");
  await op.dropView("user_emails");
  await op.dropConstraint("posts", "uq_posts_title", { type: "unique" });
  await op.dropConstraint("posts", "fk_posts_user", { type: "foreignKey" });
  await op.dropColumn("posts", "user_id");
  await op.renameColumn("users", "handle", "nickname");
  await op.execute("DELETE FROM users");
  await op.dropColumn("users", "nickname");
}
`;

const FAILING_SQL = sqlRevision(
  "ddddddddddd4",
  "ccccccccccc3",
  "CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);",
  "DROP TABLE half_done;",
  "fails",
);

async function inspect(url: string): Promise<{ dialect: Dialect; connection: Connection }> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  return { dialect, connection: await dialect.driver.connect(parsed) };
}

async function tableNames(url: string): Promise<string[]> {
  const { dialect, connection } = await inspect(url);
  try {
    const schema = await dialect.introspector.introspect(connection, { exclude: [] });
    return schema.tables.map((table) => table.name).sort();
  } finally {
    await connection.close();
  }
}

async function versionRows(url: string, table = "tidemark_version"): Promise<string[]> {
  const { dialect, connection } = await inspect(url);
  try {
    if (!(await dialect.introspector.tableExists(connection, table))) return [];
    const rows = await connection.query(
      `SELECT repository, phase, version FROM ${dialect.compiler.quoteIdentifier(table)} ORDER BY repository, version`,
    );
    return rows.map((row) => `${String(row.repository)}:${String(row.phase)}:${String(row.version)}`);
  } finally {
    await connection.close();
  }
}

async function logRows(url: string): Promise<string[]> {
  const { dialect, connection } = await inspect(url);
  try {
    if (!(await dialect.introspector.tableExists(connection, "tidemark_log"))) return [];
    const rows = await connection.query("SELECT revision, direction, status FROM tidemark_log ORDER BY id");
    return rows.map((row) => `${String(row.revision)}:${String(row.direction)}:${String(row.status)}`);
  } finally {
    await connection.close();
  }
}

describe.each(dialects)("foundation on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  let dir: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialectName);
    dir = makeProject({
      "migrations/aaaaaaaaaaa1_users.mjs": USERS_TS,
      "migrations/bbbbbbbbbbb2_posts.sql": POSTS_SQL,
      "migrations/ccccccccccc3_ops.js": OPS_TS,
    });
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const open = (extra: Partial<Parameters<typeof Tidemark.open>[0]> = {}) =>
    Tidemark.open({ cwd: dir, url: database.url, env: {}, ...extra });

  it("upgrades to head, then downgrades to base, with the schema and version rows to match", async () => {
    const tidemark = await open();
    try {
      const result = await tidemark.upgrade("head");
      expect(result.repositories[0]?.steps.map((step) => step.revision)).toEqual([
        "aaaaaaaaaaa1",
        "bbbbbbbbbbb2",
        "ccccccccccc3",
      ]);
      expect(await tableNames(database.url)).toEqual(
        expect.arrayContaining(["articles", "tidemark_log", "tidemark_version", "users"]),
      );
      expect(await tableNames(database.url)).not.toContain("posts");
      expect(await versionRows(database.url)).toEqual(["core::ccccccccccc3"]);
      expect(await logRows(database.url)).toEqual(["aaaaaaaaaaa1:up:done", "bbbbbbbbbbb2:up:done", "ccccccccccc3:up:done"]);

      const { dialect, connection } = await inspect(database.url);
      try {
        const schema = await dialect.introspector.introspect(connection);
        const users = schema.tables.find((table) => table.name === "users");
        expect(users?.columns.map((column) => column.name)).toEqual(["id", "email", "Mixed Case", "handle"]);
        expect(users?.indexes.map((index) => index.name)).toContain("ix users mixed");
        expect(schema.views.map((view) => view.name)).toContain("user_emails");
        const articles = schema.tables.find((table) => table.name === "articles");
        expect(articles?.foreignKeys.map((fk) => [fk.name, fk.refTable, fk.onDelete])).toEqual([
          ["fk_posts_user", "users", "cascade"],
        ]);
        const titles = await connection.query("SELECT title, note FROM articles");
        expect(titles).toEqual([{ title: "it's; fine", note: "a;b" }]);
      } finally {
        await connection.close();
      }

      await tidemark.downgrade("base");
      expect(await tableNames(database.url)).toEqual(["tidemark_log", "tidemark_version"]);
      expect(await versionRows(database.url)).toEqual([]);
    } finally {
      await tidemark.close();
    }
  });

  it("moves by --delta and relative targets, and reports current", async () => {
    const tidemark = await open();
    try {
      await tidemark.upgrade("head", { delta: 2 });
      expect(await versionRows(database.url)).toEqual(["core::bbbbbbbbbbb2"]);
      await tidemark.downgrade("-1");
      expect(await versionRows(database.url)).toEqual(["core::aaaaaaaaaaa1"]);
      await tidemark.upgrade("+2");
      const current = await tidemark.current();
      expect(current[0]?.rows).toEqual([{ phase: "", version: "ccccccccccc3", message: "ops", head: true }]);
      await tidemark.downgrade(undefined, { delta: 3 });
      expect(await versionRows(database.url)).toEqual([]);
    } finally {
      await tidemark.close();
    }
  });

  it("stamps without running scripts, and --purge forgets unknown rows", async () => {
    const tidemark = await open();
    try {
      await tidemark.stamp("bbbbbbbbbbb2");
      expect(await versionRows(database.url)).toEqual(["core::bbbbbbbbbbb2"]);
      expect(await tableNames(database.url)).toEqual(["tidemark_log", "tidemark_version"]);
      await tidemark.stamp("base");
      expect(await versionRows(database.url)).toEqual([]);
      await tidemark.stamp("aaaaaaaaaaa1", { purge: true });
      expect(await versionRows(database.url)).toEqual(["core::aaaaaaaaaaa1"]);
      expect((await logRows(database.url)).every((row) => row.endsWith(":stamp:done"))).toBe(true);
    } finally {
      await tidemark.close();
    }
  });

  it("names the revision and statement of a failing step and keeps the earlier steps", async () => {
    const project = makeProject({
      "migrations/aaaaaaaaaaa1_users.mjs": USERS_TS,
      "migrations/bbbbbbbbbbb2_posts.sql": POSTS_SQL,
      "migrations/ccccccccccc3_ops.js": OPS_TS,
      "migrations/ddddddddddd4_fails.sql": FAILING_SQL,
    });
    const tidemark = await Tidemark.open({ cwd: project, url: database.url, env: {} });
    try {
      const error = await tidemark.upgrade("head").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      const failure = error as MigrationError;
      expect(failure.exitCode).toBe(1);
      expect(failure.revision).toBe("ddddddddddd4");
      expect(failure.statement).toBe("INSERT INTO no_such_table VALUES (1)");
      expect(failure.message).toContain("ddddddddddd4_fails.sql");
      expect(failure.message).toContain("line 6");
      expect(await versionRows(database.url)).toEqual(["core::ccccccccccc3"]);
      if (dialectName === "mysql") {
        // DDL commits implicitly: the half-done step is on record and blocks until repair.
        expect(await tableNames(database.url)).toContain("half_done");
        expect(await logRows(database.url)).toContain("ddddddddddd4:up:failed");
        const blocked = await tidemark.upgrade("head").catch((e: unknown) => e);
        expect((blocked as TidemarkError).code).toBe("blocked");
        expect((blocked as TidemarkError).message).toContain("tidemark repair");
        expect(await tidemark.repair()).toEqual([{ repository: "core", cleared: 1 }]);
      } else {
        expect(await tableNames(database.url)).not.toContain("half_done");
        expect(await logRows(database.url)).not.toContain("ddddddddddd4:up:failed");
        expect((await logRows(database.url)).some((row) => row.startsWith("ddddddddddd4"))).toBe(false);
      }
    } finally {
      await tidemark.close();
    }
  });

  it("runs --single-transaction all or nothing where DDL is transactional, and refuses it elsewhere", async () => {
    const project = makeProject({
      "migrations/aaaaaaaaaaa1_users.mjs": USERS_TS,
      "migrations/bbbbbbbbbbb2_posts.sql": POSTS_SQL,
      "migrations/ccccccccccc3_ops.js": OPS_TS,
      "migrations/ddddddddddd4_fails.sql": FAILING_SQL,
    });
    const tidemark = await Tidemark.open({ cwd: project, url: database.url, env: {}, singleTransaction: true });
    try {
      const error = await tidemark.upgrade("head").catch((e: unknown) => e);
      if (dialectName === "mysql") {
        expect(error).toBeInstanceOf(UsageError);
        expect(await tableNames(database.url)).toEqual([]);
      } else {
        expect(error).toBeInstanceOf(MigrationError);
        expect(await tableNames(database.url)).toEqual([]);
      }
    } finally {
      await tidemark.close();
    }
  });

  it("refuses a downgrade through a revision without a downgrade body before running anything", async () => {
    const project = makeProject({
      "migrations/aaaaaaaaaaa1_users.mjs": USERS_TS,
      "migrations/bbbbbbbbbbb2_posts.sql": sqlRevision("bbbbbbbbbbb2", "aaaaaaaaaaa1", "CREATE TABLE posts (id INTEGER);"),
    });
    const tidemark = await Tidemark.open({ cwd: project, url: database.url, env: {} });
    try {
      await tidemark.upgrade("head");
      const error = await tidemark.downgrade("base").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain("bbbbbbbbbbb2");
      expect(await versionRows(database.url)).toEqual(["core::bbbbbbbbbbb2"]);
      expect(await tableNames(database.url)).toContain("posts");
    } finally {
      await tidemark.close();
    }
  });
});
