/**
 * Issue 19, backfill: the statements of a batch on each dialect (one on
 * PostgreSQL, no COUNT(*) of the table anywhere), a crash at any point of
 * any batch still ends, after the resume, with every row updated exactly
 * once, and the batch size adapts to the time a batch takes.
 *
 * The backfill runs against a real database through a host that records
 * each statement and can "crash" at the Nth one: the statement is sent (or
 * not), then the process is as good as dead — the open transaction is
 * rolled back, as the server does when a connection drops, and nothing more
 * is sent. The resume reads the progress row, as the runner does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, Dialect, DialectName } from "../../src/dialects/dialect.js";
import { loadDialect } from "../../src/dialects/registry.js";
import type { BackfillOptions } from "../../src/ops/backfill-options.js";
import { type BackfillHost, runBackfill } from "../../src/runtime/backfill.js";
import { createTestDatabase, type TestDatabase, testDialects } from "../helpers/databases.js";

const dialects = await testDialects();

class Crash extends Error {}

interface HostOptions {
  readonly resumeFrom?: string;
  /** Crash at this statement (0-based): after it ran (`after`) or before it was sent. */
  readonly crashAt?: { index: number; after: boolean };
  /** ms of delay per row a batch asks for (LIMIT n), to make batches slow. */
  readonly msPerRow?: number;
}

