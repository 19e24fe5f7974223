/**
 * `--sql` through the real binary, without any database: what is rendered,
 * what is refused (exit 2, nothing written), and the messages.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, besideTarget } from "../../helpers/cli.js";
import { makeProject, removeProjects, sqlRevision, tsRevision } from "../../helpers/project.js";

afterAll(() => removeProjects());

const [A1, B2, C3] = ["aaaa00000001", "bbbb00000002", "cccc00000003"] as const;
const CONFIG = {
  "tidemark.config.json": JSON.stringify({ url: "sqlite:app.db", repositories: { core: { path: "migrations" } } }),
};

function project(files: Record<string, string>): string {
  return makeProject({ ...CONFIG, ...files });
}

/** Timestamps and checksums vary from run to run. */
function normalized(text: string): string {
  return text.replace(/'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}'/g, "'TS'").replace(/'[0-9a-f]{64}'/g, "'SUM'");
}

const chain = () =>
  project({
    [`migrations/${A1}_t.sql`]: sqlRevision(A1, null, "CREATE TABLE t (id integer, name text);", "DROP TABLE t;"),
    [`migrations/${B2}_u.ts`]: tsRevision(
      B2,
      A1,
      `await op.createTable("u", { id: { type: "integer", primaryKey: true } });`,
      `await op.dropTable("u");`,
    ),
    [`migrations/${C3}_v.ts`]: tsRevision(
      C3,
      A1,
      `await op.createTable("v", { id: { type: "integer" } });`,
      `await op.dropTable("v");`,
    ),
  });

