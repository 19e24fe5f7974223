import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, MigrationLock } from "../../src/dialects/dialect.js";
import { lockMysql, mysqlLockName } from "../../src/dialects/mysql/mysql-lock.js";
import { connectMysql } from "../../src/dialects/mysql/mysql-driver.js";
import { advisoryLockId, lockPostgres } from "../../src/dialects/postgres/postgres-lock.js";
import { connectPostgres } from "../../src/dialects/postgres/postgres-driver.js";
import { connectSqlite } from "../../src/dialects/sqlite/sqlite-driver.js";
import { lockSqlite } from "../../src/dialects/sqlite/sqlite-lock.js";
import { LockTimeoutError } from "../../src/errors.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { rejection } from "../helpers/failures.js";

const dialects = await testDialects();

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Runs a CommonJS script in a child node; resolves with its first output line. */
function holder(script: string, args: readonly string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["-e", script, ...args], { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf("\n");
      if (nl !== -1) resolve({ child, line: out.slice(0, nl) });
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`holder exited with ${String(code)}: ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

interface ServerCase {
  readonly dialect: "postgres" | "mysql";
  connect(url: string): Promise<Connection>;
  lock(connection: Connection, key: string, timeoutMs: number): Promise<MigrationLock>;
  sessionId(connection: Connection): Promise<number>;
  /** How a timeout message names the holder session `id`. */
  holderText(id: number): string;
  holderScript: string;
  holderArgs(db: TestDatabase, key: string): string[];
}

const SERVER_CASES: ServerCase[] = [
  {
    dialect: "postgres",
    connect: (url) => connectPostgres(parseDatabaseUrl(url)),
    lock: lockPostgres,
    async sessionId(connection) {
      const [row] = await connection.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      return row!.pid;
    },
    holderText: (id) => `it is held by the session with pid ${id} (application "tidemark"`,
    holderScript: `
      const { Client } = require("pg");
      (async () => {
        const c = new Client({ connectionString: process.argv[1] });
        await c.connect();
        const { rows } = await c.query("SELECT pg_backend_pid() AS id");
        await c.query("SELECT pg_advisory_lock($1::bigint)", [process.argv[2]]);
        process.stdout.write("locked " + rows[0].id + "\\n");
        setInterval(() => {}, 1000);
      })().catch((e) => { console.error(e.message); process.exit(3); });`,
    holderArgs: (db, key) => [db.url, advisoryLockId(key).toString()],
  },
  {
    dialect: "mysql",
    connect: (url) => connectMysql(parseDatabaseUrl(url)),
    lock: lockMysql,
    async sessionId(connection) {
      const [row] = await connection.query<{ id: number }>("SELECT CONNECTION_ID() AS id");
      return row!.id;
    },
    holderText: (id) => `it is held by connection id ${id} (user "root"`,
    holderScript: `
      const mysql = require("mysql2/promise");
      (async () => {
        const c = await mysql.createConnection(process.argv[1]);
        const [rows] = await c.query("SELECT CONNECTION_ID() AS id, GET_LOCK(?, 10) AS got", [process.argv[2]]);
        if (Number(rows[0].got) !== 1) throw new Error("no lock");
        process.stdout.write("locked " + rows[0].id + "\\n");
        setInterval(() => {}, 1000);
      })().catch((e) => { console.error(e.message); process.exit(3); });`,
    holderArgs: (db, key) => [db.url, mysqlLockName(db.name, key)],
  },
];

for (const c of SERVER_CASES) {
  describe.runIf(dialects.includes(c.dialect))(`${c.dialect} migration lock`, () => {
    let db: TestDatabase;
    let a: Connection;
    let b: Connection;

    beforeAll(async () => {
      db = await createTestDatabase(c.dialect);
      a = await c.connect(db.url);
      b = await c.connect(db.url);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await db?.drop();
    });

    it("makes a second session wait, time out naming the holder, then succeed after release", async () => {
      const release = await c.lock(a, "tidemark:core", 1000);
      const started = Date.now();
      const error = await rejection(c.lock(b, "tidemark:core", 300));
      const waited = Date.now() - started;
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect((error as LockTimeoutError).exitCode).toBe(1);
      expect(error.message).toContain('migration lock "tidemark:core"');
      expect(error.message).toContain("within 0.3 s");
      expect(error.message).toContain(c.holderText(await c.sessionId(a)));
      expect(error.message).toContain("raise --lock-timeout");
      expect(waited).toBeGreaterThanOrEqual(280);
      expect(waited).toBeLessThan(2500);

      await release.release();
      await release.release();
      const again = await c.lock(b, "tidemark:core", 1000);
      await again.release();
    });

    it("hands the lock over as soon as the holder releases it", async () => {
      const release = await c.lock(a, "handover", 1000);
      const started = Date.now();
      const waiting = c.lock(b, "handover", 10_000);
      setTimeout(() => void release.release(), 400);
      const second = await waiting;
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(350);
      expect(waited).toBeLessThan(2500);
      await expect(c.lock(a, "handover", 0)).rejects.toBeInstanceOf(LockTimeoutError);
      await second.release();
    });

    it("does not block on a different key", async () => {
      const first = await c.lock(a, "key-one", 0);
      const second = await c.lock(b, "key-two", 0);
      await first.release();
      await second.release();
    });

    it("is freed when the holding process is killed", async () => {
      const { child, line } = await holder(c.holderScript, c.holderArgs(db, "tidemark:killed"));
      const holderId = Number(line.split(" ")[1]);
      const error = await rejection(c.lock(b, "tidemark:killed", 200));
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect(error.message).toContain(c.holderText(holderId).split(" (")[0]!);
      await killed(child);
      const started = Date.now();
      const release = await c.lock(b, "tidemark:killed", 10_000);
      expect(Date.now() - started).toBeLessThan(5000);
      await release.release();
    });
  });
}

describe("sqlite migration lock", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase("sqlite");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("is a no-op: the write lock of BEGIN IMMEDIATE is the lock, bounded by the busy timeout", async () => {
    const a = await connectSqlite(parseDatabaseUrl(db.url), { lockTimeoutMs: 5000 });
    const b = await connectSqlite(parseDatabaseUrl(db.url), { lockTimeoutMs: 200 });
    try {
      const releaseA = await lockSqlite(a, "tidemark:core", 5000);
      const releaseB = await lockSqlite(b, "tidemark:core", 200);
      await a.execute("BEGIN IMMEDIATE");
      await a.execute("CREATE TABLE t (x INTEGER)");
      const started = Date.now();
      const error = await rejection(b.execute("BEGIN IMMEDIATE"));
      const waited = Date.now() - started;
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect(error.message).toBe(
        `The SQLite database "${db.name}" stayed locked by another connection for 200 ms (the lock timeout). ` +
          "Another tidemark run or an application transaction holds its write lock; retry later or raise --lock-timeout.",
      );
      expect(waited).toBeGreaterThanOrEqual(150);
      expect(waited).toBeLessThan(2000);
      await a.execute("COMMIT");
      await b.execute("BEGIN IMMEDIATE");
      expect(await b.query("SELECT name FROM sqlite_master")).toEqual([{ name: "t" }]);
      await b.execute("COMMIT");
      await releaseA.release();
      await releaseB.release();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("is freed when the holding process is killed", async () => {
    const { child } = await holder(
      `const Database = require("better-sqlite3");
       const db = new Database(process.argv[1]);
       db.exec("BEGIN IMMEDIATE");
       process.stdout.write("locked\\n");
       setInterval(() => {}, 1000);`,
      [db.name],
    );
    const b = await connectSqlite(parseDatabaseUrl(db.url), { lockTimeoutMs: 200 });
    try {
      expect(await rejection(b.execute("BEGIN IMMEDIATE"))).toBeInstanceOf(LockTimeoutError);
      await killed(child);
      await b.execute("BEGIN IMMEDIATE");
      await b.execute("COMMIT");
    } finally {
      await b.close();
    }
  });
});
