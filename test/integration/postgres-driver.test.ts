import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";
import { DatabaseError } from "../../src/errors.js";
import { connectAdmin, createTestDatabase, testDialects, uniqueName, withDatabase, type TestDatabase } from "../helpers/databases.js";

const enabled = (await testDialects()).includes("postgres");

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

/** The secret must be nowhere: message, stack, cause chain, fields. */
function expectNoSecret(error: Error, secret: string): void {
  let current: unknown = error;
  while (current instanceof Error) {
    expect(current.message).not.toContain(secret);
    expect(String(current.stack)).not.toContain(secret);
    expect(JSON.stringify(current)).not.toContain(secret);
    current = current.cause;
  }
  expect(JSON.stringify((error as DatabaseError).fields)).not.toContain(secret);
}

describe.runIf(enabled)("connectPostgres", () => {
  let db: TestDatabase;
  let conn: Connection;

  beforeAll(async () => {
    db = await createTestDatabase("postgres");
    conn = await connectPostgres(parseDatabaseUrl(db.url));
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it("translates ? placeholders and converts Date, boolean, null and objects", async () => {
    expect(conn.dialect).toBe("postgres");
    await conn.execute(
      "CREATE TABLE t (id serial PRIMARY KEY, name text, at timestamptz, local_at timestamp, flag boolean, doc jsonb)",
    );
    const at = new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 678));
    const result = await conn.execute(
      "INSERT INTO t (name, at, local_at, flag, doc) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
      ["it's ?", at, at, true, { a: 1 }, null, undefined, null, false, null],
    );
    expect(result).toEqual({ affectedRows: 2 });
    const rows = await conn.query(
      "SELECT id, name, at, local_at, flag, doc, '?' AS q, \"name\" AS \"n?\" FROM t WHERE id >= ? ORDER BY id",
      [1],
    );
    expect(rows).toEqual([
      { id: 1, name: "it's ?", at, local_at: at, flag: true, doc: { a: 1 }, q: "?", "n?": "it's ?" },
      { id: 2, name: null, at: null, local_at: null, flag: false, doc: null, q: "?", "n?": null },
    ]);
    expect(await conn.query("SELECT local_at::text AS t FROM t WHERE id = 1")).toEqual([
      { t: "2024-02-29 13:04:05.678" },
    ]);
  });

  it("returns exact bigints as numbers and big ones as text", async () => {
    expect(await conn.query("SELECT count(*) AS n, 9007199254740993::bigint AS big FROM t")).toEqual([
      { n: 2, big: "9007199254740993" },
    ]);
  });

  it("reports affected rows and runs parameterless multi-statement text", async () => {
    expect(await conn.execute("UPDATE t SET flag = ? WHERE id IN (?, ?)", [true, 1, 2])).toEqual({ affectedRows: 2 });
    await conn.execute("CREATE TABLE m (x int); INSERT INTO m VALUES (1), (2)");
    expect(await conn.query("SELECT x FROM m ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
    expect(await conn.query("SELECT '{\"a\":1}'::jsonb ? 'a' AS has")).toEqual([{ has: true }]);
  });

  it("throws a DatabaseError with the SQLSTATE for a failing statement", async () => {
    const error = await rejection(conn.query("SELECT * FROM no_such_table WHERE x = ?", [1]));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe('relation "no_such_table" does not exist');
    expect((error as DatabaseError).fields).toMatchObject({ code: "42P01", sql: "SELECT * FROM no_such_table WHERE x = ?" });
  });

  it("sets search_path from ?schema=", async () => {
    await conn.execute('CREATE SCHEMA "Other"');
    const other = await connectPostgres(parseDatabaseUrl(`${db.url}?schema=Other`));
    try {
      await other.execute("CREATE TABLE in_other (x int)");
      expect(
        await conn.query("SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'in_other'"),
      ).toEqual([{ s: "Other" }]);
    } finally {
      await other.close();
    }
  });

  it("connects through the Unix socket given as ?host=", async () => {
    const socketUrl = `postgres:///${db.name}?host=/var/run/postgresql&user=postgres`;
    const viaSocket = await connectPostgres(parseDatabaseUrl(socketUrl));
    try {
      expect(await viaSocket.query("SELECT current_database() AS d, inet_server_addr() AS a")).toEqual([
        { d: db.name, a: null },
      ]);
    } finally {
      await viaSocket.close();
    }
  });

  it("survives the server ending the session and reports it as a DatabaseError", async () => {
    const victim = await connectPostgres(parseDatabaseUrl(db.url));
    const [row] = await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    await conn.query("SELECT pg_terminate_backend(?)", [row!.pid]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await rejection(victim.query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(/terminat/i);
    await victim.close();
  });

  it("closes idempotently and refuses queries afterwards", async () => {
    const other = await connectPostgres(parseDatabaseUrl(db.url));
    await other.close();
    await other.close();
    const error = await rejection(other.query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(/^The PostgreSQL connection to postgres:\/\/.* is closed\.$/);
  });
});

describe.runIf(enabled)("connectPostgres: failures name the server and never the password", () => {
  const secret = "Sup3r-Secret-pw";
  let role: string;
  let passwordsChecked = false;
  let server: Server;
  let silentPort = 0;

  beforeAll(async () => {
    role = uniqueName("tm_role");
    const admin = await connectAdmin("postgres");
    try {
      await admin.execute(`CREATE ROLE "${role}" LOGIN PASSWORD '${secret}x'`);
      const rules = await admin.query<{ m: string }>(
        "SELECT auth_method AS m FROM pg_hba_file_rules WHERE type = 'host' AND address IS NOT NULL",
      );
      passwordsChecked = rules.some((rule) => rule.m !== "trust");
    } finally {
      await admin.close();
    }
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    silentPort = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.close();
    const admin = await connectAdmin("postgres");
    await admin.execute(`DROP ROLE IF EXISTS "${role}"`);
    await admin.close();
  });

  async function failure(raw: string, timeoutSeconds?: number): Promise<{ error: Error; ms: number }> {
    const started = Date.now();
    const options = timeoutSeconds === undefined ? {} : { connectTimeoutSeconds: timeoutSeconds };
    const error = await rejection(connectPostgres(parseDatabaseUrl(raw), options));
    return { error, ms: Date.now() - started };
  }

  it("an unknown database", async () => {
    const raw = withDatabase(`postgres://postgres:${secret}@127.0.0.1:5432/x`, "tm_no_such_db");
    const { error, ms } = await failure(raw);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      'Cannot connect to PostgreSQL at 127.0.0.1:5432 (database "tm_no_such_db", user "postgres"): ' +
        'database "tm_no_such_db" does not exist',
    );
    expect((error as DatabaseError).fields).toMatchObject({ code: "3D000", endpoint: "127.0.0.1:5432" });
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, secret);
  });

  it("a closed port", async () => {
    const { error, ms } = await failure(`postgresql+psycopg2://postgres:${secret}@127.0.0.1:1/postgres`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      'Cannot connect to PostgreSQL at 127.0.0.1:1 (database "postgres", user "postgres"): connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, secret);
  });

  it("an unknown role that gave a password", async () => {
    const { error } = await failure(`postgres://tm_no_such_role:${secret}@127.0.0.1:5432/postgres`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(
      /^Cannot connect to PostgreSQL at 127\.0\.0\.1:5432 \(database "postgres", user "tm_no_such_role"\): (role "tm_no_such_role" does not exist|password authentication failed for user "tm_no_such_role")$/,
    );
    expectNoSecret(error, secret);
  });

  it("a wrong password (when pg_hba asks for one)", async (context) => {
    if (!passwordsChecked) {
      context.skip("pg_hba.conf trusts 127.0.0.1: the server ignores passwords");
    }
    const { error } = await failure(`postgres://${role}:${encodeURIComponent(secret)}@127.0.0.1:5432/postgres`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toContain(`password authentication failed for user "${role}"`);
    expectNoSecret(error, secret);
  });

  it("a server that never answers, within the connect timeout", async () => {
    const { error, ms } = await failure(`postgres://postgres:${secret}@127.0.0.1:${silentPort}/postgres`, 1);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(
      new RegExp(`^Cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${silentPort} \\(database "postgres", user "postgres"\\): no answer within 1 s \\(`),
    );
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3_000);
    expectNoSecret(error, secret);
  });
});
