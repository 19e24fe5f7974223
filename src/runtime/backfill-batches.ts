/**
 * The statements of one backfill batch, per dialect, each taking the next
 * `limit` keys after `after` (matching `where`) and updating those rows.
 *
 * - Every dialect, when re-running a batch is harmless (its progress is
 *   sampled, backfill.ts): a SELECT of the batch's end key (one row,
 *   `LIMIT 1 OFFSET limit-1`, or the last key left), without a lock, then
 *   the UPDATE of the key range — the only statement holding locks, and the
 *   statement a hand-written loop runs. Dense integer keys skip the SELECT:
 *   their end key is the last one plus the batch's width
 *   (backfill-key-steps.ts); that holds in a transaction too. (MariaDB has no UPDATE … RETURNING;
 *   on SQLite a RETURNING of every key, or `key IN (subquery)`, costs more
 *   than a second statement in-process; on PostgreSQL the one-statement CTE
 *   below took ~5% longer over 1M rows than the two, its RETURNING rows
 *   gathered only to be counted.)
 * - PostgreSQL otherwise: ONE statement. A CTE updates the next key range
 *   and writes its last key into the step's log row, all in one autocommit
 *   statement: exact progress without a transaction around it.
 */
import type { Statement } from "../dialects/dialect.js";

export interface BackfillSql {
  readonly table: string;
  readonly key: string;
  readonly where: string;
  readonly assignments: string;
}

export type Key = string | number;

export interface BatchResult {
  /** Rows the UPDATE changed. */
  readonly rows: number;
  /** Keys the batch took (its share of `--max-count`). */
  readonly keys: number;
  /** The batch's last key; undefined when it found none. */
  readonly last: Key | undefined;
  /** True when no further key can follow. */
  readonly final: boolean;
  /** A stepped batch's key range (backfill-key-steps.ts): what its time is measured against. */
  readonly width?: number;
}

export interface BatchIo {
  query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  emit(statement: Statement): Promise<{ affectedRows: number }>;
}

function afterClause(sql: BackfillSql, after: Key | undefined): { text: string; params: Key[] } {
  return after === undefined ? { text: "", params: [] } : { text: `${sql.key} > ? AND `, params: [after] };
}

/**
 * The PostgreSQL batch; `progress` is the log row's UPDATE with the value as
 * SQL (`progressFromSql`). The batch's end key is found first (its
 * `limit`th key, or the greatest left when fewer remain: COALESCE reads the
 * second only when the first is NULL), then the key range is updated like a
 * hand-written loop would, without locking the rows twice (a SELECT … FOR
 * UPDATE would write each row's lock before its update). The end key is the
 * resume point: every key up to it was done, whether or not its own row
 * still matched `where`.
 */
export function postgresBatch(
  sql: BackfillSql,
  after: Key | undefined,
  limit: number,
  progress: ((valueSql: string) => Statement) | undefined,
): Statement {
  const a = afterClause(sql, after);
  const endKey = "(SELECT tidemark_end.k::text FROM tidemark_end)";
  const write = progress === undefined ? undefined : progress(endKey);
  const next = `SELECT ${sql.key} FROM ${sql.table} WHERE ${a.text}${sql.where} ORDER BY ${sql.key}`;
  const text =
    `WITH tidemark_end AS (SELECT COALESCE((${next} OFFSET ${limit - 1} LIMIT 1), (${next} DESC LIMIT 1)) AS k), ` +
    `done AS (UPDATE ${sql.table} SET ${sql.assignments} WHERE ${a.text}${sql.key} <= (SELECT tidemark_end.k FROM tidemark_end) ` +
    `AND ${sql.where} RETURNING 1)` +
    (write === undefined ? "" : `, progress AS (${write.sql} AND EXISTS (SELECT 1 FROM done))`) +
    ` SELECT count(*) AS n, ${endKey} AS last FROM done`;
  return { sql: text, params: [...a.params, ...a.params, ...a.params, ...(write?.params ?? [])] };
}

/** Where the next batch ends: its `limit`th key, or the last key left when fewer remain (then it is the last batch). */
export interface BatchEnd {
  readonly key: Key;
  readonly final: boolean;
}

/** SQLite and MySQL: the batch's end key, one plain read (no lock; in SQLite's WAL mode it blocks no writer). */
export async function findBatchEnd(
  io: BatchIo,
  sql: BackfillSql,
  after: Key | undefined,
  limit: number,
): Promise<BatchEnd | undefined> {
  const a = afterClause(sql, after);
  const next = `SELECT ${sql.key} FROM ${sql.table} WHERE ${a.text}${sql.where} ORDER BY ${sql.key}`;
  // The offset is a parameter: the text stays the same from batch to batch, so a server-side prepared
  // statement (MySQL) is prepared once, not once per batch size.
  const [row] = await io.query(`SELECT (${next} LIMIT 1 OFFSET ?) AS k, (${next} DESC LIMIT 1) AS last_k`, [
    ...a.params,
    limit - 1,
    ...a.params,
  ]);
  const key = row?.k ?? null;
  if (key !== null) return { key: key as Key, final: false };
  const last = row?.last_k ?? null;
  return last === null ? undefined : { key: last as Key, final: true };
}

/** SQLite and MySQL: the UPDATE of the key range up to `end`. */
export async function updateRange(
  io: BatchIo,
  sql: BackfillSql,
  after: Key | undefined,
  limit: number,
  end: BatchEnd,
): Promise<BatchResult> {
  const a = afterClause(sql, after);
  const result = await io.emit({
    sql: `UPDATE ${sql.table} SET ${sql.assignments} WHERE ${a.text}${sql.key} <= ? AND ${sql.where}`,
    params: [...a.params, end.key],
  });
  return { rows: result.affectedRows, keys: end.final ? result.affectedRows : limit, last: end.key, final: end.final };
}

/** PostgreSQL: the one statement of a batch. */
export async function runPostgresBatch(
  io: BatchIo,
  sql: BackfillSql,
  after: Key | undefined,
  limit: number,
  progress: ((valueSql: string) => Statement) | undefined,
): Promise<BatchResult> {
  const batch = postgresBatch(sql, after, limit, progress);
  const [row] = await io.query(batch.sql, batch.params ?? []);
  const n = Number(row?.n ?? 0);
  const last = row?.last === null || row?.last === undefined ? undefined : String(row.last);
  // A row changed meanwhile may no longer match `where`: a short batch is not the end; no end key is.
  return { rows: n, keys: n, last, final: last === undefined };
}
