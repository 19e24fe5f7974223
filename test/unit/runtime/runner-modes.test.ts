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
import { describe, expect, it } from "vitest";
import { FenceError, MigrationError } from "../../../src/errors.js";
import { rejection } from "../../helpers/failures.js";
import { RecordingSink } from "../../helpers/recording-sink.js";
import {
  CAUSE,
  COMMIT,
  FAILING,
  PARTIAL,
  ROLLBACK,
  ROLLED_BACK,
  S1,
  S2,
  SCRIPT_FILE,
  SQL_FILE,
  failingAt,
  fixture,
  freezeClock,
  scriptBody,
  sqlBody,
  versions,
} from "../../helpers/runner-fixture.js";

freezeClock();

describe.each(["sqlite", "postgres"] as const)("atomic mode on %s", (name) => {
  const d = fixture(name);

  it("moves the version row right after BEGIN, runs the step, and writes one `done` row with COMMIT", async () => {
    const sink = new RecordingSink();
    const results = await d.runner(sink).run([d.step("2", sqlBody(S1, S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([
      ...d.setup,
      d.begin,
      ...d.versionRows("2"),
      { sql: S1 },
      { sql: S2 },
      ...d.check,
      d.doneRow("2"),
      COMMIT,
      ...d.teardown,
    ]);
    // BEGIN with the fence, and the log row with COMMIT: one round trip each where the driver can batch.
    expect(sink.batches).toEqual([
      [d.begin, ...d.versionRows("2")],
      [d.doneRow("2"), COMMIT],
    ]);
  });

  it("frames a script step the same way: the set-up is per run, the check per step", async () => {
    const sink = new RecordingSink();
    await d.runner(sink).run([d.step("2", scriptBody(S1)), d.step("3", scriptBody(S2))]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.versionRows("2"), { sql: S1 }, ...d.check, d.doneRow("2"), COMMIT],
      ...[d.begin, ...d.versionRows("3"), { sql: S2 }, ...d.check, d.doneRow("3"), COMMIT, ...d.teardown],
    ]);
  });

  it("rolls a failing SQL step back with its version row, and names the statement and its line", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING, S2))]));
    expect(sink.recorded).toEqual([
      ...d.setup,
      d.begin,
      ...d.versionRows("2"),
      { sql: S1 },
      { sql: FAILING },
      ROLLBACK,
      ...d.teardown,
    ]);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).statement).toBe(FAILING);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade failed at statement (line 3): ${FAILING} — ${CAUSE}. ${ROLLED_BACK}`,
    );
  });

  it("rolls a failing script step back the same way", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(d.runner(sink).run([d.step("2", scriptBody(S1, FAILING))]));
    expect(sink.recorded).toEqual([
      ...d.setup,
      d.begin,
      ...d.versionRows("2"),
      { sql: S1 },
      { sql: FAILING },
      ROLLBACK,
      ...d.teardown,
    ]);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SCRIPT_FILE}), upgrade failed at statement: ${FAILING} — ${CAUSE}. ${ROLLED_BACK}`,
    );
  });

  it("creates tidemark's missing tables once, inside the first step's transaction, before the fence", async () => {
    const sink = new RecordingSink();
    await d.runner(sink, { ensureTables: d.ensure }).run([d.step("2", sqlBody(S1)), d.step("3", sqlBody(S2))]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.ensure, ...d.versionRows("2"), { sql: S1 }, ...d.check, d.doneRow("2"), COMMIT],
      ...[d.begin, ...d.versionRows("3"), { sql: S2 }, ...d.check, d.doneRow("3"), COMMIT, ...d.teardown],
    ]);
  });

  it("verifies the lock before every step, and stops before a step when it was lost", async () => {
    const sink = new RecordingSink();
    let checks = 0;
    const verifyLock = async () => {
      checks += 1;
      if (checks === 2) throw new Error("the lock's session ended");
    };
    const error = await rejection(d.runner(sink, { verifyLock }).run([d.step("2", sqlBody(S1)), d.step("3", sqlBody(S2))]));
    expect(error.message).toBe("the lock's session ended");
    expect(sink.recorded).toEqual([
      ...d.setup,
      d.begin,
      ...d.versionRows("2"),
      { sql: S1 },
      ...d.check,
      d.doneRow("2"),
      COMMIT,
      ...d.teardown,
    ]);
  });
});

