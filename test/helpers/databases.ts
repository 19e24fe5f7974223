/**
 * Real databases for integration tests. SQLite always runs; PostgreSQL and
 * MySQL/MariaDB run when CI=true (where an unreachable server must make the
 * tests fail, never skip) or, locally, when their server answers.
 *
 * Servers: TIDEMARK_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and TIDEMARK_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/mysql).
 * Each test database gets a unique name (pid + random), so parallel test
 * files never share one.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, DialectName } from "../../src/dialects/dialect.js";
import { connectMysql } from "../../src/dialects/mysql/mysql-driver.js";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";

export const PG_ADMIN_URL = process.env["TIDEMARK_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const MYSQL_ADMIN_URL = process.env["TIDEMARK_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/mysql";

export interface TestDatabase {
  readonly dialect: DialectName;
  /** A URL for the new, empty database. */
  readonly url: string;
  /** The database name (SQLite: the file path). */
  readonly name: string;
  drop(): Promise<void>;
}

export function inCi(): boolean {
  return process.env["CI"] === "true" || process.env["CI"] === "1";
}

const reachability = new Map<DialectName, Promise<boolean>>();

/** The dialects the integration tests should cover in this run. */
export async function testDialects(): Promise<DialectName[]> {
  const out: DialectName[] = ["sqlite"];
  for (const dialect of ["postgres", "mysql"] as const) {
    if (inCi() || (await serverReachable(dialect))) out.push(dialect);
  }
  return out;
}

/** Is this dialect's test server up? Prints a note once when it is not. */
export function serverReachable(dialect: DialectName): Promise<boolean> {
  if (dialect === "sqlite") return Promise.resolve(true);
  let known = reachability.get(dialect);
  if (known === undefined) {
    known = probe(dialect);
    reachability.set(dialect, known);
  }
  return known;
}

async function probe(dialect: "postgres" | "mysql"): Promise<boolean> {
  try {
    const connection = await connectAdmin(dialect, 3);
    await connection.close();
    return true;
  } catch (error) {
    const env = dialect === "postgres" ? "TIDEMARK_TEST_PG_URL" : "TIDEMARK_TEST_MYSQL_URL";
    console.warn(
      `note: skipping ${dialect} integration tests, its server is not reachable ` +
        `(${error instanceof Error ? error.message : String(error)}); set ${env} or CI=true to require it.`,
    );
    return false;
  }
}

/** A connection to the admin database of the test server. */
export async function connectAdmin(dialect: "postgres" | "mysql", timeoutSeconds = 10): Promise<Connection> {
  if (dialect === "postgres") {
    return connectPostgres(parseDatabaseUrl(PG_ADMIN_URL), { connectTimeoutSeconds: timeoutSeconds });
  }
  return connectMysql(parseDatabaseUrl(MYSQL_ADMIN_URL), { connectTimeoutSeconds: timeoutSeconds });
}

/** The server URL with its database (path) replaced. */
export function withDatabase(url: string, database: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/.exec(url);
  if (!match) throw new Error(`not a server URL: ${parseDatabaseUrl(url).redacted}`);
  return `${match[1]!}/${encodeURIComponent(database)}${match[3] ?? ""}`;
}

export function uniqueName(prefix = "tidemark_test"): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === "sqlite") return createSqliteDatabase();
  const name = uniqueName();
  const admin = await connectAdmin(dialect);
  try {
    if (dialect === "postgres") await admin.execute(`CREATE DATABASE "${name}"`);
    else await admin.execute(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.close();
  }
  const url = withDatabase(dialect === "postgres" ? PG_ADMIN_URL : MYSQL_ADMIN_URL, name);
  let dropped = false;
  return {
    dialect,
    url,
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await dropServerDatabase(dialect, name);
    },
  };
}

async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), "tidemark-test-"));
  const path = join(dir, "test.db");
  return {
    dialect: "sqlite",
    url: `sqlite:${path}`,
    name: path,
    async drop() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function dropServerDatabase(dialect: "postgres" | "mysql", name: string): Promise<void> {
  const admin = await connectAdmin(dialect);
  try {
    if (dialect === "mysql") {
      await admin.execute(`DROP DATABASE IF EXISTS \`${name}\``);
      return;
    }
    // Sessions a test left open (or a killed child's) would block DROP DATABASE.
    for (let attempt = 0; ; attempt += 1) {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()", [
        name,
      ]);
      try {
        await admin.execute(`DROP DATABASE IF EXISTS "${name}"`);
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await admin.close();
  }
}
