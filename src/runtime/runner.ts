/**
 * Runs planned steps through one sink with the transaction boundaries of
 * SPEC §9: on transactional-DDL dialects each step and its version-row update
 * commit together; elsewhere a `running` log row is committed first, so a
 * crash or failure leaves a trace that blocks the repository until `repair`.
 * Every step is fenced (bookkeeping.ts), and the migration lock is verified
 * before each one.
 */
import type { Connection, ExecResult, Statement } from "../dialects/dialect.js";
import { createOpBuilder } from "../ops/builder.js";
import { BackfillStopped } from "./backfill.js";
import type { StepTransaction, StepTransactionControl, TransactionMode } from "./backfill-host.js";
import { loggedFinish, needsRowsOf, rowChanges, runningRow, stepKey } from "./bookkeeping.js";
import { InterruptedError } from "../errors.js";
import type { PlannedStep, StepOutcome, StepResult } from "./planned-step.js";
import { RunnerTransactions } from "./runner-transactions.js";
import { StepSentAhead, type StepInFlight } from "./step-sent-ahead.js";
import { runnerStepSink, type StepSink, type StepSinkSettings } from "./runner-step-sink.js";
import type { StepBody } from "./step-body.js";
import {
  batchStatements,
  canTravelInOneBatch,
  namingFailure,
  prepareScript,
  sendInOneBatch,
  type SqlBody,
  type StepBatch,
} from "./step-in-one-batch.js";
import { describeStep, fenceError, stepFailure } from "./step-failure.js";
import { eventLoopYielder } from "../util/yield-to-events.js";
import { monotonicMs } from "../util/clock.js";

export type { PlannedStep, RowChange, StepEvent, StepOutcome, StepResult } from "./planned-step.js";

export interface RunnerOptions extends StepSinkSettings {
  /** Online only: to re-read the version rows when a fence fails, and for the dialect's check before COMMIT. */
  readonly connection?: Connection;
  /** Online: throws when the migration lock was lost; called before each step (`fresh`: ask the server now). */
  readonly verifyLock?: (fresh?: boolean) => Promise<void>;
  /** The lock's MigrationLock.heldCondition: without one, a run under a lock sends no step ahead. */
  readonly lockHeldCondition?: Statement;
  readonly singleTransaction: boolean;
  /** Statements creating tidemark's missing tables, emitted once, inside the first step. */
  readonly ensureTables: readonly Statement[];
}

export class Runner {
  private tablesPending: readonly Statement[];
  /** The step running now (or last), for messages of callbacks such as tableModel. */
  current: PlannedStep | undefined;
  private budget: { remaining: number | undefined } | undefined;
  /** The next step's batch, sent while the current one runs (sendAhead). */
  private readonly ahead = new StepSentAhead();
  private readonly control: StepTransactionControl = {
    begin: async (checked) => {
      await this.transactions.begin();
      if (checked === true) this.transactions.noteBegun();
    },
    commit: () => this.transactions.commit(),
    rollback: () => this.transactions.rollbackQuietly(),
    emitFenced: async (step, statements) => this.checkFence(step, statements, await this.options.sink.emitBatch(statements)),
  };

  private readonly transactions: RunnerTransactions;

  constructor(private readonly options: RunnerOptions) {
    this.tablesPending = options.ensureTables;
    this.transactions = new RunnerTransactions(options);
  }

  private emit(statement: Statement): Promise<unknown> {
    return this.options.sink.emit(statement);
  }

  private emitAll(statements: readonly Statement[]): Promise<void> {
    return this.transactions.emitAll(statements);
  }

  /** tidemark's missing tables, the first time a step needs them. */
  private takePendingTables(): readonly Statement[] {
    const pending = this.tablesPending;
    this.tablesPending = [];
    return pending;
  }

