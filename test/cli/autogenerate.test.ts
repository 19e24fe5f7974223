/**
 * `diff` and `revision --autogenerate` through the real binary (SPEC §11):
 * the seed's procedure with an ini config, exit codes, what the written
 * script says, and every bad input refused with one paragraph, exit 2, no
 * file written and the database byte-for-byte as it was.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, type CliResult } from "../helpers/cli.js";
import { makeProject, removeProjects, writeFiles } from "../helpers/project.js";
import { createTestDatabase, inCi, serverReachable } from "../helpers/databases.js";
import { bytes, tableNames } from "./sqlite-state.js";

afterAll(removeProjects);

const INI = ["[database]", "connection = sqlite:app.db", "", "[tidemark]", "schema = db/schema.ts", ""].join("\n");

const SCHEMA_V1 = `import { defineSchema, sql } from "tidemark";
export default defineSchema({
  tables: {
    users: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        email: { type: "varchar(255)", nullable: false },
        nickname: { type: "text" },
        created_at: { type: "timestamp", default: sql("CURRENT_TIMESTAMP") },
      },
      indexes: [{ columns: ["email"], unique: true }],
    },
    posts: {
      columns: {
        id: { type: "integer", primaryKey: true },
        user_id: { type: "integer", references: { table: "users", column: "id", onDelete: "cascade" } },
        title: { type: "text", nullable: false, default: "" },
      },
    },
  },
  views: { titles: "SELECT id, title FROM posts" },
});
`;

/** v2: nickname dropped and handle added without a hint, posts dropped. */
const SCHEMA_V2 = `import { defineSchema } from "tidemark";
export default defineSchema({
  tables: {
    users: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        email: { type: "varchar(255)", nullable: false },
        handle: { type: "text" },
        created_at: { type: "timestamp" },
      },
      indexes: [{ columns: ["email"], unique: true }],
    },
  },
});
`;

function project(files: Record<string, string> = {}): string {
  return makeProject({ "tacker.conf": INI, "db/schema.ts": SCHEMA_V1, "migrations/.keep": "", ...files });
}

const cli = (dir: string, ...args: string[]): Promise<CliResult> =>
  runCli(["--config-file", "tacker.conf", ...args], { cwd: dir });
const scripts = (dir: string): string[] => readdirSync(join(dir, "migrations")).filter((name) => !name.startsWith("."));

describe("the seed's procedure, with an ini config", () => {
  it("revision --autogenerate, upgrade head, check_migration, history; then nothing to do", async () => {
    const dir = project();
    const made = await cli(dir, "revision", "-m", "description of revision", "--autogenerate");
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^Wrote revision [0-9a-f]{12} of core \(4 operations\): .*_description_of_revision\.ts\n$/);
    expect(existsSync(join(dir, "app.db")), "autogenerate only reads the database").toBe(false);
    const [file] = scripts(dir);
    const text = readFileSync(join(dir, "migrations", file!), "utf8");
    expect(text).toContain('export const message = "description of revision";');
    expect(text).toContain('await op.createIndex("users", ["email"], { name: "ux_users_email", unique: true });');
    expect(text).toContain(
      'export async function downgrade(op: Op) {\n  await op.dropView("titles");\n  await op.dropTable("posts");\n  await op.dropTable("users");\n}',
    );

    expect((await cli(dir, "upgrade", "head")).code).toBe(0);
    expect(tableNames(join(dir, "app.db"))).toEqual(["posts", "tidemark_log", "tidemark_version", "users"]);
    const check = await cli(dir, "check_migration");
    expect(check.code, check.stderr).toBe(0);
    const history = await cli(dir, "history");
    expect(history.code).toBe(0);
    expect(history.stdout).toContain("description of revision");

    const diff = await cli(dir, "diff");
    expect([diff.code, diff.stdout.trim()]).toEqual([
      0,
      `core: no differences: the database matches the declared schema (${join(dir, "db/schema.ts")}).`,
    ]);
    const again = await cli(dir, "revision", "-m", "nothing", "--autogenerate");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("no changes detected");
    expect(scripts(dir)).toHaveLength(1);
    const empty = await cli(dir, "revision", "-m", "nothing", "--autogenerate", "--allow-empty");
    expect(empty.code).toBe(0);
    expect(scripts(dir)).toHaveLength(2);
  });
});

