/**
 * `op.backfill`: an UPDATE done in batches ordered by a key, so a large
 * table is migrated without one long lock. A batch is as few statements as
 * the dialect allows (see backfill-batches.ts) and commits on its own; its
 * size adapts to a target time per batch (backfill-sizing.ts). The last
 * finished key is saved in the step's `running` log row; after a crash the
 * step runs again and the backfill resumes from there:
 * - when re-running a batch is harmless (backfill-idempotence.ts), it is
 *   written outside the batches, at most once a second and when the
 *   backfill stops (a crash re-runs at most a second of batches) — on
 *   PostgreSQL too: a log-row update in every batch's statement cost ~5% of
 *   the time and lengthened the application's slowest writes;
 * - otherwise PostgreSQL writes it in the batch's own statement, and the
 *   others in the batch's transaction: always exact.
 * No COUNT(*) first: `total` is an estimate (the key range, or the
 * catalog's row count), refined as the keys go by. Offline, it renders as
 * one UPDATE.
 */
import type { Dialect, ExecResult, Row, Statement } from "../dialects/dialect.js";
import type { BackfillOptions, BackfillResult } from "../ops/backfill-options.js";
import { backfillExpressionProblem } from "../phases/backfill-rules.js";
import { eventLoopYielder } from "../util/yield-to-events.js";
import {
  type BackfillSql,
  type BatchIo,
  type BatchResult,
  findBatchEnd,
  type Key,
  runPostgresBatch,
  updateRange,
} from "./backfill-batches.js";
import { estimateRows } from "./backfill-estimate.js";
import { type KeySteps, keySteps } from "./backfill-key-steps.js";
import { backfillIsIdempotent } from "./backfill-idempotence.js";
import { batchSizer } from "./backfill-sizing.js";
import { monotonicMs } from "../util/clock.js";

export interface BackfillProgress {
  readonly type: "progress";
  readonly repository: string;
  readonly revision: string;
  readonly table: string;
  readonly rows: number;
  readonly batches: number;
  /** Rows this backfill will update, estimated (no COUNT(*)) and refined after each batch. */
  readonly total: number;
  /** Milliseconds since this backfill started (its estimate included), for rates and ETAs. */
  readonly elapsedMs: number;
}

export interface BackfillHost {
  readonly dialect: Dialect;
  readonly offline: boolean;
  emit(statement: Statement): Promise<ExecResult>;
  query(sql: string, params: readonly unknown[]): Promise<Row[]>;
  /** Commits the step's open transaction, so that batches commit on their own (no-op in one big transaction). */
  suspend(): Promise<void>;
  /** Re-opens the step's transaction for the rest of its body. */
  resume(): Promise<void>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Saves the last finished key in the step's log row. */
  progressStatement(lastKey: string): Statement;
  /** The same with the key as an SQL expression, for PostgreSQL's one-statement batch. */
  progressFromSql?(valueSql: string): Statement;
  /** The run's interruption, checked before a batch that has no BEGIN of its own to refuse it. */
  interruption?(): Error | undefined;
  /**
   * A batch refused for a conflict with another node's write (Galera's
   * certification): the whole batch transaction rolled back and is run again.
   */
  isConflict?(error: unknown): boolean;
  /** The key an interrupted earlier run got to. */
  readonly resumeFrom: string | undefined;
  /** Rows this command may still update (`--max-count`); undefined = no limit. Shared by all backfills. */
  readonly budget: { remaining: number | undefined };
  /** True once the command was asked to stop (Ctrl-C): the backfill stops before its next batch. */
  stopRequested?(): boolean;
  onProgress(progress: Omit<BackfillProgress, "type" | "repository" | "revision">): void;
}

/** Thrown out of the script body when `--max-count` is used up or a stop was asked: the step stays `running`, to resume later. */
export class BackfillStopped extends Error {
  constructor(
    readonly rows: number,
    readonly reason: "max-count" | "signal" = "max-count",
  ) {
    super(`backfill stopped after ${rows} rows (${reason === "max-count" ? "--max-count" : "stop requested"})`);
  }
}

const BATCH_ATTEMPTS = 5;
/** Sampled progress is written at most this often (ms). */
const PROGRESS_EVERY_MS = 1000;

type ProgressMode = "in-statement" | "in-transaction" | "sampled";

/**
 * One batch. After a conflict it is run again whole (its statements re-read
 * the rows), never a statement of it alone; in-transaction it is wrapped in
 * BEGIN … progress … COMMIT.
 */
