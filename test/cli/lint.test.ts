/**
 * The lock and rewrite lint (issue 13, D10): `tidemark lint` reads the
 * scripts without a database and names file, line and rule of every
 * statement that would hold a lock or rewrite a table while the old release
 * serves traffic; `check` fails on the same findings. The URLs point at no
 * server: nothing may connect.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";

afterAll(removeProjects);

const PG = "postgres://nobody:pw@127.0.0.1:1/none";
const MARIADB = "mariadb://nobody:pw@127.0.0.1:1/none";
const SQLITE = "sqlite:never-created.db";

/** Revision 1 creates the table every later revision works on (its own findings are exempt). */
const PEOPLE =
  "-- +expand\nCREATE TABLE people (id integer PRIMARY KEY, name varchar(100), org_id integer);\n-- +migrate\n-- +contract\n";

const lint = (dir: string, url: string, ...args: string[]): Promise<CliResult> =>
  runCli(["lint", "--url", url, ...args], { cwd: dir });

/**
 * `file:line RULE severity` of each lock finding on stdout. Phase-rule
 * findings (which the phase classifier decides) are left out here and
 * tested on their own below.
 */
function findings(result: CliResult): string[] {
  return result.stdout
    .trim()
    .split("\n")
    .filter((line) => / TM\d{3} /.test(line))
    .map((line) => line.split(" ").slice(0, 3).join(" "));
}

