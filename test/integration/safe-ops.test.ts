/**
 * Issue 13's safe operation sequences against real databases, one property
 * each, read back from the database: the table alias and its atomic swap
 * (D9), online index builds by default in rolling repositories (with the
 * invalid leftover of a failed build cleaned on the retry), NOT VALID
 * constraints validated later. The writers-under-load proof is
 * rolling-proof-safe-ops.test.ts.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();

const BASE = `-- +expand
CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200), org INTEGER);
CREATE TABLE orgs (id INTEGER PRIMARY KEY);
`;

describe.each(dialects)("safe operation sequences, on %s", (dialect: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const cli = (dir: string, ...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir, timeoutMs: 60_000 });
  const ok = async (dir: string, ...args: string[]) => {
    const run = await cli(dir, ...args);
    expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run;
  };
  const query = (sql: string) => queryDatabase(database.url, sql);

  it("D9: both table names work during the window, and the new one never goes missing at contract", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_persons.mjs": `export async function expand(op) { await op.aliasTable("people", "persons"); }
export async function contract(op) { await op.renameTable("people", "persons", { overAlias: true }); }
`,
    });
    await ok(dir, "sync", "1");
    await ok(dir, "sync", "--expand");
    // Written through either name, read through the other.
    await query("INSERT INTO people (id, name) VALUES (1, 'old')");
    await query("INSERT INTO persons (id, name) VALUES (2, 'new')");
    await query("UPDATE persons SET name = 'old, renamed' WHERE id = 1");
    expect(await query("SELECT id, name FROM people ORDER BY id")).toEqual([
      { id: 1, name: "old, renamed" },
      { id: 2, name: "new" },
    ]);

    // The new release hammers the new name, with no pause, while contract swaps view for table.
    const parsed = parseDatabaseUrl(database.url);
    const dialectImpl = await loadDialect(parsed.dialect);
    const connection = await dialectImpl.driver.connect(parsed);
    const errors: string[] = [];
    let running = true;
    let id = 100;
    const writer = (async () => {
      while (running) {
        try {
          await connection.execute("INSERT INTO persons (id, name) VALUES (?, 'during')", [id++]);
          await connection.query("SELECT count(*) AS n FROM persons");
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    try {
      await ok(dir, "sync", "--migrate");
      await ok(dir, "sync", "--contract");
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      running = false;
      await writer;
      await connection.close();
    }
    expect(errors).toEqual([]);
    expect(id).toBeGreaterThan(110);

    const reader = await dialectImpl.driver.connect(parsed);
    try {
      const schema = await dialectImpl.introspector.introspect(reader);
      expect(schema.views).toEqual([]);
      expect(schema.triggers).toEqual([]);
      expect(schema.tables.map((table) => table.name).sort()).toEqual(["orgs", "persons"]);
      expect(Number((await reader.query("SELECT count(*) AS n FROM persons"))[0]?.n)).toBe(id - 100 + 2);
    } finally {
      await reader.close();
    }
  });

  it("refuses renameTable overAlias when the new name is a table, not the alias, and leaves both tables as they were", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": `${BASE}CREATE TABLE persons (id INTEGER PRIMARY KEY);\n`,
      "migrations/002_persons.mjs": `export async function contract(op) { await op.renameTable("people", "persons", { overAlias: true }); }
`,
    });
    await ok(dir, "sync", "1");
    await ok(dir, "sync", "--expand");
    await ok(dir, "sync", "--migrate");
    const run = await cli(dir, "sync", "--contract");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/002_persons\.mjs/);
    expect(run.stderr).toMatch(/persons/);
    expect(await query("SELECT count(*) AS n FROM people")).toHaveLength(1);
    expect(await query("SELECT count(*) AS n FROM persons")).toHaveLength(1);
  });

  it("refuses finishTypeChange without the expand's changeType before anything changes, and records the failure", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_score.mjs": `export async function contract(op) { await op.finishTypeChange("people", "name"); }
`,
    });
    await ok(dir, "sync", "1");
    await ok(dir, "sync", "--expand");
    await ok(dir, "sync", "--migrate");
    await query("INSERT INTO people (id, name) VALUES (1, 'kept')");
    const run = await cli(dir, "sync", "--contract");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/002_score\.mjs/);
    expect(run.stderr).toMatch(/name_tidemark_new/);
    expect(await query("SELECT id, name FROM people")).toEqual([{ id: 1, name: "kept" }]);
    if (dialect === "mysql") {
      // MySQL cannot roll the step back: it is marked failed (not left `running`, which a LOCK TABLES session could not update).
      expect(await query("SELECT status FROM tidemark_log WHERE revision = '2' AND phase = 'contract'")).toEqual([
        { status: "failed" },
      ]);
    }
  });

  it("builds an index online by default in a rolling repository; a failed build is cleaned up by the retry", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_ix.mjs": `export async function expand(op) { await op.createIndex("people", ["name"], { unique: true, name: "uq_people_name" }); }
`,
    });
    await ok(dir, "sync", "1");
    await query("INSERT INTO people (id, name) VALUES (1, 'same'), (2, 'same')");
    const failed = await cli(dir, "sync", "--expand");
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/uq_people_name|unique|duplicate/i);
    if (dialect === "postgres") {
      // CONCURRENTLY ran outside a transaction (the step was made so): the failed build left an invalid index.
      expect(await query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('uq_people_name')")).toEqual([
        { indisvalid: false },
      ]);
    }
    await query("UPDATE people SET name = 'other' WHERE id = 2");
    const retry = await cli(dir, "sync", "--expand");
    if (dialect === "sqlite") {
      // SQLite builds in the step's transaction: the failure rolled it back, and the step simply runs again.
      expect(retry.code, retry.stderr).toBe(0);
    } else {
      // Outside a transaction a failed step is marked failed; `repair` clears the mark, and the rerun drops the
      // invalid index the failed build left (PostgreSQL) before building it again.
      expect(retry.code).toBe(1);
      expect(retry.stderr).toMatch(/is 'failed' in tidemark_log.*tidemark repair/s);
      await ok(dir, "repair");
      await ok(dir, "sync", "--expand");
    }
    if (dialect === "postgres") {
      expect(await query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('uq_people_name')")).toEqual([
        { indisvalid: true },
      ]);
    }
    await expect(query("INSERT INTO people (id, name) VALUES (3, 'same')")).rejects.toThrow();
  });

  it.skipIf(dialect !== "postgres")(
    "PostgreSQL: a rolling SQL script's own CREATE INDEX CONCURRENTLY runs, the step outside a transaction",
    async () => {
      const dir = makeProject({
        "migrations/001_people.sql": BASE,
        "migrations/002_ix.sql": "-- +expand\nCREATE INDEX CONCURRENTLY ix_people_name ON people (name);\n",
      });
      await ok(dir, "sync", "1");
      await ok(dir, "sync", "--expand");
      expect(await query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('ix_people_name')")).toEqual([
        { indisvalid: true },
      ]);
    },
  );

  it("adds a foreign key NOT VALID in expand and validates it in migrate", async () => {
    const dir = makeProject({
      "migrations/001_people.sql": BASE,
      "migrations/002_fk.mjs": `export async function expand(op) {
  await op.addForeignKey("people", ["org"], "orgs", ["id"], { name: "fk_people_org", notValid: true });
  await op.addCheck("people", "ck_people_name", "name <> ''", { notValid: true });
}
export async function migrate(op) {
  await op.validateConstraint("people", "fk_people_org");
  await op.validateConstraint("people", "ck_people_name");
}
`,
    });
    await ok(dir, "sync", "1");
    await query("INSERT INTO orgs (id) VALUES (1)");
    await query("INSERT INTO people (id, name, org) VALUES (1, 'a', 1)");
    await ok(dir, "sync", "--expand");
    if (dialect === "postgres") {
      expect(
        await query("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'people'::regclass ORDER BY conname"),
      ).toEqual([
        { conname: "ck_people_name", convalidated: false },
        { conname: "fk_people_org", convalidated: false },
        { conname: "people_pkey", convalidated: true },
      ]);
    }
    await ok(dir, "sync", "--migrate");
    if (dialect === "postgres") {
      expect(
        await query("SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'people'::regclass ORDER BY conname"),
      ).toEqual([
        { conname: "ck_people_name", convalidated: true },
        { conname: "fk_people_org", convalidated: true },
        { conname: "people_pkey", convalidated: true },
      ]);
    }
    // Enforced on every dialect.
    await expect(query("INSERT INTO people (id, name, org) VALUES (2, '', 1)")).rejects.toThrow();
    if (dialect !== "sqlite") await expect(query("INSERT INTO people (id, name, org) VALUES (3, 'b', 99)")).rejects.toThrow();
  });
});
