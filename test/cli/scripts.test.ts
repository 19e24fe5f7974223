/** Script kinds (.sql, .ts, .mts, .js, .mjs) and SQL statement splitting, run through the binary. */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects, sqlRevision } from "../helpers/project.js";
import { logRows, objectSql, objects, query, tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const db = (dir: string) => join(dir, "tidemark.db");
const userTables = (dir: string) =>
  tableNames(db(dir)).filter((name) => !name.startsWith("tidemark_") && name !== "sqlite_sequence");

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

const tsBody = (table: string) =>
  [
    'import type { Op } from "tidemark";',
    `export const message = "make ${table}";`,
    "export async function upgrade(op: Op): Promise<void> {",
    `  const name: string = "${table}";`,
    '  await op.createTable(name, { id: { type: "integer", primaryKey: true } });',
    "}",
    "export async function downgrade(op: Op): Promise<void> {",
    `  await op.dropTable("${table}");`,
    "}",
    "",
  ].join("\n");

const jsBody = (table: string) =>
  [
    `export const message = "make ${table}";`,
    "export async function upgrade(op) {",
    `  await op.createTable("${table}", { id: { type: "integer", primaryKey: true } });`,
    "}",
    "export async function downgrade(op) {",
    `  await op.dropTable("${table}");`,
    "}",
    "",
  ].join("\n");

describe("every script kind in one repository", () => {
  it("runs .sql, .ts, .mts, .js and .mjs scripts up and down, and logs each with a checksum", async () => {
    const dir = makeProject({
      "migrations/001_sql.sql": numberedSql("CREATE TABLE k_sql (id INTEGER PRIMARY KEY);", "DROP TABLE k_sql;"),
      "migrations/002_ts.ts": tsBody("k_ts"),
      "migrations/003_mts.mts": tsBody("k_mts"),
      "migrations/004_js.js": jsBody("k_js"),
      "migrations/005_mjs.mjs": jsBody("k_mjs"),
      // Ignored: private and hidden files, type declarations, other extensions.
      "migrations/_helper.ts": "throw new Error('must not be loaded');\n",
      "migrations/.hidden.sql": "this is not SQL;\n",
      "migrations/006_types.d.ts": "export {};\n",
      "migrations/README.md": "# notes\n",
    });
    await ok(dir, "upgrade");
    expect(versions(db(dir))).toEqual(["5"]);
    expect(userTables(dir)).toEqual(["k_js", "k_mjs", "k_mts", "k_sql", "k_ts"]);
    const log = logRows(db(dir));
    expect(log.map((row) => [row.revision, row.direction, row.status])).toEqual([
      ["1", "up", "done"],
      ["2", "up", "done"],
      ["3", "up", "done"],
      ["4", "up", "done"],
      ["5", "up", "done"],
    ]);
    for (const row of log) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    const messages = JSON.parse(await ok(dir, "--json", "history")) as {
      repositories: { revisions: { id: string; message: string }[] }[];
    };
    expect(messages.repositories[0]?.revisions.map((r) => r.message)).toEqual([
      "make k_mjs",
      "make k_js",
      "make k_mts",
      "make k_ts",
      "sql",
    ]);

    await ok(dir, "downgrade", "base");
    expect(versions(db(dir))).toEqual([]);
    expect(userTables(dir)).toEqual([]);
  });

  it("a graph-scheme TypeScript script reads its header without running (history) and runs on upgrade", async () => {
    const dir = makeProject({
      "migrations/abcdefabcdef_x.ts": [
        'export const revision = "abcdefabcdef";',
        "export const revises = null;",
        'export const message = "header only";',
        'throw new Error("top-level code must only run on upgrade");',
        "export async function upgrade() {}",
        "",
      ].join("\n"),
    });
    const history = await ok(dir, "history");
    expect(history).toBe("<base> -> abcdefabcdef (head), header only\n");
    const result = await runCli(["upgrade"], { cwd: dir });
    // A script that cannot be imported is a script error (exit 2) naming the file and the line that threw.
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, "migrations", "abcdefabcdef_x.ts")}:4`);
    expect(result.stderr).toContain("top-level code must only run on upgrade");
  });
});

describe("SQL statement splitting", () => {
  it("keeps trigger bodies (BEGIN … END), strings and comments with semicolons whole", async () => {
    const up = [
      "CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT);",
      "CREATE TABLE audit (item_id INTEGER, what TEXT);",
      "-- a comment; with a semicolon; CREATE TABLE nope (x);",
      "/* a block comment; DROP TABLE items; */",
      "CREATE TRIGGER items_audit AFTER INSERT ON items",
      "BEGIN",
      "  INSERT INTO audit (item_id, what) VALUES (NEW.id, 'insert; into items');",
      "  UPDATE audit SET what = what || ';end' WHERE item_id = NEW.id;",
      "END;",
      "INSERT INTO items (id, note) VALUES (1, 'semi;colon -- not a comment');",
      "INSERT INTO items (id, note) VALUES (2, 'it''s; quoted /* not a comment */');",
      'CREATE TABLE "odd;name" (x INTEGER);',
    ].join("\n");
    const dir = makeProject({
      "migrations/aaaaaaaaaaaa_split.sql": sqlRevision(
        "aaaaaaaaaaaa",
        null,
        up,
        'DROP TRIGGER items_audit;\nDROP TABLE audit;\nDROP TABLE items;\nDROP TABLE "odd;name";',
      ),
    });
    await ok(dir, "upgrade");
    expect(userTables(dir)).toEqual(["audit", "items", "odd;name"]);
    expect(objectSql(db(dir), "items_audit")).toContain("UPDATE audit SET what = what || ';end' WHERE item_id = NEW.id;\nEND");
    expect(query(db(dir), "SELECT id, note FROM items ORDER BY id")).toEqual([
      { id: 1, note: "semi;colon -- not a comment" },
      { id: 2, note: "it's; quoted /* not a comment */" },
    ]);
    // The trigger ran for both inserts, both of its statements.
    expect(query(db(dir), "SELECT item_id, what FROM audit ORDER BY item_id")).toEqual([
      { item_id: 1, what: "insert; into items;end" },
      { item_id: 2, what: "insert; into items;end" },
    ]);
    await ok(dir, "downgrade", "base");
    expect(userTables(dir)).toEqual([]);
    expect(objects(db(dir)).filter((o) => o.type === "trigger")).toEqual([]);
  });

  it("a CASE … END inside a trigger and a last statement without a semicolon", async () => {
    const up = [
      "CREATE TABLE n (v INTEGER, sign TEXT);",
      "CREATE TRIGGER n_sign AFTER INSERT ON n BEGIN",
      "  UPDATE n SET sign = CASE WHEN NEW.v < 0 THEN 'neg;' ELSE 'pos;' END WHERE rowid = NEW.rowid;",
      "END;",
      "INSERT INTO n (v) VALUES (-1), (1)",
    ].join("\n");
    const dir = makeProject({ "migrations/001_case.sql": numberedSql(up) });
    await ok(dir, "upgrade");
    expect(query(db(dir), "SELECT v, sign FROM n ORDER BY v")).toEqual([
      { v: -1, sign: "neg;" },
      { v: 1, sign: "pos;" },
    ]);
  });

  it("a numbered SQL file without section markers is all upgrade", async () => {
    const dir = makeProject({ "migrations/001_plain.sql": "CREATE TABLE plain (id INTEGER);\nINSERT INTO plain VALUES (7);\n" });
    await ok(dir, "upgrade");
    expect(query(db(dir), "SELECT id FROM plain")).toEqual([{ id: 7 }]);
  });
});
