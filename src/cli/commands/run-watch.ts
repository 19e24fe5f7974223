/**
 * What a command that runs steps shows while it runs — backfill progress,
 * then each step as it finishes — and the clean stop the first Ctrl-C asks
 * for (after the current batch or step, so that the next run goes on from
 * there; the signals themselves are cli/stop-signals.ts's).
 */
import type { Tidemark } from "../../api/tidemark.js";
import type { CommandContext } from "../context.js";
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

export function watchRun(context: CommandContext, tidemark: Tidemark): RunWatch {
  const out: Output = context.out;
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
  context.gracefulStop = (): boolean => {
    controller.abort();
    if (!out.options.quiet) {
      writeErr(
        "\nStopping after the current batch or step; press Ctrl-C again to stop now (the statement running is cancelled).\n",
      );
    }
    return true;
  };
  return {
    signal: controller.signal,
    interrupted: () => controller.signal.aborted,
    progress: () => backfills.summary(),
    // Idempotent: called before the summary is printed, and again when the run threw.
    stop: () => {
      context.gracefulStop = undefined;
      backfills.stop();
      unsubscribeSteps();
      unsubscribeLock();
    },
  };
}