describe("diff", () => {
  it("exits 3 and prints op calls, SQL with --sql, data with --json; never touches the database", async () => {
    const dir = project();
    const ops = await cli(dir, "diff");
    expect(ops.code).toBe(3);
    expect(ops.stdout).toContain(
      'await op.createTable("users", {\n  id: { type: "integer", primaryKey: true, autoIncrement: true },',
    );
    const sql = await cli(dir, "diff", "--sql");
    expect(sql.code).toBe(3);
    expect(sql.stdout).toContain('CREATE UNIQUE INDEX "ux_users_email" ON "users" ("email");');
    expect(sql.stdout).toContain('CREATE VIEW "titles" AS SELECT id, title FROM posts;');
    const json = await cli(dir, "--json", "diff");
    expect(json.code).toBe(3);
    const document = JSON.parse(json.stdout) as { changes: { kind: string }[]; warnings: unknown[]; differs: boolean };
    expect(document.changes.map((op) => op.kind)).toEqual(["createTable", "createIndex", "createTable", "createView"]);
    expect(document.warnings).toEqual([]);
    expect(existsSync(join(dir, "app.db"))).toBe(false);
  });

  it("exits 2 without a declared schema, and 1 when the database cannot be reached", async () => {
    const none = makeProject({ "tidemark.config.json": JSON.stringify({ url: "sqlite:x.db" }), "migrations/.keep": "" });
    const missing = await runCli(["diff"], { cwd: none });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Repository core has no declared schema: set `schema` in the config");
    const dir = project();
    const down = await cli(dir, "--url", "postgres://nobody@127.0.0.1:9/nothing", "diff");
    expect(down.code, down.stderr).toBe(1);
  });
});

describe("revision --autogenerate", () => {
  it("refuses a database that is not at head, naming the pending revision, and writes nothing", async () => {
    const dir = project();
    expect((await cli(dir, "revision", "-m", "first", "--autogenerate")).code).toBe(0);
    const [first] = scripts(dir);
    const refused = await cli(dir, "revision", "-m", "second", "--autogenerate");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `The database is not at head of repository core: 1 revision is not applied: ${first!.slice(0, 12)} (`,
    );
    expect(scripts(dir)).toEqual([first]);
  });

  it("comments and lists what a destructive change destroys, and warns about a likely rename", async () => {
    const dir = project();
    await cli(dir, "revision", "-m", "first", "--autogenerate");
    await cli(dir, "upgrade", "head");
    writeFileSync(join(dir, "db/schema.ts"), SCHEMA_V2);
    const made = await cli(dir, "revision", "-m", "second", "--autogenerate");
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain(
      'warning: looks like a rename of users.nickname to users.handle: add `renamedFrom: "nickname"` to column handle',
    );
    expect(made.stderr).toContain("destructive: destroys the data in column users.nickname (text)");
    expect(made.stderr).toContain("destructive: destroys table posts and all its rows (columns id, user_id, title)");
    const file = scripts(dir).find((name) => name.includes("second"))!;
    const text = readFileSync(join(dir, "migrations", file), "utf8");
    expect(text).toContain("  // looks like a rename of users.nickname to users.handle");
    expect(text).toContain('  // destroys the data in column users.nickname (text)\n  await op.dropColumn("users", "nickname");');
    expect((await cli(dir, "upgrade", "head")).code).toBe(0);
    expect((await cli(dir, "diff")).code).toBe(0);
    expect((await cli(dir, "downgrade", "-1")).code).toBe(0);
    writeFileSync(join(dir, "db/schema.ts"), SCHEMA_V1);
    expect((await cli(dir, "diff")).code).toBe(0);
  });

  it("writes SQL with --sql, and in a repository of SQL scripts", async () => {
    const dir = project();
    expect((await cli(dir, "revision", "-m", "first", "--autogenerate", "--sql")).code).toBe(0);
    const [file] = scripts(dir);
    expect(file).toMatch(/\.sql$/);
    const text = readFileSync(join(dir, "migrations", file!), "utf8");
    expect(text).toContain('-- +upgrade\nCREATE TABLE "users" (');
    expect(text).toContain('-- +downgrade\nDROP VIEW "titles";\nDROP TABLE "posts";\nDROP TABLE "users";');
    expect((await cli(dir, "upgrade", "head")).code).toBe(0);
    writeFileSync(join(dir, "db/schema.ts"), SCHEMA_V2);
    expect((await cli(dir, "revision", "-m", "second", "--autogenerate")).code).toBe(0);
    expect(scripts(dir).every((name) => name.endsWith(".sql"))).toBe(true);
    expect((await cli(dir, "upgrade", "head")).code).toBe(0);
    expect((await cli(dir, "diff")).code).toBe(0);
  });
});

