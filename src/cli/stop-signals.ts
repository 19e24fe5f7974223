/**
 * SIGINT (Ctrl-C) and SIGTERM during a command. Where the command can stop
 * cleanly (upgrade, downgrade, sync), the first Ctrl-C asks for that: the run
 * ends after the current batch or step, and the next run goes on from there.
 * SIGTERM, or the next Ctrl-C, asks the API to stop now: the statement
 * running is cancelled on the server from a second session (its transaction
 * rolls back; where DDL cannot roll back, the step is recorded as failed) and
 * no further one starts; the command then ends with its `interrupted` error.
 * One more signal, or a run that has not ended STOP_GRACE_MS later, exits at
 * once. When no step runs, the signal ends the process as it would end any
 * other: nothing is changing.
 */
import type { CommandContext } from "./context.js";
import type { Output } from "./output.js";
import { flushOut, writeErr } from "./write.js";

const STOP_GRACE_MS = 15_000;
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };
const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Handles the signals until the returned function is called (the command ended). */
export function onStopSignals(context: CommandContext, out: Output): () => void {
  let stopping = false;
  let deadline: NodeJS.Timeout | undefined;
  const exitNow = (signal: string): never => {
    flushOut();
    process.exit(SIGNAL_EXIT[signal] ?? 1);
  };
  let gently = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (signal === "SIGINT" && !gently && !stopping && context.gracefulStop?.() === true) {
      gently = true;
      return;
    }
    if (stopping || !context.interrupt(signal)) exitNow(signal);
    stopping = true;
    out.info(
      `${signal}: stopping — the statement running is cancelled on the server, and the step rolled back or recorded ` +
        `as failed.${signal === "SIGINT" ? " Press Ctrl-C again to exit at once." : ""}`,
    );
    deadline = setTimeout(() => {
      writeErr(`error: the run did not stop within ${STOP_GRACE_MS / 1000} s of ${signal}; exiting now.\n`);
      exitNow(signal);
    }, STOP_GRACE_MS);
    deadline.unref();
  };
  for (const signal of SIGNALS) process.on(signal, handle);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handle);
    clearTimeout(deadline);
  };
}
