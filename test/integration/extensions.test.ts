/**
 * keystone's extension procedure (seed 000), step by step through the CLI,
 * on every dialect; then dependencies between repositories and the
 * bad-input cases of the issue, each leaving the database untouched.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDialect } from "../../src/dialects/registry.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, writeFiles } from "../helpers/project.js";

const dialects = await testDialects();

const EXTENSION = "keystone/contrib/example/migrate_repo";
const MIGRATE_CFG = "[db_settings]\nrepository_id=example\nversion_table=migrate_version\nrequired_dbs=[]\n";

function project(extra: Record<string, string> = {}): string {
  return makeProject({
    "tidemark.config.json": JSON.stringify({
      repositories: { core: { path: "migrations" }, example: { path: EXTENSION, extension: true } },
    }),
    "migrations/1a2b3c4d5e6f_core_table.sql":
      "-- revision: 1a2b3c4d5e6f\n-- message: core table\n-- +upgrade\nCREATE TABLE core_t (id INTEGER);\n-- +downgrade\nDROP TABLE core_t;\n",
    [`${EXTENSION}/__init__.py`]: "",
    [`${EXTENSION}/versions/__init__.py`]: "",
    [`${EXTENSION}/migrate.cfg`]: MIGRATE_CFG,
    [`${EXTENSION}/versions/001_example_table.sql`]:
      "-- +upgrade\nCREATE TABLE example (id INTEGER PRIMARY KEY, type VARCHAR(255), extra TEXT);\n-- +downgrade\nDROP TABLE example;\n",
    [`${EXTENSION}/versions/002_example_note.sql`]:
      "-- +upgrade\nCREATE TABLE example_note (id INTEGER);\n-- +downgrade\nDROP TABLE example_note;\n",
    ...extra,
  });
}

async function snapshot(url: string): Promise<{ tables: string[]; rows: string[] }> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    const schema = await dialect.introspector.introspect(connection, { exclude: [] });
    const tables = schema.tables.map((table) => table.name).sort();
    const rows: string[] = [];
    for (const table of ["migrate_version", "tidemark_version"]) {
      if (!tables.includes(table)) continue;
      const found = await connection.query(
        `SELECT repository, phase, version FROM ${dialect.compiler.quoteIdentifier(table)} ORDER BY repository`,
      );
      rows.push(...found.map((row) => `${table}:${String(row.repository)}:${String(row.version)}`));
    }
    return { tables, rows };
  } finally {
    await connection.close();
  }
}

describe.each(dialects)("extensions on %s", (dialect: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const cli = (dir: string, ...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir });

  it("replays keystone's procedure: db_sync, db_sync 1, db_sync 0, db_version", async () => {
    const dir = project();
    let run = await cli(dir, "db_sync", "--extension", "example");
    expect(run.code, run.stderr).toBe(0);
    let state = await snapshot(database.url);
    expect(state.tables).toEqual(expect.arrayContaining(["example", "example_note", "migrate_version"]));
    expect(state.tables).not.toContain("core_t");
    expect(state.rows).toEqual(["migrate_version:example:2"]);
    expect((await cli(dir, "db_version", "--extension", "example")).stdout).toBe("2\n");

    run = await cli(dir, "db_sync", "--extension", "example", "1");
    expect(run.code, run.stderr).toBe(0);
    state = await snapshot(database.url);
    expect(state.tables).toContain("example");
    expect(state.tables).not.toContain("example_note");
    expect(state.rows).toEqual(["migrate_version:example:1"]);

    run = await cli(dir, "db_sync", "--extension", "example", "0");
    expect(run.code, run.stderr).toBe(0);
    state = await snapshot(database.url);
    expect(state.tables).not.toContain("example");
    expect(state.rows).toEqual([]);
    run = await cli(dir, "db_version", "--extension", "example");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("0\n");

    // The core repository was never touched, and reports cover both, labelled.
    const current = await cli(dir, "current");
    expect(current.stdout).toContain("core: base");
    expect(current.stdout).toContain("example: base");
    const json = JSON.parse((await cli(dir, "db_version", "--all", "--json")).stdout) as {
      repositories: { repository: string }[];
    };
    expect(json.repositories.map((entry) => entry.repository)).toEqual(["core", "example"]);
  });

  it("refuses an extension revision that needs a core revision until the core is there", async () => {
    const dir = project({
      [`${EXTENSION}/versions/002_example_note.sql`]:
        "-- depends-on: core@1a2b3c4d5e6f\n-- +upgrade\nCREATE TABLE example_note (id INTEGER);\n-- +downgrade\nDROP TABLE example_note;\n",
    });
    const refused = await cli(dir, "upgrade", "--extension", "example");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("needs core@1a2b3c4d5e6f");
    expect(refused.stderr).toContain("002_example_note.sql");
    expect((await snapshot(database.url)).rows).toEqual([]);

    const all = await cli(dir, "upgrade", "--all");
    expect(all.code, all.stderr).toBe(0);
    expect((await snapshot(database.url)).rows).toEqual(["migrate_version:example:2", "tidemark_version:core:1a2b3c4d5e6f"]);
  });

  it.each([
    ["an unknown extension", {}, ["db_sync", "--extension", "nope"], /Unknown repository or extension "nope"/],
    ["a version above the extension's head", {}, ["db_sync", "--extension", "example", "7"], /no version 7/],
    [
      "a migrate.cfg that cannot be parsed",
      { [`${EXTENSION}/migrate.cfg`]: "[db_settings\nrepository_id=x\n" },
      ["db_sync", "--extension", "example"],
      /migrate\.cfg:1/,
    ],
    [
      "a dialect not in required_dbs",
      { [`${EXTENSION}/migrate.cfg`]: "[db_settings]\nrequired_dbs=['oracle']\n" },
      ["db_sync", "--extension", "example"],
      /required_dbs/,
    ],
    ["a config file that does not exist", {}, ["db_sync", "--config", "missing.ini"], /missing\.ini/],
  ])("%s: exit 2, a clear message, the database unchanged", async (_name, files, args, message) => {
    const dir = project(files as Record<string, string>);
    const before = await snapshot(database.url);
    const run = await cli(dir, ...(args as string[]));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message as RegExp);
    expect(await snapshot(database.url)).toEqual(before);
  });

  it("refuses two repositories with the same id", async () => {
    const dir = project();
    writeFiles(dir, {
      "tidemark.config.json": JSON.stringify({
        repositories: { core: { path: "migrations" }, example: { path: EXTENSION, id: "core" }, other: { path: EXTENSION } },
      }),
    });
    const run = await cli(dir, "current");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/same/i);
  });
});