describe("bad input: one paragraph, exit 2, no file, the database as it was", () => {
  /** Runs the refused command on a project whose database has the first revision applied. */
  async function refused(
    files: Record<string, string>,
    messages: readonly (string | RegExp)[],
    config: Record<string, string> = {},
  ): Promise<void> {
    const dir = project(config);
    expect((await cli(dir, "revision", "-m", "first", "--autogenerate")).code).toBe(0);
    expect((await cli(dir, "upgrade", "head")).code).toBe(0);
    const before = bytes(join(dir, "app.db"));
    const written = scripts(dir);
    writeFiles(dir, files);
    for (const args of [["diff"], ["revision", "-m", "bad", "--autogenerate"]]) {
      const result = await cli(dir, ...args);
      expect(result.code, result.stderr).toBe(2);
      for (const message of messages) {
        if (typeof message === "string") expect(result.stderr).toContain(message);
        else expect(result.stderr).toMatch(message);
      }
      expect(result.stderr.match(/error:/g) ?? []).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(scripts(dir)).toEqual(written);
      expect(bytes(join(dir, "app.db"))?.equals(before!), "the database is unchanged").toBe(true);
    }
  }

  it("a schema module with a syntax error: file and line", async () => {
    await refused(
      {
        "db/schema.ts":
          'import { defineSchema } from "tidemark";\nexport default defineSchema({\n  tables: { users: { columns: { id: { type: "integer" } } }\n});\n',
      },
      [/error: The schema module does not load: .*\/db\/schema\.ts:4:\d+: /],
    );
  });

  it("a declared type the dialect cannot create", async () => {
    await refused({ "db/schema.ts": 'export default { tables: { users: { columns: { id: { type: "int[]" } } } } };' }, [
      'Column users.id declares type "int[]", which sqlite cannot create',
    ]);
  });

  it("a foreign key to a table that is not declared", async () => {
    await refused(
      {
        "db/schema.ts":
          'export default { tables: { posts: { columns: { user_id: { type: "integer", references: { table: "users", column: "id" } } } } } };',
      },
      ['Table posts has a foreign key (user_id) to table "users", which the schema does not declare.'],
    );
  });

  it("a renamedFrom naming nothing", async () => {
    await refused(
      { "db/schema.ts": SCHEMA_V1.replace('nickname: { type: "text" }', 'nick: { type: "text", renamedFrom: "nicknam" }') },
      ['Column "users.nick" says renamedFrom: "nicknam", but table "users" in the database has neither "nicknam" nor "nick"'],
    );
  });

  it("a .sql schema that fails on the scratch database: statement and line", async () => {
    await refused(
      { "db/schema.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n\nCREATE TABLE posts (id INTEGER,, title TEXT);\n" },
      [
        /db\/schema\.sql:3: this statement of the schema fails on the scratch sqlite database: .*syntax error/,
        "CREATE TABLE posts (id INTEGER,, title TEXT)",
      ],
      {
        "tacker.conf": INI.replace("schema = db/schema.ts", "schema = db/schema.sql"),
        "db/schema.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
      },
    );
  });
});

describe.runIf(inCi() || (await serverReachable("postgres")))("a shadowUrl that holds tables", () => {
  it("is refused (it would be wiped), and neither it nor the target changes", async () => {
    const target = await createTestDatabase("postgres");
    const shadow = await createTestDatabase("postgres");
    try {
      const { connectPostgres } = await import("../../src/dialects/postgres/postgres-driver.js");
      const { parseDatabaseUrl } = await import("../../src/config/database-url.js");
      const connection = await connectPostgres(parseDatabaseUrl(shadow.url));
      await connection.execute("CREATE TABLE keep_me (id integer)");
      await connection.execute("INSERT INTO keep_me VALUES (1)");
      const dir = makeProject({
        "tidemark.config.json": JSON.stringify({ url: target.url, schema: "schema.sql", shadowUrl: shadow.url }),
        "schema.sql": "CREATE TABLE t (id integer PRIMARY KEY);\n",
        "migrations/.keep": "",
      });
      for (const args of [["diff"], ["revision", "-m", "x", "--autogenerate"]]) {
        const result = await runCli(args, { cwd: dir });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toMatch(/shadowUrl postgres:\/\/.* is not empty \(it holds public\.keep_me\)/);
        expect(result.stderr.match(/error:/g) ?? []).toHaveLength(1);
      }
      expect(await connection.query("SELECT id FROM keep_me")).toEqual([{ id: 1 }]);
      await connection.close();
      expect(readdirSync(join(dir, "migrations"))).toEqual([".keep"]);
    } finally {
      await target.drop();
      await shadow.drop();
    }
  });
});

describe("repositories with their own schemas", () => {
  it("compares each repository's schema and leaves the other's tables alone", async () => {
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({
        url: "sqlite:app.db",
        schema: "core.ts",
        ignoreTables: ["legacy_*"],
        repositories: { core: { path: "migrations" }, ext: { path: "ext", extension: true, schema: "ext.ts" } },
      }),
      "core.ts": 'export default { tables: { users: { columns: { id: { type: "integer", primaryKey: true } } } } };',
      "ext.ts":
        'export default { tables: { ext_items: { columns: { id: { type: "integer", primaryKey: true }, user_id: { type: "integer", references: { table: "users", column: "id" } } } } } };',
      "migrations/.keep": "",
      "ext/.keep": "",
    });
    const run = (...args: string[]) => runCli(args, { cwd: dir });
    expect((await run("revision", "-m", "core", "--autogenerate")).code).toBe(0);
    expect((await run("upgrade", "head")).code).toBe(0);
    const ext = await run("--repo", "ext", "revision", "-m", "ext", "--autogenerate");
    expect(ext.code, ext.stderr).toBe(0);
    expect((await run("--repo", "ext", "upgrade", "head")).code).toBe(0);
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(dir, "app.db"));
    db.exec("CREATE TABLE legacy_stuff (id INTEGER)");
    db.close();
    expect((await run("diff")).stdout).toContain("core: no differences");
    expect((await run("--repo", "ext", "diff")).stdout).toContain("ext: no differences");
  });
});
