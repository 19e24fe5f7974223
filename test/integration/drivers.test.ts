/**
 * The drivers, on every dialect: one suite runs against SQLite, the real
 * PostgreSQL and the real MariaDB. What legitimately differs (column types,
 * the driver's messages and codes) is in the DRIVERS table; what only one
 * dialect has is in its labelled block at the end of the suite.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { ConnectOptions, Connection, DialectName, Row } from "../../src/dialects/dialect.js";
import { connectMysql } from "../../src/dialects/mysql/mysql-driver.js";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";
import { connectSqlite } from "../../src/dialects/sqlite/sqlite-driver.js";
import { DatabaseError } from "../../src/errors.js";
import { createTestDatabase, type TestDatabase, testDialects } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { rejection } from "../helpers/failures.js";

const dialects = await testDialects();

const AT = new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 678));

interface Live {
  readonly db: TestDatabase;
  readonly conn: Connection;
}

interface DriverCase {
  readonly connect: (url: ReturnType<typeof parseDatabaseUrl>, options?: ConnectOptions) => Promise<Connection>;
  /** Table `t`, two rows written with ? parameters of every kind, and how they read back. */
  readonly values: { create: string; insert: string; params: unknown[]; select: string; selectParams: unknown[]; rows: Row[] };
  /** Row 1's timestamp as the database reads it back (UTC). */
  readonly timestamp: { sql: string; params?: unknown[]; rows: Row[] };
  /** UPDATEs matching both rows of `t`: each reports 2 affected rows. */
  readonly updates: [string, unknown[]][];
  /** `SELECT * FROM no_such_table WHERE x = ?` fails with this message and these fields. */
  readonly missingTable: (db: TestDatabase) => { message: string; fields?: Record<string, unknown> };
  /** Statements given too few values: each fails with a DatabaseError (and this message, when given). */
  readonly tooFewValues: [string, unknown[], string?][];
  readonly closed: (db: TestDatabase) => string | RegExp;
  /** Servers only: bigints, and a session the server ends. */
  readonly server?: {
    bigints: string;
    sessionId: string;
    kill: (conn: Connection, id: unknown) => Promise<unknown>;
    killed?: RegExp;
  };
  /** Tests of what only this dialect has. */
  readonly only: (live: () => Live) => void;
}