describe("atomic mode: a fence that fails", () => {
  it("on SQLite (no lock between steps) skips a step another runner already did", async () => {
    const d = fixture("sqlite");
    const sink = new RecordingSink({ fenceBroken: true, rows: versions("2") });
    const results = await d.runner(sink).run([d.step("2", sqlBody(S1))]);
    expect(results.map((result) => result.outcome)).toEqual(["skipped"]);
    expect(sink.recorded).toEqual([...d.setup, d.begin, ...d.versionRows("2"), ROLLBACK, ...d.reread, ...d.teardown]);
  });

  it("on SQLite stops, running nothing, when the rows moved elsewhere", async () => {
    const d = fixture("sqlite");
    const sink = new RecordingSink({ fenceBroken: true, rows: versions("7") });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1))]));
    expect(sink.recorded).toEqual([...d.setup, d.begin, ...d.versionRows("2"), ROLLBACK, ...d.reread, ...d.teardown]);
    expect(error).toBeInstanceOf(FenceError);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade: another runner changed the state — the version rows of repository core ` +
        "are no longer 1, which this step was planned from. The step stopped before anything of it ran. Run the command again: " +
        "it plans from the state the other runner left.",
    );
  });

  it("on PostgreSQL (the session lock was lost) stops without asking: exactly-once beats finishing", async () => {
    const d = fixture("postgres");
    const sink = new RecordingSink({ fenceBroken: true });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1), { alreadyDone: () => true })]));
    expect(error).toBeInstanceOf(FenceError);
    expect(sink.recorded).toEqual([d.begin, ...d.versionRows("2"), ROLLBACK]);
  });

  it("offline is never checked: nothing is known about rows there", async () => {
    const d = fixture("sqlite");
    const sink = new RecordingSink({ offline: true, fenceBroken: true });
    await d.runner(sink).run([d.step("2", scriptBody(S1))]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.versionRows("2"), { sql: S1 }],
      {
        sql: 'CREATE TEMP TABLE "tidemark_fk_check" ("ok" INTEGER CONSTRAINT "tidemark_foreign_key_violation" CHECK ("ok" = 1))',
      },
      { sql: 'INSERT INTO "tidemark_fk_check" ("ok") SELECT (SELECT COUNT(*) FROM pragma_foreign_key_check) = 0' },
      { sql: 'DROP TABLE "tidemark_fk_check"' },
      ...[d.doneRow("2"), COMMIT, ...d.teardown],
    ]);
  });
});

describe("logged mode on MySQL (DDL commits implicitly)", () => {
  const d = fixture("mysql");

  it("commits a fenced `running` row first, then moves the version row and closes the log row in one statement", async () => {
    const sink = new RecordingSink();
    const results = await d.runner(sink).run([d.step("2", sqlBody(S1, S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([d.running("2"), d.begin, { sql: S1 }, { sql: S2 }, ...d.finished("2"), COMMIT]);
    expect(d.finished("2")).toEqual([
      {
        sql:
          "UPDATE `tidemark_version` v, `tidemark_log` l SET v.`version` = ?, l.`status` = ?, l.`finished_at` = ? " +
          "WHERE v.`repository` = ? AND v.`phase` = ? AND v.`version` = ? AND l.`repository` = ? AND l.`revision` = ? " +
          "AND l.`phase` = ? AND l.`direction` = ? AND l.`status` = 'running'",
        params: ["2", "done", "2024-05-01 12:00:00.000", "core", "", "1", "core", "2", "", "up"],
        expectRows: 2,
        bookkeeping: true,
      },
    ]);
  });

  it("creates tidemark's missing tables before the first `running` row, outside any transaction", async () => {
    const sink = new RecordingSink();
    await d.runner(sink, { ensureTables: d.ensure }).run([d.step("2", scriptBody(S1)), d.step("3", scriptBody(S2))]);
    expect(sink.recorded).toEqual([
      ...[...d.ensure, d.running("2"), d.begin, { sql: S1 }, ...d.finished("2"), COMMIT],
      ...[d.running("3"), d.begin, { sql: S2 }, ...d.finished("3"), COMMIT],
    ]);
  });

  it("runs nothing when the `running` row's fence fails", async () => {
    const sink = new RecordingSink({ fenceBroken: true });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1))]));
    expect(error).toBeInstanceOf(FenceError);
    expect(sink.recorded).toEqual([d.running("2")]);
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

describe.each(["sqlite", "postgres"] as const)("logged mode on %s: a `transactional = false` step", (name) => {
  const d = fixture(name);

  it("runs outside any transaction between its fenced `running` row and one transaction for its version row and `done`", async () => {
    const sink = new RecordingSink();
    const results = await d.runner(sink).run([d.step("2", scriptBody(S1, S2), { transactional: false })]);
    expect(results.map((result) => result.outcome)).toEqual(["done"]);
    expect(sink.recorded).toEqual([
      ...d.setup,
      d.running("2"),
      { sql: S1 },
      { sql: S2 },
      d.begin,
      ...d.versionRows("2"),
      d.closed("2", "done"),
      ...d.check,
      COMMIT,
      ...d.teardown,
    ]);
  });

  it("on failure keeps what ran, marks the row `failed` and says so", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING, S2), { transactional: false })]));
    expect(sink.recorded).toEqual([
      ...d.setup,
      d.running("2"),
      { sql: S1 },
      { sql: FAILING },
      d.closed("2", "failed", CAUSE),
      ...d.teardown,
    ]);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade failed at statement (line 3): ${FAILING} — ${CAUSE}. ${PARTIAL}`,
    );
  });
});

