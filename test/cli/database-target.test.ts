/**
 * Issue 17, "the database in use can silently differ from the one asked
 * for": `init` writes a config that reads DATABASE_URL, DATABASE_URL wins
 * over the config, `.env` and the config are found from any subfolder, and
 * every command that changes the database names it first.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { besideTarget, runCli } from "../helpers/cli.js";
import { createTestDatabase, inCi, serverReachable, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";
import { tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const A = "a1a1a1a1a1a1";
const B = "b2b2b2b2b2b2";

/** A project as `init` leaves it, with two revisions. */
async function initProject(): Promise<string> {
  const dir = makeProject();
  const init = await runCli(["init"], { cwd: dir });
  expect(init.code, init.stderr).toBe(0);
  writeFileSync(
    join(dir, "migrations", `${A}_users.sql`),
    sqlRevision(A, null, "CREATE TABLE users (id INTEGER);", "DROP TABLE users;"),
  );
  writeFileSync(
    join(dir, "migrations", `${B}_posts.sql`),
    sqlRevision(B, A, "CREATE TABLE posts (id INTEGER);", "DROP TABLE posts;"),
  );
  return dir;
}

/** The test server's URL with a password in it, which the trust-auth test server ignores and no output may show. */
function withPassword(url: string): string {
  return url.replace("://postgres@", "://postgres:s3cret-pw@");
}

const pgWanted = inCi() || (await serverReachable("postgres"));

describe.runIf(pgWanted)("DATABASE_URL wins over the config init wrote (PostgreSQL)", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => database?.drop());

  it("upgrade head and downgrade base act on PostgreSQL, never on the SQLite fallback, and name it on stderr", async () => {
    database = await createTestDatabase("postgres");
    const dir = await initProject();
    const env = { DATABASE_URL: withPassword(database.url) };
    const up = await runCli(["upgrade", "head"], { cwd: dir, env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr.split("\n")[0]).toBe(
      `Database: PostgreSQL database "${database.name}" on 127.0.0.1:5432 as postgres (from DATABASE_URL)`,
    );
    expect(up.stderr + up.stdout).not.toContain("s3cret-pw");
    expect(up.stdout).toContain("core: upgraded base -> b2b2b2b2b2b2 (2 steps)");
    const tables = await queryDatabase(
      database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((row) => row.table_name)).toEqual(["posts", "tidemark_log", "tidemark_version", "users"]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);

    const down = await runCli(["downgrade", "base", "--verbose"], { cwd: dir, env });
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`Database: PostgreSQL database "${database.name}"`);
    expect(down.stderr).toContain("DROP TABLE posts");
    const left = await queryDatabase(
      database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(left.map((row) => row.table_name)).toEqual(["tidemark_log", "tidemark_version"]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });
});

