/**
 * The runner's steps on each dialect's real Dialect object, through a sink
 * that records instead of running: the statements a step should emit, and
 * the helpers that build them.
 */
import { afterEach, beforeEach, vi } from "vitest";
import type { Dialect, DialectName, Row, Statement } from "../../src/dialects/dialect.js";
import { mysqlDialect } from "../../src/dialects/mysql/mysql-dialect.js";
import { postgresDialect } from "../../src/dialects/postgres/postgres-dialect.js";
import { sqliteDialect } from "../../src/dialects/sqlite/sqlite-dialect.js";
import { NO_BODIES } from "../../src/graph/revision.js";
import type { OpBuilder } from "../../src/ops/builder.js";
import { loggedFinish, runningRow } from "../../src/runtime/bookkeeping.js";
import { LogStore, type StepDirection } from "../../src/runtime/log-store.js";
import { type PlannedStep, Runner, type RunnerOptions } from "../../src/runtime/runner.js";
import type { StepBody } from "../../src/runtime/step-body.js";
import { VersionStore } from "../../src/runtime/version-store.js";
import { type Recorded, RecordingSink, type RecordingOptions } from "./recording-sink.js";

export const COMMIT: Statement = { sql: "COMMIT" };
export const ROLLBACK: Statement = { sql: "ROLLBACK" };

/** What legitimately differs between the dialects' framing of a run and a step. */
export const FRAMES: Record<
  DialectName,
  { dialect: Dialect; begin: Statement; setup: Recorded[]; teardown: Recorded[]; reread: Recorded[]; check: Recorded[] }
> = {
  sqlite: {
    dialect: sqliteDialect,
    begin: { sql: "BEGIN IMMEDIATE" },
    // Around the whole run, outside any transaction: a table rebuild must not cascade into child rows.
    setup: [{ sql: "PRAGMA foreign_keys = OFF" }],
    teardown: [{ sql: "PRAGMA foreign_keys = ON" }],
    // No session lock: when a step's fence fails, the version rows are read to see whether another runner did it.
    reread: [
      {
        read: 'SELECT "phase", "version" FROM "tidemark_version" WHERE "repository" = ? ORDER BY "phase", "version"',
        params: ["core"],
      },
    ],
    // Before every step's COMMIT: the check foreign keys would have made.
    check: [{ read: "PRAGMA foreign_key_check", params: [] }],
  },
  postgres: { dialect: postgresDialect, begin: { sql: "BEGIN" }, setup: [], teardown: [], reread: [], check: [] },
  mysql: { dialect: mysqlDialect, begin: { sql: "START TRANSACTION" }, setup: [], teardown: [], reread: [], check: [] },
};

export const S1 = "CREATE TABLE a (x INTEGER)";
export const S2 = "INSERT INTO a VALUES (1)";
export const FAILING = "INSERT INTO nowhere VALUES (1)";
export const CAUSE = "no such table: nowhere";
export const ROLLED_BACK = "The step was rolled back; the database is as it was before the step.";
export const PARTIAL =
  "The database may hold part of the step: it is recorded as failed in tidemark_log and blocks " +
  "repository core until you fix the database by hand and run `tidemark repair`.";

const previous = (id: string) => String(Number(id) - 1);
export const SQL_FILE = "migrations/step.sql";
export const SCRIPT_FILE = "migrations/step.ts";

/** A `.sql` step: statement i is on script line i + 2. */
export function sqlBody(...statements: string[]): StepBody {
  return { kind: "sql", file: SQL_FILE, statements: statements.map((sql, index) => ({ sql, line: index + 2 })) };
}

/** A script step whose body runs each statement through op.execute. */
export function scriptBody(...statements: string[]): StepBody {
  return {
    kind: "function",
    file: SCRIPT_FILE,
    run: async (op) => {
      for (const sql of statements) await (op as OpBuilder).execute(sql);
    },
  };
}

export function fixture(name: DialectName) {
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
    /** The fenced move of the version row from id - 1 to id. */
    versionRows: (id: string) => store.changeStatements("core", "", [previous(id)], [id]),
    stampRows: (id: string) => store.stampStatements("core", "", [previous(id)], [id]),
    /** The `running` row, written only while the version rows are as planned. */
    running: (id: string) => runningRow(step(id, sqlBody()), log),
    /** MySQL: the version row and the log row move together in one statement. */
    finished: (id: string) => loggedFinish(step(id, sqlBody()), frame.dialect, log).statements,
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
        ...options,
      }),
  };
}

/** Answers the re-reads of the version rows with `ids` in turn (other reads: no rows). */
export function versions(...ids: string[]): RecordingOptions["rows"] {
  return (sql): Row[] => (sql.startsWith("PRAGMA") ? [] : [{ phase: "", version: ids.shift() }]);
}

export function failingAt(sql: string, options: RecordingOptions = {}): RecordingSink {
  return new RecordingSink({ ...options, fail: { sql, error: new Error(CAUSE) } });
}

/** Log rows carry timestamps: one frozen clock makes the expected rows equal the emitted ones. */
export function freezeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-05-01T12:00:00.000Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
