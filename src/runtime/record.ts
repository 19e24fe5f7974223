/**
 * Runs a script body against a recorder: every op it builds is collected,
 * nothing is executed — not even a read. `op.query` is recorded as a
 * statement like any other (the phase rules classify it) and returns no
 * rows, so a body that branches on rows takes the no-rows branch here; a
 * script that needs rows in a rolling phase says so with `readOnly` (or
 * `unsafe`), and every op is guarded again when the step runs. This is how
 * a rolling step's ops are checked before any of its statements runs.
 *
 * The lint records bodies the same way and needs, besides, the script line
 * of each call: `recordWithLines` is the same recorder with that added, so
 * that `check` and `lint` cannot drift apart in what a recorded body does.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { OpMethod, OpSink } from "../ops/builder.js";
import { callerLine, createOpBuilder } from "../ops/builder.js";
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

/** An op a body built, with the script line of the call that built it. */
export interface RecordedOp {
  readonly op: Op;
  readonly line?: number;
}

type FunctionStepBody = Extract<StepBody, { readonly kind: "function" }>;

/** The step sink a body is recorded through: ops land in `recorded`, statements go nowhere. */
function recordingSink(body: FunctionStepBody, options: RecordOptions, recorded: Op[]): ReturnType<typeof createStepSink> {
  const nothing: StatementSink = {
    offline: options.offline ?? false,
    emit: () => Promise.resolve({ affectedRows: 0 }),
    emitBatch: (statements) => Promise.resolve(statements.map(() => ({ affectedRows: 0 }))),
    query: () => Promise.resolve([]),
  };
  return createStepSink({
    dialect: options.dialect,
    sink: nothing,
    who: options.who,
    // Lets op calls name their script line (unsafe marks in `check`).
    file: body.file,
    tableModel: () => Promise.resolve(undefined),
    record: recorded,
    ...(options.allow === undefined ? {} : { allow: options.allow }),
  });
}

async function runBody(body: FunctionStepBody, sink: OpSink): Promise<void> {
  const op = createOpBuilder(sink);
  await body.run(op);
  await op.drain();
}

export async function recordBody(body: StepBody, options: RecordOptions): Promise<Op[]> {
  if (body.kind !== "function") return [];
  const recorded: Op[] = [];
  await runBody(body, recordingSink(body, options, recorded));
  return recorded;
}

/** Methods that never reach the sink's `run` (they read, or run their own batches). */
const NOT_RUN: ReadonlySet<OpMethod> = new Set<OpMethod>(["query", "backfill"]);

/**
 * The ops that reach the sink's `run`, each with the script line that
 * called it (for the lint). `op.query` and `op.backfill` never reach `run`,
 * so their ops are left out, as the lint has always left them out.
 */
export async function recordWithLines(body: StepBody, options: RecordOptions): Promise<RecordedOp[]> {
  if (body.kind !== "function") return [];
  const recorded: Op[] = [];
  const out: RecordedOp[] = [];
  // Calls run one after another in call order: the n-th call that reaches `run` is the n-th line taken here.
  const lines: (number | undefined)[] = [];
  let current: number | undefined;
  const inner = recordingSink(
    body,
    {
      ...options,
      allow: (method: OpMethod) => {
        options.allow?.(method);
        if (!NOT_RUN.has(method)) lines.push(callerLine(body.file));
      },
    },
    recorded,
  );
  const sink = {
    ...inner,
    run: async (op: Op): Promise<void> => {
      current = lines.shift();
      const before = recorded.length;
      await inner.run(op);
      for (const each of recorded.slice(before)) out.push(current === undefined ? { op: each } : { op: each, line: current });
    },
  };
  await runBody(body, sink);
  return out;
}
