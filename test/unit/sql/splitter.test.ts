import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ScriptError } from "../../../src/errors.js";
import { SPLITTER_VERSION, splitSql } from "../../../src/sql/splitter.js";

const sqls = (text: string, dialect: "sqlite" | "postgres" | "mysql" = "sqlite"): string[] =>
  splitSql(text, dialect).map((s) => s.sql);

function scriptError(fn: () => unknown): ScriptError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptError);
    return error as ScriptError;
  }
  throw new Error("expected a ScriptError");
}

describe("splitSql: common rules", () => {
  it("splits on semicolons, trims, drops the terminator and empty statements, and reports start lines", () => {
    const text = "CREATE TABLE a (id INT);\n\n  INSERT INTO a VALUES (1)  ;;\n;\nSELECT 1";
    expect(splitSql(text, "postgres")).toEqual([
      { sql: "CREATE TABLE a (id INT)", line: 1 },
      { sql: "INSERT INTO a VALUES (1)", line: 3 },
      { sql: "SELECT 1", line: 5 },
    ]);
    // SQLite keeps the statement's end as written (see "as the database's own client sends them").
    expect(sqls(text, "sqlite")).toEqual(["CREATE TABLE a (id INT)", "INSERT INTO a VALUES (1)  ", "SELECT 1"]);
  });

  it("offsets lines by the section's first line", () => {
    expect(splitSql("\nSELECT 1;\nSELECT 2;", "postgres", "x.sql", 10).map((s) => s.line)).toEqual([11, 12]);
  });

  it("keeps semicolons inside single-quoted strings with '' escapes", () => {
    expect(sqls("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 2;")).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      "SELECT 2",
    ]);
  });

  it("keeps semicolons inside double-quoted identifiers", () => {
    expect(sqls('CREATE TABLE "we;ird" ("a""b;" INT); SELECT 1', "postgres")).toEqual([
      'CREATE TABLE "we;ird" ("a""b;" INT)',
      "SELECT 1",
    ]);
  });

  it("ignores semicolons in -- and /* */ comments and drops comment-only statements", () => {
    const text = "-- first; comment\nSELECT 1; /* a; b */ SELECT /* ; */ 2;\n-- trailing; comment\n/* only; a comment */";
    expect(splitSql(text, "sqlite")).toEqual([
      { sql: "SELECT 1", line: 2 },
      { sql: "SELECT /* ; */ 2", line: 2 },
    ]);
  });

  it("counts lines inside multi-line strings and comments", () => {
    const text = "SELECT 'a\nb\nc';\n/* x\ny */\nSELECT 2;";
    expect(splitSql(text, "sqlite").map((s) => s.line)).toEqual([1, 6]);
  });
});

describe("splitSql: unsafe marks", () => {
  it("sets unsafe from a `-- tidemark:unsafe REASON` line right before a statement", () => {
    const text = "SELECT 1;\n-- tidemark:unsafe  rebuilds the table by hand \nALTER TABLE t RENAME TO u;\nSELECT 3;";
    expect(splitSql(text, "postgres")).toEqual([
      { sql: "SELECT 1", line: 1 },
      { sql: "ALTER TABLE t RENAME TO u", line: 3, unsafe: "rebuilds the table by hand" },
      { sql: "SELECT 3", line: 4 },
    ]);
  });

  it("ignores the mark inside a statement and refuses a mark without a reason", () => {
    expect(splitSql("SELECT\n-- tidemark:unsafe nope\n1;", "sqlite")).toEqual([
      { sql: "SELECT\n-- tidemark:unsafe nope\n1", line: 1 },
    ]);
    const error = scriptError(() => splitSql("SELECT 1;\n-- tidemark:unsafe\nDROP TABLE t;", "sqlite", "m.sql"));
    expect(error.message).toMatch(/^m\.sql:2: `-- tidemark:unsafe` needs a reason/);
  });
});

