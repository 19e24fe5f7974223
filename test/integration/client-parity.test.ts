/**
 * Client parity, per dialect: a file of tricky-but-real statements
 * (test/fixtures/client-parity/<dialect>.sql: DELIMITER procedures, `--x`
 * comments, executable comments, CRLF lines, backslash strings, dollar
 * quotes, text after a statement's last token) is run by tidemark (the CLI,
 * `upgrade head`, the file copied byte for byte as a numbered migration) and
 * by the database's own client (sqlite3, psql, mariadb) into two fresh
 * databases. Their dumps (sqlite3 `.dump`, pg_dump, mariadb-dump with
 * routines: schema and rows) must be identical. Tidemark's own tables are
 * dropped before dumping; nothing else is normalised.
 *
 * Not covered, on purpose: comments inside MySQL trigger and routine bodies.
 * The mariadb client strips them before sending (unless run with
 * --comments) and the server stores bodies as sent; tidemark sends them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/vocabulary.js";
import { runCli, besideTarget } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();

const fixtureFile = (dialect: DialectName): string =>
  fileURLToPath(new URL(`../fixtures/client-parity/${dialect}.sql`, import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], database: TestDatabase, input?: Buffer): Run {
  const url = parseDatabaseUrl(database.url);
  const env = { ...process.env, ...(url.password === undefined ? {} : { PGPASSWORD: url.password, MYSQL_PWD: url.password }) };
  const result = spawnSync(command, args, { input, env, encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function mariadbArgs(database: TestDatabase): string[] {
  const url = parseDatabaseUrl(database.url);
  return ["-h", url.host ?? "127.0.0.1", "-P", String(url.port ?? 3306), "-u", url.user ?? "root"];
}

/** The fixture through the dialect's own client, as a user would pipe or pass it. */
function runClient(database: TestDatabase, file: string): Run {
  switch (database.dialect) {
    case "sqlite":
      return run("sqlite3", ["-bail", database.name], database, readFileSync(file));
    case "postgres":
      return run("psql", ["-X", "-q", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1", database.url, "-f", file], database);
    case "mysql":
      return run("mariadb", [...mariadbArgs(database), database.name], database, readFileSync(file));
  }
}

/** Drops tidemark's bookkeeping tables, so that the dump holds what the fixture made only. */
function dropTidemarkTables(database: TestDatabase): void {
  const drop = "tidemark_version, tidemark_log";
  let result: Run;
  switch (database.dialect) {
    case "sqlite": {
      const db = new Database(database.name);
      try {
        const names = db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tidemark\\_%' ESCAPE '\\'")
          .pluck()
          .all() as string[];
        expect(names.sort()).toEqual(["tidemark_log", "tidemark_version"]);
        for (const name of names) db.exec(`DROP TABLE "${name}"`);
      } finally {
        db.close();
      }
      return;
    }
    case "postgres":
      result = run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", database.url, "-c", `DROP TABLE ${drop}`], database);
      break;
    case "mysql":
      result = run("mariadb", [...mariadbArgs(database), database.name, "-e", `DROP TABLE ${drop}`], database);
      break;
  }
  expect(besideTarget(result.stderr)).toBe("");
  expect(result.code).toBe(0);
}

function dump(database: TestDatabase): string {
  const result =
    database.dialect === "sqlite"
      ? run("sqlite3", [database.name, ".dump"], database)
      : database.dialect === "postgres"
        ? run("pg_dump", ["--no-owner", "--no-privileges", "--restrict-key=parity", database.url], database)
        : run("mariadb-dump", [...mariadbArgs(database), "--skip-comments", "--routines", "--events", database.name], database);
  expect(besideTarget(result.stderr)).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

/** What each fixture must have made, so that two empty dumps cannot pass. */
const MADE: Record<DialectName, readonly string[]> = {
  sqlite: [
    "CREATE INDEX users_email ON users (email) ;",
    "CREATE INDEX users_name ON users ([full name])\n;",
    "CREATE INDEX users_note ON users (note) WHERE note IS NOT NULL -- partial; index\n\n;",
    "CREATE INDEX crlf_a ON crlf (a, b)\t\n;",
    "CREATE INDEX crlf_b ON crlf (b)  ;",
    "'line one\nline two'",
    "replace('x\\ny','\\n',char(10))",
    "CREATE TRIGGER users_ai AFTER INSERT ON users",
  ],
  postgres: [
    "CREATE TABLE public.made_by_do",
    "CREATE FUNCTION public.crlf_fn() RETURNS text\n    LANGUAGE sql\n    AS $$\r\nSELECT 'a;b'::text\r\n$$;",
    "CREATE FUNCTION public.add_one(a integer) RETURNS integer",
    "a comment; with -- dashes and /* stars */",
    "crlf\\r\\ninside",
  ],
  mysql: [
    "CREATE TABLE `t3`",
    "CREATE TABLE `t4`",
    "`extra` int(11) DEFAULT NULL",
    "COMMENT 'c\\nd'",
    "CREATE DEFINER=",
    "TRIGGER accounts_bu BEFORE UPDATE ON accounts FOR EACH ROW BEGIN SET NEW.extra = 1; SET NEW.note = 'x;y'; END",
    "FUNCTION `twice`(a INT) RETURNS int(11)\n    DETERMINISTIC\nBEGIN\n  RETURN a * 2;\nEND",
    "'crlf\\ninside'",
  ],
};

describe.each(dialects)("client parity on %s", (dialect: DialectName) => {
  let viaTidemark: TestDatabase;
  let viaClient: TestDatabase;

  beforeEach(async () => {
    [viaTidemark, viaClient] = await Promise.all([createTestDatabase(dialect), createTestDatabase(dialect)]);
  });
  afterEach(async () => {
    await Promise.all([viaTidemark.drop(), viaClient.drop()]);
  });
  afterAll(() => removeProjects());

  it("the fixture leaves the same dump through tidemark as through the client", { timeout: 60_000 }, async () => {
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "migrations", scheme: "numbered" } } }),
    });
    mkdirSync(join(dir, "migrations"));
    writeFileSync(join(dir, "migrations", "0001_parity.sql"), readFileSync(fixtureFile(dialect)));

    const migrated = await runCli(["--url", viaTidemark.url, "upgrade", "head"], { cwd: dir });
    expect(besideTarget(migrated.stderr)).toBe("");
    expect(migrated.code).toBe(0);
    const client = runClient(viaClient, fixtureFile(dialect));
    expect(besideTarget(client.stderr)).toBe("");
    expect(client.code).toBe(0);

    dropTidemarkTables(viaTidemark);
    const [got, want] = [dump(viaTidemark), dump(viaClient)];
    expect(got).toBe(want);
    for (const made of MADE[dialect]) expect(want).toContain(made);
    if (dialect === "mysql") expect(want).not.toContain("t5_never");
  });
});
