/** The Op API (SPEC §7) on SQLite, called from .ts scripts run by the binary; the schema is read back from the file. */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, removeProjects, writeFiles } from "../helpers/project.js";
import { columns, foreignKeys, indexList, objectSql, objects, query, tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const db = (dir: string) => join(dir, "tidemark.db");

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

function script(up: string, down?: string): string {
  return [
    'import type { Op } from "tidemark";',
    "export async function upgrade(op: Op) {",
    up,
    "}",
    ...(down === undefined ? [] : ["export async function downgrade(op: Op) {", down, "}"]),
    "",
  ].join("\n");
}

const CREATE = script(
  `
  await op.createTable("users", {
    id: { type: "integer", primaryKey: true, autoIncrement: true },
    email: { type: "varchar(255)", nullable: false, unique: true },
    name: { type: "text", default: "anon" },
    score: { type: "real", default: 1.5 },
    active: { type: "boolean", nullable: false, default: true },
    created_at: { type: "timestamp", default: op.sql("CURRENT_TIMESTAMP") },
    payload: { type: "json" },
    kind: { type: "my_custom_type" },
  });
  await op.createTable("posts", {
    id: { type: "integer", primaryKey: true },
    user_id: { type: "integer", nullable: false, references: { table: "users", column: "id", onDelete: "cascade" } },
    title: { type: "varchar(100)", nullable: false },
  }, {
    uniques: [{ name: "uq_posts_user_title", columns: ["user_id", "title"] }],
    checks: [{ name: "ck_posts_title", expression: "length(title) > 0" }],
  });
  await op.createTable("tags", { a: { type: "text" }, b: { type: "text" } }, { primaryKey: ["a", "b"] });`,
  `
  await op.dropTable("tags");
  await op.dropTable("posts");
  await op.dropTable("users");`,
);

const DATA = script(
  `
  await op.bulkInsert("users", [
    { email: "ann@example.com", name: "Ann", score: 2 },
    { email: "bob@example.com", name: "Bob's", score: 3 },
  ]);
  await op.execute("INSERT INTO users (email, name) VALUES (?, ?)", ["carol@example.com", "Carol; semi"]);
  const rows = await op.query<{ id: number; email: string }>("SELECT id, email FROM users WHERE email LIKE ? ORDER BY id", ["%example.com"]);
  await op.createTable("seen", { n: { type: "integer" }, first_email: { type: "text" } });
  await op.execute("INSERT INTO seen (n, first_email) VALUES (?, ?)", [rows.length, rows[0]!.email]);
  await op.bulkInsert("posts", [{ user_id: 1, title: "hello" }, { user_id: 2, title: "world" }]);`,
  `
  await op.dropTable("seen");
  await op.execute("DELETE FROM posts");
  await op.execute("DELETE FROM users");`,
);

const ADD_ALTER = script(
  `
  await op.addColumn("users", "nickname", { type: "text" });
  await op.addColumn("users", "age", { type: "integer", nullable: false, default: 0 });
  await op.execute("UPDATE users SET nickname = lower(name)");
  await op.alterColumn("users", "nickname", { nullable: false, default: "" });
  await op.alterColumn("users", "score", { type: "integer" });
  await op.alterColumn("users", "name", { default: null });`,
  `
  await op.alterColumn("users", "name", { default: "anon" });
  await op.alterColumn("users", "score", { type: "real" });
  await op.dropColumn("users", "age");
  await op.dropColumn("users", "nickname");`,
);

const RENAME_INDEX = script(
  `
  await op.renameColumn("users", "nickname", "handle");
  await op.renameTable("posts", "articles");
  await op.createIndex("users", ["name"], { name: "ix_users_name" });
  await op.createIndex("users", ["handle", "age"], { unique: true, name: "ux_users_handle_age" });
  await op.createIndex("articles", ["title"], { name: "ix_articles_title" });
  await op.dropIndex("articles", "ix_articles_title");`,
  `
  await op.dropIndex("users", "ux_users_handle_age");
  await op.dropIndex("users", "ix_users_name");
  await op.renameTable("articles", "posts");
  await op.renameColumn("users", "handle", "nickname");`,
);

const CONSTRAINTS = script(
  `
  await op.createTable("comments", { id: { type: "integer", primaryKey: true }, article_id: { type: "integer" }, body: { type: "text" } });
  await op.execute("INSERT INTO comments (id, article_id, body) VALUES (1, 1, 'first')");
  await op.addForeignKey("comments", ["article_id"], "articles", ["id"], { name: "fk_comments_article", onDelete: "cascade" });
  await op.addUnique("comments", ["article_id", "body"], { name: "uq_comments_body" });
  await op.addCheck("comments", "ck_comments_body", "length(body) < 1000");
  await op.addUnique("comments", ["body"], { name: "uq_comments_only_body" });
  await op.dropConstraint("comments", "uq_comments_only_body");`,
  `
  await op.dropTable("comments");`,
);

const VIEWS = script(
  `
  await op.createView("user_emails", "SELECT id, email FROM users");
  await op.createView("tmp_view", "SELECT 1 AS one");
  await op.dropView("tmp_view");`,
  `
  await op.dropView("user_emails");`,
);

function project(): string {
  return makeProject({
    "migrations/001_create.ts": CREATE,
    "migrations/002_data.ts": DATA,
    "migrations/003_add_alter.ts": ADD_ALTER,
    "migrations/004_rename_index.ts": RENAME_INDEX,
    "migrations/005_constraints.ts": CONSTRAINTS,
    "migrations/006_views.ts": VIEWS,
  });
}

const col = (dir: string, table: string, name: string) => columns(db(dir), table).find((c) => c.name === name);

describe("Op API on SQLite", () => {
  it("createTable with every column option", async () => {
    const dir = project();
    await ok(dir, "upgrade", "1");
    const users = columns(db(dir), "users");
    expect(users.map((c) => [c.name, c.type.toLowerCase(), c.notnull, c.pk])).toEqual([
      ["id", "integer", 1, 1],
      ["email", "text", 1, 0],
      ["name", "text", 0, 0],
      ["score", "real", 0, 0],
      ["active", "integer", 1, 0],
      ["created_at", "text", 0, 0],
      ["payload", "text", 0, 0],
      ["kind", "my_custom_type", 0, 0],
    ]);
    expect(col(dir, "users", "name")?.dflt_value).toBe("'anon'");
    expect(col(dir, "users", "score")?.dflt_value).toBe("1.5");
    expect(["1", "TRUE", "true"]).toContain(col(dir, "users", "active")?.dflt_value);
    expect(col(dir, "users", "created_at")?.dflt_value).toMatch(/CURRENT_TIMESTAMP/i);
    expect(objectSql(db(dir), "users")).toMatch(/AUTOINCREMENT/i);
    expect(indexList(db(dir), "users").some((index) => index.unique === 1)).toBe(true);

    expect(foreignKeys(db(dir), "posts").map((fk) => [fk.table, fk.from, fk.to, fk.on_delete])).toEqual([
      ["users", "user_id", "id", "CASCADE"],
    ]);
    const posts = objectSql(db(dir), "posts") ?? "";
    expect(posts).toMatch(/CONSTRAINT "?uq_posts_user_title"? UNIQUE/i);
    expect(posts).toMatch(/CONSTRAINT "?ck_posts_title"? CHECK \(length\(title\) > 0\)/i);
    expect(columns(db(dir), "tags").map((c) => [c.name, c.pk])).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("bulkInsert, execute with params, query; data survives later table rebuilds", async () => {
    const dir = project();
    await ok(dir, "upgrade", "2");
    expect(query(db(dir), "SELECT id, email, name, score, active FROM users ORDER BY id")).toEqual([
      { id: 1, email: "ann@example.com", name: "Ann", score: 2, active: 1 },
      { id: 2, email: "bob@example.com", name: "Bob's", score: 3, active: 1 },
      { id: 3, email: "carol@example.com", name: "Carol; semi", score: 1.5, active: 1 },
    ]);
    expect(query(db(dir), "SELECT n, first_email FROM seen")).toEqual([{ n: 3, first_email: "ann@example.com" }]);
    expect(query(db(dir), "SELECT user_id, title FROM posts ORDER BY id")).toEqual([
      { user_id: 1, title: "hello" },
      { user_id: 2, title: "world" },
    ]);
  });

  it("addColumn and alterColumn (nullability, default, type) by table rebuild, keeping rows and foreign keys", async () => {
    const dir = project();
    await ok(dir, "upgrade", "3");
    expect(col(dir, "users", "nickname")).toMatchObject({ notnull: 1, dflt_value: "''" });
    expect(col(dir, "users", "age")).toMatchObject({ notnull: 1, dflt_value: "0" });
    expect(col(dir, "users", "score")?.type.toLowerCase()).toBe("integer");
    expect(col(dir, "users", "name")?.dflt_value).toBeNull();
    expect(query(db(dir), "SELECT id, email, nickname, score, age FROM users ORDER BY id")).toEqual([
      { id: 1, email: "ann@example.com", nickname: "ann", score: 2, age: 0 },
      { id: 2, email: "bob@example.com", nickname: "bob's", score: 3, age: 0 },
      { id: 3, email: "carol@example.com", nickname: "carol; semi", score: 1.5, age: 0 },
    ]);
    // The rebuild kept the unique email, the AUTOINCREMENT key and the posts → users foreign key.
    expect(indexList(db(dir), "users").some((index) => index.unique === 1)).toBe(true);
    expect(objectSql(db(dir), "users")).toMatch(/AUTOINCREMENT/i);
    expect(foreignKeys(db(dir), "posts").map((fk) => fk.table)).toEqual(["users"]);
    expect(query(db(dir), "PRAGMA foreign_key_check")).toEqual([]);
    expect(query(db(dir), "SELECT count(*) AS n FROM posts")).toEqual([{ n: 2 }]);
  });

  it("renameColumn, renameTable, createIndex (plain and unique), dropIndex", async () => {
    const dir = project();
    await ok(dir, "upgrade", "4");
    expect(columns(db(dir), "users").map((c) => c.name)).toContain("handle");
    expect(columns(db(dir), "users").map((c) => c.name)).not.toContain("nickname");
    expect(tableNames(db(dir))).toContain("articles");
    expect(tableNames(db(dir))).not.toContain("posts");
    const indexes = indexList(db(dir), "users");
    expect(indexes.find((index) => index.name === "ix_users_name")?.unique).toBe(0);
    expect(indexes.find((index) => index.name === "ux_users_handle_age")?.unique).toBe(1);
    expect(indexList(db(dir), "articles").map((index) => index.name)).not.toContain("ix_articles_title");
    expect(foreignKeys(db(dir), "articles").map((fk) => fk.table)).toEqual(["users"]);
    expect(query(db(dir), "SELECT handle FROM users ORDER BY id")).toEqual([
      { handle: "ann" },
      { handle: "bob's" },
      { handle: "carol; semi" },
    ]);
  });

  it("addForeignKey, addUnique, addCheck, dropConstraint (rebuilds that keep the rows)", async () => {
    const dir = project();
    await ok(dir, "upgrade", "5");
    expect(foreignKeys(db(dir), "comments").map((fk) => [fk.table, fk.from, fk.to, fk.on_delete])).toEqual([
      ["articles", "article_id", "id", "CASCADE"],
    ]);
    const sql = objectSql(db(dir), "comments") ?? "";
    expect(sql).toMatch(/uq_comments_body/);
    expect(sql).toMatch(/ck_comments_body/);
    expect(sql).toMatch(/length\(body\) < 1000/);
    expect(sql).not.toMatch(/uq_comments_only_body/);
    expect(objects(db(dir)).map((o) => o.name)).not.toContain("uq_comments_only_body");
    expect(query(db(dir), "SELECT id, article_id, body FROM comments")).toEqual([{ id: 1, article_id: 1, body: "first" }]);
  });

  it("createView and dropView", async () => {
    const dir = project();
    await ok(dir, "upgrade", "6");
    const views = objects(db(dir))
      .filter((o) => o.type === "view")
      .map((o) => o.name);
    expect(views).toEqual(["user_emails"]);
    expect(query(db(dir), "SELECT email FROM user_emails ORDER BY id")).toEqual([
      { email: "ann@example.com" },
      { email: "bob@example.com" },
      { email: "carol@example.com" },
    ]);
  });

  it("downgrade runs the reverse bodies back to base", async () => {
    const dir = project();
    await ok(dir, "upgrade", "head");
    await ok(dir, "downgrade", "2");
    expect(columns(db(dir), "users").map((c) => c.name)).toEqual([
      "id",
      "email",
      "name",
      "score",
      "active",
      "created_at",
      "payload",
      "kind",
    ]);
    expect(col(dir, "users", "score")?.type.toLowerCase()).toBe("real");
    expect(col(dir, "users", "name")?.dflt_value).toBe("'anon'");
    expect(tableNames(db(dir))).toContain("posts");
    expect(query(db(dir), "SELECT count(*) AS n FROM users")).toEqual([{ n: 3 }]);
    await ok(dir, "downgrade", "base");
    expect(tableNames(db(dir)).filter((name) => !name.startsWith("tidemark_") && name !== "sqlite_sequence")).toEqual([]);
    expect(versions(db(dir))).toEqual([]);
  });

  it("op.execute with a failing statement names the revision, the file and the statement", async () => {
    const dir = project();
    writeFiles(dir, {
      "migrations/007_bad.ts": script('  await op.execute("INSERT INTO users (email) VALUES (?)", ["ann@example.com"]);'),
    });
    await ok(dir, "upgrade", "6");
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("revision 7");
    expect(result.stderr).toContain(join(dir, "migrations", "007_bad.ts"));
    expect(result.stderr).toContain("INSERT INTO users (email) VALUES (?)");
    expect(result.stderr).toMatch(/UNIQUE constraint failed/);
    expect(versions(db(dir))).toEqual(["6"]);
  });
});