describe("splitSql: PostgreSQL", () => {
  it("keeps dollar-quoted bodies ($$ and $tag$) whole, including other dollar quotes inside", () => {
    const fn =
      "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  PERFORM 1; RAISE NOTICE $$a;b$$;\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql";
    const text = `${fn};\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT $1, a$b FROM t;`;
    expect(splitSql(text, "postgres")).toEqual([
      { sql: fn, line: 1 },
      { sql: "DO $$ BEGIN PERFORM 1; END $$", line: 7 },
      { sql: "SELECT $1, a$b FROM t", line: 8 },
    ]);
  });

  it("honours backslash escapes in E'' strings only", () => {
    expect(sqls("SELECT E'it\\'s;'; SELECT 'a\\'; SELECT 3;", "postgres")).toEqual([
      "SELECT E'it\\'s;'",
      "SELECT 'a\\'",
      "SELECT 3",
    ]);
  });

  it("nests /* */ comments", () => {
    expect(sqls("SELECT 1 /* outer /* inner; */ still; comment */ + 1; SELECT 2", "postgres")).toEqual([
      "SELECT 1 /* outer /* inner; */ still; comment */ + 1",
      "SELECT 2",
    ]);
  });

  it("keeps a BEGIN ATOMIC function body whole", () => {
    const fn =
      "CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN 1 END; END";
    expect(sqls(`${fn};\nSELECT 1`, "postgres")).toEqual([fn, "SELECT 1"]);
  });

  it("reports an unterminated dollar quote and nested comment with their start line", () => {
    expect(scriptError(() => splitSql("SELECT 1;\nDO $x$ BEGIN END $y$;", "postgres", "p.sql")).message).toBe(
      "p.sql:2: unterminated dollar-quoted string $x$",
    );
    expect(scriptError(() => splitSql("SELECT 1;\n/* a /* b */\n", "postgres", "p.sql")).message).toBe(
      "p.sql:2: unterminated /* comment",
    );
  });
});

describe("splitSql: MySQL", () => {
  it("honours backslash escapes in single- and double-quoted strings and backtick identifiers", () => {
    expect(sqls("INSERT INTO `t;x` VALUES ('a\\';b', \"c\\\";d\", 'e''f;');SELECT 2", "mysql")).toEqual([
      "INSERT INTO `t;x` VALUES ('a\\';b', \"c\\\";d\", 'e''f;')",
      "SELECT 2",
    ]);
  });

  it("treats # and `-- ` as comments but not `--` without a space", () => {
    expect(sqls("# one; two\nSELECT 1--1;\nSELECT 2 -- x; y\n;", "mysql")).toEqual(["SELECT 1--1", "SELECT 2 -- x; y"]);
  });

  it("follows the DELIMITER directive and drops it from the output", () => {
    const proc = "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND";
    const text = `DELIMITER //\n${proc}//\nDELIMITER ;\nSELECT 3;\n  delimiter $$\nSELECT 4$$`;
    expect(splitSql(text, "mysql")).toEqual([
      { sql: proc, line: 2 },
      { sql: "SELECT 3", line: 8 },
      { sql: "SELECT 4", line: 10 },
    ]);
  });

  it("keeps procedure bodies with nested BEGIN/END, CASE, IF, LOOP and labels whole, without DELIMITER", () => {
    const proc = [
      "CREATE DEFINER=`root`@`localhost` PROCEDURE fill(IN n INT)",
      "BEGIN",
      "  DECLARE i INT DEFAULT 0;",
      "  lbl: LOOP",
      "    IF i >= n THEN LEAVE lbl; END IF;",
      "    IF (i > 2) THEN SET i = IF(i > 3, i, i); ELSEIF i = 1 THEN SET i = i; END IF;",
      "    CASE i WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;",
      "    SET i = i + (CASE WHEN i > 0 THEN 1 ELSE 1 END);",
      "    WHILE i < 0 DO SET i = i + 1; END WHILE;",
      "    REPEAT SET i = i + 0; UNTIL 1 END REPEAT;",
      "  END LOOP lbl;",
      "  DROP TABLE IF EXISTS tmp;",
      "END",
    ].join("\n");
    expect(splitSql(`${proc};\nCALL fill(3);`, "mysql")).toEqual([
      { sql: proc, line: 1 },
      { sql: "CALL fill(3)", line: 14 },
    ]);
  });

  it("keeps triggers, functions and events with BEGIN … END bodies whole", () => {
    const trigger = "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END";
    const fn = "CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN DECLARE x INT; SET x = 1; RETURN x; END";
    const event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; DELETE FROM u; END";
    const oneLiner = "CREATE TRIGGER t_bu BEFORE UPDATE ON t FOR EACH ROW SET NEW.a = 2";
    expect(sqls(`${trigger};${fn};${event};${oneLiner};SELECT 1;`, "mysql")).toEqual([trigger, fn, event, oneLiner, "SELECT 1"]);
  });

  it("reports an unterminated BEGIN block and a backslash-escaped unterminated string", () => {
    expect(scriptError(() => splitSql("SELECT 1;\nCREATE PROCEDURE p() BEGIN SELECT 1;", "mysql", "q.sql")).message).toMatch(
      /^q\.sql:2: unterminated BEGIN … END block/,
    );
    expect(scriptError(() => splitSql("SELECT 'a\\';", "mysql", "q.sql")).message).toBe("q.sql:1: unterminated string literal");
  });
});

