/**
 * `--dry-run` (issue 17): upgrade, downgrade and sync read where the
 * database is, print the plan and the SQL from there, and change nothing —
 * no database file, no table, no version or log row, no lock row.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, inCi, serverReachable, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision, tsRevision } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";
import { logRows, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const A = "a1a1a1a1a1a1";
const B = "b2b2b2b2b2b2";
const C = "c3c3c3c3c3c3";

const SCRIPTS = {
  [`migrations/${A}_users.ts`]: tsRevision(
    A,
    null,
    '  await op.createTable("users", { id: { type: "integer", primaryKey: true }, name: { type: "text" } });',
    '  await op.dropTable("users");',
    { message: "create users" },
  ),
  [`migrations/${B}_email.ts`]: tsRevision(
    B,
    A,
    '  await op.addColumn("users", "email", { type: "text" });\n  await op.alterColumn("users", "name", { nullable: false, default: "" });',
    '  await op.dropColumn("users", "email");',
    { message: "add email" },
  ),
  [`migrations/${C}_posts.sql`]: sqlRevision(C, B, "CREATE TABLE posts (id INTEGER);", "DROP TABLE posts;", "add posts"),
};

describe("upgrade --dry-run on SQLite", () => {
  it("on a database that does not exist: the plan from base, the SQL creating tidemark's tables, and no file", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["upgrade", "--dry-run"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`Database: SQLite ${join(dir, "tidemark.db")} (from the default, no URL configured)\n`);
    expect(result.stdout.split("\n").slice(0, 6)).toEqual([
      "-- Dry run: nothing was changed. From where the database is now:",
      "-- core: at base; 3 steps:",
      `--   up ${A} create users`,
      `--   up ${B} add email`,
      `--   up ${C} add posts`,
      "",
    ]);
    expect(result.stdout).toContain('CREATE TABLE IF NOT EXISTS "tidemark_version"');
    expect(result.stdout).toContain('CREATE TABLE "users"');
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("from where the database is: only what is left, a SQLite rebuild rendered from the live table, and nothing written", async () => {
    const dir = makeProject(SCRIPTS);
    expect((await runCli(["upgrade", A], { cwd: dir })).code).toBe(0);
    const db = join(dir, "tidemark.db");
    const before = readFileSync(db);
    const result = await runCli(["upgrade", "head", "--dry-run"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const [plan, ...rest] = result.stdout.split("\n\n");
    expect(plan).toBe(
      [
        "-- Dry run: nothing was changed. From where the database is now:",
        `-- core: at ${A}; 2 steps:`,
        `--   up ${B} add email`,
        `--   up ${C} add posts`,
      ].join("\n"),
    );
    const sql = rest.join("\n\n");
    expect(sql).toContain(`-- tidemark: repository core, upgrade from ${A} (sqlite), dry run`);
    expect(sql).not.toContain("CREATE TABLE IF NOT EXISTS");
    expect(sql).not.toContain(`'${A}' WHERE`);
    expect(sql).toContain(
      `UPDATE "tidemark_version" SET "version" = '${B}' WHERE "repository" = 'core' AND "phase" = '' AND "version" = '${A}';`,
    );
    // alterColumn rebuilds the table from its shape in the database plus the column added before it.
    expect(sql).toContain(
      'CREATE TABLE "_tidemark_new_users" (\n  "id" integer NOT NULL PRIMARY KEY,\n  "name" text NOT NULL DEFAULT \'\',\n  "email" text\n);',
    );
    expect(sql).toContain("CREATE TABLE posts (id INTEGER);");
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(versions(db)).toEqual([A]);
    expect(logRows(db)).toHaveLength(1);
  });

  it("downgrade and --delta are planned from the database too; --json carries plan and SQL; with --sql it is refused", async () => {
    const dir = makeProject(SCRIPTS);
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    const down = await runCli(["downgrade", "-1", "--dry-run"], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`-- core: at ${C}; 1 step:\n--   down ${C} add posts\n`);
    expect(down.stdout).toContain("DROP TABLE posts;");
    const json = await runCli(["upgrade", "--dry-run", "--json"], { cwd: dir });
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as { dryRun: boolean; repositories: { steps: unknown[] }[]; sql: string };
    expect(document.dryRun).toBe(true);
    expect(document.repositories[0]?.steps).toEqual([]);
    expect(document.sql).toBe("");
    const relative = await runCli(["downgrade", "--delta", "2", "--dry-run", "--json"], { cwd: dir });
    const planned = JSON.parse(relative.stdout) as { repositories: { steps: { revision: string; direction: string }[] }[] };
    expect(planned.repositories[0]?.steps.map((step) => [step.direction, step.revision])).toEqual([
      ["down", C],
      ["down", B],
    ]);
    const both = await runCli(["upgrade", "--dry-run", "--sql"], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--dry-run or --sql, not both");
    expect(versions(join(dir, "tidemark.db"))).toEqual([C]);
  });

  it("sync --dry-run of a rolling repository plans each phase from its own rows", async () => {
    const dir = makeProject({
      "migrations/001_items.sql":
        "-- +expand\nCREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER);\n-- +migrate\n-- +contract\n",
      "migrations/002_more.sql":
        "-- +expand\nCREATE TABLE more (id INTEGER);\n-- +migrate\nINSERT INTO more VALUES (1);\n-- +contract\n",
    });
    expect((await runCli(["sync", "--expand"], { cwd: dir })).code).toBe(0);
    const result = await runCli(["sync", "--migrate", "--dry-run"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("-- core: at expand 2; 2 steps:\n--   up migrate 1 items\n--   up migrate 2 more\n");
    expect(result.stdout).toContain("INSERT INTO more VALUES (1);");
    expect(versions(join(dir, "tidemark.db"))).toEqual(["2"]);
  });

  it("a blocked repository is refused as the real run would be (exit 1)", async () => {
    const dir = makeProject({
      [`migrations/${A}_users.sql`]: `-- revision: ${A}\n-- transactional: false\n-- +upgrade\nINSERT INTO nowhere VALUES (1);\n`,
    });
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(1);
    const result = await runCli(["upgrade", "--dry-run"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Repository core is blocked");
  });
});

const pgWanted = inCi() || (await serverReachable("postgres"));

describe.runIf(pgWanted)("upgrade --dry-run on PostgreSQL", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => database?.drop());

  it("creates no table and leaves no lock; the SQL starts from the applied revision", async () => {
    database = await createTestDatabase("postgres");
    const dir = makeProject(SCRIPTS);
    const url = database.url;
    const fresh = await runCli(["upgrade", "--dry-run", "--url", url], { cwd: dir });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('CREATE TABLE IF NOT EXISTS "tidemark_version"');
    const tables = () =>
      queryDatabase(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
    expect(await tables()).toEqual([]);

    expect((await runCli(["upgrade", A, "--url", url], { cwd: dir })).code).toBe(0);
    const held = await runCli(["upgrade", "--dry-run", "--url", url], { cwd: dir });
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toContain(`-- core: at ${A}; 2 steps:`);
    expect(held.stdout).toContain('ALTER TABLE "users" ALTER COLUMN "name" SET DEFAULT \'\', ALTER COLUMN "name" SET NOT NULL;');
    expect((await tables()).map((row) => row.table_name)).toEqual(["tidemark_log", "tidemark_version", "users"]);
    expect(await queryDatabase(url, "SELECT version FROM tidemark_version")).toEqual([{ version: A }]);
    expect(
      await queryDatabase(
        url,
        "SELECT COUNT(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()",
      ),
    ).toEqual([{ n: 0 }]);
  });
  it("does not wait for the migration lock another runner holds, where a real upgrade times out", async () => {
    const slow = await createTestDatabase("postgres");
    try {
      const dir = makeProject({
        [`migrations/${A}_slow.sql`]: sqlRevision(A, null, "SELECT pg_sleep(4);", undefined, "a slow one"),
      });
      const running = runCli(["upgrade", "--url", slow.url], { cwd: dir });
      for (let i = 0; i < 100; i += 1) {
        const sleeping = await queryDatabase(
          slow.url,
          "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(4)%'",
        );
        if (sleeping[0]?.n === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const real = await runCli(["upgrade", "--lock-timeout", "1", "--url", slow.url], { cwd: dir });
      expect(real.code).toBe(1);
      expect(real.stderr).toMatch(/lock/i);
      const dry = await runCli(["upgrade", "--dry-run", "--lock-timeout", "1", "--url", slow.url], { cwd: dir });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`-- core: at base; 1 step:\n--   up ${A} a slow one\n`);
      expect((await running).code).toBe(0);
    } finally {
      await slow.drop();
    }
  });
});