async function runBatch(
  host: BackfillHost,
  io: BatchIo,
  sql: BackfillSql,
  after: Key | undefined,
  limit: number,
  mode: ProgressMode,
  steps: KeySteps | undefined,
): Promise<BatchResult> {
  for (let attempt = 1; ; attempt += 1) {
    const transaction = mode === "in-transaction";
    if (!transaction) {
      const stop = host.interruption?.();
      if (stop !== undefined) throw stop;
    }
    let begun = false;
    try {
      // PostgreSQL's exact progress: one statement updates the batch and writes its end key.
      if (mode === "in-statement") return await runPostgresBatch(io, sql, after, limit, host.progressFromSql);
      // The end key is found before the transaction (stepped, or read): only the UPDATE holds locks.
      const end = steps === undefined ? await findBatchEnd(io, sql, after, limit) : await steps.end(Number(after), limit);
      if (end === undefined) return { rows: 0, keys: 0, last: undefined, final: true };
      if (transaction) {
        await host.begin();
        begun = true;
      }
      const result = await updateRange(io, sql, after, limit, end);
      if (transaction) {
        await host.emit(host.progressStatement(String(end.key)));
        await host.commit();
      }
      // A stepped batch counts the rows it changed against --max-count: its width may hold gaps.
      return steps === undefined ? result : { ...result, keys: result.rows, width: limit };
    } catch (error) {
      if (begun) await host.rollback();
      if (host.isConflict?.(error) !== true || attempt >= BATCH_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

function keyValue(text: string): string | number {
  return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
}

/** The parts of the batches' statements; throws when `where` or `set` is more than one expression. */
function backfillSql(dialect: Dialect, options: BackfillOptions): BackfillSql {
  const q = (name: string) => dialect.compiler.quoteIdentifier(name);
  const assignments = Object.entries(options.set)
    .map(([column, expression]) => `${q(column)} = ${expression}`)
    .join(", ");
  if (assignments === "") throw new TypeError(`backfill of ${options.table} needs at least one column in \`set\``);
  const problem = backfillExpressionProblem(options, dialect.name);
  if (problem !== undefined) throw new TypeError(problem);
  return {
    table: dialect.compiler.quoteTable(options.table),
    key: q(options.key ?? "id"),
    where: options.where === undefined ? "1 = 1" : `(${options.where})`,
    assignments,
  };
}

/** The whole backfill as one UPDATE: what offline mode prints and what the phase rules classify. */
export function backfillAsUpdate(dialect: Dialect, options: BackfillOptions): string {
  const q = (name: string) => dialect.compiler.quoteIdentifier(name);
  const assignments = Object.entries(options.set)
    .map(([column, expression]) => `${q(column)} = ${expression}`)
    .join(", ");
  const where = options.where === undefined ? "1 = 1" : `(${options.where})`;
  return `UPDATE ${dialect.compiler.quoteTable(options.table)} SET ${assignments} WHERE ${where}`;
}

function progressMode(host: BackfillHost, options: BackfillOptions): ProgressMode {
  if (backfillIsIdempotent(options.set, host.dialect.name)) return "sampled";
  return host.dialect.caps.writableCte && host.progressFromSql !== undefined ? "in-statement" : "in-transaction";
}

export async function runBackfill(host: BackfillHost, options: BackfillOptions): Promise<BackfillResult> {
  const { dialect } = host;
  const sql = backfillSql(dialect, options);
  if (host.offline) {
    await host.emit({ sql: `UPDATE ${sql.table} SET ${sql.assignments} WHERE ${sql.where}` });
    return { rows: 0, batches: 0, stopped: false };
  }
  const sizer = batchSizer(options);
  const mode = progressMode(host, options);
  const started = monotonicMs();
  // An empty mark means the step was interrupted before its first batch finished.
  let last: Key | undefined = host.resumeFrom === undefined || host.resumeFrom === "" ? undefined : keyValue(host.resumeFrom);
  const io: BatchIo = {
    query: (text: string, params: readonly unknown[]) => host.query(text, params),
    emit: (statement: Statement) => host.emit(statement),
  };
  const estimate = await estimateRows(io.query, dialect, options.table, sql, last);
  // PostgreSQL's exact progress lives in its one-statement batch, which finds its own end.
  let steps = estimate.keyRange === undefined || mode === "in-statement" ? undefined : keySteps(io, sql, estimate.keyRange);
  await host.suspend();
  let rows = 0;
  let batches = 0;
  let saved = last;
  let savedAt = monotonicMs();
  const saveProgress = async () => {
    if (mode !== "sampled" || last === undefined || last === saved) return;
    await host.emit(host.progressStatement(String(last)));
    saved = last;
    savedAt = monotonicMs();
  };
  let stopped: "max-count" | "signal" | undefined;
  const letSignalsIn = eventLoopYielder();
  try {
    for (;;) {
      const allowed = host.budget.remaining === undefined ? sizer.size : Math.min(sizer.size, host.budget.remaining);
      if (allowed <= 0) {
        stopped = "max-count";
        break;
      }
      if (host.stopRequested !== undefined) await letSignalsIn();
      if (host.stopRequested?.() === true) {
        stopped = "signal";
        break;
      }
      const began = monotonicMs();
      // Stepping starts below the first key; reading end keys, from the table's start.
      const batch = await runBatch(host, io, sql, last ?? steps?.start, allowed, mode, steps);
      sizer.took(batch.width ?? batch.keys, monotonicMs() - began);
      if (batch.last === undefined) break;
      rows += batch.rows;
      last = batch.last;
      batches += 1;
      if (host.budget.remaining !== undefined) host.budget.remaining -= batch.keys;
      // Sparse keys (fewer than half the range's keys exist, or match `where`): stepping would need ever
      // wider ranges, and a wide range that reaches a dense stretch would lock too many rows at once.
      // The rest of the backfill reads each batch's end key instead.
      if (batch.width !== undefined && !batch.final && batch.rows < batch.width / 2) steps = undefined;
      if (mode === "sampled" && monotonicMs() - savedAt >= PROGRESS_EVERY_MS) await saveProgress();
      host.onProgress({
        table: options.table,
        rows,
        batches,
        total: estimate.total(rows, last),
        elapsedMs: Math.round(monotonicMs() - started),
      });
      if (batch.final) break;
    }
  } catch (error) {
    // The batches done stay done: an interruption or failure resumes after the last of them.
    await saveProgress().catch(() => undefined);
    throw error;
  }
  if (stopped !== undefined) {
    await saveProgress();
    throw new BackfillStopped(rows, stopped);
  }
  // The finished step's row shows where the backfill ended, as when every batch wrote it.
  await saveProgress();
  await host.resume();
  return { rows, batches, stopped: false };
}
