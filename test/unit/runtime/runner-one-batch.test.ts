/**
 * Where one batch is one round trip that a broken fence stops (PostgreSQL's
 * simple-query message), a SQL step goes in one: BEGIN, the fenced version
 * rows, the script, the `done` row and COMMIT. The server stops at the
 * first statement that fails, so what commits and what a failure says must
 * be exactly what sending the statements one by one gives.
 */
import { describe, expect, it } from "vitest";
import { FenceError, MigrationError } from "../../../src/errors.js";
import { rejection } from "../../helpers/failures.js";
import { RecordingSink } from "../../helpers/recording-sink.js";
import {
  CAUSE,
  COMMIT,
  FAILING,
  ROLLBACK,
  ROLLED_BACK,
  S1,
  S2,
  SQL_FILE,
  failingAt,
  fixture,
  freezeClock,
  scriptBody,
  sqlBody,
} from "../../helpers/runner-fixture.js";

freezeClock();

describe("a SQL step on PostgreSQL, where a batch is one round trip", () => {
  const d = fixture("postgres");

  it("sends BEGIN, the fence, the script, the `done` row and COMMIT as one batch per step", async () => {
    const sink = new RecordingSink({ atOnce: true });
    const results = await d
      .runner(sink, { ensureTables: d.ensure })
      .run([d.step("2", sqlBody(S1, S2)), d.step("3", sqlBody(S2))]);
    expect(results.map((result) => result.outcome)).toEqual(["done", "done"]);
    expect(sink.batches).toEqual([
      // tidemark's tables on their own, so that what the server shows of the step's batch is the step.
      [d.begin, ...d.ensure],
      [...d.versionRows("2"), { sql: S1 }, { sql: S2 }, d.doneRow("2"), COMMIT],
      [d.begin, ...d.versionRows("3"), { sql: S2 }, d.doneRow("3"), COMMIT],
    ]);
  });

  it("runs nothing of the step past a broken fence: it rolls back and stops, as the lock was lost", async () => {
    const sink = new RecordingSink({ atOnce: true, fenceBroken: true });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, S2))]));
    expect(sink.recorded).toEqual([d.begin, ...d.versionRows("2"), ROLLBACK]);
    expect(error).toBeInstanceOf(FenceError);
    expect(error.message).toContain("The step stopped before anything of it ran.");
  });

  it("names the failing statement and its line, and rolls the step back, as one by one", async () => {
    const sink = failingAt(FAILING, { atOnce: true });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1, FAILING, S2)), d.step("3", sqlBody(S2))]));
    // The server ran nothing after the failing statement: not S2, not the `done` row, not COMMIT; step 3 did not start.
    expect(sink.recorded).toEqual([d.begin, ...d.versionRows("2"), { sql: S1 }, { sql: FAILING }, ROLLBACK]);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).statement).toBe(FAILING);
    expect(error.message).toBe(
      `Repository core, revision 2 (${SQL_FILE}), upgrade failed at statement (line 3): ${FAILING} — ${CAUSE}. ${ROLLED_BACK}`,
    );
  });

  it("blames no script statement when COMMIT itself fails (a deferred constraint)", async () => {
    const sink = failingAt("COMMIT", { atOnce: true });
    const error = await rejection(d.runner(sink).run([d.step("2", sqlBody(S1))]));
    expect(sink.recorded).toEqual([d.begin, ...d.versionRows("2"), { sql: S1 }, d.doneRow("2"), COMMIT, ROLLBACK]);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).statement).toBeUndefined();
    expect(error.message).toContain(CAUSE);
    expect(error.message).toContain(ROLLED_BACK);
  });

  it.each([["SAVEPOINT before_insert"], ["/* made by hand */ COMMIT"], ["-- only a comment"]])(
    "sends a script holding %j one statement at a time",
    async (odd) => {
      const sink = new RecordingSink({ atOnce: true });
      await d.runner(sink).run([d.step("2", sqlBody(S1, odd, S2))]);
      expect(sink.batches).toEqual([
        [d.begin, ...d.versionRows("2")],
        [d.doneRow("2"), COMMIT],
      ]);
      expect(sink.recorded).toContainEqual({ sql: odd });
    },
  );

  it("runs a script step's ops as they come: their results may steer what the script does next", async () => {
    const sink = new RecordingSink({ atOnce: true });
    await d.runner(sink).run([d.step("2", scriptBody(S1))]);
    expect(sink.batches).toEqual([
      [d.begin, ...d.versionRows("2")],
      [d.doneRow("2"), COMMIT],
    ]);
    expect(sink.recorded).toContainEqual({ sql: S1 });
  });
});

describe("a SQL step on SQLite", () => {
  const d = fixture("sqlite");

  it("keeps its script apart from COMMIT: the foreign-key check runs between them", async () => {
    const sink = new RecordingSink({ atOnce: true });
    await d.runner(sink).run([d.step("2", sqlBody(S1))]);
    expect(sink.batches).toEqual([
      [d.begin, ...d.versionRows("2")],
      [d.doneRow("2"), COMMIT],
    ]);
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
