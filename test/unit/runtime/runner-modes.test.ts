/**
 * The runner's transaction modes (SPEC §9), statement by statement, on each
 * dialect's real Dialect object, through a sink that records instead of
 * running:
 * - atomic (transactional DDL): the step, its version rows and its `done`
 *   log row commit together; a failure rolls all of it back;
 * - logged (MySQL, or `transactional = false`): a `running` log row is
 *   committed first and closed `done` (or `failed`) afterwards;
 * - outer (`--single-transaction`): one transaction around every step.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Dialect, DialectName, Row, Statement } from "../../../src/dialects/dialect.js";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import { postgresDialect } from "../../../src/dialects/postgres/postgres-dialect.js";
import { sqliteDialect } from "../../../src/dialects/sqlite/sqlite-dialect.js";
import { MigrationError } from "../../../src/errors.js";
import { NO_BODIES } from "../../../src/graph/revision.js";
import type { OpBuilder } from "../../../src/ops/builder.js";
import { LogStore, type StepDirection } from "../../../src/runtime/log-store.js";
import { type PlannedStep, Runner, type RunnerOptions } from "../../../src/runtime/runner.js";
import type { StepBody } from "../../../src/runtime/step-body.js";
import { VersionStore } from "../../../src/runtime/version-store.js";
import { rejection } from "../../helpers/failures.js";
import { type Recorded, RecordingSink, type RecordingOptions } from "../../helpers/recording-sink.js";

const COMMIT: Statement = { sql: "COMMIT" };
const ROLLBACK: Statement = { sql: "ROLLBACK" };

/** What legitimately differs between the dialects' framing of a step. */
const FRAMES: Record<
  DialectName,
  { dialect: Dialect; begin: Statement; setup: Recorded[]; teardown: Recorded[]; reread: Recorded[]; check: Recorded[] }
> = {
  sqlite: {
    dialect: sqliteDialect,
    begin: { sql: "BEGIN IMMEDIATE" },
    // Around a script step's transaction: a table rebuild must not cascade into child rows.
    setup: [{ sql: "PRAGMA foreign_keys = OFF" }],
    teardown: [{ sql: "PRAGMA foreign_keys = ON" }],
    // No session lock: the version rows are re-read inside each atomic step's transaction.
    reread: [
      {
        read: 'SELECT "phase", "version" FROM "tidemark_version" WHERE "repository" = ? ORDER BY "phase", "version"',
        params: ["core"],
      },
    ],
    // Before COMMIT of a script step: the check foreign keys would have made.
    check: [{ read: "PRAGMA foreign_key_check", params: [] }],
  },
  postgres: { dialect: postgresDialect, begin: { sql: "BEGIN" }, setup: [], teardown: [], reread: [], check: [] },
  mysql: { dialect: mysqlDialect, begin: { sql: "START TRANSACTION" }, setup: [], teardown: [], reread: [], check: [] },
};

const S1 = "CREATE TABLE a (x INTEGER)";
const S2 = "INSERT INTO a VALUES (1)";
const FAILING = "INSERT INTO nowhere VALUES (1)";
const CAUSE = "no such table: nowhere";
const ROLLED_BACK = "The step was rolled back; the database is as it was before the step.";
const PARTIAL =
  "The database may hold part of the step: it is recorded as failed in tidemark_log and blocks " +
  "repository core until you fix the database by hand and run `tidemark repair`.";

const previous = (id: string) => String(Number(id) - 1);
const SQL_FILE = "migrations/step.sql";
const SCRIPT_FILE = "migrations/step.ts";

/** A `.sql` step: statement i is on script line i + 2. */
function sqlBody(...statements: string[]): StepBody {
  return { kind: "sql", file: SQL_FILE, statements: statements.map((sql, index) => ({ sql, line: index + 2 })) };
}

/** A script step whose body runs each statement through op.execute. */
function scriptBody(...statements: string[]): StepBody {
  return {
    kind: "function",
    file: SCRIPT_FILE,
    run: async (op) => {
      for (const sql of statements) await (op as OpBuilder).execute(sql);
    },
  };
}

