/**
 * Issue 13, D8: `alterColumn` with a new type keeps what it was not asked to
 * change — PostgreSQL's COLLATE, MySQL/MariaDB's character set, collation
 * and COMMENT, SQLite's COLLATE (and so a UNIQUE stays case-insensitive).
 * Each case runs the CLI against a real database and reads the schema back.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();

const CREATE: Record<DialectName, string> = {
  postgres: `CREATE TABLE items (id integer PRIMARY KEY, code varchar(10) COLLATE "C" NOT NULL DEFAULT 'x');`,
  mysql:
    "CREATE TABLE items (id integer PRIMARY KEY, code varchar(10) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL " +
    "DEFAULT 'x' COMMENT 'the shelf code', touched timestamp NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP COMMENT 'last change') " +
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
  sqlite: "CREATE TABLE items (id integer PRIMARY KEY, code varchar(10) COLLATE NOCASE NOT NULL DEFAULT 'x' UNIQUE);",
};

const ALTER = `export async function upgrade(op) {
  await op.alterColumn("items", "code", { type: "varchar(40)" });
}
`;

describe.each(dialects)("alterColumn(type) keeps the column's other attributes, on %s", (dialect: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  it("keeps collation (and charset and comment), nullability and default", async () => {
    const dir = makeProject({ "migrations/001_items.sql": CREATE[dialect], "migrations/002_widen.mjs": ALTER });
    const run = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);

    if (dialect === "postgres") {
      const [row] = await queryDatabase(
        database.url,
        `SELECT format_type(a.atttypid, a.atttypmod) AS type, co.collname AS collation, a.attnotnull AS notnull,
                pg_get_expr(d.adbin, d.adrelid) AS dflt
           FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = 'items'::regclass AND a.attname = 'code'`,
      );
      expect(row).toEqual({ type: "character varying(40)", collation: "C", notnull: true, dflt: "'x'::character varying" });
    } else if (dialect === "mysql") {
      const [row] = await queryDatabase(
        database.url,
        "SELECT COLUMN_TYPE AS type, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, COLUMN_COMMENT AS comment, " +
          "IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' " +
          "AND COLUMN_NAME = 'code'",
      );
      expect(row).toEqual({
        type: "varchar(40)",
        charset: "latin1",
        collation: "latin1_bin",
        comment: "the shelf code",
        nullable: "NO",
      });
      // MODIFY COLUMN drops ON UPDATE too unless it is restated: a nullability change must keep it.
      const touch = makeProject({
        "migrations/001_items.sql": CREATE[dialect],
        "migrations/002_touch.mjs": `export async function upgrade(op) { await op.alterColumn("items", "touched", { type: "datetime" }); }\n`,
      });
      const fresh = await createTestDatabase(dialect);
      try {
        const touched = await runCli(["upgrade", "head", "--url", fresh.url], { cwd: touch });
        expect(touched.code, touched.stderr).toBe(0);
        const [column] = await queryDatabase(
          fresh.url,
          "SELECT COLUMN_TYPE AS type, LOWER(EXTRA) AS extra, COLUMN_COMMENT AS comment FROM information_schema.COLUMNS " +
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' AND COLUMN_NAME = 'touched'",
        );
        expect(column).toEqual({
          type: "datetime",
          extra: expect.stringMatching(/on update current_timestamp/),
          comment: "last change",
        });
      } finally {
        await fresh.drop();
      }
    } else {
      const [row] = await queryDatabase(database.url, "SELECT sql FROM sqlite_master WHERE name = 'items'");
      expect(String(row?.sql)).toMatch(/"code" text COLLATE NOCASE NOT NULL DEFAULT 'x'/i); // varchar(N) is text on SQLite
      // The UNIQUE follows the column's collation: it must still be case-insensitive.
      const insert = `export async function upgrade(op) {
  await op.execute("INSERT INTO items (id, code) VALUES (1, 'abc')");
  await op.execute("INSERT INTO items (id, code) VALUES (2, 'ABC')");
}
`;
      const dir2 = makeProject({
        "migrations/001_items.sql": CREATE[dialect],
        "migrations/002_widen.mjs": ALTER,
        "migrations/003_rows.mjs": insert,
      });
      const fresh = await createTestDatabase(dialect);
      try {
        const second = await runCli(["upgrade", "head", "--url", fresh.url], { cwd: dir2 });
        expect(second.code).not.toBe(0);
        expect(second.stderr).toMatch(/UNIQUE constraint failed/);
      } finally {
        await fresh.drop();
      }
    }
  });
});