describe("one database for the whole project", () => {
  it("without DATABASE_URL the config's fallback, sqlite:tidemark.db beside the config, is used and named", async () => {
    const dir = await initProject();
    const result = await runCli(["upgrade", "head"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`Database: SQLite ${join(dir, "tidemark.db")} (from ${join(dir, "tidemark.config.json")})\n`);
    expect(versions(join(dir, "tidemark.db"))).toEqual([B]);
  });

  it("a DATABASE_URL naming a SQLite file wins over the config and is what the line names", async () => {
    const dir = await initProject();
    const result = await runCli(["upgrade", A], { cwd: dir, env: { DATABASE_URL: "sqlite:other.db" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`Database: SQLite ${join(dir, "other.db")} (from DATABASE_URL)\n`);
    expect(versions(join(dir, "other.db"))).toEqual([A]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("from a subfolder every command finds the config above, its migrations and its database", async () => {
    const dir = await initProject();
    const sub = join(dir, "src", "sub");
    mkdirSync(sub, { recursive: true });
    const up = await runCli(["upgrade", A], { cwd: sub });
    expect(up.code, up.stderr).toBe(0);
    expect(versions(join(dir, "tidemark.db"))).toEqual([A]);
    expect(existsSync(join(sub, "tidemark.db"))).toBe(false);
    const current = await runCli(["current"], { cwd: sub });
    expect(current).toEqual({ code: 0, stdout: `core: ${A} revision ${A}\n`, stderr: "" });
    const written = JSON.parse((await runCli(["revision", "-m", "from below", "--json"], { cwd: sub })).stdout) as {
      revision: { file: string };
    };
    expect(written.revision.file.startsWith(join(dir, "migrations") + "/")).toBe(true);
    // A relative SQLite path in --url is relative to the project root too.
    const flagged = await runCli(["upgrade", A, "--url", "sqlite:data/flag.db"], { cwd: sub });
    expect(flagged.code, flagged.stderr).toBe(1);
    expect(flagged.stderr).toContain(join(dir, "data", "flag.db"));
    mkdirSync(join(dir, "data"));
    const again = await runCli(["upgrade", A, "--url", "sqlite:data/flag.db"], { cwd: sub });
    expect(again.code, again.stderr).toBe(0);
    expect(versions(join(dir, "data", "flag.db"))).toEqual([A]);
  });

  it(".env beside the config is loaded from any subfolder; a variable already set wins over it", async () => {
    const dir = await initProject();
    writeFileSync(join(dir, ".env"), "# local database\nDATABASE_URL=sqlite:from-dotenv.db\n");
    const sub = join(dir, "src");
    mkdirSync(sub);
    const fromFile = await runCli(["upgrade", A], { cwd: sub });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stderr).toBe(`Database: SQLite ${join(dir, "from-dotenv.db")} (from DATABASE_URL in ${join(dir, ".env")})\n`);
    expect(versions(join(dir, "from-dotenv.db"))).toEqual([A]);
    const fromShell = await runCli(["upgrade", A], { cwd: sub, env: { DATABASE_URL: "sqlite:from-shell.db" } });
    expect(fromShell.code, fromShell.stderr).toBe(0);
    expect(versions(join(dir, "from-shell.db"))).toEqual([A]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("a config URL with ${VAR} reads .env; an unset VAR without a fallback is exit 2 naming it", async () => {
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({ url: "sqlite:${APP_DB_FILE}" }),
      [`migrations/${A}_users.sql`]: sqlRevision(A, null, "CREATE TABLE users (id INTEGER);"),
    });
    const missing = await runCli(["upgrade"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("${APP_DB_FILE}, which is not set");
    writeFileSync(join(dir, ".env"), "APP_DB_FILE=app.db\n");
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(tableNames(join(dir, "app.db"))).toContain("users");
  });
});

describe("the target line", () => {
  it("upgrade, downgrade, stamp, sync and repair print it first; read-only and offline commands do not", async () => {
    const dir = await initProject();
    const line = `Database: SQLite ${join(dir, "tidemark.db")} (from ${join(dir, "tidemark.config.json")})`;
    for (const args of [["upgrade", A], ["sync"], ["downgrade", "-1"], ["stamp", B], ["repair"]]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
      expect(result.stderr.split("\n")[0], args.join(" ")).toBe(line);
      expect(besideTarget(result.stderr), args.join(" ")).toBe("");
    }
    for (const args of [["current"], ["heads"], ["history"], ["check"], ["upgrade", "head", "--sql"]]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stderr, args.join(" ")).toBe("");
    }
  });

  it("--json puts it in the document (password hidden) and leaves stderr empty; --quiet prints nothing", async () => {
    const dir = await initProject();
    const json = await runCli(["upgrade", "--json"], { cwd: dir });
    expect(json.stderr).toBe("");
    const document = JSON.parse(json.stdout) as { target: unknown };
    expect(document.target).toEqual({
      dialect: "sqlite",
      url: "sqlite:tidemark.db",
      path: join(dir, "tidemark.db"),
      source: "config",
      sourceFile: join(dir, "tidemark.config.json"),
    });
    expect(await runCli(["downgrade", "base", "--quiet"], { cwd: dir })).toEqual({ code: 0, stdout: "", stderr: "" });
    const config = JSON.parse(readFileSync(join(dir, "tidemark.config.json"), "utf8")) as { url: string };
    expect(config.url).toBe("${DATABASE_URL:-sqlite:tidemark.db}");
  });
});
