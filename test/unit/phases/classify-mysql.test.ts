import { describe, expect, it } from "vitest";
import { classifySql, classifyStatement } from "../../../src/phases/sql-classifier.js";

const categories = (sql: string): string[] => classifySql(sql, "mysql").map((c) => c.category);

describe("MySQL classifier: statement → categories", () => {
  const table: readonly (readonly [string, readonly string[]])[] = [
    ["CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL)", ["additive"]],
    ["CREATE TABLE IF NOT EXISTS `db`.`users` LIKE old_users", ["additive"]],
    ["CREATE TEMPORARY TABLE tmp_ids (id INT)", ["neutral"]],
    ["CREATE OR REPLACE TABLE users (id INT)", ["contractive"]],
    ["CREATE INDEX ix_users_email ON users (email)", ["additive"]],
    ["CREATE UNIQUE INDEX uq_users_email ON users (email)", ["constraint"]],
    ["CREATE FULLTEXT INDEX ft ON posts (body)", ["additive"]],
    ["CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY INVOKER VIEW v AS SELECT 1", ["contractive"]],
    ["CREATE ALGORITHM=MERGE VIEW v AS SELECT 1", ["additive"]],
    ["CREATE DEFINER=view@localhost EVENT e ON SCHEDULE EVERY 1 SECOND DO DROP TABLE people", ["unknown"]],
    ["CREATE DEFINER = 'table'@'%' TRIGGER t BEFORE INSERT ON people FOR EACH ROW SET NEW.a = 1", ["unknown"]],
    ["CREATE DEFINER=CURRENT_USER() SQL SECURITY DEFINER VIEW v AS SELECT 1", ["additive"]],
    ["CREATE DEFINER=`root`@`localhost` VIEW v AS SELECT 1", ["additive"]],
    [
      "CREATE DEFINER=CURRENT_USER TRIGGER trg BEFORE INSERT ON users FOR EACH ROW BEGIN UPDATE counters SET n = n + 1; DELETE FROM audit; END",
      ["unknown"],
    ],
    ["CREATE PROCEDURE p() BEGIN DROP TABLE x; END", ["unknown"]],
    ["CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1", ["unknown"]],
    ["CREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t", ["unknown"]],
    ["DROP TABLE users", ["contractive"]],
    ["DROP TABLE IF EXISTS a, b", ["contractive"]],
    ["DROP TEMPORARY TABLE IF EXISTS tmp_ids", ["neutral"]],
    ["DROP INDEX ix_users_email ON users", ["contractive"]],
    ["DROP VIEW v", ["contractive"]],
    ["DROP TRIGGER IF EXISTS db.trg", ["contractive"]],
    ["DROP PROCEDURE p", ["contractive"]],
    ["ALTER TABLE users ADD COLUMN nickname VARCHAR(50)", ["additive"]],
    ["ALTER TABLE users ADD nickname VARCHAR(50) NULL", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n INT NOT NULL DEFAULT 0", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n INT NOT NULL", ["breaking"]],
    ["ALTER TABLE users ADD COLUMN n INT DEFAULT NULL NOT NULL", ["breaking"]],
    ["ALTER TABLE users ADD COLUMN n INT NOT NULL AUTO_INCREMENT UNIQUE", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n SERIAL", ["additive"]],
    ["ALTER TABLE users ADD COLUMN full_name VARCHAR(200) AS (CONCAT(a, b)) NOT NULL", ["additive"]],
    ["ALTER TABLE users ADD COLUMN c INT CHECK (c IS NOT NULL)", ["contractive"]],
    ["ALTER TABLE users ADD (a INT, b INT)", ["additive"]],
    ["ALTER TABLE users ADD (a INT, b INT NOT NULL)", ["breaking"]],
    ["ALTER TABLE t ADD COLUMN a int, DROP COLUMN b", ["additive", "contractive"]],
    ["ALTER TABLE t ADD INDEX ix (a, b), ADD KEY k2 (c)", ["additive", "additive"]],
    ["ALTER TABLE t ADD UNIQUE KEY uq (a)", ["constraint"]],
    ["ALTER TABLE t ADD CONSTRAINT fk_a FOREIGN KEY (a) REFERENCES u (id) ON DELETE CASCADE", ["constraint"]],
    ["ALTER TABLE t ADD CONSTRAINT CHECK (a > 0)", ["contractive"]],
    ["ALTER TABLE t ADD CHECK (a > 0)", ["contractive"]],
    ["ALTER TABLE t ADD PRIMARY KEY (id)", ["constraint"]],
    ["ALTER TABLE t DROP b", ["contractive"]],
    ["ALTER TABLE t DROP INDEX ix", ["contractive"]],
    ["ALTER TABLE t DROP INDEX IF EXISTS ix, DROP COLUMN IF EXISTS c", ["contractive", "contractive"]],
    ["ALTER TABLE t DROP FOREIGN KEY fk_a", ["contractive"]],
    ["ALTER TABLE t DROP PRIMARY KEY", ["contractive"]],
    ["ALTER TABLE t DROP CHECK ck", ["contractive"]],
    ["ALTER TABLE t MODIFY COLUMN a BIGINT NOT NULL", ["contractive"]],
    ["ALTER TABLE t CHANGE a b INT", ["contractive"]],
    ["ALTER TABLE t RENAME TO t2", ["contractive"]],
    ["ALTER TABLE t RENAME COLUMN a TO b", ["contractive"]],
    ["ALTER TABLE t RENAME INDEX i1 TO i2", ["contractive"]],
    ["ALTER TABLE t ALTER COLUMN a SET DEFAULT 3", ["additive"]],
    ["ALTER TABLE t ALTER a DROP DEFAULT", ["contractive"]],
    ["ALTER TABLE t ALTER COLUMN c SET NOT NULL", ["contractive"]],
    ["ALTER TABLE t ALTER INDEX ix INVISIBLE", ["neutral"]],
    ["ALTER TABLE t ENGINE=InnoDB", ["neutral"]],
    ["ALTER TABLE t ADD COLUMN a INT, ALGORITHM=INPLACE, LOCK=NONE", ["additive", "neutral", "neutral"]],
    ["ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4", ["contractive"]],
    ["ALTER TABLE t DEFAULT CHARSET=utf8mb4", ["neutral"]],
    ["ALTER TABLE t TRUNCATE PARTITION p0", ["data"]],
    ["ALTER TABLE t DISCARD TABLESPACE", ["unknown"]],
    ["RENAME TABLE a TO b", ["contractive"]],
    ["INSERT INTO users (id) VALUES (1)", ["data"]],
    ["INSERT IGNORE INTO users SELECT * FROM old_users", ["data"]],
    ["REPLACE INTO users VALUES (1)", ["data"]],
    ["UPDATE users SET a = 1 WHERE id = 2", ["data"]],
    ["DELETE FROM users WHERE id = 2", ["data"]],
    ["TRUNCATE TABLE users", ["data"]],
    ["LOAD DATA INFILE '/tmp/x' INTO TABLE users", ["data"]],
    ["WITH d AS (SELECT id FROM users) UPDATE users JOIN d USING (id) SET a = 1", ["data"]],
    ["WITH d AS (SELECT id FROM users) SELECT * FROM d", ["neutral"]],
    ["SELECT * FROM users FOR UPDATE", ["neutral"]],
    ["(SELECT 1) UNION (SELECT 2)", ["neutral"]],
    ["SET FOREIGN_KEY_CHECKS = 0", ["unknown"]],
    ["SET sql_mode = 'NO_BACKSLASH_ESCAPES'", ["unknown"]],
    ["SET SESSION sql_mode = ''", ["unknown"]],
    ["SET @@session.sql_mode = ''", ["unknown"]],
    ["SET NAMES latin1", ["unknown"]],
    ["SET GLOBAL lock_wait_timeout = 5", ["unknown"]],
    ["SET lock_wait_timeout = 5, SESSION max_statement_time = 10", ["neutral"]],
    ["SET @@session.innodb_lock_wait_timeout = 5", ["neutral"]],
    ["SET @n = 1", ["neutral"]],
    ["SET @n = my_function()", ["unknown"]],
    ["SET TRANSACTION ISOLATION LEVEL READ COMMITTED", ["neutral"]],
    ["LOCK TABLES t WRITE", ["unknown"]],
    ["PREPARE s FROM 'DROP TABLE t'", ["unknown"]],
    ["EXECUTE s", ["unknown"]],
    ["USE other_db", ["unknown"]],
    ["SELECT f()", ["unknown"]],
    ["SELECT db.f(1)", ["unknown"]],
    ["SELECT `f`(1)", ["unknown"]],
    ["SELECT SLEEP(1)", ["unknown"]],
    ["SELECT GET_LOCK('x', 1)", ["unknown"]],
    ["SELECT CONCAT(a, LOWER(b)), COUNT(*), IF(a, 1, 2) FROM t WHERE c IN (1, 2)", ["neutral"]],
    ["SELECT * FROM t INTO OUTFILE '/tmp/x'", ["unknown"]],
    ["ALTER TABLE t ADD COLUMN c INT DEFAULT (f())", ["unknown"]],
    ["ALTER TABLE t ADD COLUMN c DECIMAL(10, 2) DEFAULT 0, ADD COLUMN d VARCHAR(20) DEFAULT ''", ["additive", "additive"]],
    ["INSERT INTO t (a, b) VALUES (1, UUID()) ON DUPLICATE KEY UPDATE a = VALUES(a)", ["data"]],
    ["UPDATE t SET a = f(b)", ["unknown"]],
    ["DELETE FROM t WHERE a = f()", ["unknown"]],
    ["SHOW TABLES", ["neutral"]],
    ["START TRANSACTION", ["unknown"]],
    ["SAVEPOINT s", ["neutral"]],
    ["ROLLBACK TO SAVEPOINT s", ["neutral"]],
    ["COMMIT", ["unknown"]],
    ["ANALYZE TABLE users", ["neutral"]],
    ["ANALYZE UPDATE users SET a = 1", ["data"]],
    ["GRANT SELECT ON db.* TO 'app'@'%'", ["additive"]],
    ["REVOKE SELECT ON db.* FROM 'app'@'%'", ["contractive"]],
    ["CALL do_everything()", ["unknown"]],
    ["DO SLEEP(1)", ["unknown"]],
    ["HANDLER t OPEN", ["unknown"]],
  ];
  it.each(table)("%s", (sql, expected) => {
    expect(categories(sql)).toEqual(expected);
  });
});

describe("MySQL classifier: comments, strings and quoting", () => {
  it("ignores DROP inside strings, comments and quoted identifiers", () => {
    expect(categories("INSERT INTO log (msg) VALUES ('DROP TABLE users; ALTER TABLE x DROP y')")).toEqual(["data"]);
    expect(categories("/* DROP TABLE users */ CREATE TABLE a (id INT)")).toEqual(["additive"]);
    expect(categories("-- DROP TABLE users\nCREATE TABLE a (id INT)")).toEqual(["additive"]);
    expect(categories("# DROP TABLE users\nCREATE TABLE a (id INT)")).toEqual(["additive"]);
    expect(categories("CREATE TABLE `drop` (`drop` INT)")).toEqual(["additive"]);
    // A backslash-escaped quote reads differently under NO_BACKSLASH_ESCAPES: refused; a doubled one reads the same.
    expect(categories("INSERT INTO t VALUES ('it\\'s; DROP TABLE x')")).toEqual(["unknown"]);
    expect(categories("INSERT INTO t VALUES ('it''s; DROP TABLE x')")).toEqual(["data"]);
    expect(categories('INSERT INTO t VALUES ("a""; DROP TABLE x")')).toEqual(["data"]);
  });

  it("reads MySQL executable comments inside a statement as code", () => {
    const one = (sql: string): string[] => classifyStatement(sql, "mysql").map((c) => c.category);
    // Closed rules: whether the server runs them depends on its version and kind, so they are opaque.
    expect(one("/*!40101 DROP TABLE users */")).toEqual(["unknown"]);
    expect(one("CREATE /*!50001 ALGORITHM=UNDEFINED */ VIEW v AS SELECT 1")).toEqual(["unknown"]);
    expect(one("ALTER TABLE t ADD COLUMN a INT /*!, DROP COLUMN b */")).toEqual(["unknown"]);
    expect(one("ALTER TABLE t ADD COLUMN a INT /*M!, DROP COLUMN b */")).toEqual(["unknown"]);
    expect(one("ALTER TABLE t ADD COLUMN a INT /* DROP COLUMN b */")).toEqual(["additive"]);
    expect(one("BEGIN NOT ATOMIC DELETE FROM t; END")).toEqual(["unknown"]);
  });

  it("splits several statements, with a trigger body kept whole", () => {
    const sql = [
      "CREATE TRIGGER trg AFTER UPDATE ON users FOR EACH ROW",
      "BEGIN",
      "  IF NEW.a <> OLD.a THEN UPDATE users_shadow SET a = NEW.a WHERE id = NEW.id; END IF;",
      "  CASE WHEN NEW.b IS NULL THEN DELETE FROM x; ELSE BEGIN END; END CASE;",
      "END;",
      "UPDATE users SET a = 1;",
    ].join("\n");
    const items = classifySql(sql, "mysql");
    expect(items.map((i) => [i.category, i.line])).toEqual([
      ["unknown", 1],
      ["data", 6],
    ]);
    expect(items[0]?.triggers).toEqual({ created: [{ name: "trg", table: "users" }] });
    expect(items[0]?.what).toBe("CREATE TRIGGER trg ON users");
  });

  it("describes what it found", () => {
    const [add, drop] = classifySql("ALTER TABLE t ADD COLUMN a int, DROP COLUMN b", "mysql");
    expect(add?.what).toBe("ALTER TABLE t ADD COLUMN a");
    expect(drop?.what).toBe("ALTER TABLE t DROP COLUMN b");
    expect(drop?.effect).toBe("removes a column the old release still reads");
    expect(drop?.statement).toBe("ALTER TABLE t ADD COLUMN a int, DROP COLUMN b");
    const [breaking] = classifySql("ALTER TABLE users ADD COLUMN n INT NOT NULL", "mysql");
    expect(breaking?.what).toBe("ALTER TABLE users ADD COLUMN n NOT NULL without a default");
  });

  it("records dropped triggers and tables", () => {
    expect(classifySql("DROP TRIGGER IF EXISTS db.trg", "mysql")[0]?.triggers).toEqual({ dropped: [{ name: "trg" }] });
    expect(classifySql("DROP TABLE IF EXISTS `a`, db.b CASCADE", "mysql")[0]?.triggers).toEqual({ droppedTables: ["a", "b"] });
  });

  it("carries a tidemark:unsafe mark to the statement after it", () => {
    const items = classifySql("SELECT 1;\n-- tidemark:unsafe runs a vetted procedure\nCALL fix_things();", "mysql");
    expect(items.map((i) => [i.category, i.unsafe])).toEqual([
      ["neutral", undefined],
      ["unknown", "runs a vetted procedure"],
    ]);
  });
});

describe("MySQL classifier: data statements", () => {
  it("names the table written", () => {
    expect(
      classifySql(
        "INSERT IGNORE INTO db.users VALUES (1); REPLACE t VALUES (1); DELETE QUICK FROM `x`; UPDATE LOW_PRIORITY y SET a = 1; TRUNCATE TABLE z",
        "mysql",
      ).map((c) => c.what),
    ).toEqual(["INSERT INTO users", "REPLACE INTO t", "DELETE FROM x", "UPDATE y", "TRUNCATE z"]);
  });
});

describe("MySQL classifier: executable comments as statements", () => {
  it("refuses a statement that is an executable comment (MySQL's /*! and MariaDB's /*M!), whatever it holds", () => {
    expect(categories("/*!40101 DROP TABLE users */;")).toEqual(["unknown"]);
    expect(categories("/*M!100100 DROP TABLE users */;")).toEqual(["unknown"]);
    expect(categories("/*!50000 CREATE TABLE t3 (a int) */;")).toEqual(["unknown"]);
  });
});
