/**
 * The tracker's model must be what the SQLite introspector reports after the
 * same ops ran on a real database: each case runs its ops online (compiled
 * with the introspected table, as the runner does) and through the tracker,
 * and compares the two.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../../src/config/database-url.js";
import type { Connection } from "../../../src/dialects/dialect.js";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import { connectSqlite } from "../../../src/dialects/sqlite/sqlite-driver.js";
import { sqliteDialect } from "../../../src/dialects/sqlite/sqlite-dialect.js";
import { sqlExpression, type Op } from "../../../src/ops/op.js";
import { SchemaTracker } from "../../../src/dialects/schema-tracker.js";
import { lowerOutsideQuotes, renameIdentifier } from "../../../src/dialects/schema-tracker-models.js";

let connection: Connection;

beforeEach(async () => {
  connection = await connectSqlite(parseDatabaseUrl("sqlite::memory:"));
});
afterEach(async () => {
  await connection.close();
});

/** Runs the ops online and through a tracker; returns the tracker. */
async function both(...ops: Op[]): Promise<SchemaTracker> {
  const tracker = new SchemaTracker(sqliteDialect);
  for (const op of ops) {
    const model = sqliteDialect.compiler.needsTableModel(op) && "table" in op ? await introspected(op.table) : undefined;
    for (const statement of sqliteDialect.compiler.compile(op, model === undefined ? {} : { table: model })) {
      await connection.execute(statement.sql, statement.params ?? []);
    }
    tracker.apply(op);
  }
  return tracker;
}

async function introspected(table: string) {
  return (await sqliteDialect.introspector.introspect(connection)).tables.find(
    (t) => t.name.toLowerCase() === table.toLowerCase(),
  );
}

async function expectSameAsDatabase(tracker: SchemaTracker): Promise<void> {
  expect(tracker.tables()).toEqual((await sqliteDialect.introspector.introspect(connection)).tables);
}

const users: Op = {
  kind: "createTable",
  table: "users",
  columns: [
    { name: "id", type: "integer", primaryKey: true, autoIncrement: true },
    { name: "email", type: "varchar(255)", nullable: false, unique: true },
    { name: "name", type: "VARCHAR(40)", default: "it's" },
    { name: "score", type: "decimal(8,2)", default: -1.5 },
    { name: "active", type: "boolean", nullable: false, default: true },
    { name: "created_at", type: "timestamp", default: sqlExpression("CURRENT_TIMESTAMP") },
    { name: "slug", type: "text", default: sqlExpression("lower('X')") },
  ],
  uniques: [{ name: "uq_users_name", columns: ["name", "score"] }, { columns: ["slug", "name"] }],
  checks: [{ name: "ck_score", expression: "score > -100" }, { expression: "length(email) > 3" }],
};
const posts: Op = {
  kind: "createTable",
  table: "posts",
  columns: [
    { name: "id", type: "integer", primaryKey: true },
    { name: "user_id", type: "integer", references: { table: "users", column: "id", onDelete: "cascade" } },
    { name: "editor", type: "integer" },
    { name: "title", type: "text", nullable: false, default: "" },
  ],
  foreignKeys: [{ name: "fk_posts_editor", columns: ["editor"], refTable: "users", refColumns: ["id"], onUpdate: "set null" }],
};
const pairs: Op = {
  kind: "createTable",
  table: "pairs",
  columns: [
    { name: "a", type: "text" },
    { name: "b", type: "bigint" },
    { name: "note", type: "json" },
  ],
  primaryKey: ["b", "a"],
};

