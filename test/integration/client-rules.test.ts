/**
 * Each client rule of issue 11 on its dialect, through the CLI as a user runs
 * it: the statement reaches the server as the database's own client would
 * send it (mariadb, sqlite3), online and in the offline script.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import { runCli, besideTarget } from "../helpers/cli.js";
import { connectAdmin, createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();
const databases: TestDatabase[] = [];

afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.drop()));
});
afterAll(() => removeProjects());

async function database(dialect: "sqlite" | "mysql"): Promise<TestDatabase> {
  const made = await createTestDatabase(dialect);
  databases.push(made);
  return made;
}

/** A numbered repository whose single migration is `sql`, byte for byte. */
function project(sql: string): string {
  const dir = makeProject({
    "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "migrations", scheme: "numbered" } } }),
    "migrations/0001_client_rules.sql": sql,
  });
  return dir;
}

async function upgradeOnline(dir: string, url: string): Promise<void> {
  const result = await runCli(["--url", url, "upgrade", "head"], { cwd: dir });
  expect(besideTarget(result.stderr)).toBe("");
  expect(result.code).toBe(0);
}

async function offlineScript(dir: string, dialect: "sqlite" | "mariadb"): Promise<string> {
  const result = await runCli(["upgrade", "head", "--sql", "--dialect", dialect], { cwd: dir });
  expect(besideTarget(result.stderr)).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

function runClient(target: TestDatabase, script: string): void {
  const url = parseDatabaseUrl(target.url);
  const [command, args] =
    target.dialect === "sqlite"
      ? ["sqlite3", ["-bail", target.name]]
      : ["mariadb", ["-h", url.host ?? "127.0.0.1", "-P", String(url.port ?? 3306), "-u", url.user ?? "root", target.name]];
  const result = spawnSync(command, args, { input: script, encoding: "utf8", timeout: 60_000 });
  expect(besideTarget(result.stderr)).toBe("");
  expect(result.status).toBe(0);
}

async function mysqlRows(target: TestDatabase, sql: string): Promise<unknown[]> {
  const connection = await connectAdmin("mysql");
  try {
    return await connection.query(sql.replaceAll("$db", target.name));
  } finally {
    await connection.close();
  }
}

const userTables = (target: TestDatabase): Promise<unknown[]> =>
  mysqlRows(
    target,
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '$db' AND table_name NOT LIKE 'tidemark%' ORDER BY 1",
  );

describe.runIf(dialects.includes("mysql"))("MySQL/MariaDB: the client's lexical rules", () => {
  it("a `--x` line opening a statement is a comment, as the mariadb client reads it (Mifos X V271)", async () => {
    const target = await database("mysql");
    await upgradeOnline(project("CREATE TABLE t (a int);\n--add a column\nALTER TABLE t ADD COLUMN b int;\n"), target.url);
    expect(
      await mysqlRows(
        target,
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = '$db' AND table_name = 't' ORDER BY ordinal_position",
      ),
    ).toEqual([{ c: "a" }, { c: "b" }]);
  });

  const EXECUTABLE = [
    "/*!40101 SET NAMES utf8mb4 */;",
    "/*!40014 SET FOREIGN_KEY_CHECKS=0 */;",
    "/*!50000 CREATE TABLE t3 (a int) */;",
    "/*M!100100 CREATE TABLE t4 (a int) */;",
    "/*M!999999 CREATE TABLE t5 (a int) */;",
    "CREATE TABLE probe AS SELECT @@SESSION.foreign_key_checks AS fk;",
    "/*!40014 SET FOREIGN_KEY_CHECKS=1 */;",
    "",
  ].join("\n");

  it("executable comments run on the server, which judges them by its version (online)", async () => {
    const target = await database("mysql");
    await upgradeOnline(project(EXECUTABLE), target.url);
    expect(await userTables(target)).toEqual([{ t: "probe" }, { t: "t3" }, { t: "t4" }]);
    expect(await mysqlRows(target, "SELECT fk FROM `$db`.probe")).toEqual([{ fk: 0 }]);
  });

  it("executable comments stay as they are in the offline script, and run through the client", async () => {
    const dir = project(EXECUTABLE);
    const script = await offlineScript(dir, "mariadb");
    for (const line of EXECUTABLE.split("\n").filter((l) => l.startsWith("/*"))) expect(script).toContain(line);
    const target = await database("mysql");
    runClient(target, script);
    expect(await userTables(target)).toEqual([{ t: "probe" }, { t: "t3" }, { t: "t4" }]);
    expect(await mysqlRows(target, "SELECT fk FROM `$db`.probe")).toEqual([{ fk: 0 }]);
  });

  it("sessions run without IGNORE_SPACE, as the client's do: a table may be called `count`", async () => {
    const target = await database("mysql");
    await upgradeOnline(
      project(
        "CREATE TABLE count (i int);\nCREATE TRIGGER count_bi BEFORE INSERT ON count FOR EACH ROW SET NEW.i = NEW.i + 1;\n",
      ),
      target.url,
    );
    expect(await mysqlRows(target, "SELECT sql_mode FROM information_schema.triggers WHERE trigger_schema = '$db'")).toEqual([
      { sql_mode: expect.not.stringContaining("IGNORE_SPACE") },
    ]);
  });
});

describe("SQLite: statements reach the server with their text as written", () => {
  const SQL =
    "CREATE TABLE t (a, b);\nCREATE INDEX t_a ON t (a) ;\nCREATE INDEX t_b ON t (b)\r\n;\nCREATE INDEX t_ab ON t (a, b) -- both\n;\n";

  /** The CREATE statements as sqlite_master holds them, and as the sqlite3 client leaves them. */
  function stored(file: string): unknown[] {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE tbl_name NOT LIKE 'tidemark%' AND name NOT LIKE 'sqlite%' ORDER BY name",
        )
        .all();
    } finally {
      db.close();
    }
  }

  it("stores CREATE INDEX … ;  as the sqlite3 client does, online and offline", async () => {
    const byClient = await database("sqlite");
    runClient(byClient, SQL);
    const want = stored(byClient.name);
    expect(want).toContainEqual({ name: "t_a", sql: "CREATE INDEX t_a ON t (a) " });
    expect(want).toContainEqual({ name: "t_b", sql: "CREATE INDEX t_b ON t (b)\n" });

    const dir = project(SQL);
    const online = await database("sqlite");
    await upgradeOnline(dir, online.url);
    expect(stored(online.name)).toEqual(want);

    const offline = await database("sqlite");
    const script = await offlineScript(dir, "sqlite");
    writeFileSync(join(dir, "offline.sql"), script);
    runClient(offline, script);
    expect(stored(offline.name)).toEqual(want);
  });
});
