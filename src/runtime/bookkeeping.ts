/**
 * tidemark's own writes for a step — its version rows and its log row —
 * as few statements as the dialect allows, each fenced: it changes exactly
 * the rows the step was planned from, or the step stops (SPEC §9).
 *
 * - Transactional DDL (PostgreSQL, SQLite): the version rows move right
 *   after BEGIN, before the body runs, so a second runner is stopped before
 *   it does anything; one `done` log row is written before COMMIT.
 * - Logged steps (MySQL, `transactional = false`): a `running` row is
 *   committed first, written only while the version rows are as planned;
 *   after the body the version row and the log row move together — on
 *   MySQL in one multi-table UPDATE.
 */
import type { Dialect, Statement } from "../dialects/dialect.js";
import type { LogStore, StepKey } from "./log-store.js";
import type { PlannedStep, RowChange } from "./planned-step.js";

export function stepKey(step: Pick<PlannedStep, "repositoryId" | "revision" | "phase" | "direction">): StepKey {
  return { repository: step.repositoryId, revision: step.revision.id, phase: step.phase, direction: step.direction };
}

/** The fenced version-row writes of a step (or their undoing, `reverse`), each also only while `onlyIf` holds. */
export function rowChanges(
  step: Pick<PlannedStep, "store" | "repositoryId" | "changes">,
  reverse = false,
  onlyIf?: Statement,
): Statement[] {
  return step.changes.flatMap((change) =>
    reverse
      ? step.store.changeStatements(step.repositoryId, change.phase, change.after, change.before, onlyIf)
      : step.store.changeStatements(step.repositoryId, change.phase, change.before, change.after, onlyIf),
  );
}

/**
 * True when `next` can only commit after `step` did: one of its fenced
 * writes removes or moves a version row that `step` writes. Only such a
 * step may be sent before `step` answered: if `step` fails at COMMIT (its
 * transaction ended), nothing else would stop `next` — a step of another
 * branch or repository fences rows of its own.
 */
export function needsRowsOf(next: PlannedStep, step: PlannedStep): boolean {
  if (next.store !== step.store || next.repositoryId !== step.repositoryId) return false;
  return next.changes.some((change) => {
    const made = step.changes.find((earlier) => earlier.phase === change.phase);
    if (made === undefined) return false;
    const written = made.after.filter((id) => !made.before.includes(id));
    return change.before.some((id) => written.includes(id) && !change.after.includes(id));
  });
}

/** The `running` row of a logged step, written only while every phase's rows are as planned. */
export function runningRow(step: PlannedStep, logStore: LogStore): Statement {
  const fences = step.changes.map((change) => step.store.fence(step.repositoryId, change.phase, change.before));
  const fence: Statement =
    fences.length === 0
      ? { sql: "1 = 1" }
      : { sql: fences.map((f) => `(${f.sql})`).join(" AND "), params: fences.flatMap((f) => f.params ?? []) };
  return logStore.fencedStartStatement(stepKey(step), step.checksum, fence);
}

/** One head replaced by another in one phase: the change most steps make. */
function linearChange(changes: readonly RowChange[]): { phase: string; from: string; to: string } | undefined {
  const [change, more] = changes;
  if (change === undefined || more !== undefined) return undefined;
  const from = change.before.filter((id) => !change.after.includes(id));
  const to = change.after.filter((id) => !change.before.includes(id));
  if (from.length !== 1 || to.length !== 1) return undefined;
  return { phase: change.phase, from: from[0] as string, to: to[0] as string };
}

/**
 * After a logged step's body: its version rows and its `done` log row. One
 * statement where the dialect can update two tables at once (`alone`: no
 * transaction needed); else statements to run in one transaction.
 */
export function loggedFinish(
  step: PlannedStep,
  dialect: Dialect,
  logStore: LogStore,
): { readonly alone: boolean; readonly statements: Statement[] } {
  const key = stepKey(step);
  const linear = dialect.caps.multiTableUpdate ? linearChange(step.changes) : undefined;
  if (linear === undefined) {
    return { alone: false, statements: [...rowChanges(step), logStore.finishStatement(key, "done")] };
  }
  const v = step.store.movedInPlace(step.repositoryId, linear.phase, linear.from, linear.to);
  const l = logStore.closedInPlace(key, "done");
  return {
    alone: true,
    statements: [
      {
        sql: `UPDATE ${v.table}, ${l.table} SET ${v.set.sql}, ${l.set.sql} WHERE ${v.where.sql} AND ${l.where.sql}`,
        params: [...(v.set.params ?? []), ...(l.set.params ?? []), ...(v.where.params ?? []), ...(l.where.params ?? [])],
        // One version row and one log row.
        expectRows: 2,
        bookkeeping: true,
      },
    ],
  };
}
