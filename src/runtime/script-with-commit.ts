/**
 * A SQL step's script, its `done` log row and COMMIT in one batch, where a
 * batch is one round trip (PostgreSQL's simple-query message): two round
 * trips per step (BEGIN with the fence, then this) whatever the script's
 * length. The server stops at the first statement that fails, so the step
 * rolls back as if each had been sent alone, and the error names that
 * statement and its line.
 */
import type { Statement } from "../dialects/dialect.js";
import { failedBatchIndex } from "../dialects/common/batch-index.js";
import type { StatementSink } from "./sink.js";
import type { StepBody } from "./step-body.js";
import { StatementFailure } from "./step-context.js";

export type SqlBody = Extract<StepBody, { kind: "sql" }>;

/** Transaction control written in a script changes what the rest of a batch would do: such a script goes one by one. */
const TRANSACTION_CONTROL =
  /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*(?:BEGIN|START|COMMIT|END|ROLLBACK|ABORT|PREPARE|SAVEPOINT|RELEASE)\b/i;

export function canTravelWithCommit(body: StepBody): body is SqlBody {
  return body.kind === "sql" && !body.statements.some((statement) => TRANSACTION_CONTROL.test(statement.sql));
}

export interface ScriptWithCommit {
  readonly sink: StatementSink;
  readonly body: SqlBody;
  /** A script statement guarded and compiled, not sent (step-context's prepareStatement). */
  readonly prepare: (sql: string, line: number, unsafe?: string) => Promise<Statement[]>;
  /** The `done` log row and COMMIT. */
  readonly closing: readonly Statement[];
  /** The interruption (Ctrl-C) once there is one: the batch does not start, and a cancelled statement failed for it. */
  readonly interrupted: () => Error | undefined;
}

export async function sendScriptWithCommit({ sink, body, prepare, closing, interrupted }: ScriptWithCommit): Promise<void> {
  const script: { statement: Statement; line: number }[] = [];
  for (const { sql, line, unsafe } of body.statements) {
    for (const statement of await prepare(sql, line, unsafe)) script.push({ statement, line });
  }
  const stop = interrupted();
  if (stop !== undefined) throw stop;
  try {
    await sink.emitBatch([...script.map((one) => one.statement), ...closing]);
  } catch (error) {
    // Not sent at all (the connection was gone): the first statement is the one that could not run.
    const failed = script[failedBatchIndex(error) ?? 0];
    if (failed === undefined) throw error;
    throw new StatementFailure(failed.statement.sql, failed.line, interrupted() ?? error);
  }
}
