/**
 * Runs planned steps through one sink with the transaction boundaries of
 * SPEC §9: on transactional-DDL dialects each step and its version-row update
 * commit together; elsewhere a `running` log row is committed first, so a
 * crash or failure leaves a trace that blocks the repository until `repair`.
 */
import type { Connection, Dialect, Statement } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import type { Op } from "../ops/op.js";
import { createOpBuilder, type OpMethod } from "../ops/builder.js";
import type { BackfillOptions } from "../ops/backfill-options.js";
import { BackfillStopped, runBackfill, type BackfillHost, type BackfillProgress } from "./backfill.js";
import type { Revision } from "../graph/revision.js";
import { MigrationError, messageOf } from "../errors.js";
import type { LogStore, StepDirection } from "./log-store.js";
import type { StatementSink } from "./sink.js";
import { createStepSink } from "./step-context.js";
import { describeStep, stepFailure } from "./step-failure.js";
import type { StepBody } from "./step-body.js";
import type { VersionRow, VersionStore } from "./version-store.js";

export interface RowChange {
  readonly phase: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface PlannedStep {
  readonly repository: string;
  readonly repositoryId: string;
  readonly store: VersionStore;
  readonly revision: Revision;
  readonly phase: string;
  readonly direction: StepDirection;
  readonly body: StepBody;
  readonly checksum: string | null;
  readonly changes: readonly RowChange[];
  /** Given fresh version rows, did another runner already do this step? */
  readonly alreadyDone: (rows: readonly VersionRow[]) => boolean;
  /** Phase rules for this step, if any. */
  readonly guard?: (op: Op) => void;
  readonly allow?: (method: OpMethod) => void;
  /** A crashed earlier run's backfill got this far (the key in its `running` log row). */
  readonly resumeFrom?: string;
}

/** `stopped`: `--max-count` ended a backfill; the step stays `running` and resumes next time. */
export type StepOutcome = "done" | "skipped" | "stopped";

export interface StepEvent {
  readonly type: "step";
  readonly status: "start" | StepOutcome;
  readonly repository: string;
  readonly revision: string;
  readonly phase: string;
  readonly direction: StepDirection;
  readonly ms?: number;
}

export interface StepResult {
  readonly repository: string;
  readonly revision: string;
  readonly phase: string;
  readonly direction: StepDirection;
  readonly outcome: StepOutcome;
  readonly ms: number;
}

export interface RunnerOptions {
  readonly dialect: Dialect;
  readonly sink: StatementSink;
  /** Online only: used to re-read the version rows inside a step's transaction. */
  readonly connection?: Connection;
  readonly logStore: LogStore;
  readonly dbSchema?: string;
  readonly singleTransaction: boolean;
  /** Statements creating tidemark's missing tables, emitted once, inside the first step. */
  readonly ensureTables: readonly Statement[];
  readonly tableModel: (table: string) => Promise<TableModel | undefined>;
  readonly split: (sql: string) => readonly { readonly sql: string; readonly unsafe?: string }[];
  /** `--max-count`: rows all backfills of this command may update. */
  readonly maxCount?: number;
  readonly onEvent?: (event: StepEvent | BackfillProgress) => void;
  /** Sees every op a step ran (offline mode tracks table shapes with it). */
  readonly observe?: (op: Op) => void;
}

type TransactionMode = "atomic" | "logged" | "outer";

export class Runner {
  private tablesPending: readonly Statement[];
  /** The step running now (or last), for messages of callbacks such as tableModel. */
  current: PlannedStep | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.tablesPending = options.ensureTables;
  }

  private emit(statement: Statement): Promise<unknown> {
    return this.options.sink.emit(statement);
  }

  private async emitAll(statements: readonly Statement[]): Promise<void> {
    for (const statement of statements) await this.emit(statement);
  }

  private async ensureTables(): Promise<void> {
    const pending = this.tablesPending;
    this.tablesPending = [];
    await this.emitAll(pending);
  }

