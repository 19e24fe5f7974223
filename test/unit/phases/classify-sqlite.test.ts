import { describe, expect, it } from "vitest";
import { classifySql } from "../../../src/phases/sql-classifier.js";

const categories = (sql: string): string[] => classifySql(sql, "sqlite").map((c) => c.category);

describe("SQLite classifier: statement → categories", () => {
  const table: readonly (readonly [string, readonly string[]])[] = [
    ["CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", ["additive"]],
    ["CREATE TEMP TABLE scratch (id INTEGER)", ["neutral"]],
    ['CREATE TABLE IF NOT EXISTS "main"."users" (id INTEGER)', ["additive"]],
    ["CREATE VIRTUAL TABLE docs USING fts5(body)", ["additive"]],
    ["CREATE TABLE copy AS SELECT * FROM users", ["additive"]],
    ["CREATE INDEX IF NOT EXISTS ix ON users (name) WHERE name IS NOT NULL", ["additive"]],
    ["CREATE UNIQUE INDEX uq ON users (name)", ["constraint"]],
    ["CREATE VIEW IF NOT EXISTS v AS SELECT * FROM users", ["additive"]],
    ["CREATE TEMP TRIGGER IF NOT EXISTS t1 AFTER UPDATE OF a, b ON [users] BEGIN DELETE FROM x; END", ["unknown"]],
    ["SELECT load_extension('evil')", ["unknown"]],
    ["SELECT f(a) FROM users", ["unknown"]],
    ["SELECT name FROM pragma_table_info('users')", ["neutral"]],
    ["SELECT lower(name), datetime('now'), json_extract(doc, '$.a') FROM users", ["neutral"]],
    ["PRAGMA writable_schema = 1", ["unknown"]],
    ["CREATE VIEW v AS SELECT upper(name) FROM users", ["additive"]],
    ["CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20), price DECIMAL(10, 2))", ["additive"]],
    ["DROP TABLE users", ["contractive"]],
    ["DROP INDEX IF EXISTS ix", ["contractive"]],
    ["DROP VIEW v", ["contractive"]],
    ["DROP TRIGGER t1", ["contractive"]],
    ["ALTER TABLE users ADD COLUMN nick TEXT", ["additive"]],
    ["ALTER TABLE users ADD nick TEXT DEFAULT 'x' NOT NULL", ["additive"]],
    ["ALTER TABLE users ADD COLUMN nick TEXT NOT NULL", ["breaking"]],
    ["ALTER TABLE users ADD COLUMN nick TEXT REFERENCES other(id)", ["additive"]],
    ["ALTER TABLE users DROP COLUMN nick", ["contractive"]],
    ["ALTER TABLE users DROP nick", ["contractive"]],
    ["ALTER TABLE users RENAME TO people", ["contractive"]],
    ["ALTER TABLE users RENAME COLUMN a TO b", ["contractive"]],
    ["ALTER TABLE users RENAME a TO b", ["contractive"]],
    ["INSERT OR REPLACE INTO users VALUES (1, 'a')", ["data"]],
    ["INSERT INTO users (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET name = excluded.name", ["data"]],
    ["REPLACE INTO users VALUES (1, 'a')", ["data"]],
    ["UPDATE OR IGNORE users SET name = 'x'", ["data"]],
    ["DELETE FROM users", ["data"]],
    ["WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5) INSERT INTO n SELECT x FROM c", ["data"]],
    ["WITH c AS (SELECT 1) SELECT * FROM c", ["neutral"]],
    ["SELECT count(*) FROM users", ["neutral"]],
    ["VALUES (1), (2)", ["neutral"]],
    ["PRAGMA foreign_keys", ["neutral"]],
    ["PRAGMA table_info(users)", ["neutral"]],
    ["PRAGMA main.index_list('users')", ["neutral"]],
    ["PRAGMA foreign_key_check", ["neutral"]],
    ["PRAGMA foreign_keys = OFF", ["neutral"]],
    ["PRAGMA legacy_alter_table=ON", ["unknown"]],
    ["PRAGMA journal_mode = WAL", ["unknown"]],
    ["PRAGMA user_version = 7", ["unknown"]],
    ["PRAGMA writable_schema = 1", ["unknown"]],
    ["VACUUM", ["neutral"]],
    ["ANALYZE", ["neutral"]],
    ["REINDEX users", ["neutral"]],
    ["BEGIN IMMEDIATE", ["unknown"]],
    ["END TRANSACTION", ["unknown"]],
    ["SAVEPOINT a", ["neutral"]],
    ["ATTACH DATABASE 'x.db' AS x", ["unknown"]],
  ];
  it.each(table)("%s", (sql, expected) => {
    expect(categories(sql)).toEqual(expected);
  });
});

describe("SQLite classifier: quoting and triggers", () => {
  it("does not see keywords inside strings, comments or quoted names", () => {
    expect(categories("INSERT INTO t VALUES ('DROP TABLE x; ALTER TABLE y DROP COLUMN z')")).toEqual(["data"]);
    expect(categories('CREATE TABLE "drop table" ([alter] TEXT, `delete` TEXT) -- DROP TABLE users')).toEqual(["additive"]);
    expect(categories("/* ALTER TABLE t DROP COLUMN c; */ SELECT 1")).toEqual(["neutral"]);
  });

  it("keeps a trigger body (with its UPDATE) as one statement, refused as opaque", () => {
    const sql =
      "CREATE TRIGGER keep_sync AFTER INSERT ON users BEGIN\n  UPDATE users SET b = NEW.a WHERE rowid = NEW.rowid;\n  SELECT CASE WHEN NEW.a IS NULL THEN RAISE(ABORT, 'no') END;\nEND;\nDELETE FROM users;";
    const items = classifySql(sql, "sqlite");
    expect(items.map((i) => i.category)).toEqual(["unknown", "data"]);
    expect(items[0]?.triggers).toEqual({ created: [{ name: "keep_sync", table: "users" }] });
    expect(items[1]?.line).toBe(5);
  });

  it("names the column of an unsafe NOT NULL addition", () => {
    const [item] = classifySql('ALTER TABLE "users" ADD COLUMN "nick" TEXT NOT NULL', "sqlite");
    expect(item?.what).toBe("ALTER TABLE users ADD COLUMN nick NOT NULL without a default");
    expect(item?.effect).toMatch(/makes every INSERT of the old release fail/);
  });
});
