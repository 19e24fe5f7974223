/**
 * Where the connection pipelines (PostgreSQL), the runner sends the next
 * step's batch before it reads this step's answer, so that the server never
 * waits for the client between steps. What it may never change: a failed
 * step stops the run with nothing after it committed, a lost lock stops the
 * run before the next step, and events keep the steps' order.
 */
import { describe, expect, it } from "vitest";
import type { Statement } from "../../../src/dialects/dialect.js";
import { LockLostError, MigrationError } from "../../../src/errors.js";
import type { StepEvent } from "../../../src/runtime/runner.js";
import { rejection } from "../../helpers/failures.js";
import { PipelinedSink, type Timeline } from "../../helpers/pipelined-sink.js";
import { CAUSE, COMMIT, ROLLBACK, S1, S2, fixture, freezeClock, sqlBody } from "../../helpers/runner-fixture.js";

freezeClock();

const d = fixture("postgres");
const LOCK: Statement = { sql: "NOT pg_try_advisory_xact_lock_shared(1, ?::int)", params: [42] };

/** Steps 2, 3 and 4 after version 1; their events go on `timeline` beside the statements the listener heard of. */
function run(sink: PipelinedSink, timeline: Timeline, options: Parameters<typeof d.runner>[1] = {}) {
  const onEvent = (event: StepEvent | { type: string }) => {
    if (event.type === "step") timeline.push(`${(event as StepEvent).status} ${(event as StepEvent).revision}`);
  };
  return d
    .runner(sink, { onEvent, ...options })
    .run([d.step("2", sqlBody(S1)), d.step("3", sqlBody(S2)), d.step("4", sqlBody(S1))]);
}

const withLock = (rows: Statement[]) =>
  rows.map((row) => ({ ...row, sql: `${row.sql} AND (${LOCK.sql})`, params: [...(row.params ?? []), 42] }));