function fixture(name: DialectName) {
  const frame = FRAMES[name];
  const store = new VersionStore(frame.dialect, "tidemark_version");
  const log = new LogStore(frame.dialect);
  const key = (id: string, direction: StepDirection = "up") => ({ repository: "core", revision: id, phase: "", direction });
  /** Revision `id` moving the version row from id - 1 to id. */
  const step = (
    id: string,
    body: StepBody,
    options: { transactional?: boolean; alreadyDone?: () => boolean } = {},
  ): PlannedStep => ({
    repository: "core",
    repositoryId: "core",
    store,
    revision: {
      id,
      parents: [previous(id)],
      dependsOn: [],
      branchLabels: [],
      message: `revision ${id}`,
      bodies: { ...NO_BODIES, upgrade: true },
      transactional: options.transactional ?? true,
      files: { main: body.file },
    },
    phase: "",
    direction: "up",
    body,
    checksum: `sum${id}`,
    changes: [{ phase: "", before: [previous(id)], after: [id] }],
    alreadyDone: options.alreadyDone ?? ((rows) => rows.some((row) => row.version === id)),
  });
  return {
    ...frame,
    store,
    log,
    step,
    ensure: [...store.createStatements(), ...log.createStatements()],
    versionRows: (id: string) => store.updateStatements("core", "", [previous(id)], [id]),
    running: (id: string) => log.startStatement(key(id), `sum${id}`),
    doneRow: (id: string) => log.startStatement(key(id), `sum${id}`, "done"),
    closed: (id: string, status: "done" | "failed", error?: string) => log.finishStatement(key(id), status, error),
    stampRow: (id: string) => log.startStatement(key(id, "stamp"), null, "done"),
    /** A runner online (reads through the recording sink's connection), or offline when the sink is. */
    runner: (sink: RecordingSink, options: Partial<RunnerOptions> = {}) =>
      new Runner({
        dialect: frame.dialect,
        sink,
        ...(sink.offline ? {} : { connection: sink.connection(name) }),
        logStore: log,
        singleTransaction: false,
        ensureTables: [],
        tableModel: () => Promise.resolve(undefined),
        split: (sql) => [{ sql }],
        ...options,
      }),
  };
}

/** Answers the re-reads of the version rows with `ids` in turn (other reads: no rows). */
function versions(...ids: string[]): RecordingOptions["rows"] {
  return (sql): Row[] => (sql.startsWith("PRAGMA") ? [] : [{ phase: "", version: ids.shift() }]);
}

function failingAt(sql: string, options: RecordingOptions = {}): RecordingSink {
  return new RecordingSink({ ...options, fail: { sql, error: new Error(CAUSE) } });
}

// Log rows carry timestamps: one frozen clock makes the expected rows equal the emitted ones.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2024-05-01T12:00:00.000Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe.each(["sqlite", "postgres"] as const)("atomic mode on %s", (name) => {
  const d = fixture(name);

  it("runs a SQL step, its version rows and one `done` row in one transaction", async () => {
    const sink = new RecordingSink({ rows: versions("1") });
    const results = await d.runner(sink).run([d.step("2", sqlBody(S1, S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([
      d.begin,
      ...d.reread,
      { sql: S1 },
      { sql: S2 },
      ...d.versionRows("2"),
      d.doneRow("2"),
      COMMIT,
    ]);
  });

  it("frames a script step with the dialect's set-up, and checks it before COMMIT", async () => {
    const sink = new RecordingSink({ rows: versions("1") });
    await d.runner(sink).run([d.step("2", scriptBody(S1))]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.reread, { sql: S1 }, ...d.versionRows("2"), d.doneRow("2")],
      ...[...d.check, COMMIT, ...d.teardown],
    ]);
  });

  it("rolls a failing SQL step back, records nothing and names the statement and its line", async () => {
    const sink = failingAt(FAILING, { rows: versions("1") });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING, S2))]));
    expect(sink.recorded).toEqual([d.begin, ...d.reread, { sql: S1 }, { sql: FAILING }, ROLLBACK]);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).statement).toBe(FAILING);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade failed at statement (line 3): ${FAILING} — ${CAUSE}. ${ROLLED_BACK}`,
    );
  });

  it("rolls a failing script step back, then undoes the set-up", async () => {
    const sink = failingAt(FAILING, { rows: versions("1") });
    const error = await rejection(d.runner(sink).run([d.step("2", scriptBody(S1, FAILING))]));
    expect(sink.recorded).toEqual([...d.setup, d.begin, ...d.reread, { sql: S1 }, { sql: FAILING }, ROLLBACK, ...d.teardown]);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SCRIPT_FILE}), upgrade failed at statement: ${FAILING} — ${CAUSE}. ${ROLLED_BACK}`,
    );
  });

  it("creates tidemark's missing tables once, inside the first step's transaction", async () => {
    const sink = new RecordingSink({ rows: versions("1", "2") });
    await d.runner(sink, { ensureTables: d.ensure }).run([d.step("2", sqlBody(S1)), d.step("3", sqlBody(S2))]);
    expect(sink.recorded).toEqual([
      ...[d.begin, ...d.ensure, ...d.reread, { sql: S1 }, ...d.versionRows("2"), d.doneRow("2"), COMMIT],
      ...[d.begin, ...d.reread, { sql: S2 }, ...d.versionRows("3"), d.doneRow("3"), COMMIT],
    ]);
  });
});

