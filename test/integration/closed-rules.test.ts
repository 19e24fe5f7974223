/**
 * Issue 13, Seen D1–D6: every attempt the audit got past the phase rules,
 * through the CLI on each dialect it applies to. Each is refused with exit
 * 1 naming the file, the statement and the rule, `check` exits 3 naming
 * the file, and the database is read back unchanged (schema, rows, version
 * rows, functions, rules).
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/dialects/dialect.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();

const BASE = [
  "-- +expand",
  "CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));",
  "CREATE VIEW people_v AS SELECT id, name FROM people;",
  "-- +migrate",
  "INSERT INTO people (id, name) VALUES (1, 'Ada'), (2, 'Grace');",
  "",
].join("\n");

/** Everything an attempt could have changed, read from the database. */
async function snapshot(url: string, dialect: DialectName): Promise<unknown> {
  const parsed = parseDatabaseUrl(url);
  const d = await loadDialect(parsed.dialect);
  const connection = await d.driver.connect(parsed);
  try {
    const schema = await d.introspector.introspect(connection, { exclude: [] });
    const extra =
      dialect === "postgres"
        ? "SELECT (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public') AS functions, " +
          "(SELECT count(*) FROM pg_rules WHERE schemaname = 'public') AS rules"
        : dialect === "mysql"
          ? "SELECT (SELECT count(*) FROM information_schema.routines WHERE routine_schema = DATABASE()) AS functions, " +
            "(SELECT count(*) FROM information_schema.events WHERE event_schema = DATABASE()) AS rules"
          : "SELECT 0 AS functions, 0 AS rules";
    return {
      tables: schema.tables.map((t) => [t.name, t.columns.map((c) => c.name), t.checks?.length ?? 0]),
      views: schema.views.map((v) => [v.name, v.sql.replace(/\s+/g, " ").toLowerCase()]),
      triggers: schema.triggers.map((t) => t.name).sort(),
      rows: await connection.query("SELECT id, name FROM people ORDER BY id"),
      versions: await connection.query("SELECT * FROM tidemark_version ORDER BY 1, 2, 3"),
      extra: (await connection.query(extra)).map((row) => Object.values(row).map(Number)),
    };
  } finally {
    await connection.close();
  }
}

interface Attempt {
  readonly name: string;
  readonly dialects: readonly DialectName[];
  readonly phase: "expand" | "migrate" | "contract";
  /** The file name of the bad revision (002_…) and its text. */
  readonly file: string;
  readonly text: (dialect: DialectName) => string;
  /** What stderr must name besides the file: part of the statement and of the rule. */
  readonly says: readonly (string | RegExp)[];
}

const ALL: readonly DialectName[] = ["sqlite", "postgres", "mysql"];
const PG_MY: readonly DialectName[] = ["postgres", "mysql"];

const mjs = (phase: string, body: string): string =>
  `export const message = "bad";\nexport async function ${phase}(op) {\n${body}\n}\n`;
const sql = (phase: string, body: string): string => `-- +${phase}\n${body}\n`;

