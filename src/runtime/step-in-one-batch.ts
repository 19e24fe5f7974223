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

/**
 * Sends `opening`, the script and `closing` as one batch; the results of
 * what ran (the caller checks the opening's fences). A failing script
 * statement becomes a StatementFailure naming it; `interrupted` is the
 * reason when the run's interruption cancelled it.
 */
export async function sendInOneBatch(
  sink: StatementSink,
  parts: {
    readonly opening: readonly Statement[];
    readonly script: readonly ScriptStatement[];
    readonly closing: readonly Statement[];
  },
  interrupted: () => Error | undefined,
): Promise<ExecResult[]> {
  const { opening, script, closing } = parts;
  try {
    return await sink.emitBatch([...opening, ...script.map((one) => one.statement), ...closing]);
  } catch (error) {
    const index = failedBatchIndex(error);
    const failed = index === undefined ? undefined : script[index - opening.length];
    if (failed === undefined) throw error;
    throw new StatementFailure(failed.statement.sql, failed.line, interrupted() ?? error);
  }
}
