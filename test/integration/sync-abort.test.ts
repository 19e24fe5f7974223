/**
 * `sync --abort` (issue 13): undoes an expand that has not been contracted,
 * on every dialect, from the CLI and the library. After it the schema is
 * the pre-expand schema (introspected), no tidemark trigger is left, the
 * version rows say the window is closed, and a new expand runs again.
 * What it cannot undo it refuses before anything runs.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/index.js";
import { AbortRefusedError } from "../../src/errors.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import type { SchemaModel } from "../../src/dialects/schema-model.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();

const BASE =
  "-- +expand\nCREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));\n" +
  "-- +migrate\nINSERT INTO people (id, name) VALUES (1, 'Ada'), (2, 'Grace');\n-- +contract\n";

/** A rename of name → full_name with everything an expand step usually adds. */
const RENAME = [
  'export const message = "rename name to full_name";',
  "export async function expand(op) {",
  '  await op.addColumn("people", "full_name", { type: "varchar(200)" });',
  '  await op.syncColumns({ table: "people", name: "people_name", from: "name", to: "full_name", forward: "NEW.name", backward: "NEW.full_name" });',
  '  await op.createIndex("people", ["full_name"], { name: "ix_people_full_name" });',
  '  await op.createTable("people_audit", { id: { type: "integer", primaryKey: true }, note: { type: "text" } });',
  '  await op.createView("people_v", "SELECT id, full_name FROM people");',
  "}",
  "export async function migrate(op) {",
  '  await op.backfill({ table: "people", set: { full_name: "name" }, where: "full_name IS NULL" });',
  "}",
  "export async function contract(op) {",
  '  await op.dropView("people_v");',
  '  await op.dropSync({ table: "people", name: "people_name" });',
  '  await op.dropColumn("people", "name");',
  "}",
  "",
].join("\n");

async function schemaOf(url: string): Promise<SchemaModel> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    return await dialect.introspector.introspect(connection, {});
  } finally {
    await connection.close();
  }
}

async function versionRows(url: string): Promise<string[]> {
  const rows = await queryDatabase(url, "SELECT phase, version FROM tidemark_version ORDER BY phase, version");
  return rows.map((row) => `${String(row.phase)}:${String(row.version)}`);
}