describe("SchemaTracker against the SQLite introspector", () => {
  it("creates tables with keys, column and table constraints, defaults as SQLite reports them", async () => {
    const tracker = await both(users, posts, pairs);
    await expectSameAsDatabase(tracker);
    const model = tracker.table("USERS")!;
    expect(model.columns.find((c) => c.name === "slug")).toEqual({
      name: "slug",
      type: "text",
      nullable: true,
      default: "lower('X')",
      autoIncrement: false,
    });
    expect(model.columns.find((c) => c.name === "name")?.default).toBe("'it''s'");
    expect(model.columns.find((c) => c.name === "id")).toMatchObject({ nullable: false, autoIncrement: true });
    expect(tracker.table("pairs")?.primaryKey).toEqual(["b", "a"]);
  });

  it("adds columns, plainly and by rebuild, and drops them with what depends on them", async () => {
    const tracker = await both(
      users,
      posts,
      { kind: "addColumn", table: "posts", column: { name: "body", type: "text", default: "none" } },
      { kind: "addColumn", table: "posts", column: { name: "code", type: "varchar(8)", unique: true } },
      {
        kind: "addColumn",
        table: "posts",
        column: { name: "owner", type: "integer", references: { table: "users", column: "id" } },
      },
      {
        kind: "addColumn",
        table: "posts",
        column: { name: "stamp", type: "timestamp", default: sqlExpression("CURRENT_TIMESTAMP") },
      },
      {
        kind: "addColumn",
        table: "posts",
        column: { name: "reviewer", type: "integer", default: 0, references: { table: "users", column: "id" } },
      },
      {
        kind: "addColumn",
        table: "posts",
        column: { name: "helper", type: "integer", references: { table: "users", column: "id" } },
      },
      { kind: "createIndex", table: "posts", name: "ix_posts_code_title", columns: ["code", "title"] },
      { kind: "dropColumn", table: "posts", column: "body" },
      { kind: "dropColumn", table: "posts", column: "code" },
      { kind: "dropColumn", table: "users", column: "score" },
    );
    await expectSameAsDatabase(tracker);
    expect(tracker.table("posts")?.indexes).toEqual([]);
    expect(tracker.table("users")?.checks.map((c) => c.name)).toEqual([""]);
  });

  it("alters a column's type, nullability and default, as the rebuild does", async () => {
    const tracker = await both(
      users,
      { kind: "alterColumn", table: "users", column: "name", type: "text", nullable: false },
      { kind: "alterColumn", table: "users", column: "score", default: null },
      { kind: "alterColumn", table: "users", column: "slug", default: sqlExpression("upper('y') || 'z'") },
    );
    await expectSameAsDatabase(tracker);
    expect(tracker.table("users")?.columns.find((c) => c.name === "slug")?.default).toBe("upper('y') || 'z'");
  });

  it("renames columns through keys, indexes, checks and the foreign keys of other tables", async () => {
    const tracker = await both(
      users,
      posts,
      { kind: "createIndex", table: "users", name: "ix_users_score", columns: ["score", "email"], where: "score > 0" },
      { kind: "renameColumn", table: "users", column: "score", to: "points" },
      { kind: "renameColumn", table: "users", column: "id", to: "user_id" },
    );
    await expectSameAsDatabase(tracker);
    expect(tracker.table("users")?.checks.find((c) => c.name === "ck_score")?.expression).toBe('"points" > -100');
    expect(tracker.table("posts")?.foreignKeys.map((fk) => fk.refColumns)).toEqual([["user_id"], ["user_id"]]);
  });

  it("renames and drops tables; foreign keys follow the new name", async () => {
    const tracker = await both(
      users,
      posts,
      pairs,
      { kind: "renameTable", table: "users", to: "members" },
      { kind: "dropTable", table: "pairs" },
    );
    await expectSameAsDatabase(tracker);
    expect(tracker.table("users")).toBeUndefined();
    expect(tracker.table("posts")?.foreignKeys.map((fk) => fk.refTable)).toEqual(["members", "members"]);
  });

  it("adds and drops indexes and named constraints", async () => {
    const tracker = await both(
      users,
      posts,
      { kind: "createIndex", table: "posts", name: "ix_title", columns: ["title"], unique: true },
      { kind: "createIndex", table: "posts", name: "ix_editor", columns: ["editor"] },
      { kind: "dropIndex", table: "posts", name: "ix_editor" },
      { kind: "addUnique", table: "posts", name: "uq_posts_user_title", columns: ["user_id", "title"] },
      { kind: "addCheck", table: "posts", name: "ck_title", expression: "length(title) < 200" },
      {
        kind: "addForeignKey",
        table: "users",
        name: "fk_users_self",
        columns: ["score"],
        refTable: "users",
        refColumns: ["id"],
        onDelete: "set null",
      },
      { kind: "dropConstraint", table: "posts", name: "fk_posts_editor", type: "foreignKey" },
      { kind: "dropConstraint", table: "users", name: "ck_score" },
      { kind: "dropConstraint", table: "posts", name: "ix_title", type: "unique" },
    );
    await expectSameAsDatabase(tracker);
    expect(tracker.table("posts")?.uniques).toEqual([{ name: "uq_posts_user_title", columns: ["user_id", "title"] }]);
  });

  it("drops a primary key", async () => {
    const tracker = await both(pairs, { kind: "dropConstraint", table: "pairs", name: "pairs_pkey", type: "primaryKey" });
    await expectSameAsDatabase(tracker);
    expect(tracker.table("pairs")?.primaryKey).toEqual([]);
  });

  it("ignores data ops, views and trigger ops", async () => {
    const tracker = await both(
      users,
      { kind: "bulkInsert", table: "users", rows: [{ email: "a@b.c" }] },
      { kind: "createView", name: "v_users", sql: "SELECT id FROM users" },
      { kind: "execute", sql: "UPDATE users SET name = 'x'" },
      { kind: "forbidWrites", table: "users" },
      { kind: "allowWrites", table: "users" },
    );
    await expectSameAsDatabase(tracker);
  });
});