const DRIVERS: Record<DialectName, DriverCase> = {
  sqlite: {
    connect: connectSqlite,
    values: {
      create: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at TEXT, flag INTEGER, extra TEXT)",
      insert: "INSERT INTO t (name, at, flag, extra) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
      params: ["it's ?", AT, true, { a: 1 }, null, undefined, false, null],
      select: "SELECT id, name, at, flag, extra FROM t WHERE '?' = '?' ORDER BY id",
      selectParams: [],
      rows: [
        { id: 1, name: "it's ?", at: "2024-02-29 13:04:05.678", flag: 1, extra: '{"a":1}' },
        { id: 2, name: null, at: null, flag: 0, extra: null },
      ],
    },
    timestamp: { sql: "SELECT datetime(at) AS d FROM t WHERE id = ?", params: [1], rows: [{ d: "2024-02-29 13:04:05" }] },
    updates: [["UPDATE t SET flag = ? WHERE flag IN (0, 1)", [5]]],
    missingTable: () => ({
      message: "no such table: no_such_table",
      fields: { code: "SQLITE_ERROR", sql: "SELECT * FROM no_such_table WHERE x = ?" },
    }),
    tooFewValues: [["SELECT ? + ?", [1]]],
    closed: (db) => `The SQLite connection to "${db.name}" is closed.`,
    only: sqliteOnly,
  },
  postgres: {
    connect: connectPostgres,
    values: {
      create: "CREATE TABLE t (id serial PRIMARY KEY, name text, at timestamptz, local_at timestamp, flag boolean, doc jsonb)",
      insert: "INSERT INTO t (name, at, local_at, flag, doc) VALUES (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
      params: ["it's ?", AT, AT, true, { a: 1 }, null, undefined, null, false, null],
      select: 'SELECT id, name, at, local_at, flag, doc, \'?\' AS q, "name" AS "n?" FROM t WHERE id >= ? ORDER BY id',
      selectParams: [1],
      rows: [
        { id: 1, name: "it's ?", at: AT, local_at: AT, flag: true, doc: { a: 1 }, q: "?", "n?": "it's ?" },
        { id: 2, name: null, at: null, local_at: null, flag: false, doc: null, q: "?", "n?": null },
      ],
    },
    timestamp: { sql: "SELECT local_at::text AS t FROM t WHERE id = 1", rows: [{ t: "2024-02-29 13:04:05.678" }] },
    updates: [["UPDATE t SET flag = ? WHERE id IN (?, ?)", [true, 1, 2]]],
    missingTable: () => ({
      message: 'relation "no_such_table" does not exist',
      fields: { code: "42P01", sql: "SELECT * FROM no_such_table WHERE x = ?" },
    }),
    tooFewValues: [["SELECT ?::int + ?::int", [1]]],
    closed: () => /^The PostgreSQL connection to postgres:\/\/.* is closed\.$/,
    server: {
      bigints: "SELECT count(*) AS n, 9007199254740993::bigint AS big FROM t",
      sessionId: "SELECT pg_backend_pid() AS id",
      kill: (conn, id) => conn.query("SELECT pg_terminate_backend(?)", [id]),
      killed: /terminat/i,
    },
    only: postgresOnly,
  },
  mysql: {
    connect: connectMysql,
    values: {
      create: "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, name varchar(50), at datetime(3), flag tinyint(1), doc text)",
      insert: "INSERT INTO t (name, at, flag, doc) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
      params: ["it's \\ ?", AT, true, { a: 1 }, null, undefined, false, null],
      select: "SELECT id, name, at, flag, doc, '?' AS q, `name` AS `n?` FROM t WHERE id >= ? ORDER BY id # why?",
      selectParams: [1],
      rows: [
        { id: 1, name: "it's \\ ?", at: AT, flag: 1, doc: '{"a":1}', q: "?", "n?": "it's \\ ?" },
        { id: 2, name: null, at: null, flag: 0, doc: null, q: "?", "n?": null },
      ],
    },
    // The session runs in UTC.
    timestamp: {
      sql: "SELECT @@session.time_zone AS tz, CAST(at AS char) AS a FROM t WHERE id = 1",
      rows: [{ tz: "+00:00", a: "2024-02-29 13:04:05.678" }],
    },
    // Matched rows count as affected, like the other dialects, even where nothing changes.
    updates: [
      ["UPDATE t SET flag = ? WHERE id IN (?, ?)", [true, 1, 2]],
      ["UPDATE t SET flag = 1 WHERE id IN (1, 2)", []],
    ],
    missingTable: (db) => ({ message: `Table '${db.name}.no_such_table' doesn't exist` }),
    tooFewValues: [
      ["SELECT ?", []],
      ["SELECT ?, ?", [1], 'The statement has 2 "?" placeholder(s) but 1 value(s) were given: SELECT ?, ?'],
    ],
    closed: () => /^The MySQL connection to mysql:\/\/.* is closed\.$/,
    server: {
      bigints: "SELECT COUNT(*) AS n, CAST(9007199254740993 AS SIGNED) AS big FROM t",
      sessionId: "SELECT CONNECTION_ID() AS id",
      kill: (conn, id) => conn.execute(`KILL CONNECTION ${String(id)}`),
    },
    only: mysqlOnly,
  },
};

