/**
 * At most one step's batch sent before its turn (Runner.sendAhead, where the
 * connection pipelines): held until that step runs, or waited out when the
 * step before it failed and the run stops.
 */
import type { ExecResult, Statement } from "../dialects/dialect.js";
import type { PlannedStep } from "./planned-step.js";

/** A step's batch on its way: its opening (whose fences its results are checked against) and its results. */
export interface StepInFlight {
  readonly step: PlannedStep;
  readonly opening: readonly Statement[];
  readonly results: Promise<ExecResult[]>;
  /** Tells the listener of the batch's statements: at the step's turn, so that events keep the steps' order. */
  readonly announce?: () => void;
}

export class StepSentAhead {
  private held: StepInFlight | undefined;

  get busy(): boolean {
    return this.held !== undefined;
  }

  /** True when `step` is under way on the server already. */
  isFor(step: PlannedStep): boolean {
    return this.held?.step === step;
  }

  hold(inFlight: StepInFlight): void {
    // Its failure is read at its turn, or never when it is discarded.
    inFlight.results.catch(() => undefined);
    this.held = inFlight;
  }

  /** The step sent ahead, if it is `step`, its statements now told to the listener. */
  take(step: PlannedStep): StepInFlight | undefined {
    const held = this.held;
    if (held?.step !== step) return undefined;
    this.held = undefined;
    held.announce?.();
    return held;
  }

  /** The step before it failed, so the server refused it (see Runner.sendAhead): its answer is waited for, and dropped. */
  async discard(): Promise<void> {
    const held = this.held;
    this.held = undefined;
    await held?.results.catch(() => undefined);
  }
}
