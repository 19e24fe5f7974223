/**
 * A backfill batch refused for a conflict (Galera certification, a deadlock)
 * is run again whole, in a new transaction; anything else, or a dialect
 * that does not say what a conflict is, fails the step as before. A `set`
 * that reads what it writes keeps its progress in the batch's transaction
 * (BEGIN … PROGRESS … COMMIT); an idempotent one runs its batch without one.
 */
import { describe, expect, it } from "vitest";
import { mysqlDialect } from "../../../src/dialects/mysql/mysql-dialect.js";
import type { Statement } from "../../../src/dialects/dialect.js";
import { DatabaseError } from "../../../src/errors.js";
import { runBackfill, type BackfillHost } from "../../../src/runtime/backfill.js";

const conflict = () =>
  new DatabaseError("Deadlock found when trying to get lock; try restarting transaction", { fields: { errno: 1213 } });

/** A host over keys 1..4 whose first `failures` UPDATEs throw `error()`; records the transaction calls. */
function host(failures: number, error: () => Error, conflicts: boolean) {
  const calls: string[] = [];
  let left = failures;
  const value: BackfillHost = {
    dialect: mysqlDialect,
    offline: false,
    emit: (statement: Statement) => {
      calls.push(statement.sql.split(" ")[0]!);
      if (statement.sql.startsWith("UPDATE `t`") && left > 0) {
        left -= 1;
        return Promise.reject(error());
      }
      return Promise.resolve({ affectedRows: 2 });
    },
    // Keys 1 and 2: the key range first, then the batch's end (no 5th key, so the last one, 2), none after a COMMIT.
    query: (sql) =>
      Promise.resolve(
        sql.includes(" AS lo")
          ? [{ lo: 1, hi: 2 }]
          : [{ k: null, last_k: calls.includes("COMMIT") || calls.includes("PROGRESS") ? null : 2 }],
      ),
    suspend: () => Promise.resolve(),
    resume: () => Promise.resolve(),
    begin: async () => void calls.push("BEGIN"),
    commit: async () => void calls.push("COMMIT"),
    rollback: async () => void calls.push("ROLLBACK"),
    progressStatement: (lastKey) => ({ sql: "PROGRESS", params: [lastKey] }),
    ...(conflicts ? { isConflict: mysqlDialect.driver.isConflict! } : {}),
    resumeFrom: undefined,
    budget: { remaining: undefined },
    onProgress: () => undefined,
  };
  return { value, calls };
}

describe("backfill batches and conflicts", () => {
  it("runs a batch refused for a conflict again, whole, in a new transaction", async () => {
    const { value, calls } = host(2, conflict, true);
    expect(await runBackfill(value, { table: "t", set: { a: "a + 1" }, batchSize: 5 })).toEqual({
      rows: 2,
      batches: 1,
      stopped: false,
    });
    expect(calls).toEqual([
      "BEGIN",
      "UPDATE",
      "ROLLBACK",
      "BEGIN",
      "UPDATE",
      "ROLLBACK",
      "BEGIN",
      "UPDATE",
      "PROGRESS",
      "COMMIT",
    ]);
  });

  it("fails the step on any other error, and on a conflict where the dialect cannot tell one", async () => {
    const other = host(1, () => new DatabaseError("Data too long", { fields: { errno: 1406 } }), true);
    await expect(runBackfill(other.value, { table: "t", set: { a: "a + 1" } })).rejects.toThrow("Data too long");
    expect(other.calls).toEqual(["BEGIN", "UPDATE", "ROLLBACK"]);
    const unknown = host(1, conflict, false);
    await expect(runBackfill(unknown.value, { table: "t", set: { a: "a + 1" } })).rejects.toThrow("Deadlock");
    expect(unknown.calls).toEqual(["BEGIN", "UPDATE", "ROLLBACK"]);
  });

  it("re-runs a conflicting batch whole without a transaction when its set is idempotent; progress is sampled", async () => {
    const { value, calls } = host(1, conflict, true);
    expect(await runBackfill(value, { table: "t", set: { a: "b" }, batchSize: 5 })).toEqual({
      rows: 2,
      batches: 1,
      stopped: false,
    });
    // No BEGIN/COMMIT around the batch; its progress is written once, outside it, when the backfill ends.
    expect(calls).toEqual(["UPDATE", "UPDATE", "PROGRESS"]);
  });
});