  async run(steps: readonly PlannedStep[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    await this.emitAll(this.options.dialect.transactions.runSetup);
    try {
      if (!this.options.singleTransaction) {
        const letSignalsIn = eventLoopYielder();
        for (const [i, step] of steps.entries()) {
          if (this.options.signal !== undefined) await letSignalsIn();
          if (this.options.signal?.aborted === true && !this.ahead.isFor(step)) break;
          const result = await this.runStep(step, this.modeFor(step), steps[i + 1]);
          results.push(result);
          if (result.outcome === "stopped") break;
        }
        return results;
      }
      await this.transactions.begin();
      this.transactions.noteBegun();
      try {
        for (const step of steps) results.push(await this.runStep(step, "outer"));
        await this.transactions.verifyBeforeCommit();
        await this.transactions.commit();
      } catch (error) {
        await this.transactions.rollbackQuietly();
        throw error;
      }
      return results;
    } finally {
      await this.ahead.discard();
      await this.transactions.teardown();
    }
  }

  /** Writes version rows and a `stamp` log row without running any script. */
  async stamp(step: Omit<PlannedStep, "body" | "alreadyDone">, purge: readonly Statement[]): Promise<void> {
    const { dialect, logStore } = this.options;
    // Without transactional DDL, CREATE TABLE would commit the open transaction: create first.
    if (!dialect.caps.transactionalDdl) await this.emitAll(this.takePendingTables());
    await this.transactions.begin();
    try {
      await this.emitAll(this.takePendingTables());
      await this.emitAll(purge);
      for (const change of step.changes) {
        await this.emitAll(step.store.stampStatements(step.repositoryId, change.phase, change.before, change.after));
      }
      await this.emit(logStore.startStatement(stepKey(step), step.checksum, "done"));
      await this.transactions.commit();
    } catch (error) {
      await this.transactions.rollbackQuietly();
      throw error;
    }
  }

  private modeFor(step: PlannedStep): TransactionMode {
    return this.options.dialect.caps.transactionalDdl && step.revision.transactional ? "atomic" : "logged";
  }

  private async runStep(step: PlannedStep, mode: TransactionMode, next?: PlannedStep): Promise<StepResult> {
    const started = monotonicMs();
    this.current = step;
    const base = { repository: step.repository, revision: step.revision.id, phase: step.phase, direction: step.direction };
    // A step sent ahead is under way on the server: it ends as it ends, and was checked when it was sent.
    if (!this.ahead.isFor(step)) {
      const stop = this.options.interruption?.();
      if (stop !== undefined) {
        throw new InterruptedError(
          `${describeStep(step)} did not start: ${stop.error.message}. The steps before it are committed.`,
          { cause: stop.error },
        );
      }
      await this.options.verifyLock?.();
    }
    const message = step.revision.message;
    this.options.onEvent?.({ type: "step", status: "start", ...base, message });
    const outcome = mode === "logged" ? await this.runLogged(step) : await this.runAtomic(step, mode, next);
    const ms = monotonicMs() - started;
    this.options.onEvent?.({ type: "step", status: outcome, ...base, message, ms });
    return { ...base, outcome, ms };
  }

  /** One transaction for the step and its bookkeeping (`outer`: inside the command's one transaction). */
  private async runAtomic(step: PlannedStep, mode: "atomic" | "outer", next?: PlannedStep): Promise<StepOutcome> {
    const { logStore, sink } = this.options;
    const own = mode === "atomic";
    const tx: StepTransaction = { open: false, batched: false };
    try {
      const oneBatch = own ? this.oneBatchBody(step) : undefined;
      if (oneBatch !== undefined) return await this.runInOneBatch(step, oneBatch, tx, next);
      // BEGIN, tidemark's tables the first time, and the fenced version rows: one round trip where the driver can.
      const opening = [...(own ? [this.transactions.beginStatement()] : []), ...this.takePendingTables(), ...rowChanges(step)];
      const results = await sink.emitBatch(opening);
      tx.open = own;
      if (own) this.transactions.noteBegun();
      if (this.fenceBroken(opening, results)) {
        if (own) await this.transactions.rollbackQuietly();
        tx.open = false;
        return await this.afterBrokenFence(step);
      }
      await this.runBody(step, mode, tx);
      const key = stepKey(step);
      const done = tx.batched ? logStore.finishStatement(key, "done") : logStore.startStatement(key, step.checksum, "done");
      if (!own) {
        await this.emit(done);
        return "done";
      }
      await this.transactions.verifyBeforeCommit();
      await sink.emitBatch([done, { sql: this.options.dialect.transactions.commit }]);
      tx.open = false;
      return "done";
    } catch (error) {
      if (error instanceof BackfillStopped) {
        if (tx.open && own) await this.transactions.commit();
        return "stopped";
      }
      await this.options.interruption?.()?.settled;
      if (tx.open && own) await this.transactions.rollbackQuietly();
      throw stepFailure(step, error, tx.batched ? "batched" : "rolled-back");
    }
  }

  /** A committed `running` row first (fenced), then the step, then its version rows and `done` together. */
  private async runLogged(step: PlannedStep): Promise<StepOutcome> {
    const { dialect, logStore, sink } = this.options;
    const key = stepKey(step);
    const tx: StepTransaction = { open: false, batched: false };
    let running = false;
    try {
      await this.emitAll(this.takePendingTables());
      // A backfill resumed after a stop or a crash goes on in the `running` row its first run left.
      if (step.resumeFrom === undefined) {
        const start = runningRow(step, logStore);
        if (this.fenceBroken([start], [await sink.emit(start)])) return await this.afterBrokenFence(step);
      }
      running = true;
      if (step.revision.transactional) {
        await this.transactions.begin();
        this.transactions.noteBegun();
        tx.open = true;
      }
      await this.runBody(step, "logged", tx);
      const finish = loggedFinish(step, dialect, logStore);
      if (!finish.alone) {
        // START TRANSACTION also ends a transaction the body's DDL left half-open on MySQL.
        await this.transactions.begin();
        this.transactions.noteBegun();
        tx.open = true;
      }
      await this.control.emitFenced(step, finish.statements);
      if (tx.open) await this.transactions.commit();
      tx.open = false;
      return "done";
    } catch (error) {
      if (error instanceof BackfillStopped) {
        if (tx.open) await this.transactions.commit();
        return "stopped";
      }
      await this.options.interruption?.()?.settled;
      if (tx.open) await this.transactions.rollbackQuietly();
      const recorded = running && !sink.offline ? await this.transactions.markFailed(key, error) : false;
      throw stepFailure(step, error, recorded ? "partial" : running && !sink.offline ? "partial-unrecorded" : "partial");
    }
  }

  /** Did any fenced statement change other than the rows it must? Offline nothing is known, so no. */
  private fenceBroken(statements: readonly Statement[], results: readonly ExecResult[]): boolean {
    if (this.options.sink.offline) return false;
    return statements.some(
      (statement, i) => statement.expectRows !== undefined && results[i]?.affectedRows !== statement.expectRows,
    );
  }

  private checkFence(step: PlannedStep, statements: readonly Statement[], results: readonly ExecResult[]): void {
    if (!this.fenceBroken(statements, results)) return;
    throw fenceError(
      step,
      this.options.dialect.caps.transactionalDdl
        ? "and was rolled back"
        : "after its body ran, so the database holds it while the version rows do not say so; it is marked failed in " +
            "tidemark_log (check the database, then `tidemark repair`)",
    );
  }

  /**
   * SQLite holds no lock between steps, so a runner that waited may find a
   * step done by another: it skips it. Where a session lock is held, a
   * broken fence means the lock was lost: the run stops.
   */
  private async afterBrokenFence(step: PlannedStep): Promise<StepOutcome> {
    const { connection, dialect } = this.options;
    if (connection !== undefined && !dialect.caps.dedicatedLockConnection) {
      if (step.alreadyDone(await step.store.read(connection, step.repositoryId))) return "skipped";
    }
    throw fenceError(step, "before anything of it ran");
  }

  /**
   * The SQL body of a step that runs in its own transaction and travels in
   * one batch: where a batch is one round trip that a broken fence stops,
   * and nothing needs to run between its script and its COMMIT.
   */
  private oneBatchBody(step: PlannedStep): SqlBody | undefined {
    const { sink, observe, dialect } = this.options;
    const travels =
      this.modeFor(step) === "atomic" &&
      sink.sendsBatchesAtOnce === true &&
      observe === undefined &&
      dialect.introspector.verifyStep === undefined &&
      step.afterBody === undefined;
    return travels && canTravelInOneBatch(step.body) ? step.body : undefined;
  }

  /**
   * BEGIN, the fenced version rows, the script, the `done` row and COMMIT in
   * one round trip (step-in-one-batch.ts); the next step's batch is sent
   * before this one's answer where the connection pipelines (sendAhead).
   */
  private async runInOneBatch(step: PlannedStep, body: SqlBody, tx: StepTransaction, next?: PlannedStep): Promise<StepOutcome> {
    const ahead = this.ahead.take(step);
    const sent = ahead ?? (await this.sendOwnBatch(step, body, tx));
    tx.open = true;
    if (next !== undefined) await this.sendAhead(next, step);
    // A failure ends the run, whose end waits out a step sent behind this one (the server refuses it).
    const results = await sent.results;
    if (this.fenceBroken(sent.opening, results)) {
      await this.transactions.rollbackQuietly();
      tx.open = false;
      // Its fence also asked for the lock: a lost lock is the news, as when it is found before a step.
      if (ahead !== undefined) await this.options.verifyLock?.(true);
      return await this.afterBrokenFence(step);
    }
    tx.open = false;
    return "done";
  }

  private readonly interrupted = (): Error | undefined => this.options.interruption?.()?.error;

  /** The step's fenced version rows, its script (guarded and compiled), its `done` row and COMMIT; BEGIN is the caller's. */
  private async stepBatch(step: PlannedStep, body: SqlBody, tx: StepTransaction, onlyIf?: Statement): Promise<StepBatch> {
    const { logStore, dialect } = this.options;
    const stepSink = this.stepSinkFor(step, body, "atomic", tx);
    const script = await prepareScript(body, (sql, line, unsafe) => stepSink.prepareStatement(sql, line, unsafe));
    const closing = [logStore.startStatement(stepKey(step), step.checksum, "done"), { sql: dialect.transactions.commit }];
    return { opening: rowChanges(step, false, onlyIf), script, closing };
  }

  private async sendOwnBatch(step: PlannedStep, body: SqlBody, tx: StepTransaction): Promise<StepInFlight> {
    const batch = await this.stepBatch(step, body, tx);
    const stop = this.interrupted();
    if (stop !== undefined) throw stop;
    const tables = this.takePendingTables();
    tx.open = true;
    const begin = this.transactions.beginStatement();
    // tidemark's tables, the first time, on their own: what the server shows it runs (pg_stat_activity, ~1 KB) is then the step.
    if (tables.length > 0) await this.options.sink.emitBatch([begin, ...tables]);
    const opening = [...(tables.length > 0 ? [] : [begin]), ...batch.opening];
    const results = sendInOneBatch(this.options.sink, { ...batch, opening }, this.interrupted);
    // Read once the next step is sent (sendAhead).
    results.catch(() => undefined);
    return { step, opening, results };
  }

  /**
   * Sends `step`'s batch while the step before it still runs, so that the
   * server starts it as soon as that one commits and the client's work on
   * each step overlaps the server's. It cannot outrun a failure: its fence
   * expects a version row `before` writes (needsRowsOf), so after a failure
   * of `before` (transaction aborted, or rolled back at COMMIT) the server
   * refuses it.
   */
  private async sendAhead(step: PlannedStep, before: PlannedStep): Promise<void> {
    const { sink, signal, verifyLock, lockHeldCondition } = this.options;
    const send = sink.sendAhead;
    if (send === undefined || this.ahead.busy || this.tablesPending.length > 0 || !needsRowsOf(step, before)) return;
    // It runs when the step before it ends, which may be after the lock was lost: its fence asks for the lock too.
    if (verifyLock !== undefined && lockHeldCondition === undefined) return;
    const body = this.oneBatchBody(step);
    if (body === undefined) return;
    let batch: StepBatch;
    try {
      await verifyLock?.();
      batch = await this.stepBatch(step, body, { open: false, batched: false }, lockHeldCondition);
    } catch {
      // Said again, in its turn, when the step runs the usual way.
      return;
    }
    if (signal?.aborted === true || this.interrupted() !== undefined) return;
    if (!batch.opening.some((statement) => statement.expectRows !== undefined)) return;
    const full = { ...batch, opening: [this.transactions.beginStatement(), ...batch.opening] };
    const sent = send(batchStatements(full));
    const results = namingFailure(sent.results, full, this.interrupted);
    this.ahead.hold({ step, opening: full.opening, results, announce: sent.announce });
  }

  private async runBody(step: PlannedStep, mode: TransactionMode, tx: StepTransaction): Promise<void> {
    const { body } = step;
    if (body.kind !== "none") await this.runScript(step, body, mode, tx);
    if (step.afterBody !== undefined && this.options.connection !== undefined && !this.options.sink.offline) {
      await step.afterBody(this.options.connection);
    }
  }

  private async runScript(
    step: PlannedStep,
    body: Exclude<PlannedStep["body"], { kind: "none" }>,
    mode: TransactionMode,
    tx: StepTransaction,
  ): Promise<void> {
    const stepSink = this.stepSinkFor(step, body, mode, tx);
    if (body.kind === "sql") {
      for (const statement of body.statements) {
        await stepSink.runStatement(statement.sql, statement.line, statement.unsafe);
      }
    } else {
      const op = createOpBuilder(stepSink);
      await body.run(op);
      await op.drain();
    }
  }

  private stepSinkFor(
    step: PlannedStep,
    body: Exclude<StepBody, { kind: "none" }>,
    mode: TransactionMode,
    tx: StepTransaction,
  ): StepSink {
    this.budget ??= { remaining: this.options.maxCount };
    return runnerStepSink(this.options, { control: this.control, budget: this.budget }, step, body, mode, tx);
  }
}