/** Runs a script through the dialect's own command-line client (as offline-parity.test.ts does). */
function runClient(database: TestDatabase, dir: string, script: string): { code: number; output: string } {
  const file = join(dir, "abort.sql");
  writeFileSync(file, script);
  const url = parseDatabaseUrl(database.url);
  const [command, args, input] =
    database.dialect === "sqlite"
      ? ["sqlite3", [database.name], script]
      : database.dialect === "postgres"
        ? ["psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", database.url, "-f", file], undefined]
        : [
            "mariadb",
            ["-h", url.host ?? "127.0.0.1", "-P", String(url.port ?? 3306), "-u", url.user ?? "root", database.name],
            script,
          ];
  const result = spawnSync(command, args, { input, encoding: "utf8", timeout: 60_000 });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe.each(dialects)("sync --abort on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialectName);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const cli = (dir: string, ...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir });

  it("undoes an expand (ops): the pre-expand schema, no trigger, the window closed, and expand runs again", async () => {
    const dir = makeProject({ "migrations/001_people.sql": BASE, "migrations/002_rename.mjs": RENAME });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    const expanded = await schemaOf(database.url);
    expect(expanded.triggers.length).toBeGreaterThan(0);
    expect(expanded.views.map((v) => v.name)).toEqual(["people_v"]);

    // A dry run shows the plan and its SQL and changes nothing.
    const dry = await cli(dir, "sync", "--abort", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("--   down expand 2 rename name to full_name");
    expect(dry.stdout).toMatch(/DROP TRIGGER/i);
    expect(await schemaOf(database.url)).toEqual(expanded);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:2", "migrate:1"]);

    const run = await cli(dir, "sync", "--abort");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("aborted");
    expect(await schemaOf(database.url)).toEqual(before);
    expect((await schemaOf(database.url)).triggers).toEqual([]);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);
    const log = await queryDatabase(
      database.url,
      "SELECT phase, direction, status FROM tidemark_log WHERE revision = '2' ORDER BY id",
    );
    expect(log.map((row) => `${String(row.phase)} ${String(row.direction)} ${String(row.status)}`)).toEqual([
      "expand up done",
      "expand down done",
    ]);
    expect((await cli(dir, "sync", "--check")).code).toBe(2);
    // The old release's rows are untouched, and the window opens and closes again.
    expect(await queryDatabase(database.url, "SELECT id, name FROM people ORDER BY id")).toEqual([
      { id: 1, name: "Ada" },
      { id: 2, name: "Grace" },
    ]);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    const again = await cli(dir, "sync");
    expect(again.code, again.stderr).toBe(0);
    expect(await queryDatabase(database.url, "SELECT id, full_name FROM people ORDER BY id")).toEqual([
      { id: 1, full_name: "Ada" },
      { id: 2, full_name: "Grace" },
    ]);
  });

  it("undoes an expand after a migrate that only backfilled what expand added (library API)", async () => {
    const dir = makeProject({ "migrations/001_people.sql": BASE, "migrations/002_rename.mjs": RENAME });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
    const tidemark = await Tidemark.open({ cwd: dir, url: database.url, env: {} });
    try {
      const result = await tidemark.abort();
      expect(result.repositories[0]?.steps.map((s) => `${s.revision} ${s.phase} ${s.direction} ${s.outcome}`)).toEqual([
        "2 expand down done",
      ]);
      expect(result.repositories[0]?.after).toEqual([
        { phase: "expand", version: "1" },
        { phase: "migrate", version: "1" },
        { phase: "contract", version: "1" },
      ]);
      // No window is open any more: a second abort is refused.
      await expect(tidemark.abort()).rejects.toThrow(AbortRefusedError);
    } finally {
      await tidemark.close();
    }
    expect(await schemaOf(database.url)).toEqual(before);
  });

  it("undoes the safe sequences' expand (an alias view, a type change) after their migrate", async () => {
    const safe = [
      'export const message = "people: alias persons, id to bigint";',
      "export async function expand(op) {",
      '  await op.aliasTable("people", "persons");',
      '  await op.changeType("people", "id", { type: "bigint" });',
      "}",
      "export async function migrate(op) {",
      '  await op.backfillTypeChange("people", "id");',
      "}",
      "export async function contract(op) {",
      '  await op.finishTypeChange("people", "id");',
      '  await op.renameTable("people", "persons", { overAlias: true });',
      "}",
      "",
    ].join("\n");
    const dir = makeProject({ "migrations/001_people.sql": BASE, "migrations/002_safe.mjs": safe });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await schemaOf(database.url)).views.map((v) => v.name)).toEqual(["persons"]);
    const migrate = await cli(dir, "sync", "--migrate");
    expect(migrate.code, migrate.stderr).toBe(0);
    const run = await cli(dir, "sync", "--abort");
    expect(run.code, run.stderr).toBe(0);
    expect(await schemaOf(database.url)).toEqual(before);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);
    expect(await queryDatabase(database.url, "SELECT id, name FROM people ORDER BY id")).toEqual([
      { id: 1, name: "Ada" },
      { id: 2, name: "Grace" },
    ]);
  });

  it("undoes a window whose backfill stopped half way, and the next window backfills from the first row", async () => {
    const dir = makeProject({ "migrations/001_people.sql": BASE, "migrations/002_rename.mjs": RENAME });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    const partial = await cli(dir, "sync", "--migrate", "--max-count", "1");
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain("--max-count reached");
    const run = await cli(dir, "sync", "--abort");
    expect(run.code, run.stderr).toBe(0);
    expect(await schemaOf(database.url)).toEqual(before);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);
    expect(await queryDatabase(database.url, "SELECT revision FROM tidemark_log WHERE status = 'running'")).toEqual([]);
    const again = await cli(dir, "sync");
    expect(again.code, again.stderr).toBe(0);
    expect(await queryDatabase(database.url, "SELECT id, full_name FROM people ORDER BY id")).toEqual([
      { id: 1, full_name: "Ada" },
      { id: 2, full_name: "Grace" },
    ]);
  });

  it("undoes a SQL expand (column, index, table, trigger) and refuses after a migrate that wrote old columns", async () => {
    const trigger =
      dialectName === "postgres"
        ? "-- tidemark:unsafe trigger function\nCREATE FUNCTION copy_nick() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.nick := NEW.name; RETURN NEW; END $$;\n" +
          "-- tidemark:unsafe keeps nick filled\nCREATE TRIGGER people_nick BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION copy_nick();\n"
        : dialectName === "mysql"
          ? "-- tidemark:unsafe keeps nick filled\nCREATE TRIGGER people_nick BEFORE INSERT ON people FOR EACH ROW SET NEW.nick = NEW.name;\n"
          : "-- tidemark:unsafe keeps nick filled\nCREATE TRIGGER people_nick AFTER INSERT ON people BEGIN UPDATE people SET nick = NEW.name WHERE id = NEW.id; END;\n";
    const expand =
      "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n-- tidemark:unsafe a two-row test table\nCREATE INDEX ix_people_nick ON people (nick);\n" +
      "CREATE TABLE nicknames (id INTEGER PRIMARY KEY, nick VARCHAR(20));\n" +
      trigger;
    const good = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_nick.sql": `${expand}-- +migrate\nUPDATE people SET nick = name WHERE nick IS NULL;\n-- +contract\n`,
    });
    expect((await cli(good, "sync", "1")).code).toBe(0);
    const before = await schemaOf(database.url);
    expect((await cli(good, "sync", "--expand")).code).toBe(0);
    expect((await cli(good, "sync", "--migrate")).code).toBe(0);
    const run = await cli(good, "sync", "--abort");
    expect(run.code, run.stderr).toBe(0);
    expect(await schemaOf(database.url)).toEqual(before);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);

    const bad = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_nick.sql": `${expand}-- +migrate\nUPDATE people SET name = 'x' WHERE id = 1;\n-- +contract\n`,
    });
    expect((await cli(bad, "sync", "--expand")).code).toBe(0);
    expect((await cli(bad, "sync", "--migrate")).code).toBe(0);
    const expanded = await schemaOf(database.url);
    const rows = await versionRows(database.url);
    const refused = await cli(bad, "sync", "--abort");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("002_nick.sql");
    expect(refused.stderr).toContain("UPDATE people SET name = 'x'");
    expect(refused.stderr).toContain("Nothing was changed");
    expect(await schemaOf(database.url)).toEqual(expanded);
    expect(await versionRows(database.url)).toEqual(rows);
  });

  it("undoes every expanded revision of the window, newest first, and stops at what is contracted", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_rename.mjs": RENAME,
      "migrations/003_nick.sql":
        "-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n-- tidemark:unsafe a two-row test table\nCREATE INDEX ix_people_nick ON people (nick);\n-- +migrate\n-- +contract\n",
    });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const atOne = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:3", "migrate:1"]);
    const run = await cli(dir, "sync", "--abort", "--json");
    expect(run.code, run.stderr).toBe(0);
    const steps = (JSON.parse(run.stdout) as { repositories: { steps: { revision: string; direction: string }[] }[] })
      .repositories[0]?.steps;
    expect(steps?.map((step) => `${step.revision} ${step.direction}`)).toEqual(["3 down", "2 down"]);
    expect(await schemaOf(database.url)).toEqual(atOne);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);

    expect((await cli(dir, "sync", "2")).code).toBe(0);
    const atTwo = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--abort")).code).toBe(0);
    expect(await schemaOf(database.url)).toEqual(atTwo);
    expect(await versionRows(database.url)).toEqual(["contract:2", "expand:2", "migrate:2"]);
  });

  it("renders the abort offline (--sql START:END), which the database's own client applies once", async () => {
    // Ops, not raw SQL, in revision 1: offline, a SQLite column drop needs the table's shape, learnt from ops.
    const base = [
      'export const message = "people";',
      "export async function expand(op) {",
      '  await op.createTable("people", { id: { type: "integer", primaryKey: true }, name: { type: "varchar(200)" } });',
      "}",
      "",
    ].join("\n");
    const dir = makeProject({ "migrations/001_people.mjs": base, "migrations/002_rename.mjs": RENAME });
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    const before = await schemaOf(database.url);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--migrate")).code).toBe(0);
    const rendered = await runCli(["sync", "--abort", "--sql", "1:2", "--url", database.url], { cwd: dir });
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain("abort the window 1 -> 2");
    const applied = runClient(database, dir, rendered.stdout);
    expect(applied.code, applied.output).toBe(0);
    expect(await schemaOf(database.url)).toEqual(before);
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);
    // The script checks where the database is first: run again, it stops before changing anything.
    const again = runClient(database, dir, rendered.stdout);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain("tidemark_database_is_not_at_2");
    expect(await versionRows(database.url)).toEqual(["contract:1", "expand:1", "migrate:1"]);
    expect((await runCli(["sync", "--abort", "--sql", "2", "--url", database.url], { cwd: dir })).code).toBe(2);
  });

  it.runIf(dialectName === "sqlite")("with --all, looks only at rolling repositories", async () => {
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({
        repositories: { core: { path: "migrations" }, plain: { path: "plain" } },
      }),
      "migrations/001_people.sql": BASE,
      "migrations/002_rename.mjs": RENAME,
      "plain/001_notes.sql": "-- +upgrade\nCREATE TABLE notes (id INTEGER PRIMARY KEY);\n",
    });
    expect((await cli(dir, "upgrade", "--repo", "plain")).code).toBe(0);
    expect((await cli(dir, "sync", "1")).code).toBe(0);
    expect((await cli(dir, "sync", "--expand")).code).toBe(0);
    expect((await cli(dir, "sync", "--abort", "--repo", "plain")).code).toBe(2);
    const run = await cli(dir, "sync", "--abort", "--all");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("core: aborted");
    expect(await queryDatabase(database.url, "SELECT repository, phase, version FROM tidemark_version ORDER BY 1, 2")).toEqual([
      { repository: "core", phase: "contract", version: "1" },
      { repository: "core", phase: "expand", version: "1" },
      { repository: "core", phase: "migrate", version: "1" },
      { repository: "plain", phase: "", version: "1" },
    ]);
  });

  it.runIf(dialectName === "postgres")(
    "drops an index built CONCURRENTLY concurrently again, in a revision outside a transaction",
    async () => {
      const dir = makeProject({
        "migrations/001_people.sql": BASE,
        "migrations/002_index.sql":
          "-- transactional: false\n-- +expand\nALTER TABLE people ADD COLUMN nick VARCHAR(20);\n" +
          "CREATE INDEX CONCURRENTLY ix_people_nick ON people (nick);\n-- +migrate\n-- +contract\n",
      });
      expect((await cli(dir, "sync", "1")).code).toBe(0);
      const before = await schemaOf(database.url);
      expect((await cli(dir, "sync", "--expand")).code).toBe(0);
      const run = await cli(dir, "sync", "--abort", "--verbose");
      expect(run.code, run.stderr).toBe(0);
      expect(`${run.stdout}${run.stderr}`).toContain("DROP INDEX CONCURRENTLY ix_people_nick");
      expect(await schemaOf(database.url)).toEqual(before);
    },
  );

  it("refuses when no window is open (contracted, or nothing expanded), and with a VERSION or --sql", async () => {
    const dir = makeProject({ "migrations/001_people.sql": BASE, "migrations/002_rename.mjs": RENAME });
    expect((await cli(dir, "sync")).code).toBe(0);
    const rows = await versionRows(database.url);
    const run = await cli(dir, "sync", "--abort");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Nothing to abort");
    expect(run.stderr).toContain("downgrade");
    expect(await versionRows(database.url)).toEqual(rows);
    expect((await cli(dir, "sync", "--abort", "--dry-run")).code).toBe(1);
    expect((await cli(dir, "sync", "--abort", "--dry-run", "--sql", "1:2")).code).toBe(2);
    expect((await cli(dir, "sync", "--abort", "2")).code).toBe(2);
    expect((await cli(dir, "sync", "--abort", "--expand")).code).toBe(2);
  });
});
