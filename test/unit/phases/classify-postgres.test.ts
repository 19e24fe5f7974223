import { beforeAll, describe, expect, it } from "vitest";
import { classifySql, loadSqlClassifier, sqlClassifierReady } from "../../../src/phases/sql-classifier.js";

const categories = (sql: string): string[] => classifySql(sql, "postgres").map((c) => c.category);

beforeAll(async () => {
  await loadSqlClassifier("postgres");
});

describe("PostgreSQL classifier: statement → categories", () => {
  const table: readonly (readonly [string, readonly string[]])[] = [
    ["CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)", ["additive"]],
    ["CREATE TEMP TABLE scratch (id int)", ["neutral"]],
    ["CREATE TABLE part_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", ["additive"]],
    ["CREATE TABLE copy AS SELECT * FROM users", ["additive"]],
    ["CREATE MATERIALIZED VIEW mv AS SELECT 1", ["additive"]],
    ["SELECT * INTO new_users FROM users", ["additive"]],
    ["SELECT * INTO TEMP tmp FROM users", ["neutral"]],
    ["CREATE INDEX CONCURRENTLY ix ON users (email)", ["additive"]],
    ["CREATE UNIQUE INDEX uq ON users (lower(email))", ["constraint"]],
    ["CREATE OR REPLACE VIEW v AS SELECT 1", ["contractive"]],
    ["CREATE VIEW v AS SELECT 1", ["additive"]],
    ["CREATE VIEW v AS SELECT f(id) FROM users", ["unknown"]],
    ["CREATE MATERIALIZED VIEW mv AS SELECT f()", ["unknown"]],
    ["CREATE MATERIALIZED VIEW mv AS SELECT lower(email) FROM users", ["additive"]],
    ["CREATE TRIGGER trg BEFORE INSERT ON s.users FOR EACH ROW EXECUTE FUNCTION f()", ["unknown"]],
    [
      "CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM x; RETURN NEW; END $$",
      ["unknown"],
    ],
    ["CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC DELETE FROM x; END", ["unknown"]],
    ["CREATE RULE r AS ON INSERT TO users DO INSTEAD NOTHING", ["unknown"]],
    ["CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION f()", ["unknown"]],
    ["CREATE POLICY p ON users USING (false)", ["unknown"]],
    ["SELECT f()", ["unknown"]],
    ["SELECT public.lower('x')", ["unknown"]],
    ["SELECT pg_catalog.lower('x'), now(), coalesce(a, 1) FROM users", ["neutral"]],
    ["SELECT set_config('standard_conforming_strings', 'off', false)", ["unknown"]],
    ["SELECT pg_terminate_backend(1)", ["unknown"]],
    ["ALTER TABLE users ADD COLUMN c int DEFAULT f()", ["unknown"]],
    ["ALTER TABLE users ADD COLUMN c uuid DEFAULT gen_random_uuid()", ["additive"]],
    ["ALTER TABLE users ADD COLUMN c int CHECK (c > 0)", ["contractive"]],
    ["ALTER TABLE users ADD CONSTRAINT ck CHECK (a > 0) NOT VALID", ["contractive"]],
    ["UPDATE users SET a = f(b)", ["unknown"]],
    ["PREPARE s AS DELETE FROM users", ["unknown"]],
    ["EXECUTE s", ["unknown"]],
    ["SET standard_conforming_strings = off", ["unknown"]],
    ["SET session_replication_role = replica", ["unknown"]],
    ["SET search_path = evil, public", ["unknown"]],
    ["SET ROLE admin", ["unknown"]],
    ["RESET ALL", ["unknown"]],
    ["RESET lock_timeout", ["neutral"]],
    ["SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", ["neutral"]],
    ["SET enable_seqscan = off", ["neutral"]],
    ["CREATE SEQUENCE s", ["additive"]],
    ["CREATE SCHEMA app", ["additive"]],
    ["CREATE EXTENSION IF NOT EXISTS pgcrypto", ["additive"]],
    ["CREATE TYPE mood AS ENUM ('sad', 'ok')", ["additive"]],
    ["CREATE DOMAIN pos AS int CHECK (VALUE > 0)", ["additive"]],
    ["ALTER TYPE mood ADD VALUE 'happy'", ["additive"]],
    ["ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'", ["contractive"]],
    ["ALTER TABLE users ADD COLUMN nick text", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT 0", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n int NOT NULL", ["breaking"]],
    ["ALTER TABLE users ADD COLUMN n int DEFAULT NULL NOT NULL", ["breaking"]],
    ["ALTER TABLE users ADD COLUMN n bigserial", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS (id * 2) STORED NOT NULL", ["additive"]],
    ["ALTER TABLE users ADD COLUMN n int PRIMARY KEY", ["breaking"]],
    [
      "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int NOT NULL, ALTER COLUMN c SET NOT NULL, ALTER COLUMN d TYPE bigint",
      ["additive", "breaking", "contractive", "contractive"],
    ],
    ["ALTER TABLE t ALTER COLUMN c SET NOT NULL", ["contractive"]],
    ["ALTER TABLE t ALTER COLUMN c DROP NOT NULL", ["additive"]],
    ["ALTER TABLE t ALTER COLUMN c SET DEFAULT now()", ["additive"]],
    ["ALTER TABLE t ALTER COLUMN c DROP DEFAULT", ["contractive"]],
    ["ALTER TABLE t ALTER COLUMN c TYPE bigint USING c::bigint", ["contractive"]],
    ["ALTER TABLE t DROP COLUMN c", ["contractive"]],
    ["ALTER TABLE IF EXISTS ONLY t DROP COLUMN IF EXISTS c CASCADE", ["contractive"]],
    ["ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id) NOT VALID", ["constraint"]],
    ["ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)", ["contractive"]],
    ["ALTER TABLE t ADD CONSTRAINT nn NOT NULL c", ["contractive"]],
    ["ALTER TABLE t ADD PRIMARY KEY (id)", ["constraint"]],
    ["ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX uq_idx", ["constraint"]],
    ["ALTER TABLE t VALIDATE CONSTRAINT fk", ["constraint"]],
    ["ALTER TABLE t DROP CONSTRAINT fk", ["contractive"]],
    ["ALTER TABLE t SET (fillfactor = 70)", ["neutral"]],
    ["ALTER TABLE t OWNER TO app", ["neutral"]],
    ["ALTER TABLE t ALTER COLUMN c SET STATISTICS 500", ["neutral"]],
    ["ALTER TABLE t ENABLE TRIGGER trg", ["unknown"]],
    ["ALTER TABLE t ENABLE RULE r", ["unknown"]],
    ["COPY users FROM PROGRAM 'rm -rf /'", ["unknown"]],
    ["COPY users TO '/tmp/users.csv'", ["unknown"]],
    ["COPY users TO STDOUT", ["neutral"]],
    ["COPY users FROM STDIN", ["data"]],
    ["ALTER TABLE t DISABLE TRIGGER trg", ["contractive"]],
    ["ALTER TABLE t ENABLE ROW LEVEL SECURITY", ["unknown"]],
    ["ALTER TABLE t DETACH PARTITION p", ["contractive"]],
    ["ALTER TABLE t RENAME TO t2", ["contractive"]],
    ["ALTER TABLE t RENAME COLUMN a TO b", ["contractive"]],
    ["ALTER INDEX ix RENAME TO ix2", ["contractive"]],
    ["ALTER TABLE t SET SCHEMA archive", ["contractive"]],
    ["ALTER SEQUENCE s OWNED BY t.id", ["neutral"]],
    ["ALTER SEQUENCE s RESTART WITH 100", ["data"]],
    ["ALTER DOMAIN pos SET NOT NULL", ["contractive"]],
    ["ALTER DOMAIN pos DROP NOT NULL", ["additive"]],
    ["DROP TABLE a, b CASCADE", ["contractive"]],
    ["DROP INDEX CONCURRENTLY IF EXISTS ix", ["contractive"]],
    ["DROP VIEW v", ["contractive"]],
    ["DROP TRIGGER trg ON users", ["contractive"]],
    ["DROP FUNCTION f(int), g", ["contractive"]],
    ["DROP TYPE mood", ["contractive"]],
    ["DROP SCHEMA app", ["contractive"]],
    ["INSERT INTO users (id) VALUES (1) ON CONFLICT DO NOTHING", ["data"]],
    ["UPDATE users SET a = 1", ["data"]],
    ["DELETE FROM users USING x WHERE users.id = x.id", ["data"]],
    ["MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", ["data"]],
    ["TRUNCATE users RESTART IDENTITY", ["data"]],
    ["COPY users FROM STDIN", ["data"]],
    ["COPY users TO STDOUT", ["neutral"]],
    ["REFRESH MATERIALIZED VIEW CONCURRENTLY mv", ["data"]],
    ["WITH moved AS (DELETE FROM a RETURNING *) SELECT count(*) FROM moved", ["data"]],
    ["WITH x AS (SELECT 1) SELECT * FROM x", ["neutral"]],
    ["SELECT setval('users_id_seq', 100)", ["data"]],
    ["SELECT count(*) FROM users", ["neutral"]],
    ["EXPLAIN SELECT 1", ["neutral"]],
    ["EXPLAIN ANALYZE DELETE FROM users", ["data"]],
    ["SET lock_timeout = '5s'", ["neutral"]],
    ["SET LOCAL statement_timeout = 0", ["neutral"]],
    ["COMMENT ON TABLE users IS 'DROP ME'", ["neutral"]],
    ["BEGIN", ["unknown"]],
    ["COMMIT", ["unknown"]],
    ["SAVEPOINT s", ["neutral"]],
    ["ROLLBACK TO SAVEPOINT s", ["neutral"]],
    ["VACUUM ANALYZE users", ["neutral"]],
    ["LOCK TABLE users IN ACCESS EXCLUSIVE MODE", ["unknown"]],
    ["GRANT SELECT ON users TO app", ["additive"]],
    ["REVOKE SELECT ON users FROM app", ["contractive"]],
    ["DO $$ BEGIN EXECUTE 'DROP TABLE x'; END $$", ["unknown"]],
    ["CALL p()", ["unknown"]],
    ["ALTER ROLE app SET search_path = app", ["unknown"]],
    ["ALTER TABLE users ADD COLUMN a int; ALTER TABL users DROP COLUMN b", ["additive", "unknown"]],
  ];
  it.each(table)("%s", (sql, expected) => {
    expect(categories(sql)).toEqual(expected);
  });
});

describe("PostgreSQL classifier: details", () => {
  it("is ready after loading", () => {
    expect(sqlClassifierReady("postgres")).toBe(true);
  });

  it("does not see keywords inside strings, dollar quotes or comments", () => {
    expect(categories("INSERT INTO log VALUES ('DROP TABLE users; ALTER TABLE x DROP COLUMN y')")).toEqual(["data"]);
    expect(categories("INSERT INTO log VALUES ($tag$ ; DROP TABLE users; $tag$)")).toEqual(["data"]);
    expect(categories("/* DROP TABLE a; /* nested */ still comment; */ CREATE TABLE a (id int)")).toEqual(["additive"]);
    expect(categories('CREATE TABLE "drop" ("drop table" int)')).toEqual(["additive"]);
    expect(categories("INSERT INTO log VALUES (E'it\\'s; DROP TABLE x')")).toEqual(["data"]);
  });

  it("names what it classified", () => {
    const items = classifySql("ALTER TABLE users DROP COLUMN email, ALTER COLUMN c SET NOT NULL", "postgres");
    expect(items.map((i) => i.what)).toEqual([
      "ALTER TABLE users DROP COLUMN email",
      "ALTER TABLE users ALTER COLUMN c SET NOT NULL",
    ]);
    expect(items[1]?.effect).toBe("makes the old release's writes that leave c empty fail");
    expect(classifySql("DROP TABLE a, b", "postgres")[0]?.what).toBe("DROP TABLE a, b");
    expect(classifySql("ALTER TABLE t RENAME COLUMN a TO b", "postgres")[0]?.what).toBe("RENAME COLUMN t.a TO b");
    expect(classifySql("ALTER TABLE t ADD COLUMN n int NOT NULL", "postgres")[0]?.what).toBe(
      "ALTER TABLE t ADD COLUMN n NOT NULL without a default",
    );
    expect(classifySql("SELEC 1", "postgres")[0]?.what).toBe(
      'a statement PostgreSQL cannot parse (syntax error at or near "SELEC")',
    );
  });

  it("records triggers created and dropped, and dropped tables", () => {
    expect(
      classifySql("CREATE TRIGGER trg BEFORE INSERT ON s.users FOR EACH ROW EXECUTE FUNCTION f()", "postgres")[0]?.triggers,
    ).toEqual({ created: [{ name: "trg", table: "users" }] });
    expect(classifySql("DROP TRIGGER IF EXISTS trg ON public.users", "postgres")[0]?.triggers).toEqual({
      dropped: [{ name: "trg", table: "users" }],
    });
    expect(classifySql("DROP TABLE public.a, b", "postgres")[0]?.triggers).toEqual({ droppedTables: ["a", "b"] });
  });

  it("keeps statement text, line and unsafe mark per statement", () => {
    const sql =
      "CREATE TABLE a (id int);\n\n-- tidemark:unsafe rewrites a small table\nDO $$ BEGIN\n  PERFORM 1;\nEND $$;\nSELECT 'é';";
    const items = classifySql(sql, "postgres");
    expect(items.map((i) => [i.category, i.line, i.unsafe, i.statement])).toEqual([
      ["additive", 1, undefined, "CREATE TABLE a (id int)"],
      ["unknown", 4, "rewrites a small table", "DO $$ BEGIN\n  PERFORM 1;\nEND $$"],
      ["neutral", 7, undefined, "SELECT 'é'"],
    ]);
  });
});
