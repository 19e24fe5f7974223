/** Statements as offline scripts print them, and the START guard, per dialect. */
import { describe, expect, it } from "vitest";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import { postgresDialect } from "../../../src/dialects/postgres/postgres-dialect.js";
import { sqliteDialect } from "../../../src/dialects/sqlite/sqlite-dialect.js";
import { DatabaseError } from "../../../src/errors.js";
import { guardStatements } from "../../../src/runtime/offline-guard.js";
import { inlineParams, renderStatement } from "../../../src/runtime/render-sql.js";

describe("inlineParams", () => {
  it("replaces only the ? outside strings, identifiers and comments, as the drivers do online", () => {
    const sql = `SELECT '?', "a?", ? /* ? */ , ? -- ?\nFROM t WHERE x = ?`;
    expect(inlineParams(sqliteDialect, sql, [1, "it's", null])).toBe(
      `SELECT '?', "a?", 1 /* ? */ , 'it''s' -- ?\nFROM t WHERE x = NULL`,
    );
  });

  it("skips PostgreSQL dollar quotes and E'' strings with backslash escapes", () => {
    const sql = "SELECT $$ ? $$, $body$ ? $body$, E'\\' ?', ?, a$1";
    expect(inlineParams(postgresDialect, sql, [true])).toBe("SELECT $$ ? $$, $body$ ? $body$, E'\\' ?', TRUE, a$1");
  });

  it("skips MySQL backticks, # comments and backslash-escaped quotes", () => {
    const sql = "SELECT `?`, 'a\\'?', ? # ?\n, ?";
    expect(inlineParams(mysqlDialect, sql, ["back\\slash", false])).toBe(
      "SELECT `?`, 'a\\'?', _utf8mb4 X'6261636b5c736c617368' # ?\n, 0",
    );
  });

  it("renders values as each dialect stores them", () => {
    const date = new Date("2024-02-03T04:05:06.789Z");
    expect(inlineParams(postgresDialect, "VALUES (?, ?, ?)", [date, "a\\b", 1.5])).toBe(
      "VALUES ('2024-02-03T04:05:06.789Z', E'a\\\\b', 1.5)",
    );
    expect(inlineParams(sqliteDialect, "VALUES (?, ?, ?)", [date, "a\\b", true])).toBe(
      "VALUES ('2024-02-03 04:05:06.789', 'a\\b', 1)",
    );
  });

  it("refuses a statement whose placeholders and values do not match", () => {
    expect(() => inlineParams(sqliteDialect, "SELECT ?, ?", [1])).toThrow(DatabaseError);
    expect(() => inlineParams(sqliteDialect, "SELECT ?, ?", [1])).toThrow(
      'The statement has 2 "?" placeholder(s) but 1 value(s) were given: SELECT ?, ?',
    );
  });

  it("leaves a statement without values as written", () => {
    expect(inlineParams(postgresDialect, "SELECT '?' ?| 'x'", [])).toBe("SELECT '?' ?| 'x'");
  });
});

describe("renderStatement", () => {
  it("ends a statement with the terminator, on its own line after a trailing line comment", () => {
    expect(renderStatement(sqliteDialect, { sql: "  SELECT 1" })).toBe("SELECT 1;");
    // The end stays as written: SQLite stores it (`CREATE INDEX … (a) ;` keeps the space), as from sqlite3.
    expect(renderStatement(sqliteDialect, { sql: "CREATE INDEX i ON t (a) " })).toBe("CREATE INDEX i ON t (a) ;");
    expect(renderStatement(sqliteDialect, { sql: "CREATE INDEX i ON t (a) -- why\n" })).toBe("CREATE INDEX i ON t (a) -- why\n;");
    expect(renderStatement(postgresDialect, { sql: "SELECT 1 -- the end" })).toBe("SELECT 1 -- the end\n;");
    expect(renderStatement(mysqlDialect, { sql: "SELECT 1 # the end" })).toBe("SELECT 1 # the end\n;");
  });

  it("wraps MySQL compound statements in DELIMITER for the mysql client, and nothing else", () => {
    const trigger = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW\nBEGIN\n  SET NEW.a = 1;\nEND";
    expect(renderStatement(mysqlDialect, { sql: trigger })).toBe(`DELIMITER //\n${trigger}\n//\nDELIMITER ;`);
    expect(renderStatement(sqliteDialect, { sql: trigger })).toBe(`${trigger};`);
    expect(renderStatement(mysqlDialect, { sql: "INSERT INTO x (a) VALUES ('BEGIN ... END')" })).toBe(
      "INSERT INTO x (a) VALUES ('BEGIN ... END');",
    );
    // mysqldump writes triggers inside executable comments.
    const dumped =
      "/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END */";
    expect(renderStatement(mysqlDialect, { sql: dumped })).toBe(`DELIMITER //\n${dumped}\n//\nDELIMITER ;`);
  });
});

describe("guardStatements", () => {
  it("fails a CHECK unless the version rows are exactly START (PostgreSQL, schema-qualified)", () => {
    const statements = guardStatements(
      postgresDialect,
      { versionTable: "tidemark_version", repositoryId: "core", phases: [""], versions: ["abc123"] },
      "app",
    );
    expect(statements.map((statement) => statement.sql)).toEqual([
      'CREATE TEMPORARY TABLE "tidemark_guard" ("ok" INTEGER, CONSTRAINT "tidemark_database_is_not_at_abc123" CHECK ("ok" = 1))',
      'INSERT INTO "tidemark_guard" ("ok") SELECT CASE WHEN (SELECT COUNT(*) FROM "app"."tidemark_version" WHERE "repository" = \'core\' AND "phase" IN (\'\')) = 1 ' +
        'AND (SELECT COUNT(*) FROM "app"."tidemark_version" WHERE "repository" = \'core\' AND "phase" IN (\'\') AND "version" IN (\'abc123\')) = 1 THEN 1 ELSE 0 END',
      'DROP TABLE "tidemark_guard"',
    ]);
  });

  it("expects no rows at base, and drops only the temporary table on MySQL (no implicit commit)", () => {
    const statements = guardStatements(mysqlDialect, {
      versionTable: "migrate_version",
      repositoryId: "ext",
      phases: ["expand", "migrate", "contract"],
      versions: [],
    });
    expect(statements.map((statement) => statement.sql)).toEqual([
      "CREATE TEMPORARY TABLE `tidemark_guard` (`ok` INTEGER, CONSTRAINT `tidemark_database_is_not_at_base` CHECK (`ok` = 1))",
      "INSERT INTO `tidemark_guard` (`ok`) SELECT CASE WHEN (SELECT COUNT(*) FROM `migrate_version` WHERE `repository` = 'ext' " +
        "AND `phase` IN ('expand', 'migrate', 'contract')) = 0 THEN 1 ELSE 0 END",
      "DROP TEMPORARY TABLE `tidemark_guard`",
    ]);
  });

  it("counts every head in every phase for a branched START", () => {
    const [, insert] = guardStatements(sqliteDialect, {
      versionTable: "v",
      repositoryId: "core",
      phases: ["expand", "migrate"],
      versions: ["a1", "b2"],
    });
    expect(insert?.sql).toContain(
      `= 4 AND (SELECT COUNT(*) FROM "v" WHERE "repository" = 'core' AND "phase" IN ('expand', 'migrate') AND "version" IN ('a1', 'b2')) = 4`,
    );
  });
});
