/** `--sql` (offline mode) through the binary: no database is touched, and the SQL does what the online run does. */
import { afterAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";
import { logRows, objects, versionRows } from "./sqlite-state.js";

afterAll(removeProjects);

const SCRIPTS = {
  "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER PRIMARY KEY, name TEXT);", "DROP TABLE t1;"),
  "migrations/002_two.ts": [
    'import type { Op } from "tidemark";',
    "export async function upgrade(op: Op) {",
    '  await op.addColumn("t1", "email", { type: "varchar(100)" });',
    '  await op.createIndex("t1", ["email"], { unique: true, name: "ux_t1_email" });',
    "}",
    "export async function downgrade(op: Op) {",
    '  await op.dropIndex("t1", "ux_t1_email");',
    "}",
    "",
  ].join("\n"),
  "migrations/003_three.sql": numberedSql("CREATE TABLE t3 (id INTEGER);\nINSERT INTO t3 VALUES (3);", "DROP TABLE t3;"),
};

async function sql(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

/** Runs offline output as the sqlite3 shell would (its dot-commands are not SQL). */
function execute(file: string, script: string): void {
  const handle = new Database(file);
  try {
    handle.exec(
      script
        .split("\n")
        .filter((line) => !line.startsWith("."))
        .join("\n"),
    );
  } finally {
    handle.close();
  }
}

describe("upgrade --sql", () => {
  it("prints the SQL of every step without creating a database", async () => {
    const dir = makeProject(SCRIPTS);
    const out = await sql(dir, "upgrade", "--sql");
    expect(out).toContain("CREATE TABLE t1 (id INTEGER PRIMARY KEY, name TEXT);");
    expect(out).toMatch(/ALTER TABLE "t1" ADD (COLUMN )?"email"/);
    expect(out).toMatch(/CREATE UNIQUE INDEX "ux_t1_email"/);
    expect(out).toContain("INSERT INTO t3 VALUES (3);");
    expect(out).toMatch(/CREATE TABLE IF NOT EXISTS "tidemark_version"/);
    // The version row moves in place, fenced on the version the step was planned from.
    expect(out).toContain(
      `INSERT INTO "tidemark_version" ("repository", "phase", "version") SELECT 'core', '', '1' WHERE (SELECT COUNT(*) FROM "tidemark_version" WHERE "repository" = 'core' AND "phase" = '') = 0;`,
    );
    expect(out).toContain(
      `UPDATE "tidemark_version" SET "version" = '3' WHERE "repository" = 'core' AND "phase" = '' AND "version" = '2';`,
    );
    // Foreign-key enforcement is off for the run, and every step is checked before it commits.
    expect(out).toContain("PRAGMA foreign_keys = OFF;");
    expect(out.match(/FROM pragma_foreign_key_check/g)).toHaveLength(3);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("run on an empty database, the SQL leaves the same schema and rows as an online upgrade", async () => {
    const dir = makeProject(SCRIPTS);
    const offline = join(dir, "offline.db");
    execute(offline, await sql(dir, "upgrade", "--sql"));
    await sql(dir, "upgrade");
    const online = join(dir, "tidemark.db");
    expect(objects(offline)).toEqual(objects(online));
    expect(versionRows(offline)).toEqual(versionRows(online));
    const steps = (file: string) => logRows(file).map((row) => [row.revision, row.direction, row.status, row.checksum]);
    expect(steps(offline)).toEqual(steps(online));
  });

  it("START:END renders only that range, guarded on the database being at START", async () => {
    const dir = makeProject(SCRIPTS);
    const out = await sql(dir, "upgrade", "1:3", "--sql");
    expect(out).not.toContain("CREATE TABLE t1");
    expect(out).toContain("CREATE TABLE t3");
    // Applied to a database that is at 1, it brings it to 3; at base, it refuses.
    await sql(dir, "upgrade", "1");
    execute(join(dir, "tidemark.db"), out);
    expect(versionRows(join(dir, "tidemark.db"))).toEqual([{ phase: "", version: "3" }]);
    const other = makeProject(SCRIPTS);
    await sql(other, "stamp", "2");
    expect(() => execute(join(other, "tidemark.db"), out)).toThrow(/tidemark_database_is_not_at_1/);
    expect(versionRows(join(other, "tidemark.db"))).toEqual([{ phase: "", version: "2" }]);
    expect(objects(join(other, "tidemark.db")).map((o) => o.name)).not.toContain("t3");
  });

  it("--json wraps the SQL in a document", async () => {
    const dir = makeProject(SCRIPTS);
    const document = JSON.parse(await sql(dir, "--json", "upgrade", "2", "--sql")) as { ok: boolean; sql: string };
    expect(document.ok).toBe(true);
    expect(document.sql).toContain("CREATE TABLE t1");
    expect(document.sql).not.toContain("CREATE TABLE t3");
  });

  it("--sql for another dialect needs no server", async () => {
    const dir = makeProject(SCRIPTS);
    const out = await sql(dir, "upgrade", "--sql", "--dialect", "postgres");
    expect(out).toMatch(/CREATE TABLE IF NOT EXISTS "tidemark_version"/);
    expect(out).toContain("CREATE TABLE t1 (id INTEGER PRIMARY KEY, name TEXT);");
    const mysql = await sql(dir, "upgrade", "--sql", "--url", "mysql://root:pw-secret@127.0.0.1:1/nowhere");
    expect(mysql).toMatch(/CREATE TABLE IF NOT EXISTS `tidemark_version`/);
    expect(mysql).not.toContain("pw-secret");
  });
});

describe("downgrade and stamp --sql", () => {
  it("downgrade START:END --sql renders the downgrade bodies", async () => {
    const dir = makeProject(SCRIPTS);
    const out = await sql(dir, "downgrade", "3:1", "--sql");
    expect(out).toContain("DROP TABLE t3;");
    expect(out).toMatch(/DROP INDEX "ux_t1_email"/);
    expect(out).not.toContain("DROP TABLE t1;");
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("downgrade --sql without a range is a usage error (exit 2)", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["downgrade", "-1", "--sql"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("START:END");
    expect(result.stdout).toBe("");
  });

  it("stamp --sql writes only version rows", async () => {
    const dir = makeProject(SCRIPTS);
    const out = await sql(dir, "stamp", "2", "--sql");
    expect(out).toContain(`INSERT INTO "tidemark_version" ("repository", "phase", "version") VALUES ('core', '', '2');`);
    expect(out).not.toContain("CREATE TABLE t1");
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("a script that reads data fails offline, naming the script (exit 2)", async () => {
    const dir = makeProject({
      "migrations/001_reads.ts": [
        "export async function upgrade(op) {",
        '  const rows = await op.query("SELECT 1 AS one");',
        "}",
        "",
      ].join("\n"),
    });
    const result = await runCli(["upgrade", "--sql"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "migrations", "001_reads.ts"));
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });
});
