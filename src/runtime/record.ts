/**
 * Runs a script body against a recorder: every op it builds is collected,
 * nothing is executed — not even a read. `op.query` is recorded as a
 * statement like any other (the phase rules classify it) and returns no
 * rows, so a body that branches on rows takes the no-rows branch here; a
 * script that needs rows in a rolling phase says so with `readOnly` (or
 * `unsafe`), and every op is guarded again when the step runs. This is how
 * a rolling step's ops are checked before any of its statements runs.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { OpMethod } from "../ops/builder.js";
import { createOpBuilder } from "../ops/builder.js";
import type { Op } from "../ops/op.js";
import type { StatementSink } from "./sink.js";
import { createStepSink } from "./step-context.js";
import type { StepBody } from "./step-body.js";

export interface RecordOptions {
  readonly dialect: Dialect;
  readonly who: string;
  readonly allow?: (method: OpMethod) => void;
  /** What `op.offline` says while recording: true when the step will be rendered (--sql), not run. */
  readonly offline?: boolean;
}

export async function recordBody(body: StepBody, options: RecordOptions): Promise<Op[]> {
  if (body.kind !== "function") return [];
  const recorded: Op[] = [];
  const nothing: StatementSink = {
    offline: options.offline ?? false,
    emit: () => Promise.resolve({ affectedRows: 0 }),
    emitBatch: (statements) => Promise.resolve(statements.map(() => ({ affectedRows: 0 }))),
    query: () => Promise.resolve([]),
  };
  const sink = createStepSink({
    dialect: options.dialect,
    sink: nothing,
    who: options.who,
    // Lets op calls name their script line (unsafe marks in `check`).
    file: body.file,
    tableModel: () => Promise.resolve(undefined),
    record: recorded,
    ...(options.allow === undefined ? {} : { allow: options.allow }),
  });
  const op = createOpBuilder(sink);
  await body.run(op);
  await op.drain();
  return recorded;
}
