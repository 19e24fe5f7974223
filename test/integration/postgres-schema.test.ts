/**
 * PostgreSQL schemas (`--schema`, config `dbSchema`): tidemark's tables,
 * the scripts' ops and their raw SQL all land in the schema, which is
 * created when missing; nothing lands in `public`.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";

const dialects = await testDialects();

async function tablesBySchema(url: string): Promise<string[]> {
  const parsed = parseDatabaseUrl(url);
  const dialect = await loadDialect(parsed.dialect);
  const connection = await dialect.driver.connect(parsed);
  try {
    const rows = await connection.query(
      "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'app') ORDER BY 1",
    );
    return rows.map((row) => String(row.name));
  } finally {
    await connection.close();
  }
}

describe.runIf(dialects.includes("postgres"))("PostgreSQL schemas", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  const project = () =>
    makeProject({
      "migrations/aaaaaaaaaaa1_raw.sql": sqlRevision(
        "aaaaaaaaaaa1",
        null,
        "CREATE TABLE raw_t (id INTEGER);",
        "DROP TABLE raw_t;",
      ),
      "migrations/bbbbbbbbbbb2_op.mjs": [
        'export const revision = "bbbbbbbbbbb2";',
        'export const revises = "aaaaaaaaaaa1";',
        'export const message = "op";',
        'export async function upgrade(op) { await op.createTable("op_t", { id: { type: "integer" } }); await op.addColumn("raw_t", "x", { type: "text" }); }',
        'export async function downgrade(op) { await op.dropTable("op_t"); await op.dropColumn("raw_t", "x"); }',
        "",
      ].join("\n"),
    });

  it("creates the schema and keeps every table in it, from the CLI's --schema", async () => {
    const dir = project();
    const run = await runCli(["upgrade", "head", "--schema", "app", "--url", database.url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(await tablesBySchema(database.url)).toEqual(["app.op_t", "app.raw_t", "app.tidemark_log", "app.tidemark_version"]);
    const current = await runCli(["current", "--schema", "app", "--url", database.url], { cwd: dir });
    expect(current.stdout).toContain("core: bbbbbbbbbbb2 (head)");
    // Without the schema, the public schema has no version table: nothing is applied there.
    const other = await runCli(["current", "--url", database.url], { cwd: dir });
    expect(other.stdout).toContain("core: base");
    const down = await runCli(["downgrade", "base", "--schema", "app", "--url", database.url], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(await tablesBySchema(database.url)).toEqual(["app.tidemark_log", "app.tidemark_version"]);
  });

  it("takes dbSchema from the config, and renders it offline", async () => {
    const dir = project();
    const config = JSON.stringify({ url: database.url, dbSchema: "app" });
    const withConfig = makeProject({ "tidemark.config.json": config });
    const run = await runCli(["upgrade", "head", "--config", `${withConfig}/tidemark.config.json`], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(await tablesBySchema(database.url)).toContain("app.tidemark_version");
    const sql = await runCli(["upgrade", "head", "--sql", "--dialect", "postgresql", "--schema", "app"], { cwd: dir });
    expect(sql.stdout).toContain('CREATE SCHEMA IF NOT EXISTS "app";\n\nSET search_path TO "app";');
    expect(sql.stdout).toContain('CREATE TABLE IF NOT EXISTS "app"."tidemark_version"');
  });

  // Issue 12 item 7: `--schema` and the URL's `?schema=` once sent tidemark's tables to one schema and the
  // scripts' to the other. The schema has one source: either may give it, both must agree.
  it("refuses --schema X with a URL's ?schema=Y (exit 2) before anything is created", async () => {
    const dir = project();
    const conflict = await runCli(["upgrade", "head", "--schema", "app", "--url", `${database.url}?schema=other`], { cwd: dir });
    expect(conflict.code, conflict.stderr).toBe(2);
    expect(conflict.stderr).toContain('--schema "app"');
    expect(conflict.stderr).toContain("?schema=other");
    const fromConfig = makeProject({
      "tidemark.config.json": JSON.stringify({ url: `${database.url}?schema=other`, dbSchema: "app" }),
    });
    const configured = await runCli(["upgrade", "head", "--config", `${fromConfig}/tidemark.config.json`], { cwd: dir });
    expect(configured.code, configured.stderr).toBe(2);
    expect(configured.stderr).toContain('config dbSchema "app"');
    expect(await tablesBySchema(database.url)).toEqual([]);
    expect(await schemaNames(database.url)).not.toContain("other");
  });

  it("takes the schema from the URL's ?schema= alone: tidemark's tables and the scripts' land there", async () => {
    const dir = project();
    const url = `${database.url}?schema=app`;
    const run = await runCli(["upgrade", "head", "--url", url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(await tablesBySchema(database.url)).toEqual(["app.op_t", "app.raw_t", "app.tidemark_log", "app.tidemark_version"]);
    const agreeing = await runCli(["current", "--schema", "app", "--url", url], { cwd: dir });
    expect(agreeing.code, agreeing.stderr).toBe(0);
    expect(agreeing.stdout).toContain("core: bbbbbbbbbbb2 (head)");
    const sql = await runCli(["upgrade", "head", "--sql", "--url", url], { cwd: dir });
    expect(sql.stdout).toContain('CREATE TABLE IF NOT EXISTS "app"."tidemark_version"');
  });
});

async function schemaNames(url: string): Promise<string[]> {
  const parsed = parseDatabaseUrl(url);
  const connection = await (await loadDialect(parsed.dialect)).driver.connect(parsed);
  try {
    return (await connection.query("SELECT nspname FROM pg_namespace")).map((row) => String(row.nspname));
  } finally {
    await connection.close();
  }
}