function recordingHost(connection: Connection, dialect: Dialect, options: HostOptions = {}) {
  const sent: string[] = [];
  const limits: number[] = [];
  let dead = false;
  let inTransaction = false;
  /** The OFFSET of a batch's end-key read: a literal, or the parameter in its place. */
  const offsetOf = (sql: string, params: readonly unknown[]): string | undefined => {
    const at = sql.indexOf("OFFSET ?");
    if (at === -1) return /OFFSET (\d+)/.exec(sql)?.[1];
    return String(params[(sql.slice(0, at).match(/\?/g) ?? []).length]);
  };
  let endKeysRead = false;
  /** A stepped batch (integer keys, no end-key read): the width of its key range. */
  const widthOf = (sql: string, params: readonly unknown[]): number | undefined => {
    if (endKeysRead || !/^UPDATE [`"]?items[`"]? SET .* > \? AND .* <= \?/.test(sql) || params.length < 2) return undefined;
    return Number(params[1]) - Number(params[0]);
  };
  const run = async <T>(sql: string, go: () => Promise<T>, params: readonly unknown[] = []): Promise<T> => {
    if (dead) throw new Crash("dead");
    const index = sent.length;
    sent.push(sql);
    // The rows a batch asks for: its end key's OFFSET + 1 (PostgreSQL, MySQL), else its LIMIT (SQLite),
    // or, stepping through integer keys, its key range's width.
    const offset = offsetOf(sql, params);
    if (offset !== undefined) endKeysRead = true;
    const limit = offset === undefined ? /LIMIT (\d+)/.exec(sql) : null;
    const width = widthOf(sql, params);
    if (width !== undefined) {
      limits.push(width);
      if (options.msPerRow !== undefined) await new Promise((resolve) => setTimeout(resolve, width * options.msPerRow!));
    } else if (
      (offset !== undefined || limit !== null) &&
      !sql.includes("MAX(") &&
      !sql.includes(" AS lo,") &&
      !sql.includes(" AS k FROM")
    ) {
      const rows = offset !== undefined ? Number(offset) + 1 : Number(limit?.[1]);
      limits.push(rows);
      if (options.msPerRow !== undefined) await new Promise((resolve) => setTimeout(resolve, rows * options.msPerRow!));
    }
    const crash = options.crashAt?.index === index;
    if (crash && !options.crashAt?.after) dead = true;
    else {
      const result = await go();
      if (!crash) return result;
      dead = true;
    }
    if (inTransaction) await connection.execute(dialect.transactions.rollback);
    inTransaction = false;
    throw new Crash(`crashed at statement ${index}`);
  };
  const host: BackfillHost = {
    dialect,
    offline: false,
    emit: (statement) =>
      run(statement.sql, () => connection.execute(statement.sql, statement.params ?? []), statement.params ?? []),
    query: (sql, params) => run(sql, () => connection.query(sql, params), params),
    suspend: () => Promise.resolve(),
    resume: () => Promise.resolve(),
    begin: () =>
      run(dialect.transactions.begin, async () => {
        await connection.execute(dialect.transactions.begin);
        inTransaction = true;
      }),
    commit: () =>
      run(dialect.transactions.commit, async () => {
        await connection.execute(dialect.transactions.commit);
        inTransaction = false;
      }),
    rollback: async () => {
      if (dead) return;
      await connection.execute(dialect.transactions.rollback);
      inTransaction = false;
    },
    progressStatement: (lastKey) => ({ sql: "UPDATE bf_log SET progress = ?", params: [lastKey] }),
    progressFromSql: (valueSql) => ({ sql: `UPDATE bf_log SET progress = ${valueSql} WHERE 1 = 1`, params: [] }),
    resumeFrom: options.resumeFrom,
    budget: { remaining: undefined },
    onProgress: () => undefined,
  };
  return { host, sent, limits };
}

const ROWS = 10;

async function seed(connection: Connection, rows = ROWS): Promise<void> {
  await connection.execute("DROP TABLE IF EXISTS items");
  await connection.execute("DROP TABLE IF EXISTS bf_log");
  await connection.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, twice INTEGER)");
  await connection.execute("CREATE TABLE bf_log (progress VARCHAR(100))");
  await connection.execute("INSERT INTO bf_log (progress) VALUES ('')");
  const values = Array.from({ length: rows }, (_, i) => `(${i + 1}, ${(i + 1) * 10})`).join(", ");
  await connection.execute(`INSERT INTO items (id, n) VALUES ${values}`);
}

/** The first word of each statement, with BEGIN/COMMIT as such: the shape of a run. */
function shape(sent: readonly string[]): string[] {
  return sent.map((sql) => {
    if (/^\s*(BEGIN|START TRANSACTION)/i.test(sql)) return "BEGIN";
    if (sql.startsWith("UPDATE bf_log")) return "PROGRESS";
    if (sql.includes(" AS lo,")) return "ESTIMATE";
    return sql.split(/\s/)[0] as string;
  });
}

const NOT_IDEMPOTENT: BackfillOptions = { table: "items", set: { n: "n + 1" }, batchSize: 4 };
const IDEMPOTENT: BackfillOptions = { table: "items", set: { twice: "n * 2" }, batchSize: 4 };

/** Statements of a whole backfill of 10 rows in batches of 4 (4, 4, 2), per dialect and kind of `set`. */
const EXPECTED: Record<DialectName, { idempotent: string[]; exact: string[] }> = {
  // Integer keys: each batch the next key range, the UPDATE alone (no end-key read); past the last key first
  // read, that key is read again (SELECT) before the last batch. Progress sampled (written at the end here).
  // PostgreSQL with a set that is not idempotent: one statement per batch with its progress inside it; the
  // batch that finds no key ends it.
  postgres: {
    idempotent: ["ESTIMATE", "UPDATE", "UPDATE", "SELECT", "UPDATE", "PROGRESS"],
    exact: ["ESTIMATE", "WITH", "WITH", "WITH", "WITH"],
  },
  // Elsewhere a set that is not idempotent writes its progress in the batch's transaction.
  sqlite: {
    idempotent: ["ESTIMATE", "UPDATE", "UPDATE", "SELECT", "UPDATE", "PROGRESS"],
    exact: [
      "ESTIMATE",
      ...["BEGIN", "UPDATE", "PROGRESS", "COMMIT"],
      ...["BEGIN", "UPDATE", "PROGRESS", "COMMIT"],
      ...["SELECT", "BEGIN", "UPDATE", "PROGRESS", "COMMIT"],
    ],
  },
  mysql: {
    idempotent: ["ESTIMATE", "UPDATE", "UPDATE", "SELECT", "UPDATE", "PROGRESS"],
    exact: [
      "ESTIMATE",
      ...["BEGIN", "UPDATE", "PROGRESS", "COMMIT"],
      ...["BEGIN", "UPDATE", "PROGRESS", "COMMIT"],
      ...["SELECT", "BEGIN", "UPDATE", "PROGRESS", "COMMIT"],
    ],
  },
};

describe.each(dialects)("backfill batches on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  let connection: Connection;
  let dialect: Dialect;
  beforeAll(async () => {
    database = await createTestDatabase(dialectName);
    const url = parseDatabaseUrl(database.url);
    dialect = await loadDialect(url.dialect);
    connection = await dialect.driver.connect(url);
  });
  afterAll(async () => {
    await connection?.close();
    await database?.drop();
  });

  const progressRow = async () => {
    const [row] = await connection.query("SELECT progress FROM bf_log");
    const value = row?.progress;
    return value === null || value === undefined || value === "" ? undefined : String(value);
  };

  it.each([
    ["idempotent", IDEMPOTENT],
    ["exact", NOT_IDEMPOTENT],
  ] as const)(
    "sends the expected statements per batch for a %s set, and never a COUNT(*) of the table",
    async (kind, options) => {
      await seed(connection);
      const { host, sent } = recordingHost(connection, dialect);
      expect(await runBackfill(host, options)).toMatchObject({ rows: ROWS, batches: 3 });
      expect(shape(sent)).toEqual(EXPECTED[dialectName][kind]);
      for (const sql of sent) expect(sql).not.toMatch(/COUNT\(\*\)(?![^]*FROM done$)/i);
      expect(await progressRow()).toBe(String(ROWS));
    },
  );

  it.each([
    ["idempotent", IDEMPOTENT, "twice = n * 2"],
    ["not idempotent", NOT_IDEMPOTENT, "n = id * 10 + 1"],
  ] as const)(
    "after a crash at any statement, before or after it ran, the resume ends exact (%s set)",
    async (_kind, options, check) => {
      await seed(connection);
      const clean = recordingHost(connection, dialect);
      await runBackfill(clean.host, options);
      const statements = clean.sent.length;
      for (let index = 0; index < statements; index += 1) {
        for (const after of [false, true]) {
          await seed(connection);
          const crashing = recordingHost(connection, dialect, { crashAt: { index, after } });
          await expect(runBackfill(crashing.host, options)).rejects.toBeInstanceOf(Crash);
          const resumeFrom = await progressRow();
          const resumed = recordingHost(connection, dialect, resumeFrom === undefined ? {} : { resumeFrom });
          await runBackfill(resumed.host, options);
          const [good] = await connection.query(`SELECT COUNT(*) AS n FROM items WHERE ${check}`);
          expect(Number(good?.n), `crash at statement ${index} (${after ? "after" : "before"} it ran)`).toBe(ROWS);
        }
      }
    },
  );

  it("reads each batch's end key once the integer keys turn out sparse, and still updates every row", async () => {
    await seed(connection);
    await connection.execute("UPDATE items SET id = id * 1000");
    const { host, sent } = recordingHost(connection, dialect);
    expect(await runBackfill(host, IDEMPOTENT)).toMatchObject({ rows: ROWS });
    // One stepped batch finds 1 row in a range of 4 keys; from then on each batch reads its end key first.
    expect(shape(sent).slice(0, 4)).toEqual(["ESTIMATE", "UPDATE", "SELECT", "UPDATE"]);
    expect(shape(sent).filter((kind) => kind === "UPDATE")).toHaveLength(4);
    const [done] = await connection.query("SELECT COUNT(*) AS n FROM items WHERE twice = n * 2");
    expect(Number(done?.n)).toBe(ROWS);
    expect(await progressRow()).toBe(String(ROWS * 1000));
  });

  it("grows the batch while batches are quick, and shrinks it when they are slow", async () => {
    await seed(connection, 2000);
    const quick = recordingHost(connection, dialect);
    await runBackfill(quick.host, { table: "items", set: { twice: "n * 2" }, batchMs: 500 });
    expect(quick.limits.slice(0, 4)).toEqual([100, 200, 400, 800]);

    await seed(connection, 300);
    const slow = recordingHost(connection, dialect, { msPerRow: 2 });
    await runBackfill(slow.host, { table: "items", set: { twice: "n * 2" }, batchMs: 20 });
    // 2 ms a row against 20 ms a batch: about 10 rows, reached by halving (never more than ÷2 a batch).
    expect(slow.limits.slice(0, 3)).toEqual([100, 50, 25]);
    expect(slow.limits[slow.limits.length - 1]).toBeLessThanOrEqual(20);
    const [done] = await connection.query("SELECT COUNT(*) AS n FROM items WHERE twice = n * 2");
    expect(Number(done?.n)).toBe(300);
  });

  it("backfills by a text key (estimate from the catalog) and by a uuid key on PostgreSQL, resuming after the last one", async () => {
    await connection.execute("DROP TABLE IF EXISTS codes");
    const uuid = dialectName === "postgres";
    await connection.execute(
      `CREATE TABLE codes (code ${uuid ? "uuid" : "VARCHAR(40)"} PRIMARY KEY, n INTEGER NOT NULL, twice INTEGER)`,
    );
    const codes = Array.from({ length: ROWS }, (_, i) =>
      uuid ? `00000000-0000-0000-0000-0000000000${String(i).padStart(2, "0")}` : `c${i}`,
    );
    await connection.execute(`INSERT INTO codes (code, n) VALUES ${codes.map((code, i) => `('${code}', ${i})`).join(", ")}`);
    await connection.execute("UPDATE bf_log SET progress = ''");
    const first = recordingHost(connection, dialect);
    const options: BackfillOptions = { table: "codes", key: "code", set: { twice: "n * 2" }, batchSize: 4 };
    expect(await runBackfill({ ...first.host, budget: { remaining: 6 } }, options).catch((error: Error) => error.message)).toBe(
      "backfill stopped after 6 rows (--max-count)",
    );
    expect(await progressRow()).toBe(codes[5]);
    const rest = recordingHost(connection, dialect, { resumeFrom: codes[5] as string });
    expect(await runBackfill(rest.host, options)).toMatchObject({ rows: 4 });
    const [done] = await connection.query("SELECT COUNT(*) AS n FROM codes WHERE twice = n * 2");
    expect(Number(done?.n)).toBe(ROWS);
  });
});
