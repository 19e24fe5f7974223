/**
 * What a backfill inside a step may do with the step's transaction. Its
 * batches commit on their own, so on the first batch the step's open
 * transaction is committed — with the version rows put back as they were,
 * because the step is not done — and a `running` log row that outlives a
 * crash marks where to resume. When the body goes on, the transaction is
 * opened again and the version rows move (fenced) once more.
 */
import type { Dialect, Statement } from "../dialects/dialect.js";
import type { BackfillHost, BackfillProgress } from "./backfill.js";
import { rowChanges, stepKey } from "./bookkeeping.js";
import type { LogStore } from "./log-store.js";
import type { PlannedStep } from "./planned-step.js";
import type { StatementSink } from "./sink.js";
import { describeStep } from "./step-failure.js";

export type TransactionMode = "atomic" | "logged" | "outer";

/** The step's transaction: open or not; `batched` once a backfill committed batches of its own. */
export interface StepTransaction {
  open: boolean;
  batched: boolean;
}

export interface StepTransactionControl {
  /** `checked`: the step's own transaction, whose COMMIT the dialect's check precedes (not a backfill batch's). */
  begin(checked?: boolean): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Emits fenced statements and throws when one of them did not change the rows it must. */
  emitFenced(step: PlannedStep, statements: readonly Statement[]): Promise<void>;
}

export interface BackfillHostOptions {
  readonly dialect: Dialect;
  readonly sink: StatementSink;
  readonly logStore: LogStore;
  readonly budget: { remaining: number | undefined };
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BackfillProgress) => void;
  /** Set once the run was interrupted (Ctrl-C): no further batch starts. */
  readonly interrupted?: () => Error | undefined;
}

export function backfillHost(
  step: PlannedStep,
  mode: TransactionMode,
  tx: StepTransaction,
  control: StepTransactionControl,
  options: BackfillHostOptions,
): BackfillHost {
  const { dialect, sink, logStore, onEvent, interrupted } = options;
  const key = stepKey(step);
  return {
    dialect,
    offline: sink.offline,
    emit: (statement) => sink.emit(statement),
    query: (sql, params) => sink.query(sql, params, describeStep(step)),
    // In one big transaction the batches simply run inside it.
    suspend: async () => {
      if (mode === "outer" || !tx.open) return;
      if (mode === "atomic") {
        await control.emitFenced(step, rowChanges(step, true));
        // A resumed step goes on in the `running` row its first run left.
        if (step.resumeFrom === undefined) await sink.emit(logStore.startStatement(key, step.checksum));
      }
      if (step.resumeFrom === undefined) await sink.emit(logStore.progressStatement(key, ""));
      await control.commit();
      tx.open = false;
      tx.batched = true;
    },
    resume: async () => {
      if (mode === "outer" || tx.open || !(mode === "atomic" || step.revision.transactional)) return;
      await control.begin(true);
      tx.open = true;
      if (mode === "atomic") await control.emitFenced(step, rowChanges(step));
    },
    begin: () => {
      const stop = interrupted?.();
      if (stop !== undefined) return Promise.reject(stop);
      return mode === "outer" ? Promise.resolve() : control.begin();
    },
    commit: () => (mode === "outer" ? Promise.resolve() : control.commit()),
    rollback: () => (mode === "outer" ? Promise.resolve() : control.rollback()),
    progressStatement: (lastKey) => logStore.progressStatement(key, lastKey),
    progressFromSql: (valueSql) => logStore.progressFromSql(key, valueSql),
    // Batches that commit on their own (no BEGIN to refuse) check for an interruption here.
    interruption: () => interrupted?.(),
    // Inside one big transaction a conflict undid more than the batch: nothing to retry.
    ...(mode === "outer" || dialect.driver.isConflict === undefined ? {} : { isConflict: dialect.driver.isConflict }),
    resumeFrom: step.resumeFrom,
    budget: options.budget,
    // In one big transaction a stop would keep nothing: the batches are not committed on their own.
    stopRequested: () => mode !== "outer" && options.signal?.aborted === true,
    onProgress: (progress) =>
      onEvent?.({ type: "progress", repository: step.repository, revision: step.revision.id, ...progress }),
  };
}
