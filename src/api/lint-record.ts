/**
 * Records a script body for the lint: the ops it builds, each with the
 * script line that called it. Nothing runs and nothing is read: `op.query`
 * returns no rows, as when `check` records a body without a database.
 */
import type { Dialect } from "../dialects/dialect.js";
import { callerLine, createOpBuilder, type OpMethod } from "../ops/builder.js";
import type { Op } from "../ops/op.js";
import type { FunctionBody } from "../repo/loader.js";
import type { StatementSink } from "../runtime/sink.js";
import { createStepSink } from "../runtime/step-context.js";

export interface RecordedOp {
  readonly op: Op;
  readonly line?: number;
}

/** Methods that never reach the sink's `run` (they read, or run their own batches). */
const NOT_RUN: ReadonlySet<OpMethod> = new Set<OpMethod>(["query", "backfill"]);

export async function recordWithLines(body: FunctionBody, dialect: Dialect, who: string): Promise<RecordedOp[]> {
  const recorded: Op[] = [];
  const out: RecordedOp[] = [];
  // Calls run one after another in call order: the n-th call that reaches `run` is the n-th line taken here.
  const lines: (number | undefined)[] = [];
  let current: number | undefined;
  const reads: StatementSink = {
    // The lint judges what an online run would do: a script asking `op.offline` takes its online branch.
    offline: false,
    emit: () => Promise.resolve({ affectedRows: 0 }),
    emitBatch: (statements) => Promise.resolve(statements.map(() => ({ affectedRows: 0 }))),
    query: () => Promise.resolve([]),
  };
  const inner = createStepSink({
    dialect,
    sink: reads,
    who,
    tableModel: () => Promise.resolve(undefined),
    record: recorded,
    allow: (method: OpMethod) => {
      if (!NOT_RUN.has(method)) lines.push(callerLine(body.file));
    },
  });
  const sink = {
    ...inner,
    run: async (op: Op): Promise<void> => {
      current = lines.shift();
      const before = recorded.length;
      await inner.run(op);
      for (const each of recorded.slice(before)) out.push(current === undefined ? { op: each } : { op: each, line: current });
    },
  };
  const op = createOpBuilder(sink);
  await body.run(op);
  await op.drain();
  return out;
}