describe.each(dialects)("the %s driver", (name) => {
  const driver = DRIVERS[name];
  let live: Live;
  const connect = (url: string, options?: ConnectOptions) => driver.connect(parseDatabaseUrl(url), options);

  beforeAll(async () => {
    const db = await createTestDatabase(name);
    live = { db, conn: await connect(db.url) };
  });
  afterAll(async () => {
    await live?.conn.close();
    await live?.db.drop();
  });

  it("runs ? parameters (not those in strings, names or comments), converting Date, boolean, null and objects", async () => {
    const { conn } = live;
    const { values } = driver;
    expect(conn.dialect).toBe(name);
    await conn.execute(values.create);
    expect(await conn.execute(values.insert, values.params)).toEqual({ affectedRows: 2 });
    expect(await conn.query(values.select, values.selectParams)).toEqual(values.rows);
  });

  it("reads a Date back as the UTC time it was", async () => {
    expect(await live.conn.query(driver.timestamp.sql, driver.timestamp.params)).toEqual(driver.timestamp.rows);
  });

  it("counts the rows an UPDATE matched as affected", async () => {
    for (const [sql, params] of driver.updates) expect(await live.conn.execute(sql, params)).toEqual({ affectedRows: 2 });
  });

  it("turns a failing statement into a DatabaseError with the driver's message and code", async () => {
    const error = await rejection(live.conn.query("SELECT * FROM no_such_table WHERE x = ?", [1]));
    const expected = driver.missingTable(live.db);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe(expected.message);
    expect((error as DatabaseError).fields).toMatchObject(expected.fields ?? {});
    expect((error as DatabaseError).exitCode).toBe(1);
    for (const [sql, params, message] of driver.tooFewValues) {
      const tooFew = await rejection(live.conn.query(sql, params));
      expect(tooFew).toBeInstanceOf(DatabaseError);
      if (message !== undefined) expect(tooFew.message).toBe(message);
    }
  });

  it("closes idempotently and refuses queries afterwards", async () => {
    const other = await connect(live.db.url);
    await other.close();
    await other.close();
    const error = await rejection(other.query("SELECT 1"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toMatch(driver.closed(live.db));
  });

  const server = driver.server;
  if (server !== undefined) {
    it("returns exact bigints as numbers and big ones as text", async () => {
      expect(await live.conn.query(server.bigints)).toEqual([{ n: 2, big: "9007199254740993" }]);
    });

    it("survives the server ending the session and reports it as a DatabaseError", async () => {
      const victim = await connect(live.db.url);
      const [row] = await victim.query(server.sessionId);
      await server.kill(live.conn, row?.["id"]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const error = await rejection(victim.query("SELECT 1"));
      expect(error).toBeInstanceOf(DatabaseError);
      if (server.killed !== undefined) expect(error.message).toMatch(server.killed);
      await victim.close();
    });
  }

  describe(`${name} only`, () => driver.only(() => live));
});

function sqliteOnly(live: () => Live): void {
  const memory = (options?: ConnectOptions) => connectSqlite(parseDatabaseUrl("sqlite::memory:"), options);

  it("answers execute of a SELECT with no affected rows, and query of an UPDATE with no rows", async () => {
    expect(await live().conn.execute("SELECT * FROM t")).toEqual({ affectedRows: 0 });
    expect(await live().conn.query("UPDATE t SET flag = 6")).toEqual([]);
  });

  it("runs a parameterless chunk of several statements", async () => {
    const db = await memory();
    await db.execute("CREATE TABLE a (x INTEGER); CREATE INDEX ix_a ON a (x); INSERT INTO a VALUES (1);");
    expect(await db.query("SELECT name FROM sqlite_master WHERE type = 'index'")).toEqual([{ name: "ix_a" }]);
    expect(await db.query("SELECT x FROM a")).toEqual([{ x: 1 }]);
    await db.close();
  });

  it("turns foreign keys on and sets the busy timeout to the lock timeout", async () => {
    const db = await memory({ lockTimeoutMs: 1234 });
    expect(await db.query("PRAGMA foreign_keys")).toEqual([{ foreign_keys: 1 }]);
    expect(await db.query("PRAGMA busy_timeout")).toEqual([{ timeout: 1234 }]);
    await db.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)");
    await db.execute("CREATE TABLE c (p_id INTEGER REFERENCES p (id))");
    const error = await rejection(db.execute("INSERT INTO c VALUES (?)", [42]));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.message).toBe("FOREIGN KEY constraint failed");
    await db.close();
  });

  describe("files", () => {
    let dir: string;
    beforeAll(() => {
      dir = makeProject();
    });
    afterAll(() => removeProjects());

    it("creates a missing file by default and keeps the data", async () => {
      const path = join(dir, "created.db");
      const db = await connectSqlite(parseDatabaseUrl(`sqlite:${path}`));
      await db.execute("CREATE TABLE t (x INTEGER)");
      await db.close();
      expect(existsSync(path)).toBe(true);
      const again = await connectSqlite(parseDatabaseUrl(`sqlite:////${path.slice(1)}`), { mustExist: true });
      expect(await again.query("SELECT name FROM sqlite_master")).toEqual([{ name: "t" }]);
      await again.close();
    });

    it("with mustExist, refuses to create a missing file and names it", async () => {
      const path = join(dir, "absent.db");
      const error = await rejection(connectSqlite(parseDatabaseUrl(`sqlite:${path}`), { mustExist: true }));
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error.message).toContain(`The SQLite database "${path}" does not exist.`);
      expect(existsSync(path)).toBe(false);
    });

    it("names the path when the directory is missing or is not a directory", async () => {
      const missing = join(dir, "no", "such", "dir", "x.db");
      const first = await rejection(connectSqlite(parseDatabaseUrl(`sqlite:${missing}`)));
      expect(first).toBeInstanceOf(DatabaseError);
      expect(first.message).toBe(
        `Cannot create the SQLite database "${missing}": the directory "${join(dir, "no", "such", "dir")}" does not exist.`,
      );
      const second = await rejection(connectSqlite(parseDatabaseUrl("sqlite:/dev/null/x.db")));
      expect(second).toBeInstanceOf(DatabaseError);
      expect(second.message).toBe('Cannot create the SQLite database "/dev/null/x.db": "/dev/null" is not a directory.');
      const third = await rejection(connectSqlite(parseDatabaseUrl(`sqlite:${dir}`)));
      expect(third.message).toBe(`The SQLite database path "${dir}" is a directory, not a file.`);
    });

    it("opens read-only with ?mode=ro", async () => {
      const path = join(dir, "ro.db");
      const setup = await connectSqlite(parseDatabaseUrl(`sqlite:${path}`));
      await setup.execute("CREATE TABLE t (x INTEGER)");
      await setup.close();
      const db = await connectSqlite(parseDatabaseUrl(`sqlite:${path}?mode=ro`));
      const error = await rejection(db.execute("INSERT INTO t VALUES (1)"));
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error.message).toBe("attempt to write a readonly database");
      await db.close();
    });
  });
}