describe("tidemark lint on PostgreSQL", () => {
  const D10 = [
    "-- +expand",
    "CREATE INDEX ix_people_name ON people (name);", // 2
    "ALTER TABLE people ADD COLUMN token uuid DEFAULT gen_random_uuid();", // 3
    "ALTER TABLE people ADD CONSTRAINT fk_people_org FOREIGN KEY (org_id) REFERENCES people (id);", // 4
    "LOCK TABLE people IN ACCESS EXCLUSIVE MODE;", // 5
    "CLUSTER people USING ix_people_name;", // 6
    "ALTER TABLE people SET UNLOGGED;", // 7
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app';", // 8
    "-- +migrate",
    "-- +contract",
    "",
  ].join("\n");

  it("names file, line and rule of each lock-heavy statement of D10 in expand, and exits 3", async () => {
    const dir = makeProject({ "migrations/001_people.sql": PEOPLE, "migrations/002_locks.sql": D10 });
    const run = await lint(dir, PG);
    expect(run.code, run.stderr).toBe(3);
    expect(findings(run)).toEqual([
      "migrations/002_locks.sql:2 TM101 error",
      "migrations/002_locks.sql:3 TM201 error",
      "migrations/002_locks.sql:4 TM301 error",
      "migrations/002_locks.sql:5 TM401 error",
      "migrations/002_locks.sql:6 TM402 error",
      "migrations/002_locks.sql:7 TM403 error",
      "migrations/002_locks.sql:8 TM405 error",
    ]);
    // Each message says what to do instead.
    expect(run.stdout).toContain("index-not-concurrent: CREATE INDEX on people (name)");
    expect(run.stdout).toContain("Safe sequence: use CREATE INDEX CONCURRENTLY");
    expect(run.stdout).toContain("Safe sequence: add the constraint NOT VALID");
    // The count on stderr also holds the phase rules' own findings, which the phase classifier decides.
    expect(run.stderr).toMatch(/\d+ errors, 0 warnings \(postgres\)/);
  });

  it("is quiet about the safe forms and about a table created in the same revision", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE.replace(
        "-- +migrate",
        "CREATE INDEX ix_new ON people (name);\nALTER TABLE people ADD CONSTRAINT fk_new FOREIGN KEY (org_id) REFERENCES people (id);\n-- +migrate",
      ),
      "migrations/002_safe.sql": [
        "-- +expand",
        "CREATE INDEX CONCURRENTLY ix_people_name ON people (name);",
        "ALTER TABLE people ADD COLUMN created timestamptz DEFAULT now();",
        "ALTER TABLE people ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES people (id) NOT VALID;",
        "ALTER TABLE people ADD CONSTRAINT ck_name CHECK (name IS NOT NULL) NOT VALID;",
        "-- +migrate",
        "ALTER TABLE people VALIDATE CONSTRAINT fk_org;",
        "ALTER TABLE people VALIDATE CONSTRAINT ck_name;",
        "-- +contract",
        "ALTER TABLE people ALTER COLUMN name SET NOT NULL;",
        "",
      ].join("\n"),
    });
    const run = await lint(dir, PG);
    expect(findings(run)).toEqual([]);
    expect(run.stdout).not.toMatch(/ TM\d{3} /);
  });

  it("warns outside expand: SET NOT NULL without a validated check, a type change, VACUUM FULL (exit 0)", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_contract.sql": [
        "-- +expand",
        "-- +migrate",
        "-- +contract",
        "ALTER TABLE people ALTER COLUMN name SET NOT NULL;",
        "ALTER TABLE people ALTER COLUMN org_id TYPE bigint;",
        "VACUUM FULL people;",
        "",
      ].join("\n"),
    });
    const run = await lint(dir, PG);
    expect(findings(run)).toEqual([
      "migrations/002_contract.sql:4 TM203 warning",
      "migrations/002_contract.sql:5 TM202 warning",
      "migrations/002_contract.sql:6 TM404 warning",
    ]);
    expect(run.code).toBe(0);
  });

  it("silences exactly the statement an unsafe mark stands before, and lists it", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_marked.sql": [
        "-- +expand",
        "-- tidemark:unsafe people has 40 rows",
        "CREATE INDEX ix_people_name ON people (name);",
        "CREATE INDEX ix_people_org ON people (org_id);",
        "-- +migrate",
        "-- +contract",
        "",
      ].join("\n"),
    });
    const run = await lint(dir, PG);
    expect(findings(run)).toEqual(["migrations/002_marked.sql:4 TM101 error"]);
    expect(run.stderr).toContain("migrations/002_marked.sql:3 TM101 silenced by unsafe mark (people has 40 rows)");
    expect(run.code).toBe(3);
  });

  it("prints one JSON array with --json", async () => {
    const dir = makeProject({ "migrations/001_people.sql": PEOPLE, "migrations/002_locks.sql": D10 });
    const run = await lint(dir, PG, "--json");
    expect(run.code).toBe(3);
    const all = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(Array.isArray(all)).toBe(true);
    const parsed = all.filter((finding) => String(finding.rule).startsWith("TM"));
    expect(parsed).toHaveLength(7);
    expect(parsed[0]).toEqual({
      repository: "core",
      revision: "2",
      phase: "expand",
      file: expect.stringMatching(/migrations[/\\]002_locks\.sql$/),
      line: 2,
      rule: "TM101",
      name: "index-not-concurrent",
      severity: "error",
      statement: "CREATE INDEX ix_people_name ON people (name)",
      message: expect.stringContaining("Safe sequence: use CREATE INDEX CONCURRENTLY"),
    });
    expect(parsed.map((finding) => finding.rule)).toEqual(["TM101", "TM201", "TM301", "TM401", "TM402", "TM403", "TM405"]);
  });

  it("reads code scripts as check records them, naming the line of the op call", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_ops.mjs": [
        'export const message = "ops";', // 1
        "export async function expand(op) {", // 2
        '  await op.createIndex("people", ["name"], { name: "ix_people_name", concurrently: false });', // 3
        '  await op.addForeignKey("people", ["org_id"], "people", ["id"]);', // 4
        '  await op.execute("LOCK TABLE people", { unsafe: "a test of the mark" });', // 5
        '  const rows = await op.query("SELECT 1 AS one");', // 6
        '  if (rows.length > 0) await op.execute("CLUSTER people");', // 7: recording reads no rows
        "}", // 8
        "",
      ].join("\n"),
    });
    const run = await lint(dir, PG);
    expect(findings(run)).toEqual(["migrations/002_ops.mjs:3 TM101 error", "migrations/002_ops.mjs:4 TM301 error"]);
    expect(run.stderr).toContain("migrations/002_ops.mjs:5 TM401 silenced by unsafe mark (a test of the mark)");
  });

  it("reports only the revisions a range names", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_locks.sql": D10,
      "migrations/003_more.sql": "-- +expand\nCLUSTER people;\n-- +migrate\n-- +contract\n",
    });
    expect(findings(await lint(dir, PG, "3"))).toEqual(["migrations/003_more.sql:2 TM402 error"]);
    expect(findings(await lint(dir, PG, "2:3"))).toHaveLength(8);
    expect(findings(await lint(dir, PG, "1"))).toEqual([]);
  });
});

