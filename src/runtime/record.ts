/**
 * Runs a script body against a recorder: every op it builds is collected,
 * nothing is executed. Reads (op.query) go to the database when there is
 * one. This is how a rolling step's ops are checked against the phase
 * rules before any of its statements runs.
 */
import type { Dialect, Row } from "../dialects/dialect.js";
import type { OpMethod } from "../ops/builder.js";
import { createOpBuilder } from "../ops/builder.js";
import type { Op } from "../ops/op.js";
import type { StatementSink } from "./sink.js";
import { createStepSink } from "./step-context.js";
import type { StepBody } from "./step-body.js";

export interface RecordOptions {
  readonly dialect: Dialect;
  readonly who: string;
  /** Reads during recording; undefined offline (reads then return no rows). */
  readonly query?: (sql: string, params: readonly unknown[]) => Promise<Row[]>;
  readonly allow?: (method: OpMethod) => void;
}

export async function recordBody(body: StepBody, options: RecordOptions): Promise<Op[]> {
  if (body.kind !== "function") return [];
  const recorded: Op[] = [];
  const reads: StatementSink = {
    offline: options.query === undefined,
    emit: () => Promise.resolve({ affectedRows: 0 }),
    emitBatch: (statements) => Promise.resolve(statements.map(() => ({ affectedRows: 0 }))),
    query: (sql, params) => (options.query === undefined ? Promise.resolve([]) : options.query(sql, params)),
  };
  const sink = createStepSink({
    dialect: options.dialect,
    sink: reads,
    who: options.who,
    tableModel: () => Promise.resolve(undefined),
    record: recorded,
    ...(options.allow === undefined ? {} : { allow: options.allow }),
  });
  const op = createOpBuilder(sink);
  await body.run(op);
  await op.drain();
  return recorded;
}