function postgresOnly(live: () => Live): void {
  it("runs parameterless multi-statement text, and leaves a ? that is an operator alone", async () => {
    const { conn } = live();
    await conn.execute("CREATE TABLE m (x int); INSERT INTO m VALUES (1), (2)");
    expect(await conn.query("SELECT x FROM m ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
    expect(await conn.query("SELECT '{\"a\":1}'::jsonb ? 'a' AS has")).toEqual([{ has: true }]);
  });

  it("sets search_path from ?schema=", async () => {
    const { conn, db } = live();
    await conn.execute('CREATE SCHEMA "Other"');
    const other = await connectPostgres(parseDatabaseUrl(`${db.url}?schema=Other`));
    try {
      await other.execute("CREATE TABLE in_other (x int)");
      expect(await conn.query("SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'in_other'")).toEqual([
        { s: "Other" },
      ]);
    } finally {
      await other.close();
    }
  });

  it("connects through the Unix socket given as ?host=", async () => {
    const { db } = live();
    const viaSocket = await connectPostgres(parseDatabaseUrl(`postgres:///${db.name}?host=/var/run/postgresql&user=postgres`));
    try {
      expect(await viaSocket.query("SELECT current_database() AS d, inet_server_addr() AS a")).toEqual([{ d: db.name, a: null }]);
    } finally {
      await viaSocket.close();
    }
  });
}

function mysqlOnly(live: () => Live): void {
  it("refuses several statements in one call, with the driver's code", async () => {
    const error = await rejection(live().conn.execute("SELECT 1; SELECT 2"));
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).fields).toMatchObject({ code: "ER_PARSE_ERROR", errno: 1064, sql: "SELECT 1; SELECT 2" });
  });

  it("connects through ?unix_socket= and through mariadb://", async () => {
    const { db } = live();
    const viaSocket = await connectMysql(
      parseDatabaseUrl(`mariadb://root@localhost/${db.name}?unix_socket=/run/mysqld/mysqld.sock`),
    );
    try {
      expect(await viaSocket.query("SELECT DATABASE() AS d")).toEqual([{ d: db.name }]);
    } finally {
      await viaSocket.close();
    }
  });
}
