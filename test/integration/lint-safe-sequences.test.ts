/**
 * The lint against the servers it speaks for. The safe sequences its
 * messages give lint clean and run, leaving the schema they promise (a
 * valid index, validated constraints, NOT NULL). What it calls a rewrite on
 * PostgreSQL gives the table a new file, and nothing else does; what it
 * calls a copy on MariaDB is exactly what the server refuses to do with
 * ALGORITHM=INPLACE, LOCK=NONE — which is also why the lint trusts an ALTER
 * that states those: the server refuses it, table unchanged, rather than copy.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { loadDialect } from "../../src/dialects/registry.js";
import type { Row } from "../../src/vocabulary.js";
import { LintHistory, lintRevision } from "../../src/lint/lint-revision.js";
import { statementFacts } from "../../src/lint/statement-facts.js";
import { loadPgParser } from "../../src/sql/pg-parser.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = (await testDialects()).filter((dialect) => dialect !== "sqlite");

afterAll(removeProjects);

async function query(url: string, sql: string): Promise<Row[]> {
  const parsed = parseDatabaseUrl(url);
  const connection = await (await loadDialect(parsed.dialect)).driver.connect(parsed);
  try {
    return await connection.query(sql);
  } finally {
    await connection.close();
  }
}

const PEOPLE = [
  "-- +upgrade",
  "CREATE TABLE people (id integer PRIMARY KEY, name varchar(100), org_id integer);",
  "INSERT INTO people (id, name, org_id) VALUES (1, 'Ada', NULL), (2, 'Grace', 1);",
  "",
].join("\n");

describe.runIf(dialects.includes("postgres"))("the PostgreSQL safe sequences", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await database.drop();
  });

  it("lint clean and leave a valid index, validated constraints and NOT NULL", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_safe.sql": [
        "-- transactional: false",
        "-- +upgrade",
        "CREATE INDEX CONCURRENTLY ix_people_name ON people (name);",
        "ALTER TABLE people ADD COLUMN token uuid;",
        "ALTER TABLE people ALTER COLUMN token SET DEFAULT gen_random_uuid();",
        "UPDATE people SET token = gen_random_uuid() WHERE token IS NULL;",
        "ALTER TABLE people ADD CONSTRAINT fk_people_org FOREIGN KEY (org_id) REFERENCES people (id) NOT VALID;",
        "ALTER TABLE people VALIDATE CONSTRAINT fk_people_org;",
        "ALTER TABLE people ADD CONSTRAINT ck_name_not_null CHECK (name IS NOT NULL) NOT VALID;",
        "ALTER TABLE people VALIDATE CONSTRAINT ck_name_not_null;",
        "ALTER TABLE people ALTER COLUMN name SET NOT NULL;",
        "ALTER TABLE people DROP CONSTRAINT ck_name_not_null;",
        "",
      ].join("\n"),
    });
    const lint = await runCli(["lint", "--url", database.url], { cwd: dir });
    expect(lint.stdout).toBe("");
    expect(lint.code, lint.stderr).toBe(0);
    // The unsafe forms of the same changes are all reported (a lint that always passes proves nothing).
    const unsafe = await runCli(["lint", "--url", database.url], {
      cwd: makeProject({
        "migrations/001_people.sql": PEOPLE,
        "migrations/002_unsafe.sql":
          "-- +upgrade\nCREATE INDEX ix_people_name ON people (name);\nALTER TABLE people ADD COLUMN token uuid DEFAULT gen_random_uuid();\nALTER TABLE people ADD CONSTRAINT fk_people_org FOREIGN KEY (org_id) REFERENCES people (id);\nALTER TABLE people ALTER COLUMN name SET NOT NULL;\n",
      }),
    });
    expect(
      unsafe.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split(" ")[1]),
    ).toEqual(["TM101", "TM201", "TM301", "TM203"]);

    const run = await runCli(["upgrade", "--url", database.url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(
      await query(
        database.url,
        "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_people_name'",
      ),
    ).toEqual([{ valid: true }]);
    expect(
      await query(
        database.url,
        "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'people'::regclass AND contype IN ('f', 'c') ORDER BY conname",
      ),
    ).toEqual([{ conname: "fk_people_org", convalidated: true }]);
    expect(
      await query(
        database.url,
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'people' AND column_name = 'name'",
      ),
    ).toEqual([{ is_nullable: "NO" }]);
    expect(await query(database.url, "SELECT count(*)::int AS n FROM people WHERE token IS NULL")).toEqual([{ n: 0 }]);
  });
});

describe.runIf(dialects.includes("postgres"))("the PostgreSQL rewrite rules", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await database.drop();
  });

  it("agree with the server: the statements the lint says rewrite the table give it a new file, the others do not", async () => {
    const rewrites = ["TM201", "TM202", "TM402", "TM403", "TM404"];
    const cases = [
      "ALTER TABLE people ADD COLUMN token uuid DEFAULT gen_random_uuid()",
      "ALTER TABLE people ADD COLUMN r float8 DEFAULT random()",
      "ALTER TABLE people ADD COLUMN n bigserial",
      "ALTER TABLE people ADD COLUMN i int GENERATED ALWAYS AS IDENTITY",
      "ALTER TABLE people ADD COLUMN g int GENERATED ALWAYS AS (id * 2) STORED",
      "ALTER TABLE people ALTER COLUMN org_id TYPE bigint",
      "ALTER TABLE people SET UNLOGGED",
      "CLUSTER people USING people_pkey",
      "VACUUM FULL people",
      "ALTER TABLE people ADD COLUMN created timestamptz DEFAULT now()",
      "ALTER TABLE people ADD COLUMN c int NOT NULL DEFAULT 0",
      "ALTER TABLE people ADD COLUMN note text",
      "ALTER TABLE people ALTER COLUMN name SET DEFAULT 'x'",
      "ALTER TABLE people ADD CONSTRAINT ck_org CHECK (org_id > 0) NOT VALID",
      "CREATE INDEX CONCURRENTLY ix_people_name ON people (name)",
    ];
    await loadPgParser();
    const parsed = parseDatabaseUrl(database.url);
    const connection = await (await loadDialect("postgres")).driver.connect(parsed);
    const file = async (): Promise<unknown> =>
      (await connection.query("SELECT relfilenode FROM pg_class WHERE oid = 'people'::regclass"))[0]?.["relfilenode"];
    try {
      const verdicts: string[] = [];
      for (const sql of cases) {
        await connection.execute("DROP TABLE IF EXISTS people");
        await connection.execute("CREATE TABLE people (id integer PRIMARY KEY, name varchar(100), org_id integer)");
        await connection.execute("INSERT INTO people VALUES (1, 'Ada', NULL), (2, 'Grace', 1)");
        const report = lintRevision(
          "r",
          [{ phase: "expand", file: "x.sql", items: [{ statement: sql, line: 1, facts: statementFacts(sql, "postgres") }] }],
          { dialect: "postgres", history: new LintHistory() },
        );
        const flagged = report.findings.some((finding) => rewrites.includes(finding.rule));
        const before = await file();
        await connection.execute(sql);
        const rewritten = (await file()) !== before;
        verdicts.push(`${sql}: lint ${flagged ? "rewrite" : "in place"}, server ${rewritten ? "rewrite" : "in place"}`);
      }
      expect(verdicts).toEqual(
        verdicts.map((verdict) =>
          verdict.replace(/server (rewrite|in place)$/, `server ${/lint rewrite/.test(verdict) ? "rewrite" : "in place"}`),
        ),
      );
      expect(verdicts.filter((verdict) => verdict.includes("lint rewrite"))).toHaveLength(9);
    } finally {
      await connection.close();
    }
  });
});

describe.runIf(dialects.includes("mysql"))("the MariaDB online forms", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("mysql");
  });
  afterEach(async () => {
    await database.drop();
  });

  const columnType = async (url: string): Promise<Row[]> =>
    query(
      url,
      "SELECT DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'people' AND COLUMN_NAME = 'org_id'",
    );

  it("run when the server can do them online, and are refused (table unchanged) when it would copy", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_online.sql": [
        "-- +upgrade",
        "CREATE INDEX ix_people_name ON people (name) ALGORITHM=INPLACE LOCK=NONE;",
        "ALTER TABLE people ADD COLUMN nick varchar(20), ALGORITHM=INSTANT;",
        "",
      ].join("\n"),
      "migrations/003_copy.sql": [
        "-- +upgrade",
        "ALTER TABLE people MODIFY COLUMN org_id bigint, ALGORITHM=INPLACE, LOCK=NONE;",
        "",
      ].join("\n"),
    });
    const lint = await runCli(["lint", "--url", database.url], { cwd: dir });
    expect(lint.stdout).toBe("");
    expect(lint.code, lint.stderr).toBe(0);

    expect((await runCli(["upgrade", "2", "--url", database.url], { cwd: dir })).code).toBe(0);
    expect(
      await query(
        database.url,
        "SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'people' AND INDEX_NAME = 'ix_people_name'",
      ),
    ).toEqual([{ name: "ix_people_name" }]);

    const refused = await runCli(["upgrade", "--url", database.url], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ALGORITHM=INPLACE is not supported|LOCK=NONE is not supported/i);
    expect(await columnType(database.url)).toEqual([{ type: "int" }]);
  });

  it("agree with the server on which ALTERs copy the table: MariaDB refuses exactly those with ALGORITHM=INPLACE, LOCK=NONE", async () => {
    const copies = ["TM501", "TM201", "TM202"];
    const cases = [
      "ADD CONSTRAINT fk_people_org FOREIGN KEY (org_id) REFERENCES people (id)",
      "ADD CONSTRAINT ck_org CHECK (org_id > 0)",
      "CONVERT TO CHARACTER SET latin1",
      "ENGINE=MyISAM",
      "DROP PRIMARY KEY",
      "ADD COLUMN token char(36) DEFAULT (UUID())",
      "ADD COLUMN short bigint DEFAULT (UUID_SHORT())",
      "ADD COLUMN stamp datetime DEFAULT (SYSDATE())",
      "ADD COLUMN serial int AUTO_INCREMENT UNIQUE",
      "ADD COLUMN twice int AS (org_id * 2) STORED",
      "MODIFY COLUMN org_id bigint",
      "ENGINE=InnoDB",
      "FORCE",
      "ROW_FORMAT=DYNAMIC",
      "ADD UNIQUE KEY uq_people_name (name)",
      "DROP PRIMARY KEY, ADD PRIMARY KEY (id, name)",
      "ADD COLUMN plain int NOT NULL DEFAULT 0",
      "ADD COLUMN created timestamp NULL DEFAULT CURRENT_TIMESTAMP",
      "ADD COLUMN seen datetime DEFAULT (NOW())",
      "ADD COLUMN dice double DEFAULT (RAND())",
      "ADD COLUMN twice_virtual int AS (org_id * 2) VIRTUAL",
      "ALTER COLUMN name SET DEFAULT 'x'",
    ];
    const parsed = parseDatabaseUrl(database.url);
    const connection = await (await loadDialect("mysql")).driver.connect(parsed);
    try {
      const verdicts: string[] = [];
      for (const clause of cases) {
        await connection.execute("DROP TABLE IF EXISTS people");
        await connection.execute("CREATE TABLE people (id integer PRIMARY KEY, name varchar(100), org_id integer) ENGINE=InnoDB");
        await connection.execute("INSERT INTO people VALUES (1, 'Ada', NULL), (2, 'Grace', 1)");
        const sql = `ALTER TABLE people ${clause}`;
        const report = lintRevision(
          "r",
          [{ phase: "expand", file: "x.sql", items: [{ statement: sql, line: 1, facts: statementFacts(sql, "mysql") }] }],
          { dialect: "mysql", history: new LintHistory() },
        );
        const flagged = report.findings.some((finding) => copies.includes(finding.rule));
        const refused = await connection.execute(`${sql}, ALGORITHM=INPLACE, LOCK=NONE`).then(
          () => false,
          () => true,
        );
        verdicts.push(`${clause}: lint ${flagged ? "copy" : "online"}, server ${refused ? "copy" : "online"}`);
      }
      expect(verdicts).toEqual(
        verdicts.map((verdict) =>
          verdict.replace(/server (copy|online)$/, `server ${/lint copy/.test(verdict) ? "copy" : "online"}`),
        ),
      );
      expect(verdicts.filter((verdict) => verdict.includes("lint copy"))).toHaveLength(11);
    } finally {
      await connection.close();
    }
  });
});