describe("offline rendering never connects", () => {
  it.each([
    [
      "postgres://u:secret@127.0.0.1:1/x",
      "\\set ON_ERROR_STOP on\n\n-- tidemark: repository core, upgrade base -> head (postgres)",
    ],
    ["mysql://u:secret@127.0.0.1:1/x", "-- tidemark: repository core, upgrade base -> head (mysql)"],
  ])("renders for an unreachable %s, and never prints its password", async (url, head) => {
    const dir = project({
      [`migrations/${A1}_u.ts`]: tsRevision(A1, null, `await op.createTable("u", { id: { type: "integer" } });`),
    });
    const result = await runCli(["upgrade", "head", "--sql", "--url", url], { cwd: dir, timeoutMs: 20_000 });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(head)).toBe(true);
    expect(result.stdout).toMatch(/CREATE TABLE [`"]u[`"] \(\n {2}[`"]id[`"] int(eger)?\n\)/);
    expect(result.stdout).not.toContain("secret");
  });

  it("creates no SQLite database file", async () => {
    const dir = chain();
    const result = await runCli(["upgrade", B2, "--sql"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(".bail on\n\n-- tidemark: repository core, upgrade base -> bbbb00000002 (sqlite)");
    expect(readdirSync(dir).sort()).toEqual(["migrations", "tidemark.config.json"]);
  });
});

describe("transactions", () => {
  it("renders a transactional = false revision without BEGIN/COMMIT around it", async () => {
    const dir = project({
      [`migrations/${A1}_t.sql`]: sqlRevision(A1, null, "CREATE TABLE t (id integer, name text);"),
      [`migrations/${B2}_ix.ts`]: tsRevision(
        B2,
        A1,
        `await op.createIndex("t", ["name"], { name: "ix_t_name", concurrently: true });`,
        undefined,
        {
          transactional: false,
        },
      ),
    });
    const result = await runCli(["upgrade", `${A1}:head`, "--sql", "--dialect", "postgresql"], { cwd: dir });
    expect(result.code).toBe(0);
    const log = `"tidemark_log"`;
    const where = `WHERE "repository" = 'core' AND "revision" = '${B2}' AND "phase" = '' AND "direction" = 'up' AND "status" = 'running'`;
    const rows = `(SELECT COUNT(*) FROM "tidemark_version" WHERE "repository" = 'core' AND "phase" = '')`;
    expect(normalized(result.stdout).split("\n\n").slice(-9)).toEqual([
      `DROP TABLE "tidemark_guard";`,
      // The running row is written only while the version rows are what the step was planned from.
      `INSERT INTO ${log} ("repository", "revision", "phase", "direction", "checksum", "status", "started_at", "finished_at") ` +
        `SELECT 'core', '${B2}', '', 'up', 'SUM', 'running', 'TS', NULL WHERE (${rows} = 1 AND ` +
        `(SELECT COUNT(*) FROM "tidemark_version" WHERE "repository" = 'core' AND "phase" = '' AND "version" IN ('${A1}')) = 1);`,
      `DO $tidemark$ BEGIN IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('"ix_t_name"') AND NOT indisvalid) THEN EXECUTE 'DROP INDEX "ix_t_name"'; END IF; END $tidemark$;`,
      `CREATE INDEX CONCURRENTLY "ix_t_name" ON "t" ("name");`,
      `DO $tidemark$ BEGIN IF NOT COALESCE((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('"ix_t_name"')), false) THEN RAISE EXCEPTION '%', 'index ix_t_name on t is not valid after CREATE INDEX CONCURRENTLY; run the step again: tidemark drops the invalid index first'; END IF; END $tidemark$;`,
      "BEGIN;",
      `UPDATE "tidemark_version" SET "version" = '${B2}' WHERE "repository" = 'core' AND "phase" = '' AND "version" = '${A1}';`,
      `UPDATE ${log} SET "status" = 'done', "finished_at" = 'TS', "error" = NULL ${where};`,
      "COMMIT;\n",
    ]);
  });

  it("wraps a transactional revision in BEGIN/COMMIT, with foreign-key enforcement off for the run and a check before each COMMIT", async () => {
    const result = await runCli(["upgrade", B2, "--sql"], { cwd: chain() });
    const text = normalized(result.stdout);
    expect(text.match(/PRAGMA foreign_keys = OFF;/g)).toHaveLength(1);
    const step = text.slice(text.lastIndexOf("BEGIN IMMEDIATE;"));
    // The version row moves first (fenced); inside the transaction a running row could never be seen: one `done` row at the end.
    expect(step).toMatch(
      new RegExp(
        `^BEGIN IMMEDIATE;\n\nUPDATE "tidemark_version" SET "version" = '${B2}' WHERE .* AND "version" = '${A1}';\n\nCREATE TABLE "u" `,
      ),
    );
    expect(step).toContain(`VALUES ('core', '${B2}', '', 'up', 'SUM', 'done', 'TS', 'TS');`);
    expect(step).not.toContain("'running'");
    expect(step).toContain(`INSERT INTO "tidemark_fk_check" ("ok") SELECT (SELECT COUNT(*) FROM pragma_foreign_key_check) = 0;`);
    expect(step.endsWith(`COMMIT;\n\nPRAGMA foreign_keys = ON;\n`)).toBe(true);
  });
});

describe("scripts that read data", () => {
  const reader = (guarded: boolean) =>
    project({
      [`migrations/${A1}_read.ts`]: tsRevision(
        A1,
        null,
        [
          `  await op.createTable("t", { id: { type: "integer" } });`,
          guarded
            ? `  if (op.offline) await op.execute("INSERT INTO t (id) VALUES (-1)");\n  else await op.query("SELECT id FROM t");`
            : `  const rows = await op.query("SELECT id FROM t");\n  console.log(rows);`,
        ].join("\n"),
      ),
    });

  it("fails offline on op.query, naming the script", async () => {
    const dir = reader(false);
    const result = await runCli(["upgrade", "head", "--sql"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      `error: Repository core, revision ${A1} (${join(dir, "migrations", `${A1}_read.ts`)}:7), upgrade reads data (op.query)`,
    );
    expect(result.stderr).toContain("Branch on `op.offline` in the script to skip the read when rendering SQL.");
  });

  it("names the line of the op.query call", async () => {
    const dir = reader(false);
    const result = await runCli(["upgrade", "head", "--sql"], { cwd: dir });
    // Line 7 of the script is the op.query call (line 1 is the import, 5 the function).
    expect(result.stderr).toContain(`${A1}_read.ts:7)`);
  });

  it("lets a script branch on op.offline", async () => {
    const result = await runCli(["upgrade", "head", "--sql", "--dialect", "mysql"], { cwd: reader(true) });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "CREATE TABLE `t` (\n  `id` int\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\nINSERT INTO t (id) VALUES (-1);\n\nSTART TRANSACTION;\n\nINSERT INTO `tidemark_version`",
    );
  });
});

describe("bad input is refused with exit 2, before anything is written", () => {
  it.each([
    [["upgrade", `${A1}:head`], `${A1}:head`],
    [["downgrade", "head", "--sql"], "downgrade --sql needs a range START:END"],
    [["upgrade", `${B2}:${C3}`, "--sql"], `${B2} is not an ancestor of ${C3} in repository core; an upgrade range must go up.`],
    [
      ["downgrade", `${A1}:${B2}`, "--sql"],
      `${B2} is not an ancestor of ${A1} in repository core; a downgrade range must go down.`,
    ],
    [
      ["upgrade", "head", "--sql", "--dialect", "oracle"],
      'Unknown dialect "oracle": use one of sqlite, postgresql, mysql (or mariadb).',
    ],
    [["upgrade", "--delta", "1", "--sql"], "--delta cannot be used with --sql"],
    [["stamp", `${A1}:${B2}`, "--sql"], "stamp --sql takes one TARGET, not a range."],
    [["upgrade", `nothere:${B2}`, "--sql"], "nothere"],
  ])("%j", async (args, message) => {
    const dir = chain();
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(message);
    expect(existsSync(join(dir, "app.db"))).toBe(false);
  });
});

describe("table shapes offline", () => {
  const alterRaw = () =>
    project({
      [`migrations/${A1}_t.sql`]: sqlRevision(A1, null, "CREATE TABLE t (id integer, name text);"),
      [`migrations/${B2}_alter.ts`]: tsRevision(B2, A1, `await op.alterColumn("t", "name", { nullable: false, default: "" });`),
    });

  it("refuses to rebuild a table raw SQL created, naming the step, the table and the SQL", async () => {
    const dir = alterRaw();
    const result = await runCli(["upgrade", "head", "--sql"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: Repository core, revision ${B2} (${join(dir, "migrations", `${B2}_alter.ts`)}), upgrade: offline SQL for sqlite needs ` +
        "the current shape of table t to render this change (a table rebuild or a full column redefinition), and there is no " +
        "database to read it from: table t was created by raw SQL (`CREATE TABLE t (id integer, name text)`), which offline " +
        "mode does not read table shapes from; use the op methods (op.createTable, op.addColumn, op.createIndex…) for tables " +
        "that later need a rebuild or MODIFY COLUMN.\n",
    );
  });

  it("renders the same change where the dialect alters in place", async () => {
    const result = await runCli(["upgrade", "head", "--sql", "--dialect", "postgresql"], { cwd: alterRaw() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`ALTER TABLE "t" ALTER COLUMN "name" SET DEFAULT '', ALTER COLUMN "name" SET NOT NULL;`);
  });

  const below = (reads: boolean) =>
    project({
      [`migrations/${A1}_t.ts`]: tsRevision(
        A1,
        null,
        `await op.createTable("t", { id: { type: "integer", primaryKey: true }, name: { type: "text" } });` +
          (reads ? `\nawait op.query("SELECT 1");` : ""),
      ),
      [`migrations/${B2}_alter.ts`]: tsRevision(B2, A1, `await op.alterColumn("t", "name", { nullable: false, default: "" });`),
    });

  it("knows the tables created below START by rendering those revisions", async () => {
    const result = await runCli(["upgrade", `${A1}:head`, "--sql"], { cwd: below(false) });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.stdout).toContain(
      `CREATE TABLE "_tidemark_new_t" (\n  "id" integer NOT NULL PRIMARY KEY,\n  "name" text NOT NULL DEFAULT ''\n);`,
    );
    expect(result.stdout).toContain(`INSERT INTO "_tidemark_new_t" ("id", "name") SELECT "id", "name" FROM "t";`);
    expect(result.stdout).not.toContain(`CREATE TABLE "t"`);
  });

  it("says why when the revisions below START cannot be rendered", async () => {
    const dir = below(true);
    const result = await runCli(["upgrade", `${A1}:head`, "--sql"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `needs the current shape of table t to render this change (a table rebuild or a full column redefinition), and there is ` +
        `no database to read it from: The range starts at ${A1}, so the tables created below it are known only by rendering the ` +
        `revisions from base to ${A1} offline, and that failed: Repository core, revision ${A1} (${join(dir, "migrations", `${A1}_t.ts`)}:`,
    );
    // Only a dialect that needs the shape renders the revisions below START.
    const postgres = await runCli(["upgrade", `${A1}:head`, "--sql", "--dialect", "postgresql"], { cwd: dir });
    expect(postgres.code).toBe(0);
  });
});