const ATTEMPTS: readonly Attempt[] = [
  {
    name: "D1 op.query running DDL in expand",
    dialects: ALL,
    phase: "expand",
    file: "002_query_ddl.mjs",
    text: (d) => mjs("expand", `  await op.query("ALTER TABLE people DROP COLUMN ${d === "sqlite" ? "" : "IF EXISTS "}name");`),
    says: [/DROP COLUMN/, "it belongs in the contract phase"],
  },
  {
    name: "D1 op.query deleting rows in contract",
    dialects: ALL,
    phase: "contract",
    file: "002_query_delete.mjs",
    text: () => mjs("contract", '  await op.query("DELETE FROM people", [], { readOnly: true });'),
    says: ["DELETE FROM people", "data changes belong in the migrate phase"],
  },
  {
    name: "D1 a COMMIT that would end the step's transaction early",
    dialects: ALL,
    phase: "expand",
    file: "002_commit.sql",
    text: () => sql("expand", "ALTER TABLE people ADD COLUMN nick VARCHAR(20);\nCOMMIT;"),
    says: ["COMMIT", "version rows no longer commit"],
  },
  {
    name: "D2 PostgreSQL standard_conforming_strings hides a DROP from the lexer",
    dialects: ["postgres"],
    phase: "expand",
    file: "002_scs.sql",
    text: () =>
      sql(
        "expand",
        String.raw`SET standard_conforming_strings = off;` +
          "\n" +
          String.raw`SELECT 'a\'' ; ALTER TABLE people DROP COLUMN name ; -- ';`,
      ),
    says: ["standard_conforming_strings", "how the next statements are read"],
  },
  {
    name: "D2 PostgreSQL a backslash-escaped quote that standard_conforming_strings = off (set for the database) would end",
    dialects: ["postgres"],
    phase: "expand",
    file: "002_backslash.sql",
    text: () => sql("expand", String.raw`SELECT 'a\'' ; ALTER TABLE people DROP COLUMN name ; -- ';`),
    says: ["SELECT 'a", "standard_conforming_strings is off"],
  },
  {
    name: "D2 MariaDB NO_BACKSLASH_ESCAPES hides a DROP inside a default",
    dialects: ["mysql"],
    phase: "expand",
    file: "002_sql_mode.sql",
    text: () =>
      sql(
        "expand",
        String.raw`SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');` +
          "\n" +
          String.raw`ALTER TABLE people ADD COLUMN c VARCHAR(50) DEFAULT 'x\', DROP COLUMN name, ADD COLUMN d VARCHAR(50) DEFAULT 'y' #';`,
      ),
    says: ["sql_mode", "how the next statements are read"],
  },
  {
    name: "D2 MariaDB a backslash-escaped quote that a global NO_BACKSLASH_ESCAPES would read as a DROP",
    dialects: ["mysql"],
    phase: "expand",
    file: "002_backslash.sql",
    text: () =>
      sql(
        "expand",
        String.raw`ALTER TABLE people ADD COLUMN c VARCHAR(50) DEFAULT 'x\', DROP COLUMN name, ADD COLUMN d VARCHAR(50) DEFAULT 'y' #';`,
      ),
    says: ["ALTER TABLE people ADD COLUMN c", "NO_BACKSLASH_ESCAPES"],
  },
  {
    name: "D3 a statement that is only an executable comment",
    dialects: ["mysql"],
    phase: "expand",
    file: "002_exec_only.sql",
    text: () => sql("expand", "/*M!100100 ALTER TABLE people DROP COLUMN name */;"),
    says: ["/*M!100100", "executable comment"],
  },
  {
    name: "D3 an executable comment inside an additive ALTER",
    dialects: ["mysql"],
    phase: "expand",
    file: "002_exec_inside.sql",
    text: () => sql("expand", "ALTER TABLE people ADD COLUMN c int /*M!, DROP COLUMN name */;"),
    says: ["ADD COLUMN c int", "executable comment"],
  },
  {
    name: "D4 CREATE FUNCTION and SELECT f() in expand",
    dialects: ["postgres"],
    phase: "expand",
    file: "002_function.sql",
    text: () =>
      sql(
        "expand",
        "CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'ALTER TABLE people DROP COLUMN name'; RETURN 1; END $$;\n" +
          "SELECT evil();",
      ),
    says: ["CREATE FUNCTION", "may run any statement"],
  },
  {
    name: "D4 CREATE FUNCTION in expand",
    dialects: ["mysql"],
    phase: "expand",
    file: "002_function.sql",
    text: () => sql("expand", "CREATE FUNCTION evil() RETURNS INT DETERMINISTIC RETURN (SELECT COUNT(*) FROM people);"),
    says: ["CREATE FUNCTION", "may run any statement"],
  },
  {
    name: "D4 a materialized view that calls a function",
    dialects: ["postgres"],
    phase: "expand",
    file: "002_matview.sql",
    text: () => sql("expand", "CREATE MATERIALIZED VIEW mv AS SELECT pg_terminate_backend(pg_backend_pid());"),
    says: ["CREATE MATERIALIZED VIEW", "pg_terminate_backend"],
  },
  {
    name: "D4 SELECT f() in contract",
    dialects: ALL,
    phase: "contract",
    file: "002_call.sql",
    text: () => sql("contract", "SELECT evil(1);"),
    says: ["SELECT evil(1)", "a call of evil()"],
  },
  {
    name: "D5 CREATE RULE … DO INSTEAD NOTHING",
    dialects: ["postgres"],
    phase: "expand",
    file: "002_rule.sql",
    text: () => sql("expand", "CREATE RULE swallow AS ON INSERT TO people DO INSTEAD NOTHING;"),
    says: ["CREATE RULE", "discard"],
  },
  {
    name: "D5 a trigger that rewrites the old release's rows",
    dialects: ALL,
    phase: "expand",
    file: "002_trigger.sql",
    text: (d) =>
      sql(
        "expand",
        d === "sqlite"
          ? "CREATE TRIGGER rewrite AFTER INSERT ON people BEGIN UPDATE people SET name = 'x' WHERE id = NEW.id; END;"
          : d === "mysql"
            ? "CREATE TRIGGER rewrite BEFORE INSERT ON people FOR EACH ROW SET NEW.name = 'x';"
            : "CREATE TRIGGER rewrite BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();",
      ),
    says: ["CREATE TRIGGER rewrite", "tidemark's own triggers"],
  },
  {
    name: "D5 CREATE OR REPLACE VIEW over a view the old release reads",
    dialects: PG_MY,
    phase: "expand",
    file: "002_view.sql",
    text: () => sql("expand", "CREATE OR REPLACE VIEW people_v AS SELECT id, 'gone' AS name FROM people;"),
    says: ["CREATE OR REPLACE VIEW people_v", "replaces in place"],
  },
  {
    name: "D5 a CHECK that rejects the old release's inserts (raw SQL)",
    dialects: PG_MY,
    phase: "expand",
    file: "002_check.sql",
    text: (d) =>
      sql("expand", `ALTER TABLE people ADD CONSTRAINT ck_name CHECK (name <> 'Ada')${d === "postgres" ? " NOT VALID" : ""};`),
    says: ["ck_name", "NOT VALID only skips existing rows"],
  },
  {
    name: "D5 a CHECK that rejects the old release's inserts (op.addCheck)",
    dialects: ALL,
    phase: "expand",
    file: "002_check_op.mjs",
    text: () => mjs("expand", '  await op.addCheck("people", "ck_name", "name <> \'Ada\'");'),
    says: ["op.addCheck", "rejects the old release's inserts"],
  },
  {
    name: "D5 CREATE EVENT",
    dialects: ["mysql"],
    phase: "expand",
    file: "002_event.sql",
    text: () => sql("expand", "CREATE EVENT purge ON SCHEDULE EVERY 1 HOUR DO DELETE FROM people;"),
    says: ["CREATE EVENT purge", "schedule"],
  },
  {
    name: "D6 DO in migrate",
    dialects: ["postgres"],
    phase: "migrate",
    file: "002_do.sql",
    text: () => sql("migrate", "DO $$ BEGIN EXECUTE 'ALTER TABLE people DROP COLUMN name'; END $$;"),
    says: ["DO $$", "DO block"],
  },
  {
    name: "D6 PREPARE / EXECUTE in migrate",
    dialects: PG_MY,
    phase: "migrate",
    file: "002_prepare.sql",
    text: (d) =>
      sql(
        "migrate",
        d === "postgres"
          ? "PREPARE s AS DELETE FROM people;\nEXECUTE s;"
          : "PREPARE s FROM 'ALTER TABLE people DROP COLUMN name';\nEXECUTE s;",
      ),
    says: ["PREPARE s", "PREPARE"],
  },
  {
    name: "D6 CALL in migrate",
    dialects: PG_MY,
    phase: "migrate",
    file: "002_call_proc.sql",
    text: () => sql("migrate", "CALL wipe();"),
    says: ["CALL wipe()", "procedure"],
  },
  {
    name: "D6 a backfill `where` that smuggles a statement",
    dialects: ALL,
    phase: "migrate",
    file: "002_backfill.mjs",
    text: () =>
      mjs(
        "migrate",
        '  await op.backfill({ table: "people", set: { name: "name" }, where: "1 = 1; DROP TABLE people; SELECT 1 WHERE 1 = 1" });',
      ),
    says: ["op.backfill", "`where`", "holds a `;`"],
  },
  {
    name: "D6 a backfill `set` that hides the rest of the statement in a comment",
    dialects: ALL,
    phase: "migrate",
    file: "002_backfill_comment.mjs",
    text: () => mjs("migrate", '  await op.backfill({ table: "people", set: { name: "NULL -- " }, where: "id > 0" });'),
    says: ["op.backfill", "`set.name`", "comment"],
  },
];

