import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { connectMysql } from "../../src/dialects/mysql/mysql-driver.js";
import { DatabaseError } from "../../src/errors.js";
import { connectAdmin, createTestDatabase, testDialects, uniqueName, type TestDatabase } from "../helpers/databases.js";

const enabled = (await testDialects()).includes("mysql");

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

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

describe.runIf(enabled)("connectMysql", () => {
  let db: TestDatabase;
  let conn: Connection;

  beforeAll(async () => {
    db = await createTestDatabase("mysql");
    conn = await connectMysql(parseDatabaseUrl(db.url));
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it("inlines ? values outside strings and converts Date, boolean, null and objects", async () => {
    expect(conn.dialect).toBe("mysql");
    await conn.execute(
      "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, name varchar(50), at datetime(3), flag tinyint(1), doc text)",
    );
    const at = new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 678));
    const result = await conn.execute(
      "INSERT INTO t (name, at, flag, doc) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
      ["it's \\ ?", at, true, { a: 1 }, null, undefined, false, null],
    );
    expect(result).toEqual({ affectedRows: 2 });
    const rows = await conn.query(
      "SELECT id, name, at, flag, doc, '?' AS q, `name` AS `n?` FROM t WHERE id >= ? ORDER BY id # why?",
      [1],
    );
    expect(rows).toEqual([
      { id: 1, name: "it's \\ ?", at, flag: 1, doc: '{"a":1}', q: "?", "n?": "it's \\ ?" },
      { id: 2, name: null, at: null, flag: 0, doc: null, q: "?", "n?": null },
    ]);
  });

  it("runs the session in UTC", async () => {
    expect(await conn.query("SELECT @@session.time_zone AS tz, CAST(at AS char) AS a FROM t WHERE id = 1")).toEqual([
      { tz: "+00:00", a: "2024-02-29 13:04:05.678" },
    ]);
  });

  it("counts matched rows as affected, like the other dialects", async () => {
    expect(await conn.execute("UPDATE t SET flag = ? WHERE id IN (?, ?)", [true, 1, 2])).toEqual({ affectedRows: 2 });
    expect(await conn.execute("UPDATE t SET flag = 1 WHERE id IN (1, 2)")).toEqual({ affectedRows: 2 });
  });

  it("returns exact bigints as numbers and big ones as text", async () => {
    expect(await conn.query("SELECT COUNT(*) AS n, CAST(9007199254740993 AS SIGNED) AS big FROM t")).toEqual([
      { n: 2, big: "9007199254740993" },
    ]);
  });

  it("refuses several statements in one call and reports driver codes", async () => {
    const error = await rejection(conn.execute("SELECT 1; SELECT 2"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).fields).toMatchObject({ code: "ER_PARSE_ERROR", errno: 1064, sql: "SELECT 1; SELECT 2" });
    const missing = await rejection(conn.query("SELECT * FROM no_such_table WHERE x = ?", [1]));
    expect(missing.message).toBe(`Table '${db.name}.no_such_table' doesn't exist`);
    const count = await rejection(conn.query("SELECT ?", []));
    expect(count).toBeInstanceOf(DatabaseError);
    const mismatch = await rejection(conn.query("SELECT ?, ?", [1]));
    expect(mismatch.message).toBe('The statement has 2 "?" placeholder(s) but 1 value(s) were given: SELECT ?, ?');
  });

  it("connects through ?unix_socket= and through mariadb://", async () => {
    const viaSocket = await connectMysql(
      parseDatabaseUrl(`mariadb://root@localhost/${db.name}?unix_socket=/run/mysqld/mysqld.sock`),
    );
    try {
      expect(await viaSocket.query("SELECT DATABASE() AS d")).toEqual([{ d: db.name }]);
    } finally {
      await viaSocket.close();
    }
  });

  it("survives the server ending the session and reports it as a DatabaseError", async () => {
    const victim = await connectMysql(parseDatabaseUrl(db.url));
    const [row] = await victim.query<{ id: number }>("SELECT CONNECTION_ID() AS id");
    await conn.execute(`KILL CONNECTION ${row!.id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await rejection(victim.query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    await victim.close();
  });

  it("closes idempotently and refuses queries afterwards", async () => {
    const other = await connectMysql(parseDatabaseUrl(db.url));
    await other.close();
    await other.close();
    const error = await rejection(other.query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(/^The MySQL connection to mysql:\/\/.* is closed\.$/);
  });
});

describe.runIf(enabled)("connectMysql: failures name the server and never the password", () => {
  const secret = "Sup3r-Secret-pw";
  let user: string;
  let server: Server;
  let silentPort = 0;

  beforeAll(async () => {
    user = uniqueName("tm_u").slice(0, 32);
    const admin = await connectAdmin("mysql");
    try {
      for (const host of ["127.0.0.1", "localhost"]) {
        await admin.execute(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${secret}-right'`);
      }
    } finally {
      await admin.close();
    }
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    silentPort = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.close();
    const admin = await connectAdmin("mysql");
    for (const host of ["127.0.0.1", "localhost"]) await admin.execute(`DROP USER IF EXISTS '${user}'@'${host}'`);
    await admin.close();
  });

  async function failure(raw: string, timeoutSeconds?: number): Promise<{ error: Error; ms: number }> {
    const started = Date.now();
    const options = timeoutSeconds === undefined ? {} : { connectTimeoutSeconds: timeoutSeconds };
    const error = await rejection(connectMysql(parseDatabaseUrl(raw), options));
    return { error, ms: Date.now() - started };
  }

  it("a wrong password", async () => {
    const { error, ms } = await failure(`mysql+pymysql://${user}:${secret}@127.0.0.1:3306/mysql`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      `Cannot connect to MySQL/MariaDB at 127.0.0.1:3306 (database "mysql", user "${user}"): ` +
        `Access denied for user '${user}'@'127.0.0.1' (using password: YES)`,
    );
    expect((error as DatabaseError).fields).toMatchObject({ code: "ER_ACCESS_DENIED_ERROR", endpoint: "127.0.0.1:3306" });
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, secret);
  });

  it("the right password works (so the failure above was the password)", async () => {
    const ok = await connectMysql(parseDatabaseUrl(`mysql://${user}:${secret}-right@127.0.0.1:3306`));
    expect(await ok.query("SELECT CURRENT_USER() AS u")).toEqual([{ u: `${user}@127.0.0.1` }]);
    await ok.close();
  });

  it("an unknown database", async () => {
    const { error, ms } = await failure(`mysql://root:${secret}@127.0.0.1:3306/tm_no_such_db`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(
      /^Cannot connect to MySQL\/MariaDB at 127\.0\.0\.1:3306 \(database "tm_no_such_db", user "root"\): (Unknown database 'tm_no_such_db'|Access denied .*)$/,
    );
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, secret);
    const asRoot = await failure("mysql://root@127.0.0.1:3306/tm_no_such_db");
    expect(asRoot.error.message).toBe(
      `Cannot connect to MySQL/MariaDB at 127.0.0.1:3306 (database "tm_no_such_db", user "root"): Unknown database 'tm_no_such_db'`,
    );
  });

  it("a closed port", async () => {
    const { error, ms } = await failure(`mariadb://root:${secret}@127.0.0.1:1/x`);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(
      'Cannot connect to MySQL/MariaDB at 127.0.0.1:1 (database "x", user "root"): connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(ms).toBeLessThan(10_000);
    expectNoSecret(error, secret);
  });

  it("a server that never answers, within the connect timeout", async () => {
    const { error, ms } = await failure(`mysql://root:${secret}@127.0.0.1:${silentPort}/x`, 1);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(
      new RegExp(`^Cannot connect to MySQL/MariaDB at 127\\.0\\.0\\.1:${silentPort} \\(database "x", user "root"\\): no answer within 1 s`),
    );
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3_000);
    expectNoSecret(error, secret);
  });
});