describe("atomic mode: only SQLite re-reads the version rows (it has no session lock)", () => {
  const d = fixture("sqlite");

  it("skips a step another runner already did, and commits the empty transaction", async () => {
    const sink = new RecordingSink({ rows: versions("2") });
    const results = await d.runner(sink).run([d.step("2", sqlBody(S1))]);
    expect(results.map((result) => result.outcome)).toEqual(["skipped"]);
    expect(sink.recorded).toEqual([d.begin, ...d.reread, COMMIT]);
  });

  it("runs nothing when the rows moved elsewhere, and says so", async () => {
    const sink = new RecordingSink({ rows: versions("7") });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1))]));
    expect(sink.recorded).toEqual([d.begin, ...d.reread, ROLLBACK]);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toBe(
      "The version rows of repository core changed while tidemark was planning (expected 1, found 7); nothing was run. Run the command again.",
    );
  });

  it("offline, emits the foreign-key check as statements before COMMIT, and reads nothing", async () => {
    const sink = new RecordingSink({ offline: true });
    await d.runner(sink).run([d.step("2", scriptBody(S1))]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, { sql: S1 }, ...d.versionRows("2"), d.doneRow("2")],
      {
        sql: 'CREATE TEMP TABLE "tidemark_fk_check" ("ok" INTEGER CONSTRAINT "tidemark_foreign_key_violation" CHECK ("ok" = 1))',
      },
      { sql: 'INSERT INTO "tidemark_fk_check" ("ok") SELECT (SELECT COUNT(*) FROM pragma_foreign_key_check) = 0' },
      { sql: 'DROP TABLE "tidemark_fk_check"' },
      ...[COMMIT, ...d.teardown],
    ]);
  });

  it("PostgreSQL asks no one whether the step was done: its session lock keeps other runners out", async () => {
    const pg = fixture("postgres");
    const sink = new RecordingSink();
    const results = await pg.runner(sink).run([pg.step("2", sqlBody(S1), { alreadyDone: () => true })]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([pg.begin, { sql: S1 }, ...pg.versionRows("2"), pg.doneRow("2"), COMMIT]);
  });
});

describe("logged mode on MySQL (DDL commits implicitly)", () => {
  const d = fixture("mysql");

  it("commits a `running` row first, then runs the step with its version rows and closes the row `done` in a transaction", async () => {
    const sink = new RecordingSink();
    const results = await d.runner(sink).run([d.step("2", sqlBody(S1, S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([
      d.running("2"),
      d.begin,
      { sql: S1 },
      { sql: S2 },
      ...d.versionRows("2"),
      d.closed("2", "done"),
      COMMIT,
    ]);
  });

  it("creates tidemark's missing tables before the first `running` row, outside any transaction", async () => {
    const sink = new RecordingSink();
    await d.runner(sink, { ensureTables: d.ensure }).run([d.step("2", scriptBody(S1)), d.step("3", scriptBody(S2))]);
    expect(sink.recorded).toEqual([
      ...[...d.ensure, d.running("2"), d.begin, { sql: S1 }, ...d.versionRows("2"), d.closed("2", "done"), COMMIT],
      ...[d.running("3"), d.begin, { sql: S2 }, ...d.versionRows("3"), d.closed("3", "done"), COMMIT],
    ]);
  });

  it("on failure rolls back what it can, marks the row `failed` and says the database may hold part of the step", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING))]));
    expect(sink.recorded).toEqual([
      d.running("2"),
      d.begin,
      { sql: S1 },
      { sql: FAILING },
      ROLLBACK,
      d.closed("2", "failed", CAUSE),
    ]);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade failed at statement (line 3): ${FAILING} — ${CAUSE}. ${PARTIAL}`,
    );
  });

  it("offline, writes no `failed` row (the script stops at the error; its `running` row stays)", async () => {
    const sink = failingAt(FAILING, { offline: true });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING))]));
    expect(sink.recorded).toEqual([d.running("2"), d.begin, { sql: S1 }, { sql: FAILING }, ROLLBACK]);
    expect(error.message).toContain(PARTIAL);
  });
});

describe.each(["sqlite", "postgres", "mysql"] as const)("logged mode on %s: a `transactional = false` step", (name) => {
  const d = fixture(name);

  it("runs without any transaction (and without the set-up) between its `running` and `done` rows", async () => {
    const sink = new RecordingSink();
    const results = await d.runner(sink).run([d.step("2", scriptBody(S1, S2), { transactional: false })]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([d.running("2"), { sql: S1 }, { sql: S2 }, ...d.versionRows("2"), d.closed("2", "done")]);
  });

  it("on failure keeps what ran, marks the row `failed` and says so", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING, S2), { transactional: false })]));
    expect(sink.recorded).toEqual([d.running("2"), { sql: S1 }, { sql: FAILING }, d.closed("2", "failed", CAUSE)]);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade failed at statement (line 3): ${FAILING} — ${CAUSE}. ${PARTIAL}`,
    );
  });
});

