/**
 * The statements of one backfill batch, per dialect, each taking the next
 * `limit` keys after `after` (matching `where`) and updating those rows.
 *
 * - PostgreSQL: ONE statement. A CTE updates the next key range and writes
 *   its last key into the step's log row, all in one autocommit statement:
 *   exact progress without a transaction around it.
 * - SQLite: `UPDATE … WHERE key IN (next keys) RETURNING key` (3.35+).
 * - MariaDB has no UPDATE … RETURNING: a SELECT of the batch's last key
 *   (one row, `LIMIT 1 OFFSET limit-1`, no lock), then the UPDATE of the
 *   key range.
 */
import type { Dialect, Statement } from "../dialects/dialect.js";

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

function greatest(keys: readonly Key[]): Key | undefined {
  let best: Key | undefined;
  for (const key of keys) if (best === undefined || key > best) best = key;
  return best;
}

/** Runs one batch's statements (not its transaction) on `dialect`. */
export async function runBatchStatements(
  io: BatchIo,
  dialect: Dialect,
  sql: BackfillSql,
  after: Key | undefined,
  limit: number,
  progress: ((valueSql: string) => Statement) | undefined,
): Promise<BatchResult> {
  const a = afterClause(sql, after);
  if (dialect.name === "postgres") {
    const batch = postgresBatch(sql, after, limit, progress);
    const [row] = await io.query(batch.sql, batch.params ?? []);
    const n = Number(row?.n ?? 0);
    const last = row?.last === null || row?.last === undefined ? undefined : String(row.last);
    // A row changed meanwhile may no longer match `where`: a short batch is not the end; no end key is.
    return { rows: n, keys: n, last, final: last === undefined };
  }
  if (dialect.name === "sqlite") {
    const rows = await io.query(
      `UPDATE ${sql.table} SET ${sql.assignments} WHERE ${sql.key} IN ` +
        `(SELECT ${sql.key} FROM ${sql.table} WHERE ${a.text}${sql.where} ORDER BY ${sql.key} LIMIT ${limit}) ` +
        `RETURNING ${sql.key} AS k`,
      a.params,
    );
    return { rows: rows.length, keys: rows.length, last: greatest(rows.map((row) => row.k as Key)), final: rows.length < limit };
  }
  const [end] = await io.query(
    `SELECT ${sql.key} AS k FROM ${sql.table} WHERE ${a.text}${sql.where} ORDER BY ${sql.key} LIMIT 1 OFFSET ${limit - 1}`,
    a.params,
  );
  let last = end?.k as Key | undefined;
  let final = false;
  if (last === undefined) {
    // Fewer than `limit` keys left: this is the last batch, up to the greatest of them.
    const [max] = await io.query(`SELECT MAX(${sql.key}) AS k FROM ${sql.table} WHERE ${a.text}${sql.where}`, a.params);
    last = (max?.k ?? undefined) as Key | undefined;
    if (last === null || last === undefined) return { rows: 0, keys: 0, last: undefined, final: true };
    final = true;
  }
  const result = await io.emit({
    sql: `UPDATE ${sql.table} SET ${sql.assignments} WHERE ${a.text}${sql.key} <= ? AND ${sql.where}`,
    params: [...a.params, last],
  });
  return { rows: result.affectedRows, keys: final ? result.affectedRows : limit, last, final };
}
