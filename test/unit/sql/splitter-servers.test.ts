/**
 * The statements splitSql produces must be accepted, one by one, by the real
 * servers: triggers, procedures, dollar-quoted functions and all. PostgreSQL
 * and MariaDB run when their servers answer (always in CI).
 */
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { splitSql } from "../../../src/sql/splitter.js";

const inCi = process.env["CI"] === "true" || process.env["CI"] === "1";
const dbName = `tidemark_split_${process.pid}_${randomBytes(4).toString("hex")}`;

async function reachable(connect: () => Promise<{ end(): Promise<void> }>): Promise<boolean> {
  if (inCi) return true;
  try {
    await (await connect()).end();
    return true;
  } catch {
    return false;
  }
}

const pgAdmin = async () => {
  const { default: pg } = await import("pg");
  const client = new pg.Client({
    host: "127.0.0.1",
    port: 5432,
    user: "postgres",
    database: "postgres",
    connectionTimeoutMillis: 3000,
  });
  await client.connect();
  return client;
};
const mysqlConnect = async (database?: string) => {
  const mysql = await import("mysql2/promise");
  return mysql.createConnection({
    host: "127.0.0.1",
    port: 3306,
    user: "root",
    password: "",
    connectTimeout: 3000,
    ...(database ? { database } : {}),
  });
};

const pgUp = await reachable(pgAdmin);
const mysqlUp = await reachable(() => mysqlConnect());

describe("split statements run on real databases", () => {
  it("sqlite: trigger with CASE … END, strings and comments", () => {
    const script = `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, full TEXT, note TEXT DEFAULT 'a;b');
CREATE TRIGGER users_ai AFTER INSERT ON users
BEGIN
  UPDATE users SET full = CASE WHEN NEW.name IS NULL THEN 'none;' ELSE NEW.name || ';x' END WHERE id = NEW.id;
END;
-- a comment; with a semicolon
INSERT INTO users (id, name) VALUES (1, 'it''s'); /* ; */
INSERT INTO users (id, name) VALUES (2, NULL)`;
    const statements = splitSql(script, "sqlite");
    expect(statements.map((s) => s.line)).toEqual([1, 2, 7, 8]);
    const db = new Database(":memory:");
    for (const { sql } of statements) db.exec(sql);
    expect(db.prepare("SELECT id, full, note FROM users ORDER BY id").all()).toEqual([
      { id: 1, full: "it's;x", note: "a;b" },
      { id: 2, full: "none;", note: "a;b" },
    ]);
    db.close();
  });

  it.runIf(pgUp)("postgres: dollar-quoted plpgsql, DO blocks, E'' strings, nested comments, BEGIN ATOMIC", async () => {
    const script = `CREATE TABLE users (id int PRIMARY KEY, name text, full_name text);
CREATE FUNCTION users_fill() RETURNS trigger AS $fn$
BEGIN
  NEW.full_name := NEW.name || E'\\';';
  RETURN NEW;
END;
$fn$ LANGUAGE plpgsql;
CREATE TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_fill();
/* nested /* comment; */ still; */
INSERT INTO users (id, name) VALUES (1, 'a;b');
DO $$ BEGIN INSERT INTO users (id, name) VALUES (2, 'c'); END $$;
CREATE FUNCTION add_one(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END;`;
    const statements = splitSql(script, "postgres");
    expect(statements).toHaveLength(6);
    const admin = await pgAdmin();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    const { default: pg } = await import("pg");
    const client = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: dbName });
    try {
      await client.connect();
      for (const { sql } of statements) await client.query(sql);
      const rows = await client.query("SELECT id, full_name FROM users ORDER BY id");
      expect(rows.rows).toEqual([
        { id: 1, full_name: "a;b';" },
        { id: 2, full_name: "c';" },
      ]);
      expect((await client.query("SELECT add_one(1) AS v")).rows).toEqual([{ v: 2 }]);
    } finally {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}"`);
      await admin.end();
    }
  });

  it.runIf(mysqlUp)("mysql: triggers and procedures with nested blocks, DELIMITER, # comments, backslash escapes", async () => {
    const script = `CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(50), full_name VARCHAR(80));
CREATE TRIGGER users_bi BEFORE INSERT ON users FOR EACH ROW
BEGIN
  IF NEW.name IS NULL THEN SET NEW.full_name = 'none;';
  ELSE SET NEW.full_name = CONCAT(NEW.name, '\\';');
  END IF;
END;
CREATE PROCEDURE fill(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 10;
  WHILE i < 10 + n DO
    INSERT INTO users (id, name) VALUES (i, CASE WHEN i > 10 THEN "x;y" ELSE NULL END);
    SET i = i + 1;
  END WHILE;
END;
# a comment; here
CALL fill(2);
DELIMITER //
CREATE FUNCTION twice(a INT) RETURNS INT DETERMINISTIC
BEGIN
  RETURN a * 2;
END//
DELIMITER ;
INSERT INTO users (id, name) VALUES (1, 'it\\'s');`;
    const statements = splitSql(script, "mysql");
    expect(statements.map((s) => s.line)).toEqual([1, 2, 8, 17, 19, 24]);
    const admin = await mysqlConnect();
    await admin.query(`CREATE DATABASE \`${dbName}\``);
    const connection = await mysqlConnect(dbName);
    try {
      for (const { sql } of statements) await connection.query(sql);
      const [rows] = await connection.query("SELECT id, full_name FROM users ORDER BY id");
      expect(rows).toEqual([
        { id: 1, full_name: "it's';" },
        { id: 10, full_name: "none;" },
        { id: 11, full_name: "x;y';" },
      ]);
      const [value] = await connection.query("SELECT twice(4) AS v");
      expect(value).toEqual([{ v: 8 }]);
    } finally {
      await connection.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
      await admin.end();
    }
  });
});
