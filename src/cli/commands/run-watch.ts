/**
 * What a command that runs steps shows while it runs — backfill progress,
 * then each step as it finishes — and Ctrl-C: the first one asks the run to
 * stop cleanly (after the current batch or step, so that the next run goes
 * on from there), a second one quits at once.
 */
import type { Tidemark } from "../../api/tidemark.js";
import type { BackfillProgress } from "../../api/types.js";
import type { Output } from "../output.js";
import { writeErr } from "../write.js";
import { trackBackfills } from "./backfill-progress.js";
import { showSteps } from "./progress.js";

/** A run stopped by Ctrl-C exits as an interrupted Unix command does: 128 + SIGINT. */
export const INTERRUPTED_EXIT = 130;

export interface RunWatch {
  /** Aborted by the first Ctrl-C. */
  readonly signal: AbortSignal;
  readonly interrupted: () => boolean;
  /** The last progress event of each backfill. */
  readonly progress: () => BackfillProgress[];
  stop(): void;
}

export function watchRun(tidemark: Tidemark, out: Output): RunWatch {
  const controller = new AbortController();
  // Registered before the step lines: a bar finishes its row before the step's line is printed.
  const backfills = trackBackfills(tidemark, out);
  const unsubscribeSteps = showSteps(tidemark, out);
  const unsubscribeLock = tidemark.on((event) => {
    if (event.type !== "lock-wait") return;
    out.info(
      `Waiting for another tidemark run on this database to finish (it holds the migration lock; giving up after ` +
        `${event.timeoutSeconds} s, see --lock-timeout)…`,
    );
  });
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    if (!out.options.quiet) {
      writeErr("\nStopping after the current batch or step; press Ctrl-C again to quit at once (the step is then left open).\n");
    }
  };
  process.on("SIGINT", onInterrupt);
  return {
    signal: controller.signal,
    interrupted: () => controller.signal.aborted,
    progress: () => backfills.summary(),
    // Idempotent: called before the summary is printed, and again when the run threw.
    stop: () => {
      process.removeListener("SIGINT", onInterrupt);
      backfills.stop();
      unsubscribeSteps();
      unsubscribeLock();
    },
  };
}
