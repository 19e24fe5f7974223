/**
 * Several statements in one simple-query message. PostgreSQL runs them in
 * order and stops at the first that fails; pg hands back no partial
 * results, so the batch counts the CommandComplete of each statement to
 * know which one failed and what each changed.
 *
 * A fenced statement (`expectRows`) is sent so that it fails when it
 * changes another number of rows, so the server stops there and nothing
 * after it runs: BEGIN, the fence, a step's script and its COMMIT can then
 * travel in one message. That failure is read back as the rows the fence
 * changed, not as an error; the transaction is left aborted, to be rolled
 * back by the caller as after any broken fence.
 */
import type { Statement } from "../dialect.js";
import { renderLiteral } from "../common/literal.js";
import { inlinePlaceholders } from "../../sql/placeholders.js";

const FENCE_STOP = "tidemark fence moved";
const FENCE_STOP_ROWS = new RegExp(`"${FENCE_STOP} (\\d+)"`);
/** invalid_text_representation: the cast that stops a broken fence. */
const CAST_FAILED = "22P02";

/** The message's text: values inlined, fences made to stop the batch. */
export function batchText(statements: readonly Statement[], toValue: (value: unknown) => unknown): string {
  return statements.map((statement) => statementText(statement, toValue)).join(";\n");
}

function statementText(statement: Statement, toValue: (value: unknown) => unknown): string {
  const sql =
    statement.params === undefined || statement.params.length === 0
      ? statement.sql
      : inlinePlaceholders(statement.sql, statement.params, "postgres", (value) => renderLiteral(toValue(value), "postgres"));
  if (statement.expectRows !== undefined) return stoppingFence(sql, statement.expectRows);
  // A statement ending in a line comment would comment out the `;` after it.
  return /--[^\n]*$/.test(sql) ? `${sql}\n` : sql;
}

/** INSERT/UPDATE/DELETE that fails (a cast of text that says so) unless it changed `rows` rows. */
function stoppingFence(sql: string, rows: number): string {
  return (
    `WITH fenced AS (${sql} RETURNING 1) SELECT CASE WHEN count(*) = ${rows} THEN count(*) ` +
    `ELSE ('${FENCE_STOP} ' || count(*))::int END AS moved FROM fenced`
  );
}

/** The rows a fence changed when its failure is what stopped the batch; undefined for any other error. */
export function fenceStopRows(error: unknown): number | undefined {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== CAST_FAILED || typeof message !== "string") return undefined;
  const rows = FENCE_STOP_ROWS.exec(message)?.[1];
  return rows === undefined ? undefined : Number(rows);
}

/** The rows a statement changed, from its CommandComplete tag (`UPDATE 3`, `INSERT 0 1`); 0 for others. */
export function rowsOfTag(message: unknown): number {
  const text = (message as { text?: unknown } | undefined)?.text;
  const rows = typeof text === "string" ? /\s(\d+)$/.exec(text)?.[1] : undefined;
  return rows === undefined ? 0 : Number(rows);
}
