/**
 * `op.backfill`: an UPDATE done in batches ordered by a key, each batch in
 * its own transaction, so a large table is migrated without one long lock.
 * The last finished key is saved in the step's `running` log row; after a
 * crash the step runs again and the backfill resumes from there. Offline,
 * it renders as one UPDATE.
 */
import type { Dialect, ExecResult, Row, Statement } from "../dialects/dialect.js";
import type { BackfillOptions, BackfillResult } from "../ops/backfill-options.js";
import { eventLoopYielder } from "../util/yield-to-events.js";
import { backfillExpressionProblem } from "../phases/backfill-rules.js";

export interface BackfillProgress {
  readonly type: "progress";
  readonly repository: string;
  readonly revision: string;
  readonly table: string;
  readonly rows: number;
  readonly batches: number;
  /** Rows left when the backfill started (for a progress bar). */
  readonly total: number;
  /** Milliseconds since this backfill started (its count included), for rates and ETAs. */
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

/**
 * One batch in its own transaction. After a conflict the batch is run again
 * whole (its UPDATE re-reads the rows), never a statement of it alone.
 */
async function runBatch(host: BackfillHost, update: Statement, lastKey: string): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    await host.begin();
    try {
      const result = await host.emit(update);
      await host.emit(host.progressStatement(lastKey));
      await host.commit();
      return result.affectedRows;
    } catch (error) {
      await host.rollback();
      if (host.isConflict?.(error) !== true || attempt >= BATCH_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

function keyValue(text: string): string | number {
  return /^-?\d{1,15}$/.test(text) ? Number(text) : text;
}

interface BackfillSql {
  readonly table: string;
  readonly key: string;
  readonly where: string;
  readonly assignments: string;
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

export async function runBackfill(host: BackfillHost, options: BackfillOptions): Promise<BackfillResult> {
  const { dialect } = host;
  const { table, key, where, assignments } = backfillSql(dialect, options);
  if (host.offline) {
    await host.emit({ sql: `UPDATE ${table} SET ${assignments} WHERE ${where}` });
    return { rows: 0, batches: 0, stopped: false };
  }
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  const started = performance.now();
  // An empty mark means the step was interrupted before its first batch finished.
  let last: string | number | undefined =
    host.resumeFrom === undefined || host.resumeFrom === "" ? undefined : keyValue(host.resumeFrom);
  const after = () => (last === undefined ? "" : `${key} > ? AND `);
  const afterParams = () => (last === undefined ? [] : [last]);
  const [counted] = await host.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${after()}${where}`, afterParams());
  const total = Number(counted?.n ?? 0);
  await host.suspend();
  let rows = 0;
  let batches = 0;
  let stopped: "max-count" | "signal" | undefined;
  const letSignalsIn = eventLoopYielder();
  for (;;) {
    const allowed = host.budget.remaining === undefined ? batchSize : Math.min(batchSize, host.budget.remaining);
    if (allowed <= 0) {
      stopped = "max-count";
      break;
    }
    if (host.stopRequested !== undefined) await letSignalsIn();
    if (host.stopRequested?.() === true) {
      stopped = "signal";
      break;
    }
    const keys = await host.query(
      `SELECT ${key} AS k FROM ${table} WHERE ${after()}${where} ORDER BY ${key} LIMIT ${allowed}`,
      afterParams(),
    );
    if (keys.length === 0) break;
    const first = keys[0]?.k;
    const end = keys[keys.length - 1]?.k as string | number;
    const update = {
      sql: `UPDATE ${table} SET ${assignments} WHERE ${key} >= ? AND ${key} <= ? AND ${where}`,
      params: [first, end],
    };
    rows += await runBatch(host, update, String(end));
    last = end;
    batches += 1;
    if (host.budget.remaining !== undefined) host.budget.remaining -= keys.length;
    host.onProgress({ table: options.table, rows, batches, total, elapsedMs: Math.round(performance.now() - started) });
    if (keys.length < allowed) break;
  }
  if (stopped !== undefined) throw new BackfillStopped(rows, stopped);
  await host.resume();
  return { rows, batches, stopped: false };
}
