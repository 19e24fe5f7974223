/**
 * A SQL step in one batch — BEGIN, the fenced version rows, the script, the
 * `done` log row and COMMIT — where a batch is one round trip and the server
 * stops it at a broken fence (PostgreSQL: postgres-batch.ts): one round trip
 * per step, whatever the script's length. The server also stops at the
 * first statement that fails, so the step rolls back as if each statement
 * had been sent alone, and the error names that statement and its line.
 */
import type { ExecResult, Statement } from "../dialects/dialect.js";
import { failedBatchIndex } from "../dialects/common/batch-index.js";
import type { StatementSink } from "./sink.js";
import type { StepBody } from "./step-body.js";
import { StatementFailure } from "./step-context.js";

export type SqlBody = Extract<StepBody, { kind: "sql" }>;

/** Blanks and comments before a statement's first word. */
const LEADING = String.raw`^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*`;
/**
 * Transaction control written in a script changes what the rest of a batch
 * would do: such a script goes one by one. A look at the first word, not the
 * parser: this runs for every step, and a false alarm only costs round trips.
 */
const TRANSACTION_CONTROL = new RegExp(`${LEADING}(?:BEGIN|START|COMMIT|END|ROLLBACK|ABORT|PREPARE|SAVEPOINT|RELEASE)\\b`, "i");
/** Only comments: the server skips it inside a batch without a reply, which would shift the count of replies. */
const NOTHING = new RegExp(`${LEADING}$`);

export function canTravelInOneBatch(body: StepBody): body is SqlBody {
  return (
    body.kind === "sql" &&
    !body.statements.some((statement) => TRANSACTION_CONTROL.test(statement.sql) || NOTHING.test(statement.sql))
  );
}

export interface ScriptStatement {
  readonly statement: Statement;
  readonly line: number;
}

/** The script's statements guarded and compiled (step-context's prepareStatement), none sent yet. */
export async function prepareScript(
  body: SqlBody,
  prepare: (sql: string, line: number, unsafe?: string) => Promise<Statement[]>,
): Promise<ScriptStatement[]> {
  const script: ScriptStatement[] = [];
  for (const { sql, line, unsafe } of body.statements) {
    for (const statement of await prepare(sql, line, unsafe)) script.push({ statement, line });
  }
  return script;
}

export interface StepBatch {
  readonly opening: readonly Statement[];
  readonly script: readonly ScriptStatement[];
  readonly closing: readonly Statement[];
}

export function batchStatements(batch: StepBatch): Statement[] {
  return [...batch.opening, ...batch.script.map((one) => one.statement), ...batch.closing];
}

/**
 * Sends `opening`, the script and `closing` as one batch; the results of
 * what ran (the caller checks the opening's fences). A failing script
 * statement becomes a StatementFailure naming it; `interrupted` is the
 * reason when the run's interruption cancelled it.
 */
export function sendInOneBatch(
  sink: StatementSink,
  batch: StepBatch,
  interrupted: () => Error | undefined,
): Promise<ExecResult[]> {
  return namingFailure(sink.emitBatch(batchStatements(batch)), batch, interrupted);
}

/** The batch's results; a failure of one of its script's statements as a StatementFailure naming it. */
export async function namingFailure(
  results: Promise<ExecResult[]>,
  batch: StepBatch,
  interrupted: () => Error | undefined,
): Promise<ExecResult[]> {
  try {
    return await results;
  } catch (error) {
    const index = failedBatchIndex(error);
    const failed = index === undefined ? undefined : batch.script[index - batch.opening.length];
    if (failed === undefined) throw error;
    throw new StatementFailure(failed.statement.sql, failed.line, interrupted() ?? error);
  }
}
