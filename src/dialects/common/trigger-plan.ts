/**
 * The dialect-neutral half of the rolling-upgrade triggers: which side of a
 * syncColumns pair a write came from, as SQL conditions over the written row,
 * and the checks every dialect makes on the op. The `<dialect>-triggers.ts`
 * files only wrap these in their own trigger syntax, so the three dialects
 * agree on the rules below.
 *
 * INSERT: every new (`to`) column NULL and an old (`from`) one set → an old
 * writer: compute the new columns. Else every old column NULL and a new one
 * set → a new writer: compute the old columns. Else (both sides written, or
 * neither) the row is kept as written.
 *
 * UPDATE: a new column changed and the new side is not already what
 * `forward` makes of the old side → compute the old columns (so when a writer
 * changes both sides inconsistently, the new columns win). Else an old column
 * changed and the old side is not already what `backward` makes of the new
 * side → compute the new columns. The "not already" halves make a write that
 * a trigger itself caused (SQLite's nested UPDATE) a no-op, and keep a
 * consistent pair written by a release that knows both sides as written.
 *
 * For scripts: `forward` should read the old columns and `backward` the new
 * ones (several assignments run in order). A synced column should have no
 * default while two releases write: a default makes its side look written.
 */
import type { DialectName } from "../dialect.js";
import type { SyncColumns } from "../../ops/op.js";
import { invalidOp } from "./compile-errors.js";

/** How a dialect writes references to the trigger's rows and null-safe inequality. */
export interface RowSql {
  /** `NEW."col"` / `OLD."col"` in the dialect's quoting. */
  readonly ref: (row: "NEW" | "OLD", column: string) => string;
  /** True when `a` and `b` differ, NULL counting as a value (never NULL itself). */
  readonly distinct: (a: string, b: string) => string;
}

export interface Assignment {
  readonly column: string;
  /** The script's expression, parenthesised. */
  readonly expression: string;
}

export interface SyncPlan {
  /** The `to` columns, computed from the row by `forward`. */
  readonly forward: readonly Assignment[];
  /** The `from` columns, computed from the row by `backward`. */
  readonly backward: readonly Assignment[];
  /** Every column either side writes, old ones first (SQLite/PostgreSQL `UPDATE OF`). */
  readonly columns: readonly string[];
  /** INSERT by an old-release writer: compute `forward`. */
  readonly insertForward: string;
  /** INSERT by a new-release writer: compute `backward`. */
  readonly insertBackward: string;
  /** UPDATE that changed the new side: compute `backward`. Checked first. */
  readonly updateBackward: string;
  /** UPDATE that changed only the old side: compute `forward`. */
  readonly updateForward: string;
}

export const DEFAULT_FORBID_MESSAGE_SUFFIX = "are forbidden during a rolling upgrade (tidemark)";

/** The message forbidWrites raises when the script gives none. */
export function forbidMessage(table: string, message: string | undefined): string {
  return message ?? `writes to ${table} ${DEFAULT_FORBID_MESSAGE_SUFFIX}`;
}

/** Checks the op and derives the conditions; throws invalidOp for a pair that cannot work. */
export function planSync(op: SyncColumns, dialect: DialectName, row: RowSql): SyncPlan {
  checkSync(op, dialect);
  const forward = op.to.map((column) => ({ column, expression: `(${(op.forward[column] as string).trim()})` }));
  const backward = op.from.map((column) => ({ column, expression: `(${(op.backward[column] as string).trim()})` }));
  const isNull = (column: string): string => `${row.ref("NEW", column)} IS NULL`;
  const notNull = (column: string): string => `${row.ref("NEW", column)} IS NOT NULL`;
  const changed = (columns: readonly string[]): string =>
    any(columns.map((column) => row.distinct(row.ref("NEW", column), row.ref("OLD", column))));
  const differs = (assignments: readonly Assignment[]): string =>
    any(assignments.map((a) => row.distinct(row.ref("NEW", a.column), a.expression)));
  return {
    forward,
    backward,
    columns: [...op.from, ...op.to],
    insertForward: `${op.to.map(isNull).join(" AND ")} AND ${any(op.from.map(notNull))}`,
    insertBackward: `${op.from.map(isNull).join(" AND ")} AND ${any(op.to.map(notNull))}`,
    updateBackward: `${changed(op.to)} AND ${differs(forward)}`,
    updateForward: `${changed(op.from)} AND ${differs(backward)}`,
  };
}

/** `a OR b`, parenthesised when there is more than one term, so it can be AND-ed. */
function any(terms: readonly string[]): string {
  return terms.length === 1 ? (terms[0] as string) : `(${terms.join(" OR ")})`;
}

function checkSync(op: SyncColumns, dialect: DialectName): void {
  if (op.name.trim() === "") throw invalidOp(dialect, op, "has an empty name");
  if (op.from.length === 0) throw invalidOp(dialect, op, "has no old (`from`) columns");
  if (op.to.length === 0) throw invalidOp(dialect, op, "has no new (`to`) columns");
  for (const [side, columns] of [
    ["from", op.from],
    ["to", op.to],
  ] as const) {
    const repeated = columns.find((column, index) => columns.indexOf(column) !== index);
    if (repeated !== undefined) throw invalidOp(dialect, op, `lists column "${repeated}" twice in \`${side}\``);
  }
  const both = op.from.find((column) => op.to.includes(column));
  if (both !== undefined) {
    throw invalidOp(
      dialect,
      op,
      `lists column "${both}" in both \`from\` and \`to\`: a column cannot be kept in step with itself`,
    );
  }
  checkExpressions(op, dialect, "forward", op.forward, op.to);
  checkExpressions(op, dialect, "backward", op.backward, op.from);
}

function checkExpressions(
  op: SyncColumns,
  dialect: DialectName,
  what: "forward" | "backward",
  expressions: Readonly<Record<string, string>>,
  columns: readonly string[],
): void {
  const side = what === "forward" ? "to" : "from";
  for (const column of columns) {
    const expression = Object.hasOwn(expressions, column) ? expressions[column] : undefined;
    if (typeof expression !== "string" || expression.trim() === "") {
      throw invalidOp(dialect, op, `has no \`${what}\` expression for column "${column}" (every \`${side}\` column needs one)`);
    }
  }
  const extra = Object.keys(expressions).find((column) => !columns.includes(column));
  if (extra !== undefined) {
    const known = columns.join(", ");
    throw invalidOp(
      dialect,
      op,
      `gives a \`${what}\` expression for "${extra}", which is not one of the \`${side}\` columns (${known})`,
    );
  }
}
