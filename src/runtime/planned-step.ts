/** A step as the planner hands it to the runner, and what the runner reports back about it. */
import type { Connection } from "../dialects/dialect.js";
import type { Revision } from "../graph/revision.js";
import type { OpMethod } from "../ops/builder.js";
import type { Op } from "../ops/op.js";
import type { StepDirection } from "./log-store.js";
import type { StepBody } from "./step-body.js";
import type { VersionRow, VersionStore } from "./version-store.js";

export interface RowChange {
  readonly phase: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface PlannedStep {
  readonly repository: string;
  readonly repositoryId: string;
  readonly store: VersionStore;
  readonly revision: Revision;
  readonly phase: string;
  readonly direction: StepDirection;
  readonly body: StepBody;
  readonly checksum: string | null;
  readonly changes: readonly RowChange[];
  /** Given fresh version rows, did another runner already do this step? */
  readonly alreadyDone: (rows: readonly VersionRow[]) => boolean;
  /** Phase rules for this step, if any. */
  readonly guard?: (op: Op) => void;
  readonly allow?: (method: OpMethod) => void;
  /** Fills in an op's defaults before it is guarded and compiled (rolling repositories build indexes online). */
  readonly rewrite?: (op: Op) => Op;
  /** A crashed earlier run's backfill got this far (the key in its `running` log row). */
  readonly resumeFrom?: string;
  /**
   * Online, after the body ran and before the step commits: a check that
   * reads the database (the contract trigger audit) and throws to refuse
   * the step, which then rolls back like any failed step.
   */
  readonly afterBody?: (connection: Connection) => Promise<void>;
}

/** `stopped`: `--max-count` ended a backfill; the step stays `running` and resumes next time. */
export type StepOutcome = "done" | "skipped" | "stopped";

export interface StepEvent {
  readonly type: "step";
  readonly status: "start" | StepOutcome;
  readonly repository: string;
  readonly revision: string;
  /** The revision's message, for step lines people read. */
  readonly message: string;
  readonly phase: string;
  readonly direction: StepDirection;
  readonly ms?: number;
}

export interface StepResult {
  readonly repository: string;
  readonly revision: string;
  readonly phase: string;
  readonly direction: StepDirection;
  readonly outcome: StepOutcome;
  readonly ms: number;
}