describe("SchemaTracker and raw SQL", () => {
  it("does not know a table raw SQL created, and says why", () => {
    const tracker = new SchemaTracker(sqliteDialect);
    tracker.apply({ kind: "execute", sql: '-- made by hand\nCREATE TABLE IF NOT EXISTS main."Raw" (id integer)' });
    expect(tracker.table("raw")).toBeUndefined();
    expect(tracker.explainUnknown("raw")).toMatch(
      /^table Raw was created by raw SQL \(`CREATE TABLE IF NOT EXISTS main\."Raw" \(id integer\)`\)/,
    );
    expect(tracker.explainUnknown("nowhere")).toContain(
      "no operation rendered so far (from base through the revisions of the range) creates table nowhere",
    );
  });

  it("forgets a known table that raw SQL altered or indexed, since a rebuild would lose the change", () => {
    const tracker = new SchemaTracker(sqliteDialect);
    tracker.apply(users);
    tracker.apply(posts);
    tracker.apply({ kind: "execute", sql: "ALTER TABLE users ADD COLUMN extra text" });
    tracker.apply({ kind: "execute", sql: "create unique index ix_p on `posts` (title)" });
    expect(tracker.table("users")).toBeUndefined();
    expect(tracker.table("posts")).toBeUndefined();
    expect(tracker.explainUnknown("users")).toContain("was changed by raw SQL (`ALTER TABLE users ADD COLUMN extra text`)");
    // createTable makes it known again.
    tracker.apply({ kind: "dropTable", table: "users" });
    tracker.apply(users);
    expect(tracker.table("users")?.columns).toHaveLength(7);
  });

  it("follows raw DROP TABLE, DROP INDEX and renames exactly", () => {
    const tracker = new SchemaTracker(sqliteDialect);
    tracker.apply(users);
    tracker.apply(posts);
    tracker.apply(pairs);
    tracker.apply({ kind: "createIndex", table: "posts", name: "ix_title", columns: ["title"] });
    tracker.apply({ kind: "execute", sql: 'DROP INDEX IF EXISTS "ix_title"' });
    tracker.apply({ kind: "execute", sql: "DROP TABLE IF EXISTS pairs, other" });
    tracker.apply({ kind: "execute", sql: 'ALTER TABLE "users" RENAME TO people;' });
    expect(tracker.tables().map((t) => t.name)).toEqual(["people", "posts"]);
    expect(tracker.table("posts")?.indexes).toEqual([]);
    expect(tracker.table("posts")?.foreignKeys.map((fk) => fk.refTable)).toEqual(["people", "people"]);
    tracker.apply({ kind: "execute", sql: "RENAME TABLE people TO users, posts TO articles" });
    expect(tracker.tables().map((t) => t.name)).toEqual(["articles", "users"]);
  });
});