describe("logged mode on mysql: a `transactional = false` step", () => {
  const d = fixture("mysql");

  it("runs without any transaction; the one finishing statement needs none", async () => {
    const sink = new RecordingSink();
    await d.runner(sink).run([d.step("2", scriptBody(S1, S2), { transactional: false })]);
    expect(sink.recorded).toEqual([d.running("2"), { sql: S1 }, { sql: S2 }, ...d.finished("2")]);
  });
});

// The API refuses --single-transaction on MySQL (no transactional DDL), so the outer mode only meets these two.
describe.each(["sqlite", "postgres"] as const)("outer mode (--single-transaction) on %s", (name) => {
  const d = fixture(name);
  const outer = (sink: RecordingSink) => d.runner(sink, { singleTransaction: true, ensureTables: d.ensure });

  it("runs every step in one transaction, tidemark's tables first, a fenced move and a `done` row per step", async () => {
    const sink = new RecordingSink();
    const results = await outer(sink).run([d.step("2", sqlBody(S1)), d.step("3", scriptBody(S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done", "done"]);
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.ensure, ...d.versionRows("2"), { sql: S1 }, d.doneRow("2")],
      ...[...d.versionRows("3"), { sql: S2 }, d.doneRow("3"), ...d.check, COMMIT, ...d.teardown],
    ]);
  });

  it("rolls every step back when a later one fails", async () => {
    const sink = failingAt(FAILING);
    const error = await rejection(outer(sink).run([d.step("2", sqlBody(S1)), d.step("3", scriptBody(FAILING))]));
    expect(sink.recorded).toEqual([
      ...[...d.setup, d.begin, ...d.ensure, ...d.versionRows("2"), { sql: S1 }, d.doneRow("2")],
      ...[...d.versionRows("3"), { sql: FAILING }, ROLLBACK, ...d.teardown],
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
      ...[d.store.purgeStatement("core"), ...d.stampRows("2"), d.stampRow("2"), COMMIT],
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