describe("tidemark lint on MariaDB", () => {
  it("names the MySQL equivalents: index without ALGORITHM=INPLACE, LOCK=NONE, volatile default, copying ALTERs, LOCK TABLES, KILL", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_locks.sql": [
        "-- +expand",
        "CREATE INDEX ix_people_name ON people (name);", // 2
        "ALTER TABLE people ADD INDEX ix_people_org (org_id);", // 3
        "ALTER TABLE people ADD COLUMN token char(36) DEFAULT (UUID());", // 4
        "ALTER TABLE people ADD CONSTRAINT fk_people_org FOREIGN KEY (org_id) REFERENCES people (id);", // 5
        "LOCK TABLES people WRITE;", // 6
        "KILL 42;", // 7
        "ALTER TABLE people CONVERT TO CHARACTER SET latin1;", // 8
        "ALTER TABLE people ADD COLUMN nick varchar(20), ALGORITHM=COPY;", // 9
        "CREATE INDEX ix_people_online ON people (name) ALGORITHM=INPLACE LOCK=NONE;", // 10: online
        "ALTER TABLE people ADD INDEX ix_org2 (org_id), ALGORITHM=INPLACE, LOCK=NONE;", // 11: online
        "ALTER TABLE people ADD COLUMN note text DEFAULT 'x';", // 12: constant default
        "-- +migrate",
        "-- +contract",
        "ALTER TABLE people MODIFY COLUMN org_id bigint;", // 15
        "",
      ].join("\n"),
    });
    const run = await lint(dir, MARIADB);
    expect(findings(run)).toEqual([
      "migrations/002_locks.sql:2 TM102 error",
      "migrations/002_locks.sql:3 TM102 error",
      "migrations/002_locks.sql:4 TM201 error",
      "migrations/002_locks.sql:5 TM501 error",
      "migrations/002_locks.sql:6 TM401 error",
      "migrations/002_locks.sql:7 TM405 error",
      "migrations/002_locks.sql:8 TM501 error",
      "migrations/002_locks.sql:9 TM501 error",
      "migrations/002_locks.sql:15 TM202 warning",
    ]);
    expect(run.stdout).toContain("Safe sequence: add `ALGORITHM=INPLACE, LOCK=NONE`");
    expect(run.code).toBe(3);
  });
});

describe("tidemark lint on SQLite", () => {
  it("names an index build on an existing table and VACUUM in expand, a table rebuild in contract", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_sqlite.sql": [
        "-- +expand",
        "CREATE INDEX ix_people_name ON people (name);", // 2
        "VACUUM;", // 3
        "-- +migrate",
        "-- +contract",
        "CREATE TABLE people_new (id integer PRIMARY KEY, name varchar(100) NOT NULL, org_id integer);",
        "INSERT INTO people_new SELECT id, name, org_id FROM people;",
        "DROP TABLE people;",
        "ALTER TABLE people_new RENAME TO people;", // 9
        "",
      ].join("\n"),
      "migrations/003_op.mjs": [
        'export const message = "op";',
        "export async function contract(op) {",
        '  await op.alterColumn("people", "name", { nullable: false });', // 3
        "}",
        "export async function expand(op) {",
        '  await op.aliasTable("people", "persons");', // 6: a view and its triggers, no rebuild
        "}",
        "",
      ].join("\n"),
    });
    const run = await lint(dir, SQLITE);
    expect(findings(run)).toEqual([
      "migrations/002_sqlite.sql:2 TM103 error",
      "migrations/002_sqlite.sql:3 TM404 error",
      "migrations/002_sqlite.sql:9 TM502 warning",
      "migrations/003_op.mjs:3 TM502 warning",
    ]);
    expect(run.code).toBe(3);
    // Without a database: not even the SQLite file is created.
    expect(existsSync(join(dir, "never-created.db"))).toBe(false);
  });
});

describe("the phase rules in lint", () => {
  it("reports a broken phase rule as an error finding with file, line and statement, as check does", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_drop.sql": "-- +expand\nALTER TABLE people DROP COLUMN name;\n-- +migrate\n-- +contract\n",
    });
    const run = await lint(dir, PG, "--json");
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({
        revision: "2",
        phase: "expand",
        line: 2,
        rule: "phase-rule",
        severity: "error",
        statement: "ALTER TABLE people DROP COLUMN name",
        message: expect.stringContaining("breaks a phase rule"),
      }),
    ]);
    const text = await lint(dir, SQLITE);
    expect(text.stdout).toMatch(
      /^migrations\/002_drop\.sql:2 phase-rule error expand phase of revision 2: `ALTER TABLE people DROP COLUMN name` breaks a phase rule/,
    );
    expect(text.code).toBe(3);
  });
});