describe("SchemaTracker.prepend", () => {
  it("replays earlier ops before the ones already applied", () => {
    const late = new SchemaTracker(sqliteDialect);
    late.apply({ kind: "addColumn", table: "users", column: { name: "nick", type: "text" } });
    late.apply({ kind: "alterColumn", table: "users", column: "name", nullable: false });
    expect(late.table("users")).toBeUndefined();
    late.prepend([users]);
    const inOrder = new SchemaTracker(sqliteDialect);
    for (const op of [users, { kind: "addColumn", table: "users", column: { name: "nick", type: "text" } }] as Op[])
      inOrder.apply(op);
    inOrder.apply({ kind: "alterColumn", table: "users", column: "name", nullable: false });
    expect(late.tables()).toEqual(inOrder.tables());
    expect(late.table("users")?.columns.map((c) => c.name)).toContain("nick");
  });
});

describe("SchemaTracker for MySQL's MODIFY COLUMN", () => {
  it("keeps MySQL's types and defaults, so the MODIFY restates the column", () => {
    const tracker = new SchemaTracker(mysqlDialect);
    tracker.apply({
      kind: "createTable",
      table: "docs",
      columns: [
        { name: "id", type: "integer", primaryKey: true, autoIncrement: true },
        { name: "body", type: "text", default: "it's" },
        { name: "kind", type: "ENUM('Draft','Final')", nullable: false, default: "Draft" },
      ],
    });
    expect(tracker.table("docs")?.columns).toEqual([
      { name: "id", type: "int", nullable: false, default: null, autoIncrement: true },
      { name: "body", type: "longtext", nullable: true, default: "'it''s'", autoIncrement: false },
      { name: "kind", type: "enum('Draft','Final')", nullable: false, default: "'Draft'", autoIncrement: false },
    ]);
    const alter: Op = { kind: "alterColumn", table: "docs", column: "body", nullable: false };
    expect(mysqlDialect.compiler.compile(alter, { table: tracker.table("docs")! })).toEqual([
      { sql: "ALTER TABLE `docs` MODIFY COLUMN `body` longtext NOT NULL DEFAULT ('it''s')" },
    ]);
    tracker.apply(alter);
    const id: Op = { kind: "alterColumn", table: "docs", column: "id", type: "bigint" };
    expect(mysqlDialect.compiler.compile(id, { table: tracker.table("docs")! })).toEqual([
      { sql: "ALTER TABLE `docs` MODIFY COLUMN `id` bigint NOT NULL AUTO_INCREMENT" },
    ]);
  });
});

describe("helpers", () => {
  it("lower-cases a type outside its string literals", () => {
    expect(lowerOutsideQuotes("ENUM('A','it''S') NOT NULL")).toBe("enum('A','it''S') not null");
    expect(lowerOutsideQuotes("VARCHAR(10)")).toBe("varchar(10)");
  });

  it("renames an identifier bare or quoted, never inside a string", () => {
    expect(renameIdentifier(`score > 0 AND "score" < 9 AND note <> 'score' AND scores > 1`, "score", '"pts"')).toBe(
      `"pts" > 0 AND "pts" < 9 AND note <> 'score' AND scores > 1`,
    );
  });
});