describe("steps sent ahead, where the connection pipelines", () => {
  it("sends each next step before this one answered, its fence also asking for the lock; events keep their order", async () => {
    const timeline: Timeline = [];
    const sink = new PipelinedSink({ version: "1" }, timeline);
    const verified: boolean[] = [];
    const results = await run(sink, timeline, {
      verifyLock: async (fresh) => {
        verified.push(fresh === true);
      },
      lockHeldCondition: LOCK,
    });
    expect(results.map((result) => result.outcome)).toEqual(["done", "done", "done"]);
    expect(sink.batches).toEqual([
      [d.begin, ...d.versionRows("2"), { sql: S1 }, d.doneRow("2"), COMMIT],
      [d.begin, ...withLock(d.versionRows("3")), { sql: S2 }, d.doneRow("3"), COMMIT],
      [d.begin, ...withLock(d.versionRows("4")), { sql: S1 }, d.doneRow("4"), COMMIT],
    ]);
    // Step 3 went while step 2 was unanswered, step 4 while step 3 was.
    expect(sink.answeredWhenSent).toEqual([0, 0, 1]);
    // The lock is checked before each step is sent, as before each step.
    expect(verified).toEqual([false, false, false]);
    const heard = (id: string, sql: string) => [
      `start ${id}`,
      "BEGIN",
      "UPDATE",
      sql.split(" ")[0],
      "INSERT",
      "COMMIT",
      `done ${id}`,
    ];
    expect(timeline).toEqual([...heard("2", S1), ...heard("3", S2), ...heard("4", S1)]);
  });

  it("a failing step stops the run: the step sent behind it is refused, and the error is the failing step's", async () => {
    const timeline: Timeline = [];
    const sink = new PipelinedSink({ version: "1", fail: { sql: S2, error: new Error(CAUSE) } }, timeline);
    const error = await rejection(run(sink, timeline, { verifyLock: async () => undefined, lockHeldCondition: LOCK }));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain(`revision 3 (migrations/step.sql), upgrade failed at statement (line 2): ${S2} — ${CAUSE}`);
    // Step 4 was sent, and the server refused it: nothing of it ran. Then the ROLLBACK.
    expect(sink.batches).toHaveLength(3);
    expect(sink.recorded.slice(-4)).toEqual([d.begin, ...withLock(d.versionRows("3")), { sql: S2 }, ROLLBACK]);
    expect(timeline).not.toContain("start 4");
  });

  it("behind a step whose COMMIT fails, the next one's fence stops it: the version row is not the one it expects", async () => {
    const sink = new PipelinedSink({ version: "1", fail: { sql: "COMMIT", error: new Error("deferred constraint") } });
    const error = await rejection(run(sink, [], { verifyLock: async () => undefined, lockHeldCondition: LOCK }));
    expect(error.message).toContain("revision 2");
    expect(error.message).toContain("deferred constraint");
    // Step 3 ran BEGIN and its fence, which changed nothing; nothing else of it ran.
    expect(sink.recorded.slice(-3)).toEqual([d.begin, ...withLock(d.versionRows("3")), ROLLBACK]);
    expect(sink.recorded.filter((statement) => "sql" in statement && statement.sql === S2)).toEqual([]);
  });

  it("a step sent ahead whose fence finds the lock gone stops the run with the lost lock", async () => {
    const sink = new PipelinedSink({ version: "1" });
    const fresh: boolean[] = [];
    const error = await rejection(
      d
        .runner(sink, {
          verifyLock: async (asked) => {
            fresh.push(asked === true);
            if (!sink.lockHeld) throw new LockLostError("The migration lock x was lost (its database session ended).");
          },
          lockHeldCondition: LOCK,
          onEvent: (event) => {
            // The lock's session dies as step 2 ends: step 3, already sent, finds the lock gone.
            if (event.type === "step" && event.status === "done" && event.revision === "2") sink.lockHeld = false;
          },
        })
        .run([d.step("2", sqlBody(S1)), d.step("3", sqlBody(S2))]),
    );
    expect(error).toBeInstanceOf(LockLostError);
    // Before step 2, before sending step 3, and at the server's word once step 3's fence stopped it.
    expect(fresh).toEqual([false, false, true]);
    expect(sink.recorded.slice(-3)).toEqual([d.begin, ...withLock(d.versionRows("3")), ROLLBACK]);
  });

  it("sends nothing ahead under a lock the server cannot check", async () => {
    const sink = new PipelinedSink({ version: "1" });
    await run(sink, [], { verifyLock: async () => undefined });
    expect(sink.answeredWhenSent).toEqual([0, 1, 2]);
    expect(sink.batches[1]).toEqual([d.begin, ...d.versionRows("3"), { sql: S2 }, d.doneRow("3"), COMMIT]);
  });

  it("an interrupted run still finishes the step already sent, and starts none after it", async () => {
    const sink = new PipelinedSink({ version: "1" });
    let stop: { error: Error; settled: Promise<void> } | undefined;
    const timeline: Timeline = [];
    const error = await rejection(
      run(sink, timeline, {
        interruption: () => stop,
        onEvent: (event) => {
          if (event.type !== "step") return;
          timeline.push(`${event.status} ${event.revision}`);
          if (event.status === "done" && event.revision === "2")
            stop = { error: new Error("SIGINT"), settled: Promise.resolve() };
        },
      }),
    );
    expect(error.message).toContain("revision 4");
    expect(error.message).toContain("did not start: SIGINT");
    expect(timeline).toEqual(["start 2", "done 2", "start 3", "done 3"]);
    expect(sink.recorded.filter((statement) => "sql" in statement && statement.sql === "COMMIT")).toHaveLength(2);
  });
});

describe("what is never sent ahead", () => {
  it("a step whose fence does not need the rows the step before writes (another repository, another branch)", async () => {
    const other = { ...d.step("3", sqlBody(S2)), repositoryId: "other", repository: "other" };
    const branch = { ...d.step("4", sqlBody(S1)), changes: [{ phase: "", before: ["9"], after: ["4"] }] };
    const sink = new PipelinedSink({ version: "1" });
    await d.runner(sink, { verifyLock: async () => undefined, lockHeldCondition: LOCK }).run([d.step("2", sqlBody(S1)), other]);
    expect(sink.answeredWhenSent).toEqual([0, 1]);
    const again = new PipelinedSink({ version: "1" });
    await rejection(d.runner(again).run([d.step("2", sqlBody(S1)), branch]));
    expect(again.answeredWhenSent).toEqual([0, 1]);
  });
});
