/**
 * The sink one step's script runs through (step-context.ts), wired to the
 * runner: its phase rules and defaults, table shapes, interruption, and the
 * backfill host that commits batches through the runner's transaction.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import type { Op } from "../ops/op.js";
import type { BackfillOptions } from "../ops/backfill-options.js";
import { runBackfill, type BackfillProgress } from "./backfill.js";
import { backfillHost, type StepTransaction, type StepTransactionControl, type TransactionMode } from "./backfill-host.js";
import type { LogStore } from "./log-store.js";
import type { PlannedStep, StepEvent } from "./planned-step.js";
import type { StatementSink } from "./sink.js";
import { createStepSink } from "./step-context.js";
import type { StepBody } from "./step-body.js";
import { describeStep } from "./step-failure.js";

/** What of the runner's options a step's sink needs. */
export interface StepSinkSettings {
  readonly dialect: Dialect;
  readonly sink: StatementSink;
  readonly logStore: LogStore;
  readonly dbSchema?: string;
  readonly tableModel: (table: string) => Promise<TableModel | undefined>;
  /** `--max-count`: rows all backfills of this command may update. */
  readonly maxCount?: number;
  /** Aborted (Ctrl-C): no further step starts; a backfill stops after its current batch and resumes next run. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: StepEvent | BackfillProgress) => void;
  /** Sees every op a step ran (offline mode tracks table shapes with it). */
  readonly observe?: (op: Op) => void;
  /**
   * Set once SIGINT/SIGTERM stopped the run: no step or statement starts
   * after it; `settled` once the running statement's cancel was sent, so the
   * step's rollback or `failed` mark is not caught by that cancel.
   */
  readonly interruption?: () => { readonly error: Error; readonly settled: Promise<void> } | undefined;
}

export type StepSink = ReturnType<typeof createStepSink>;

export function runnerStepSink(
  settings: StepSinkSettings,
  runner: { readonly control: StepTransactionControl; readonly budget: { remaining: number | undefined } },
  step: PlannedStep,
  body: Exclude<StepBody, { kind: "none" }>,
  mode: TransactionMode,
  tx: StepTransaction,
): StepSink {
  const { dialect, sink, dbSchema, tableModel, observe, logStore, onEvent, signal, interruption } = settings;
  const interrupted = interruption === undefined ? undefined : () => interruption()?.error;
  const host = backfillHost(step, mode, tx, runner.control, {
    dialect,
    sink,
    logStore,
    budget: runner.budget,
    ...(signal === undefined ? {} : { signal }),
    ...(onEvent === undefined ? {} : { onEvent }),
    ...(interrupted === undefined ? {} : { interrupted }),
  });
  return createStepSink({
    dialect,
    sink,
    // Only messages need it: built when one is.
    get who() {
      return describeStep(step);
    },
    file: body.file,
    dbSchema,
    tableModel,
    observe,
    guard: step.guard,
    allow: step.allow,
    ...(step.rewrite === undefined ? {} : { rewrite: step.rewrite }),
    backfill: (options: BackfillOptions) => runBackfill(host, options),
    // SQL scripts were checked when they were prepared; ops and op.execute are checked as they run.
    ...(mode !== "logged" && body.kind === "function" ? { inTransaction: { revision: step.revision.id } } : {}),
    ...(interrupted === undefined ? {} : { interrupted }),
  });
}
