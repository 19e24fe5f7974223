/**
 * Integer keys: each batch is the next key range of the width the sizer
 * asks for — `key > after AND key <= after + width` — as a hand-written
 * loop steps through a table (`lo + 1000`), with no read to find where the
 * batch ends. That read, an index scan over the batch's keys, was ~7% of a
 * PostgreSQL backfill. A few gaps in the keys only make a batch update
 * fewer rows than its width; when fewer than half of a range's keys are
 * there, the backfill goes back to reading each batch's end key
 * (backfill.ts), so sparse keys never need ever wider ranges. Past the last
 * key first read, the table's last key is read again, so that rows added
 * meanwhile are not left out.
 * Text, uuid and other keys keep the OFFSET read (backfill-batches.ts).
 */
import type { BackfillSql, BatchEnd, BatchIo } from "./backfill-batches.js";

export interface KeySteps {
  /** Where the first batch starts after: just below the first key, or where an earlier run stopped. */
  readonly start: number;
  /** The end of the batch that starts after `after` and spans `width` keys. */
  end(after: number, width: number): Promise<BatchEnd>;
}

async function lastKey(io: BatchIo, sql: BackfillSql): Promise<number | undefined> {
  const [row] = await io.query(`SELECT ${sql.key} AS k FROM ${sql.table} ORDER BY ${sql.key} DESC LIMIT 1`, []);
  const value = row?.k;
  const key = typeof value === "string" ? Number(value) : value;
  return typeof key === "number" && Number.isSafeInteger(key) ? key : undefined;
}

export function keySteps(io: BatchIo, sql: BackfillSql, range: { readonly start: number; readonly hi: number }): KeySteps {
  let known = range.hi;
  return {
    start: range.start,
    async end(after, width) {
      const end = after + Math.max(1, Math.floor(width));
      if (end < known) return { key: end, final: false };
      const latest = await lastKey(io, sql);
      if (latest !== undefined && latest > end) {
        known = latest;
        return { key: end, final: false };
      }
      // The last batch ends at the last key, which its progress then records, as the OFFSET read's would.
      return { key: Math.max(after, Math.min(end, latest ?? end)), final: true };
    },
  };
}
