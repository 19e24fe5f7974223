/**
 * Runs steps offline into a sink whose text is thrown away and returns the
 * ops they ran, in order: how an offline range that starts above base learns
 * the tables its revisions below START created.
 */
import { SchemaTracker } from "../dialects/schema-tracker.js";
import type { Op } from "../ops/op.js";
import { Runner, type PlannedStep, type RunnerOptions } from "./runner.js";
import { OfflineSink } from "./sink.js";

export type ReplayOptions = Pick<RunnerOptions, "dialect" | "logStore" | "dbSchema">;

export async function replayOps(steps: readonly PlannedStep[], options: ReplayOptions): Promise<Op[]> {
  const tracker = new SchemaTracker(options.dialect);
  const ops: Op[] = [];
  const runner = new Runner({
    ...options,
    sink: new OfflineSink(options.dialect),
    singleTransaction: false,
    ensureTables: [],
    tableModel: async (table) => {
      const model = tracker.table(table);
      if (model === undefined) throw new Error(tracker.explainUnknown(table));
      return model;
    },
    observe: (op) => {
      ops.push(op);
      tracker.apply(op);
    },
  });
  await runner.run(steps);
  return ops;
}
