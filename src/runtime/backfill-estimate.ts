/**
 * How many rows a backfill will touch, without counting them: a COUNT(*)
 * reads the whole table before the first batch. With a numeric key the
 * estimate is the key range left (two index look-ups), refined after each
 * batch by the share of that range done; otherwise the catalog's row count
 * (pg_class.reltuples, information_schema.TABLES.TABLE_ROWS, SQLite's rowid
 * range), never below the rows already done.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { BackfillSql, Key } from "./backfill-batches.js";

type Query = (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

export interface RowEstimate {
  /** The estimate after `rows` rows, the last of them at key `last`. */
  total(rows: number, last: Key | undefined): number;
  /**
   * With integer keys (backfill-key-steps.ts steps through them): the key the
   * first batch starts after (just below the first key, or where an earlier
   * run stopped) and the table's last key.
   */
  readonly keyRange?: { readonly start: number; readonly hi: number };
}

function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && /^-?\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

async function catalogRows(query: Query, dialect: Dialect, table: string, sql: BackfillSql): Promise<number> {
  try {
    const estimate = dialect.introspector.rowEstimate(table, sql.table);
    const [row] = await query(estimate.sql, estimate.params ?? []);
    return Math.max(0, numeric(row?.n) ?? 0);
  } catch {
    return 0;
  }
}

export async function estimateRows(
  query: Query,
  dialect: Dialect,
  table: string,
  sql: BackfillSql,
  from: Key | undefined,
): Promise<RowEstimate> {
  // Two scalar subqueries, each one index look-up; ORDER BY … LIMIT 1 rather than MIN/MAX, which
  // PostgreSQL lacks for some key types (uuid) — an error there would end the step's transaction.
  const [range] = await query(
    `SELECT (SELECT ${sql.key} FROM ${sql.table} ORDER BY ${sql.key} LIMIT 1) AS lo, ` +
      `(SELECT ${sql.key} FROM ${sql.table} ORDER BY ${sql.key} DESC LIMIT 1) AS hi`,
    [],
  );
  // An empty table: nothing to estimate (and no catalog to ask).
  if (range === undefined || ((range.lo ?? null) === null && (range.hi ?? null) === null)) return { total: (rows) => rows };
  const lo = numeric(range?.lo);
  const hi = numeric(range?.hi);
  const start = from === undefined ? (lo === undefined ? undefined : lo - 1) : numeric(from);
  if (hi !== undefined && start !== undefined) {
    const span = Math.max(0, hi - start);
    const integers = Number.isSafeInteger(hi) && Number.isSafeInteger(start);
    return {
      ...(integers ? { keyRange: { start, hi } } : {}),
      total(rows, last) {
        const at = numeric(last);
        if (rows === 0 || at === undefined || span === 0) return Math.max(rows, span);
        const share = Math.min(1, (at - start) / span);
        return share <= 0 ? Math.max(rows, span) : Math.max(rows, Math.round(rows / share));
      },
    };
  }
  const catalog = await catalogRows(query, dialect, table, sql);
  return { total: (rows) => Math.max(rows, catalog) };
}
