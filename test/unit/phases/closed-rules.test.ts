/**
 * Closed phase rules (issue 13): a statement passes only when its category
 * is proven from its own text. Function calls, session settings, executable
 * comments, op.query without a mark and backfill expressions that are more
 * than one expression are opaque, and refused in every phase unless marked.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Op } from "../../../src/ops/op.js";
import { categorize } from "../../../src/phases/category.js";
import { backfillExpressionProblem } from "../../../src/phases/backfill-rules.js";
import { unknownCalls } from "../../../src/phases/function-calls.js";
import { checkOps, unsafeMarksInOps } from "../../../src/phases/guard.js";
import { loadSqlClassifier } from "../../../src/phases/sql-classifier.js";
import { tokenize } from "../../../src/sql/tokens.js";
import { commentsIn } from "../../../src/sql/comments.js";
import type { DialectName } from "../../../src/vocabulary.js";

const DIALECTS: readonly DialectName[] = ["sqlite", "postgres", "mysql"];
const ctx = (dialect: DialectName) => ({ dialect, file: "migrations/002_x.mjs", revision: "2" });

beforeAll(async () => {
  await loadSqlClassifier("postgres");
});

describe("function calls (D4)", () => {
  it.each([
    ["SELECT f()", ["f"]],
    ["SELECT a, db.g(a) FROM t", ["db.g"]],
    ["CREATE TABLE t (id INT, name VARCHAR(20), price DECIMAL(10, 2))", []],
    ["CREATE INDEX ix ON t (a, b)", []],
    ["SELECT * FROM a JOIN b ON f(a.x) = b.y", ["f"]],
    ["INSERT INTO t (a) VALUES (lower('X'))", []],
    ["SELECT CAST(a AS DECIMAL(10, 2)) FROM t", []],
    ["SELECT x FROM t WHERE y REGEXP evil(z)", ["evil"]],
    ["CREATE INDEX ix ON t (name(20), email(191))", []],
    ["ALTER TABLE t ADD KEY k (name(20)), ADD UNIQUE INDEX u (a, email(191)), ADD PRIMARY KEY (code(8))", []],
    ["ALTER TABLE t ADD KEY k (name(20)), ADD COLUMN c INT DEFAULT (f(1))", ["f"]],
    ["SELECT f(10)", ["f"]],
  ] as const)("%s calls %j", (sql, calls) => {
    expect(unknownCalls(tokenize(sql, "mysql"), "mysql")).toEqual(calls);
  });

  it.each(DIALECTS)("refuses an op whose SQL fragment calls a user function, on %s", (dialect) => {
    const ops: Op[] = [
      { kind: "createView", name: "v", sql: "SELECT f(id) FROM people" },
      { kind: "addColumn", table: "people", column: { name: "c", type: "text", default: { kind: "sql", sql: "f()" } } },
    ];
    for (const op of ops) expect(categorize(op, dialect)).toEqual(["unknown"]);
    expect(categorize({ kind: "createView", name: "v", sql: "SELECT lower(name) FROM people" }, dialect)).toEqual(["additive"]);
  });

  it("refuses CREATE FUNCTION in expand and SELECT f() in contract and migrate", () => {
    for (const dialect of ["postgres", "mysql"] as const) {
      const create = checkOps([{ kind: "execute", sql: "CREATE FUNCTION f() RETURNS int RETURN 1" }], "expand", ctx(dialect));
      expect(create.map((v) => v.category)).toEqual(["unknown"]);
      expect(create[0]?.rule).toContain("may run any statement");
      for (const phase of ["migrate", "contract"] as const) {
        const call = checkOps([{ kind: "execute", sql: "SELECT f()" }], phase, ctx(dialect));
        expect(call.map((v) => v.what)).toEqual(["a call of f()"]);
      }
    }
  });
});

describe("views replaced in place and CHECKs (D5)", () => {
  it.each(DIALECTS)("refuses CREATE OR REPLACE VIEW and ADD CHECK in expand, allows them in contract, on %s", (dialect) => {
    const replace: Op = { kind: "execute", sql: "CREATE OR REPLACE VIEW v AS SELECT id FROM people" };
    const check: Op = { kind: "addCheck", table: "people", name: "ck", expression: "length(name) > 0" };
    for (const op of dialect === "sqlite" ? [check] : [replace, check]) {
      expect(checkOps([op], "expand", ctx(dialect)).map((v) => v.category)).toEqual(["contractive"]);
      expect(checkOps([op], "contract", ctx(dialect))).toEqual([]);
    }
  });
});

describe("op.query (D1)", () => {
  const query = (sql: string, readOnly: boolean, unsafe?: string): Op => ({
    kind: "execute",
    sql,
    ...(sql.includes("?") ? { params: ["Ada"] } : {}),
    query: { readOnly },
    ...(unsafe === undefined ? {} : { unsafe }),
  });

  it.each(DIALECTS)("classifies op.query like any statement and asks for a mark, on %s", (dialect) => {
    // What the phase refuses anyway is refused for what it does, mark or no mark.
    for (const readOnly of [false, true]) {
      const drop = checkOps([query("ALTER TABLE people DROP COLUMN name", readOnly)], "expand", ctx(dialect));
      expect(drop.map((v) => v.category)).toEqual(["contractive"]);
      expect(drop[0]?.rule).toContain("it belongs in the contract phase");
      expect(checkOps([query("DELETE FROM people", readOnly)], "contract", ctx(dialect))[0]?.rule).toContain(
        "data changes belong in the migrate phase",
      );
    }
    // What the phase allows still needs the mark, and a readOnly mark must be true.
    const unmarked = checkOps([query("DELETE FROM people", false)], "migrate", ctx(dialect));
    expect(unmarked[0]?.what).toBe('op.query("DELETE FROM people")');
    expect(unmarked[0]?.rule).toContain("{ readOnly: true }");
    const notARead = checkOps([query("DELETE FROM people", true)], "migrate", ctx(dialect));
    expect(notARead[0]?.rule).toContain("not a statement tidemark can prove only reads");
    if (dialect === "postgres") {
      expect(checkOps([query("SELECT * INTO TEMP copy FROM people", true)], "migrate", ctx(dialect))).toHaveLength(1);
    }
    for (const phase of ["expand", "migrate", "contract"] as const) {
      expect(checkOps([query("SELECT id FROM people WHERE name = ?", true)], phase, ctx(dialect))).toEqual([]);
      expect(checkOps([query("WITH ids AS (SELECT id FROM people) SELECT id FROM ids", true)], phase, ctx(dialect))).toEqual([]);
      expect(checkOps([query("SELECT id FROM people", false)], phase, ctx(dialect))).toHaveLength(1);
    }
    const marks = unsafeMarksInOps(
      [query("DELETE FROM people RETURNING id", false, "counts what it deletes")],
      "migrate",
      ctx(dialect),
    );
    expect(marks.map((m) => m.reason)).toEqual(["counts what it deletes"]);
  });
});

describe("session settings (D2)", () => {
  it("refuses settings that change lexing or safety, and lets timeouts through", () => {
    const categories = (sql: string, dialect: DialectName) =>
      checkOps([{ kind: "execute", sql }], "expand", ctx(dialect)).map((v) => v.category);
    expect(categories("SET standard_conforming_strings = off", "postgres")).toEqual(["unknown"]);
    expect(categories("SET LOCAL session_replication_role = replica", "postgres")).toEqual(["unknown"]);
    expect(categories("SET lock_timeout = '5s'", "postgres")).toEqual([]);
    expect(categories("SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", "mysql")).toEqual(["unknown"]);
    expect(categories("SET SESSION foreign_key_checks = 0", "mysql")).toEqual(["unknown"]);
    expect(categories("SET lock_wait_timeout = 5", "mysql")).toEqual([]);
    expect(categories("PRAGMA writable_schema = ON", "sqlite")).toEqual(["unknown"]);
    expect(categories("PRAGMA legacy_alter_table = ON", "sqlite")).toEqual(["unknown"]);
    expect(categories("PRAGMA busy_timeout = 5000", "sqlite")).toEqual([]);
  });
});

describe("sql_mode-dependent quoting (D2 without a SET)", () => {
  it("refuses a MySQL statement that NO_BACKSLASH_ESCAPES would cut differently", () => {
    const attack = String.raw`ALTER TABLE people ADD COLUMN c VARCHAR(50) DEFAULT 'x\', DROP COLUMN name, ADD COLUMN d VARCHAR(50) DEFAULT 'y' #'`;
    const refused = checkOps([{ kind: "execute", sql: attack }], "expand", ctx("mysql"));
    expect(refused.map((v) => v.what)).toEqual(["a backslash-escaped quote"]);
    expect(refused[0]?.rule).toContain("NO_BACKSLASH_ESCAPES");
    // Backslashes that escape no quote, and doubled quotes, read the same in every mode.
    const fine = String.raw`ALTER TABLE people ADD COLUMN c VARCHAR(50) DEFAULT 'C:	emp', ADD COLUMN d VARCHAR(50) DEFAULT 'it''s'`;
    expect(checkOps([{ kind: "execute", sql: fine }], "expand", ctx("mysql"))).toEqual([]);
  });

  it("refuses a PostgreSQL statement that standard_conforming_strings = off would cut differently", () => {
    const attack = "SELECT 'a\\'' ; ALTER TABLE people DROP COLUMN name ; -- '";
    const refused = checkOps([{ kind: "execute", sql: attack }], "expand", ctx("postgres"));
    expect(refused.map((v) => v.what)).toEqual(["a backslash-escaped quote"]);
    expect(refused[0]?.rule).toContain("standard_conforming_strings");
    expect(checkOps([{ kind: "execute", sql: "SELECT E'it\\'s', 'C:\\temp', 'it''s'" }], "expand", ctx("postgres"))).toEqual([]);
  });
});

describe("executable comments (D3)", () => {
  it("finds them with the MySQL lexer only", () => {
    expect(commentsIn("SELECT 1 /*!50000 , 2 */", "mysql").executable).toBe(true);
    expect(commentsIn("SELECT 1 /*M!100100 , 2 */", "mysql").executable).toBe(true);
    expect(commentsIn("SELECT 1 /* , 2 */", "mysql").executable).toBe(false);
    expect(commentsIn("SELECT '/*!50000'", "mysql").executable).toBe(false);
    expect(commentsIn("SELECT 1 /*!50000 , 2 */", "postgres").executable).toBe(false);
  });

  it("refuses a statement holding one in every phase", () => {
    for (const phase of ["expand", "migrate", "contract"] as const) {
      const refused = checkOps([{ kind: "execute", sql: "/*M!100100 DROP TABLE people */" }], phase, ctx("mysql"));
      expect(refused.map((v) => v.what)).toEqual(["an executable comment /*! … */"]);
    }
  });
});

