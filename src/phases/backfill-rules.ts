/**
 * A backfill's `where` and `set` are SQL expressions spliced into the
 * batches' statements, so each must be one expression and nothing more:
 * no `;` (on PostgreSQL a text without parameters goes out as a simple
 * query, where a second statement would run), no comment (which could hide
 * the rest of the statement tidemark builds around it), parentheses that
 * close only what they open, and no call of a function tidemark does not
 * know (closed rules: it could run any statement).
 */
import type { BackfillOptions } from "../ops/backfill-options.js";
import { commentsIn } from "../sql/comments.js";
import { tokenize } from "../sql/tokens.js";
import type { DialectName } from "../vocabulary.js";
import { unknownCalls } from "./function-calls.js";

function expressionProblem(sql: string, dialect: DialectName): string | undefined {
  if (sql.trim() === "") return "is empty";
  const found = commentsIn(sql, dialect);
  if (found.semicolon) return "holds a `;`: it must be one expression, not statements";
  if (found.line || found.block || found.executable) return "holds a comment, which could hide the statement around it";
  const tokens = tokenize(sql, dialect);
  let depth = 0;
  for (const t of tokens) {
    if (t.kind !== "punct") continue;
    if (t.text === "(") depth++;
    else if (t.text === ")" && --depth < 0) return "closes a parenthesis it did not open";
  }
  if (depth !== 0) return "leaves a parenthesis open";
  const call = unknownCalls(tokens, dialect)[0];
  if (call !== undefined) return `calls ${call}(), which is not a known built-in and may run any statement`;
  return undefined;
}

/** Why the backfill's expressions cannot be used, naming the field; undefined when they are single expressions. */
export function backfillExpressionProblem(options: BackfillOptions, dialect: DialectName): string | undefined {
  const fields: [string, string][] = [
    ...(options.where === undefined ? [] : [["where", options.where] as [string, string]]),
    ...Object.entries(options.set).map(([column, sql]) => [`set.${column}`, sql] as [string, string]),
  ];
  for (const [field, sql] of fields) {
    if (typeof sql !== "string") return `backfill of ${options.table}: \`${field}\` must be a SQL expression (a string)`;
    const problem = expressionProblem(sql, dialect);
    if (problem !== undefined) return `backfill of ${options.table}: \`${field}\` (${JSON.stringify(sql)}) ${problem}`;
  }
  return undefined;
}
