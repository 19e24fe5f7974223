/**
 * Whether running a backfill's `set` twice over a row leaves it as running
 * it once: then a batch re-run after a crash does no harm, and the resume
 * key may lag behind the work done (progress is written sampled, outside
 * the batches). Provable here only in a simple, common case: no expression
 * reads a column the backfill writes (`full_name = first || ' ' || last`,
 * not `n = n + 1`), and none calls a function whose answer changes between
 * calls (`random()`, `now()`, `nextval(...)`). Anything else is treated as
 * not idempotent and keeps its progress exact, in the batch's transaction.
 */
import { tokenize } from "../sql/tokens.js";
import type { DialectName } from "../vocabulary.js";

const VOLATILE = new Set([
  "RANDOM",
  "RAND",
  "RANDOMBLOB",
  "UUID",
  "UUID_SHORT",
  "GEN_RANDOM_UUID",
  "SYS_GUID",
  "NEXTVAL",
  "SETVAL",
  "NEXT",
  "NOW",
  "SYSDATE",
  "CURRENT_TIMESTAMP",
  "CURRENT_TIME",
  "CURRENT_DATE",
  "CURTIME",
  "CURDATE",
  "LOCALTIME",
  "LOCALTIMESTAMP",
  "UTC_TIMESTAMP",
  "UTC_TIME",
  "UTC_DATE",
  "UNIX_TIMESTAMP",
  "CLOCK_TIMESTAMP",
  "STATEMENT_TIMESTAMP",
  "TRANSACTION_TIMESTAMP",
  "TIMEOFDAY",
  "LAST_INSERT_ID",
  "LAST_INSERT_ROWID",
  "CHANGES",
  "TOTAL_CHANGES",
]);

export function backfillIsIdempotent(set: Readonly<Record<string, string>>, dialect: DialectName): boolean {
  const written = new Set(Object.keys(set).map((column) => column.toUpperCase()));
  for (const expression of Object.values(set)) {
    for (const token of tokenize(expression, dialect)) {
      const name = token.kind === "word" ? token.upper : token.kind === "quoted" ? token.value.toUpperCase() : undefined;
      if (name === undefined) continue;
      if (written.has(name) || VOLATILE.has(name)) return false;
    }
  }
  return true;
}
