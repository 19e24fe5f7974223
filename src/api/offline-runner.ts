/**
 * The runner of an offline rendering (`--sql`). There is no database to read
 * a table's shape from, so a tracker follows the ops as they render; a
 * table made below the rendered range is learnt by replaying the revisions
 * that made it — once, and only when a step first needs a shape.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { SchemaTracker } from "../dialects/schema-tracker.js";
import { OfflineError, messageOf } from "../errors.js";
import type { StepSketch } from "../graph/phase-plan.js";
import type { LogStore } from "../runtime/log-store.js";
import { replayOps } from "../runtime/replay-ops.js";
import { Runner } from "../runtime/runner.js";
import type { OfflineSink } from "../runtime/sink.js";
import { describeStep } from "../runtime/step-failure.js";
import type { VersionStore } from "../runtime/version-store.js";
import { prepareSteps } from "./prepare.js";
import type { RepositoryHandle } from "./project.js";

export interface OfflineRunnerOptions {
  readonly dialect: Dialect;
  readonly sink: OfflineSink;
  readonly logStore: LogStore;
  readonly store: VersionStore;
  readonly schema: string | undefined;
  readonly tracker: SchemaTracker;
  readonly repository: RepositoryHandle;
  /** The steps below the rendered range that made its tables; undefined when nothing lies below. */
  readonly earlier: (() => readonly StepSketch[]) | undefined;
  /**
   * The message for a table whose shape is still unknown. `failed`: why
   * replaying the earlier steps failed, if it did; `running`: the step that asked.
   */
  readonly unknownTable: (table: string, failed: string | undefined, running: string) => string;
}

export function offlineRunner(options: OfflineRunnerOptions): Runner {
  const { dialect, sink, logStore, store, schema, tracker, repository, earlier } = options;
  const dbSchema = schema === undefined ? {} : { dbSchema: schema };
  let learnt: Promise<string | undefined> | undefined;
  const learn = async (sketches: () => readonly StepSketch[]): Promise<string | undefined> => {
    try {
      const steps = await prepareSteps(repository, sketches(), { dialect, versionStore: () => store });
      tracker.prepend(await replayOps(steps, { dialect, logStore, ...dbSchema }));
      return undefined;
    } catch (error) {
      return messageOf(error);
    }
  };
  const runner: Runner = new Runner({
    dialect,
    sink,
    logStore,
    ...dbSchema,
    singleTransaction: false,
    ensureTables: [],
    tableModel: async (table) => {
      const failed = earlier === undefined ? undefined : await (learnt ??= learn(earlier));
      const model = tracker.table(table);
      if (model !== undefined) return model;
      const running = runner.current === undefined ? `Repository ${repository.config.name}` : describeStep(runner.current);
      throw new OfflineError(options.unknownTable(table, failed, running));
    },
    observe: (op) => tracker.apply(op),
  });
  return runner;
}
