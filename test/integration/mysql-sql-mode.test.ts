/**
 * Issue 12 item 3: MySQL/MariaDB with `NO_BACKSLASH_ESCAPES` (a server
 * setting, or a script's `SET SESSION sql_mode`). Values used to be inlined
 * with backslash escapes: `back\slash` was stored doubled, `it's` was a
 * syntax error, and the failed step's own UPDATE broke too, leaving it
 * `running` with a NULL error. Online, values are now bound by the server
 * (prepared statements); offline, literals mean the same in both modes.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase as query } from "../helpers/query.js";

const dialects = await testDialects();

afterAll(removeProjects);

/** Values whose escaping differs between the modes, and some that never needed any. */
const VALUES = ["back\\slash", "it's", "a\\b'c", 'say "hi"', "line\nbreak\ttab", "trailing\\", "\\'", "nul\0byte", "ünï ✓ 🎉"];
const JSON_VALUE = { quote: 'she said "it\'s"', path: "C:\\temp\\new", lines: "a\nb" };

const NO_BACKSLASH = "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_BACKSLASH_ESCAPES')";

function project(mode: "default" | "NO_BACKSLASH_ESCAPES"): string {
  const setMode = mode === "default" ? "" : `${NO_BACKSLASH};\n`;
  return makeProject({
    "migrations/001_table.sql": `-- +upgrade\n${setMode}CREATE TABLE vals (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT, j JSON);\n`,
    "migrations/002_values.mjs": [
      "export async function upgrade(op) {",
      `  const values = ${JSON.stringify(VALUES)};`,
      "  for (const v of values) await op.execute('INSERT INTO vals (v) VALUES (?)', [v]);",
      "  await op.bulkInsert('vals', values.map((v) => ({ v })));",
      `  await op.bulkInsert('vals', [{ v: 'json', j: ${JSON.stringify(JSON_VALUE)} }]);`,
      "  await op.addColumn('vals', 'd', { type: 'varchar(40)', default: 'x\\\\y it\\'s' });",
      "  await op.addColumn('vals', 't', { type: 'text', default: 'p\\\\q' });",
      // The server will not prepare these (a value in a view; a `?` where its grammar wants a plain quoted
      // string): they go as text, with literals spelled for the session's sql_mode. Offline, where the mode
      // is unknown, a value can be neutral in a view but not in a COMMENT (no hex there): online only.
      "  await op.execute('CREATE VIEW v_const AS SELECT ? AS a', [\"x\\\\y it's\"]);",
      "  if (!op.offline) await op.execute('CREATE TABLE cmt (id INT) COMMENT ?', [\"x\\\\y it's\"]);",
      "}",
      "",
    ].join("\n"),
  });
}

async function storedValues(url: string): Promise<{ v: string[]; json: unknown; defaults: string[]; comment: unknown }> {
  const rows = await query(url, "SELECT v, j, d, t FROM vals ORDER BY id");
  const [view] = await query(url, "SELECT a FROM v_const");
  const [comment] = await query(
    url,
    "SELECT TABLE_COMMENT AS a FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'cmt'",
  );
  const json = rows.find((row) => row.v === "json")?.j;
  return {
    v: rows.filter((row) => row.v !== "json").map((row) => String(row.v)),
    json: typeof json === "string" ? JSON.parse(json) : json,
    defaults: [String(rows[0]?.d), String(rows[0]?.t), String(view?.a)],
    comment: comment?.a,
  };
}

const EXPECTED = { v: [...VALUES, ...VALUES], json: JSON_VALUE, defaults: ["x\\y it's", "p\\q", "x\\y it's"] };

describe.runIf(dialects.includes("mysql")).each(["default", "NO_BACKSLASH_ESCAPES"] as const)("MariaDB, sql_mode %s", (mode) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("mysql");
  });
  afterEach(async () => {
    await database.drop();
  });

  it("op.execute, op.bulkInsert and DEFAULTs store exactly the values given", async () => {
    const dir = project(mode);
    const run = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(await storedValues(database.url)).toEqual({ ...EXPECTED, comment: "x\\y it's" });
  });

  it("the offline script stores the same values through the mariadb client, whatever the client's sql_mode", async () => {
    const dir = project(mode);
    const sql = await runCli(["upgrade", "head", "--sql", "--url", database.url], { cwd: dir });
    expect(sql.code, sql.stderr).toBe(0);
    // The offline literals must not depend on the session: run them in the other mode too.
    const prefix = mode === "default" ? "" : `${NO_BACKSLASH};\n`;
    const client = runMariadb(database, dir, `${prefix}${sql.stdout}`);
    expect(client.code, client.output).toBe(0);
    expect(await storedValues(database.url)).toEqual({ ...EXPECTED, comment: undefined });
  });

  it("a failed step is recorded as failed with its error, not left running with a NULL error", async () => {
    const dir = makeProject({
      "migrations/001_mode.sql": `-- +upgrade\n${mode === "default" ? "" : `${NO_BACKSLASH};\n`}CREATE TABLE ok (id INT);\n`,
      "migrations/002_fails.sql": "-- +upgrade\nINSERT INTO missing_table VALUES ('it''s');\n",
    });
    const run = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("recorded as failed");
    const rows = await query(database.url, "SELECT revision, status, error FROM tidemark_log WHERE revision = '2'");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe("failed");
    expect(String(rows[0]?.error)).toMatch(/Table '.*missing_table' doesn't exist/);
  });
});

function runMariadb(database: TestDatabase, dir: string, script: string): { code: number; output: string } {
  const file = join(dir, "offline.sql");
  writeFileSync(file, script);
  const url = parseDatabaseUrl(database.url);
  const env = { ...process.env, ...(url.password === undefined ? {} : { MYSQL_PWD: url.password }) };
  const args = ["--default-character-set=utf8mb4", "-h", url.host ?? "127.0.0.1", "-P", String(url.port ?? 3306)];
  args.push("-u", url.user ?? "root", database.name);
  const result = spawnSync("mariadb", args, { input: script, env, encoding: "utf8", timeout: 60_000 });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