describe("splitSql: SQLite", () => {
  it("keeps a trigger's BEGIN … END body whole, with CASE … END inside", () => {
    const trigger = [
      "CREATE TEMP TRIGGER IF NOT EXISTS sync_name AFTER UPDATE OF name ON users",
      "BEGIN",
      "  UPDATE users SET full = CASE WHEN NEW.name IS NULL THEN '' ELSE NEW.name END WHERE id = NEW.id;",
      "  SELECT RAISE(ABORT, 'no; way') WHERE NEW.id < 0;",
      "END",
    ].join("\n");
    expect(splitSql(`${trigger};\nINSERT INTO t VALUES (1);`, "sqlite")).toEqual([
      { sql: trigger, line: 1 },
      { sql: "INSERT INTO t VALUES (1)", line: 6 },
    ]);
  });

  it("ignores a byte-order mark before the first statement", () => {
    expect(splitSql("\uFEFFCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;\nSELECT 2;", "sqlite")).toEqual([
      { sql: "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END", line: 1 },
      { sql: "SELECT 2", line: 2 },
    ]);
  });

  it("treats BEGIN; and BEGIN TRANSACTION; as statements of their own", () => {
    expect(sqls("BEGIN;\nCREATE TABLE t (a);\nBEGIN TRANSACTION;\nCOMMIT;")).toEqual([
      "BEGIN",
      "CREATE TABLE t (a)",
      "BEGIN TRANSACTION",
      "COMMIT",
    ]);
    expect(sqls("BEGIN;\nSELECT 1;", "mysql")).toEqual(["BEGIN", "SELECT 1"]);
  });

  it("does not mistake tables or columns named like keywords for compound statements", () => {
    expect(sqls('CREATE TABLE trigger_log (begin_at TEXT, "end" TEXT);\nCREATE INDEX ix ON trigger_log (begin_at);')).toEqual([
      'CREATE TABLE trigger_log (begin_at TEXT, "end" TEXT)',
      "CREATE INDEX ix ON trigger_log (begin_at)",
    ]);
  });

  it("accepts [bracketed] and `backtick` identifiers", () => {
    expect(sqls("SELECT [a;b], `c;d` FROM t; SELECT 2")).toEqual(["SELECT [a;b], `c;d` FROM t", "SELECT 2"]);
  });

  it("reports unterminated strings, identifiers, comments and trigger bodies with file and start line", () => {
    expect(scriptError(() => splitSql("SELECT 1;\n\nSELECT 'abc;\n", "sqlite", "s.sql")).message).toBe(
      "s.sql:3: unterminated string literal",
    );
    expect(scriptError(() => splitSql('SELECT "abc', "sqlite", "s.sql")).message).toBe("s.sql:1: unterminated quoted identifier");
    expect(scriptError(() => splitSql("SELECT 1 /* x", "sqlite", "s.sql", 7)).message).toBe("s.sql:7: unterminated /* comment");
    const error = scriptError(() => splitSql("CREATE TRIGGER x AFTER INSERT ON t\nBEGIN\n  SELECT 1;\n", "sqlite", "s.sql"));
    expect(error.file).toBe("s.sql");
    expect(error.line).toBe(2);
    expect(error.exitCode).toBe(2);
  });
});