  async run(steps: readonly PlannedStep[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    if (!this.options.singleTransaction) {
      for (const step of steps) {
        const result = await this.runStep(step, this.modeFor(step));
        results.push(result);
        if (result.outcome === "stopped") break;
      }
      return results;
    }
    await this.begin(steps.some((step) => step.body.kind === "function"));
    try {
      for (const step of steps) results.push(await this.runStep(step, "outer"));
      await this.commit();
    } catch (error) {
      await this.rollbackQuietly();
      throw error;
    }
    return results;
  }

  /** Writes version rows and a `stamp` log row without running any script. */
  async stamp(step: Omit<PlannedStep, "body" | "alreadyDone">, purge: readonly Statement[]): Promise<void> {
    const { dialect, logStore } = this.options;
    // Without transactional DDL, CREATE TABLE would commit the open transaction: create first.
    if (!dialect.caps.transactionalDdl) await this.ensureTables();
    await this.begin();
    try {
      await this.ensureTables();
      await this.emitAll(purge);
      await this.emitAll(this.rowStatements(step));
      await this.emit(logStore.startStatement(this.keyOf(step), step.checksum, "done"));
      await this.commit();
    } catch (error) {
      await this.rollbackQuietly();
      throw error;
    }
  }

  private modeFor(step: PlannedStep): TransactionMode {
    return this.options.dialect.caps.transactionalDdl && step.revision.transactional ? "atomic" : "logged";
  }

  private keyOf(step: Pick<PlannedStep, "repositoryId" | "revision" | "phase" | "direction">) {
    return { repository: step.repositoryId, revision: step.revision.id, phase: step.phase, direction: step.direction };
  }

  private rowStatements(step: Pick<PlannedStep, "store" | "repositoryId" | "changes">): Statement[] {
    return step.changes.flatMap((change) =>
      step.store.updateStatements(step.repositoryId, change.phase, change.before, change.after),
    );
  }

  private async runStep(step: PlannedStep, mode: TransactionMode): Promise<StepResult> {
    const { dialect, logStore, sink, onEvent } = this.options;
    const started = performance.now();
    this.current = step;
    const base = { repository: step.repository, revision: step.revision.id, phase: step.phase, direction: step.direction };
    onEvent?.({ type: "step", status: "start", ...base });
    const key = this.keyOf(step);
    // `batched`: a backfill committed batches of its own, so a failure no longer undoes the whole step.
    const tx = { open: false, batched: false };
    let inTransaction = false;
    let loggedRunning = false;
    try {
      if (mode === "atomic") {
        await this.begin(step.body.kind === "function");
        inTransaction = true;
      }
      // Most steps need neither call: decided synchronously, without the async round trips.
      if (this.tablesPending.length > 0) await this.ensureTables();
      if (mode === "atomic" && this.mayHaveRaced() && (await this.doneByAnotherRunner(step))) {
        await this.commit();
        const ms = performance.now() - started;
        onEvent?.({ type: "step", status: "skipped", ...base, ms });
        return { ...base, outcome: "skipped", ms };
      }
      // Inside the step's transaction a `running` row can never be seen (a failure or a crash
      // rolls it back), so transactional steps write one `done` row at the end instead.
      if (mode === "logged") {
        await this.emit(logStore.startStatement(key, step.checksum));
        loggedRunning = true;
      }
      if (mode === "logged" && step.revision.transactional) {
        await this.begin(step.body.kind === "function");
        inTransaction = true;
      }
      tx.open = inTransaction;
      try {
        await this.runBody(step, mode, tx);
      } finally {
        inTransaction = tx.open;
      }
      await this.emitAll(this.rowStatements(step));
      await this.emit(
        loggedRunning || tx.batched ? logStore.finishStatement(key, "done") : logStore.startStatement(key, step.checksum, "done"),
      );
      if (inTransaction && mode !== "outer") {
        await this.commit();
        inTransaction = false;
      }
    } catch (error) {
      if (error instanceof BackfillStopped) {
        if (inTransaction && mode !== "outer") await this.commit();
        const ms = performance.now() - started;
        onEvent?.({ type: "step", status: "stopped", ...base, ms });
        return { ...base, outcome: "stopped", ms };
      }
      if (inTransaction && mode !== "outer") await this.rollbackQuietly();
      if (mode === "logged" && loggedRunning && !sink.offline) {
        await this.markFailed(key, error);
      }
      throw stepFailure(step, error, mode === "logged" ? "partial" : tx.batched ? "batched" : "rolled-back");
    }
    const ms = performance.now() - started;
    onEvent?.({ type: "step", status: "done", ...base, ms });
    return { ...base, outcome: "done", ms };
  }

  /**
   * A session lock held for the whole command (PostgreSQL, MySQL) already keeps other
   * runners out; SQLite only locks per transaction, so it re-reads the rows in each.
   */
  private mayHaveRaced(): boolean {
    return this.options.connection !== undefined && !this.options.dialect.caps.dedicatedLockConnection;
  }

  private async doneByAnotherRunner(step: PlannedStep): Promise<boolean> {
    const { connection } = this.options;
    if (connection === undefined) return false;
    const rows = await step.store.read(connection, step.repositoryId);
    for (const change of step.changes) {
      const current = rows.filter((row) => row.phase === change.phase).map((row) => row.version);
      if (sameSet(current, change.before)) continue;
      if (step.alreadyDone(rows)) return true;
      throw new MigrationError(
        step.revision.id,
        undefined,
        `The version rows of repository ${step.repository} changed while tidemark was planning ` +
          `(expected ${describeRows(change.before)}, found ${describeRows(current)}); nothing was run. Run the command again.`,
      );
    }
    return false;
  }

  private budget: { remaining: number | undefined } | undefined;

  private backfillHost(step: PlannedStep, mode: TransactionMode, tx: { open: boolean; batched: boolean }): BackfillHost {
    const { dialect, sink, logStore, onEvent } = this.options;
    this.budget ??= { remaining: this.options.maxCount };
    const key = this.keyOf(step);
    return {
      dialect,
      offline: sink.offline,
      emit: (statement) => sink.emit(statement),
      query: (sql, params) => sink.query(sql, params, describeStep(step)),
      // In one big transaction the batches simply run inside it.
      suspend: async () => {
        if (mode !== "outer" && tx.open) {
          // Batches commit on their own from here: the step needs a `running` row that outlives a
          // crash, marked resumable from its first batch in case none finishes.
          if (mode === "atomic") await sink.emit(logStore.startStatement(key, step.checksum));
          if (step.resumeFrom === undefined) await sink.emit(logStore.progressStatement(key, ""));
          await this.commit();
          tx.open = false;
          tx.batched = true;
        }
      },
      resume: async () => {
        if (mode !== "outer" && !tx.open && (mode === "atomic" || step.revision.transactional)) {
          await this.begin(true);
          tx.open = true;
        }
      },
      begin: () => (mode === "outer" ? Promise.resolve() : this.begin()),
      commit: () => (mode === "outer" ? Promise.resolve() : this.commit()),
      rollback: () => (mode === "outer" ? Promise.resolve() : this.rollbackQuietly()),
      progressStatement: (lastKey) => logStore.progressStatement(key, lastKey),
      // Inside one big transaction a conflict undid more than the batch: nothing to retry.
      ...(mode === "outer" || dialect.isConflict === undefined ? {} : { isConflict: dialect.isConflict }),
      resumeFrom: step.resumeFrom,
      budget: this.budget,
      onProgress: (progress) => onEvent?.({ type: "progress", repository: step.repository, revision: step.revision.id, ...progress }),
    };
  }

  private async runBody(step: PlannedStep, mode: TransactionMode, tx: { open: boolean; batched: boolean }): Promise<void> {
    const { body } = step;
    if (body.kind === "none") return;
    const { dialect, sink, dbSchema, tableModel, split, observe } = this.options;
    const stepSink = createStepSink({
      dialect,
      sink,
      // Only messages need it: built when one is.
      get who() {
        return describeStep(step);
      },
      file: body.file,
      dbSchema,
      tableModel,
      split,
      observe,
      guard: step.guard,
      allow: step.allow,
      backfill: (options: BackfillOptions) => runBackfill(this.backfillHost(step, mode, tx), options),
    });
    if (body.kind === "sql") {
      for (const statement of body.statements) {
        await stepSink.runStatement(statement.sql, statement.line, statement.unsafe);
      }
      return;
    }
    const op = createOpBuilder(stepSink);
    await body.run(op);
    await op.drain();
  }

  /** The dialect's step set-up (SQLite: foreign keys off) is in force for the open transaction. */
  private setupActive = false;

  /**
   * Opens a transaction. `setup`: the steps in it may rebuild tables, so the
   * dialect's set-up runs first and its check before COMMIT. Only script
   * bodies can rebuild (SQL statements run as written), and the set-up costs
   * SQLite its prepared statements, so SQL-only steps go without.
   */
  private async begin(setup = false): Promise<void> {
    const { dialect } = this.options;
    if (setup && dialect.stepSetup.length > 0) {
      await this.emitAll(dialect.stepSetup);
      this.setupActive = true;
    }
    await this.emit({ sql: dialect.beginSql });
  }

  private async commit(): Promise<void> {
    const { dialect, connection } = this.options;
    if (this.setupActive) {
      if (connection !== undefined && dialect.verifyStep !== undefined) await dialect.verifyStep(connection);
      // Offline there is nobody to run the check: the script checks itself.
      if (connection === undefined) await this.emitAll(dialect.verifyStepSql ?? []);
    }
    await this.emit({ sql: dialect.commitSql });
    if (this.setupActive) await this.teardown();
  }

  private async teardown(): Promise<void> {
    if (!this.setupActive) return;
    this.setupActive = false;
    await this.emitAll(this.options.dialect.stepTeardown);
  }

  private async rollbackQuietly(): Promise<void> {
    try {
      await this.emit({ sql: this.options.dialect.rollbackSql });
      await this.teardown();
    } catch {
      // The connection may be gone; the original error is the one to report.
    }
  }

  private async markFailed(key: ReturnType<Runner["keyOf"]>, error: unknown): Promise<void> {
    try {
      await this.emit(this.options.logStore.finishStatement(key, "failed", messageOf(error).slice(0, 2000)));
    } catch {
      // Leaving the row `running` blocks the repository just the same.
    }
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

function describeRows(rows: readonly string[]): string {
  return rows.length === 0 ? "base" : rows.join(", ");
}