describe("severities from the config", () => {
  const files = {
    "migrations/001_people.sql": PEOPLE,
    "migrations/002_index.sql": "-- +expand\nCREATE INDEX ix_people_name ON people (name);\n-- +migrate\n-- +contract\n",
  };

  it("a warning made an error fails the run; an error made a warning or off passes", async () => {
    const contract = {
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_type.sql": "-- +expand\n-- +migrate\n-- +contract\nALTER TABLE people ALTER COLUMN org_id TYPE bigint;\n",
    };
    // By default a type change in contract is a warning: exit 0.
    const lenient = await lint(makeProject(contract), PG);
    expect(findings(lenient)).toEqual(["migrations/002_type.sql:4 TM202 warning"]);
    expect(lenient.code).toBe(0);
    const strict = makeProject({
      ...contract,
      "tidemark.config.json": JSON.stringify({ lint: { rules: { "type-change-rewrite": { contract: "error" } } } }),
    });
    const pgStrict = await lint(strict, PG);
    expect(findings(pgStrict)).toEqual(["migrations/002_type.sql:4 TM202 error"]);
    expect(pgStrict.code).toBe(3);

    // SQLite's index build is an error in expand by default; the config can accept it.
    expect((await lint(makeProject(files), SQLITE)).code).toBe(3);
    const accepted = makeProject({ ...files, "tidemark.config.json": JSON.stringify({ lint: { rules: { TM103: "warning" } } }) });
    const sqlite = await lint(accepted, SQLITE);
    expect(findings(sqlite)).toEqual(["migrations/002_index.sql:2 TM103 warning"]);
    expect(sqlite.code).toBe(0);

    const relaxed = makeProject({
      ...files,
      "tidemark.config.json": JSON.stringify({ lint: { rules: { "index-not-concurrent": { expand: "warning" } } } }),
    });
    const pg = await lint(relaxed, PG);
    expect(findings(pg)).toEqual(["migrations/002_index.sql:2 TM101 warning"]);
    expect(pg.code).toBe(0);

    const off = makeProject({ ...files, "tidemark.config.json": JSON.stringify({ lint: { rules: { TM101: "off" } } }) });
    const silent = await lint(off, PG);
    expect(findings(silent)).toEqual([]);
    expect(silent.code).toBe(0);
  });

  it("refuses an unknown rule id as a configuration error (exit 2)", async () => {
    const dir = makeProject({ ...files, "tidemark.config.json": JSON.stringify({ lint: { rules: { TM999: "error" } } }) });
    const run = await lint(dir, PG);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"lint.rules.TM999" names no lint rule');
  });
});

describe("check runs the lint", () => {
  it("fails on an error finding, naming file, line, statement and rule", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_index.sql": "-- +expand\nCREATE INDEX ix_people_name ON people (name);\n-- +migrate\n-- +contract\n",
    });
    const run = await runCli(["check", "--url", PG], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /002_index\.sql:2 \(revision 2, expand phase\): `CREATE INDEX ix_people_name ON people \(name\)` breaks lint rule TM101 index-not-concurrent/,
    );

    const json = await runCli(["check", "--url", PG, "--json"], { cwd: dir });
    const result = JSON.parse(json.stdout) as { ok: boolean; problems: { kind: string }[]; lint: { rule: string }[] };
    expect(result.ok).toBe(false);
    expect(result.problems.map((problem) => problem.kind)).toEqual(["lint"]);
    expect(result.lint.map((finding) => finding.rule)).toEqual(["TM101"]);

    // The config's severity holds for check too.
    writeFileSync(join(dir, "tidemark.config.json"), JSON.stringify({ lint: { rules: { TM101: "warning" } } }));
    const relaxed = await runCli(["check", "--url", PG], { cwd: dir });
    expect(relaxed.code, relaxed.stderr).toBe(0);
    expect(relaxed.stderr).toContain("lint warning:");
  });

  it("passes when the findings are warnings", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": PEOPLE,
      "migrations/002_index.sql": "-- +expand\n-- +migrate\n-- +contract\nALTER TABLE people ALTER COLUMN org_id TYPE bigint;\n",
    });
    const run = await runCli(["check", "--url", PG], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /lint warning: \S+002_index\.sql:4 TM202 type-change-rewrite: ALTER COLUMN org_id TYPE int8 on people/,
    );
  });
});