// The API refuses --single-transaction on MySQL (no transactional DDL), so the outer mode only meets these two.
describe.each(["sqlite", "postgres"] as const)("outer mode (--single-transaction) on %s", (name) => {
  const d = fixture(name);
  const outer = (sink: RecordingSink) => d.runner(sink, { singleTransaction: true, ensureTables: d.ensure });

  it("runs every step in one transaction, tidemark's tables first, a `done` row per step, no re-reads", async () => {
    const sink = new RecordingSink();
    const results = await outer(sink).run([d.step("2", sqlBody(S1)), d.step("3", sqlBody(S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done", "done"]);
    expect(sink.recorded).toEqual([
      ...[d.begin, ...d.ensure, { sql: S1 }, ...d.versionRows("2"), d.doneRow("2")],
      ...[{ sql: S2 }, ...d.versionRows("3"), d.doneRow("3"), COMMIT],
    ]);
  });

  it("frames the whole transaction with the set-up when any step is a script", async () => {
    const sink = new RecordingSink();
    await outer(sink).run([d.step("2", sqlBody(S1)), d.step("3", scriptBody(S2))]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.ensure, { sql: S1 }, ...d.versionRows("2"), d.doneRow("2")],
      ...[{ sql: S2 }, ...d.versionRows("3"), d.doneRow("3"), ...d.check, COMMIT, ...d.teardown],
    ]);
  });

  it("rolls every step back when a later one fails", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(outer(sink).run([d.step("2", sqlBody(S1)), d.step("3", scriptBody(FAILING))]));
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.ensure, { sql: S1 }, ...d.versionRows("2"), d.doneRow("2")],
      ...[{ sql: FAILING }, ROLLBACK, ...d.teardown],
    ]);
    expect(error.message).toBe(
      `Repository core, revision 3 (${SCRIPT_FILE}), upgrade failed at statement: ${FAILING} — ${CAUSE}. ${ROLLED_BACK}`,
    );
  });
});

describe.each(["sqlite", "postgres", "mysql"] as const)("stamp on %s", (name) => {
  const d = fixture(name);
  const stamped = () => {
    const { body: _body, alreadyDone: _alreadyDone, ...step } = d.step("2", sqlBody());
    return { ...step, direction: "stamp" as const, checksum: null };
  };
  // Without transactional DDL, CREATE TABLE would commit the open transaction: the tables come first.
  const tablesOutside = !d.dialect.caps.transactionalDdl;

  it("writes the purge, the version rows and a `stamp` row in one transaction, running no script", async () => {
    const sink = new RecordingSink();
    await d.runner(sink, { ensureTables: d.ensure }).stamp(stamped(), [d.store.purgeStatement("core")]);
    expect(sink.recorded).toEqual([
      ...(tablesOutside ? [...d.ensure, d.begin] : [d.begin, ...d.ensure]),
      ...[d.store.purgeStatement("core"), ...d.versionRows("2"), d.stampRow("2"), COMMIT],
    ]);
  });

  it("rolls back and passes the database's error on as it is", async () => {
    const purge = d.store.purgeStatement("core");
    const sink = failingAt(purge.sql);
    const error = await rejection(d.runner(sink).stamp(stamped(), [purge]));
    expect(sink.recorded).toEqual([d.begin, purge, ROLLBACK]);
    expect(error.constructor).toBe(Error);
    expect(error.message).toBe(CAUSE);
  });
});