describe("backfill expressions (D6)", () => {
  const problem = (options: { set: Record<string, string>; where?: string }, dialect: DialectName = "postgres") =>
    backfillExpressionProblem({ table: "people", ...options }, dialect);

  it.each(DIALECTS)("accepts single expressions on %s", (dialect) => {
    expect(problem({ set: { full_name: "name" }, where: "full_name IS NULL AND (name <> '' OR name IS NULL)" }, dialect)).toBe(
      undefined,
    );
    expect(problem({ set: { n: "lower(name)" }, where: "id IN (SELECT id FROM people WHERE name = 'a;b')" }, dialect)).toBe(
      undefined,
    );
  });

  it.each(DIALECTS)("refuses statements, comments, stray parentheses and unknown calls on %s", (dialect) => {
    expect(problem({ set: { a: "b" }, where: "1 = 1; DROP TABLE people" }, dialect)).toMatch(/`where` .* holds a `;`/);
    expect(problem({ set: { a: "b; DROP TABLE people" } }, dialect)).toMatch(/`set.a` .* holds a `;`/);
    expect(problem({ set: { a: "b" }, where: "1 = 1 -- " }, dialect)).toMatch(/comment/);
    expect(problem({ set: { a: "b" }, where: "1 = 1 /* x */" }, dialect)).toMatch(/comment/);
    expect(problem({ set: { a: "b" }, where: "1 = 1) OR (1 = 1" }, dialect)).toMatch(/parenthesis/);
    expect(problem({ set: { a: "evil(b)" } }, dialect)).toMatch(/calls evil\(\)/);
  });

  it("refuses a recorded backfill whose expressions are refused, naming the field", () => {
    const op: Op = {
      kind: "execute",
      sql: "UPDATE people SET a = b",
      backfill: { problem: "backfill of people: `where` holds a `;`" },
    };
    const [violation] = checkOps([op], "migrate", ctx("postgres"));
    expect(violation?.rule).toContain("`where` holds a `;`");
  });
});