describe("splitSql: statements as the database's own client sends them", () => {
  it("mysql: a `--x` line opening a statement is a comment, as the mysql and mariadb clients read it", () => {
    expect(splitSql("CREATE TABLE t (a int);\n--add a column\nALTER TABLE t ADD COLUMN b int;", "mysql")).toEqual([
      { sql: "CREATE TABLE t (a int)", line: 1 },
      { sql: "ALTER TABLE t ADD COLUMN b int", line: 3 },
    ]);
    // Indented, after a statement on the same line, after a block comment: still the statement's start.
    expect(
      sqls("  --z; not a statement\nSELECT 5;\nSELECT 10; --y; nor this\nSELECT 11;\n/* c */\n--x\nSELECT 9;", "mysql"),
    ).toEqual(["SELECT 5", "SELECT 10", "SELECT 11", "SELECT 9"]);
  });

  it("mysql: `--x` inside a statement is sent as written (the server reads two minus signs, as it does from the client)", () => {
    expect(sqls("SELECT 1\n--x\n+ 2 AS v;\nSELECT 3 --y\n;", "mysql")).toEqual(["SELECT 1\n--x\n+ 2 AS v", "SELECT 3 --y"]);
  });

  it("mysql: executable comments are statements, kept verbatim for the server to judge by its version", () => {
    const text = [
      "/*!40101 SET NAMES utf8mb4 */;",
      "/*!40014 SET FOREIGN_KEY_CHECKS=0 */;",
      "/*!50000 CREATE TABLE t3 (a int) */;",
      "/*M!100100 CREATE TABLE t4 (a int) */;",
      "CREATE /*!50001 ALGORITHM=UNDEFINED */ VIEW v AS SELECT 1;",
      "/* a plain comment */;",
    ].join("\n");
    expect(splitSql(text, "mysql")).toEqual([
      { sql: "/*!40101 SET NAMES utf8mb4 */", line: 1 },
      { sql: "/*!40014 SET FOREIGN_KEY_CHECKS=0 */", line: 2 },
      { sql: "/*!50000 CREATE TABLE t3 (a int) */", line: 3 },
      { sql: "/*M!100100 CREATE TABLE t4 (a int) */", line: 4 },
      { sql: "CREATE /*!50001 ALGORITHM=UNDEFINED */ VIEW v AS SELECT 1", line: 5 },
    ]);
  });

  it("mysql: a mysqldump trigger in executable comments is one statement under its DELIMITER", () => {
    const trigger =
      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = ';'; END */";
    expect(sqls(`DELIMITER ;;\n${trigger};;\nDELIMITER ;\nSELECT 1;`, "mysql")).toEqual([trigger, "SELECT 1"]);
  });

  it("mysql: a terminator inside an executable comment ends the statement, as in the client: refused before anything runs", () => {
    expect(scriptError(() => splitSql("SELECT 1;\n/*!50000 SELECT 2; */;", "mysql", "e.sql")).message).toMatch(
      /^e\.sql:2: unterminated \/\*! comment: the statement ends before its \*\//,
    );
  });

  it("sqlite: keeps what stands between the statement's last token and its terminator, as SQLite stores it", () => {
    expect(
      sqls(
        "CREATE INDEX t_a ON t (a) ;\nCREATE INDEX t_b ON t (b)\n;\nCREATE INDEX t_c ON t (c) -- c\n;\nCREATE INDEX t_d ON t (d) \n",
      ),
    ).toEqual([
      "CREATE INDEX t_a ON t (a) ",
      "CREATE INDEX t_b ON t (b)\n",
      "CREATE INDEX t_c ON t (c) -- c\n",
      "CREATE INDEX t_d ON t (d) ",
    ]);
  });

  it("postgres and mysql: trim the statement's end (neither server keeps it; the mariadb client trims it too)", () => {
    expect(sqls("CREATE INDEX t_a ON t (a) ;\nSELECT 1 \n", "postgres")).toEqual(["CREATE INDEX t_a ON t (a)", "SELECT 1"]);
    expect(sqls("CREATE INDEX t_a ON t (a) ;\nSELECT 1 \n", "mysql")).toEqual(["CREATE INDEX t_a ON t (a)", "SELECT 1"]);
  });

  it("sqlite and mysql: CRLF line ends reach the server as LF, as the line-reading sqlite3 and mariadb clients send them; psql keeps them", () => {
    const text = "INSERT INTO t VALUES ('a\r\nb');\r\nCREATE TABLE u (\r\n  a int\r\n);\r\n";
    expect(sqls(text, "sqlite")).toEqual(["INSERT INTO t VALUES ('a\nb')", "CREATE TABLE u (\n  a int\n)"]);
    expect(sqls(text, "mysql")).toEqual(["INSERT INTO t VALUES ('a\nb')", "CREATE TABLE u (\n  a int\n)"]);
    expect(sqls(text, "postgres")).toEqual(["INSERT INTO t VALUES ('a\r\nb')", "CREATE TABLE u (\r\n  a int\r\n)"]);
  });
});

describe("SPLITTER_VERSION", () => {
  it("changes with what splitSql gives: caches of split scripts are keyed by it", () => {
    // When this fails, splitSql cuts these scripts differently: bump SPLITTER_VERSION and record the
    // new fingerprint (when only the fixtures changed, only the fingerprint).
    const hash = createHash("sha256");
    for (const dialect of ["sqlite", "postgres", "mysql"] as const) {
      const fixture = readFileSync(
        fileURLToPath(new URL(`../../fixtures/client-parity/${dialect}.sql`, import.meta.url)),
        "utf8",
      );
      for (const text of [fixture, fixture.replaceAll("\r\n", "\n")]) hash.update(JSON.stringify(splitSql(text, dialect)));
    }
    expect({ version: SPLITTER_VERSION, fingerprint: hash.digest("hex").slice(0, 16) }).toEqual({
      version: "2",
      fingerprint: "be5b6d9e48f8ad3b",
    });
  });
});
