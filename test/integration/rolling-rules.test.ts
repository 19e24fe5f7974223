/**
 * Rolling repositories' bad input, through the CLI on every dialect: a
 * broken phase rule (named, nothing run), phases out of order, keystone's
 * three-folder layout with a missing version, a contract that leaves an
 * expand trigger behind, and what `check` reports without a database.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDialect } from "../../src/dialects/registry.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();

const BASE = "-- +expand\nCREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));\n";

async function tables(url: string): Promise<{ names: string[]; columns: string[]; triggers: string[] }> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    const schema = await dialect.introspector.introspect(connection, { exclude: [] });
    return {
      names: schema.tables.map((table) => table.name).sort(),
      columns: schema.tables.find((table) => table.name === "people")?.columns.map((column) => column.name) ?? [],
      triggers: schema.triggers.map((trigger) => trigger.name).sort(),
    };
  } finally {
    await connection.close();
  }
}

describe.each(dialects)("rolling rules on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialectName);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const cli = (dir: string, ...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir });

  it("refuses a drop in expand before any statement of the step runs, naming script, phase, statement and rule", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_bad.sql":
        "-- +expand\nCREATE TABLE audit (id INTEGER);\nALTER TABLE people DROP COLUMN name;\n-- +migrate\n-- +contract\n",
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await tables(database.url);
    const run = await cli(dir, "sync", "--expand");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("002_bad.sql:3");
    expect(run.stderr).toContain("expand");
    expect(run.stderr).toMatch(/DROP COLUMN/i);
    expect(await tables(database.url)).toEqual(before);
    expect(before.names).not.toContain("audit");

    const check = await runCli(["check", "--url", database.url], { cwd: dir });
    expect(check.code).toBe(3);
    expect(check.stderr).toContain("002_bad.sql:3");
  });

  it("refuses a schema change in migrate made through the op API, and a method the phase lacks", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_bad.mjs":
        'export const message = "bad";\nexport async function migrate(op) {\n  await op.execute("UPDATE people SET name = name");\n  await op.addColumn("people", "x", { type: "text" });\n}\n',
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    const run = await cli(dir, "sync", "--migrate");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("002_bad.mjs");
    expect(run.stderr).toContain("op.addColumn");
    expect(run.stderr).toContain("migrate");
    expect((await tables(database.url)).columns).toEqual(["id", "name"]);
  });

  it("never lets contract pass migrate, nor migrate pass expand (exit 1, nothing run)", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_col.sql":
        "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n-- +migrate\nUPDATE people SET nick = name;\n-- +contract\n",
    });
    expect((await cli(dir, "sync", "--expand", "1")).code).toBe(0);
    const migrate = await cli(dir, "sync", "--migrate");
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain("sync --expand");
    const contract = await cli(dir, "sync", "--contract");
    expect(contract.code).toBe(1);
    expect((await tables(database.url)).columns).toEqual(["id", "name"]);
    expect((await cli(dir, "sync", "--check")).code).toBe(2);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--check")).code).toBe(3);
    expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
    expect((await cli(dir, "sync", "--check")).code).toBe(4);
    expect((await cli(dir, "sync", "--contract")).code).toBe(0);
    expect((await cli(dir, "sync", "--check")).code).toBe(0);
    const current = await cli(dir, "current");
    expect(current.stdout).toContain("core expand: 2 (head)");
    expect(current.stdout).toContain("core contract: 2 (head)");
  });

  it("refuses a contract that leaves an expand trigger behind, naming it", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_rename.mjs": [
        'export const message = "rename";',
        "export async function expand(op) {",
        '  await op.addColumn("people", "full_name", { type: "varchar(200)" });',
        '  await op.syncColumns({ table: "people", name: "people_name", from: "name", to: "full_name", forward: "NEW.name", backward: "NEW.full_name" });',
        "}",
        "export async function contract(op) {",
        '  await op.dropColumn("people", "name");',
        "}",
        "",
      ].join("\n"),
    });
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
    const before = await tables(database.url);
    expect(before.triggers.length).toBeGreaterThan(0);
    const run = await cli(dir, "sync", "--contract");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("tidemark_sync_people_name");
    expect(run.stderr).toContain("dropSync");
    expect(await tables(database.url)).toEqual(before);
  });

  it("loads keystone's three-folder layout, and names a version missing from one folder", async () => {
    const files = {
      "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "sql" } } }),
      "sql/expand_repo/versions/001_expand_people.sql": "CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));\n",
      "sql/data_migration_repo/versions/001_placeholder.sql": "",
      "sql/contract_repo/versions/001_placeholder.sql": "",
      "sql/expand_repo/versions/002_expand_nick.sql": "ALTER TABLE people ADD COLUMN nick VARCHAR(20);\n",
      "sql/data_migration_repo/versions/002_migrate_nick.sql": "UPDATE people SET nick = name;\n",
      "sql/contract_repo/versions/002_contract_name.sql": "ALTER TABLE people DROP COLUMN name;\n",
    };
    const dir = makeProject(files);
    const run = await cli(dir, "db_sync");
    expect(run.code, run.stderr).toBe(0);
    expect((await tables(database.url)).columns).toEqual(["id", "nick"]);
    expect((await cli(dir, "db_version")).stdout).toBe("expand 2, migrate 2, contract 2\n");

    const broken = makeProject(
      Object.fromEntries(Object.entries(files).filter(([name]) => name !== "sql/contract_repo/versions/002_contract_name.sql")),
    );
    const missing = await cli(broken, "check");
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/contract_repo\/versions\/002_\*/);
  });
});

describe("check without a database", () => {
  afterAll(() => removeProjects());

  it("lists every unsafe mark and passes when the rules are kept", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_fn.sql":
        "-- +expand\n-- tidemark:unsafe the function only reads\nCREATE FUNCTION f() RETURNS integer LANGUAGE sql AS 'SELECT 1';\n-- +migrate\n-- +contract\n",
    });
    const run = await runCli(["check", "--url", "postgres://nobody:pw@127.0.0.1:1/none"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("unsafe (the function only reads)");
  });
});