describe.each(dialects)("closed phase rules on %s", (dialect: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const cli = (dir: string, ...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir });

  it.each(ATTEMPTS.filter((attempt) => attempt.dialects.includes(dialect)))("refuses $name", async (attempt) => {
    const dir = makeProject({ "migrations/001_people.sql": BASE, [`migrations/${attempt.file}`]: attempt.text(dialect) });
    const base = await cli(dir, "sync", "1");
    expect(base.code, base.stderr).toBe(0);
    // The phases before the refused one have nothing to do: move the version rows past them.
    if (attempt.phase !== "expand") expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    if (attempt.phase === "contract") expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
    const before = await snapshot(database.url, dialect);

    const run = await cli(dir, "sync", `--${attempt.phase}`);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(attempt.file);
    expect(run.stderr).toContain(`${attempt.phase} phase`);
    for (const words of attempt.says) expect(run.stderr).toMatch(words);
    expect(await snapshot(database.url, dialect)).toEqual(before);

    const check = await cli(dir, "check");
    expect(check.code, check.stdout).toBe(3);
    expect(check.stderr).toContain(attempt.file);
    expect(await snapshot(database.url, dialect)).toEqual(before);
  });

  it("refuses, when the step runs, an op that only the rows of a marked read lead to (D1), before it runs", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_branch.mjs": mjs(
        "expand",
        [
          '  const rows = await op.query("SELECT id FROM people", [], { readOnly: true });',
          '  if (rows.length > 0) await op.execute("ALTER TABLE people DROP COLUMN name");',
          '  await op.addColumn("people", "nick", { type: "text" });',
        ].join("\n"),
      ),
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await snapshot(database.url, dialect);
    // Recording reads no rows, so the rule check sees a read and an added column only.
    expect((await cli(dir, "check")).code).toBe(0);
    const run = await cli(dir, "sync", "--expand");
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("002_branch.mjs");
    expect(run.stderr).toMatch(/ALTER TABLE people DROP COLUMN name.*breaks a phase rule/s);
    expect(await snapshot(database.url, dialect)).toEqual(before);
  });

  it("never runs op.query while the body is recorded: a marked INSERT runs once, when the step runs (D1)", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_insert.mjs": mjs(
        "migrate",
        `  await op.query("INSERT INTO people (id, name) VALUES (3, 'Alan')", [], { unsafe: "a seed row, run once" });`,
      ),
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    // Had the rule check run it, the step's own run would hit the primary key.
    const run = await cli(dir, "sync", "--migrate");
    expect(run.code, run.stderr).toBe(0);
    expect(await queryDatabase(database.url, "SELECT id FROM people ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it("lets a marked read through, runs it only when the step runs, and lists every unsafe mark with its line", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_count.mjs": mjs(
        "expand",
        [
          '  const [row] = await op.query("SELECT COUNT(*) AS n FROM people", [], { readOnly: true });',
          '  await op.addColumn("people", `seen_${op.offline ? 0 : Number(row?.n ?? 0)}`, { type: "integer" });',
        ].join("\n"),
      ),
      "migrations/004_marked.mjs": mjs(
        "migrate",
        '  await op.execute("SELECT 1");\n  await op.execute("CALL refresh_cache()", { unsafe: "the procedure only fills a cache table" });',
      ),
      "migrations/003_marked.sql": [
        "-- +expand",
        "-- tidemark:unsafe the view only adds a column the old release ignores",
        "CREATE OR REPLACE VIEW people_v AS SELECT id, name, 1 AS extra FROM people;",
        "",
      ].join("\n"),
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const check = await cli(dir, "check");
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(
      /unsafe \(the view only adds a column the old release ignores\) in \S*migrations\/003_marked\.sql:3: CREATE OR REPLACE VIEW/,
    );
    expect(check.stdout).toMatch(
      /unsafe \(the procedure only fills a cache table\) in \S*migrations\/004_marked\.mjs:4: CALL refresh_cache\(\)/,
    );
    const run = await cli(dir, "sync", "--expand", "2");
    expect(run.code, run.stderr).toBe(0);
    // Recording read nothing (it would have named the column seen_0); the step read the two rows.
    const columns = (await queryDatabase(database.url, "SELECT * FROM people ORDER BY id"))[0];
    expect(Object.keys(columns ?? {})).toContain("seen_2");
  });
});

describe("check without a database", () => {
  afterAll(() => removeProjects());

  it("refuses an unmarked op.query in a rolling phase, naming the file", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_read.mjs": mjs("migrate", '  const rows = await op.query("SELECT id FROM people");\n  void rows;'),
    });
    const run = await runCli(["check", "--url", "sqlite::memory:"], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("002_read.mjs");
    expect(run.stderr).toContain("readOnly: true");
  });
});
