/**
 * With a synchronous driver (better-sqlite3) a run never leaves the
 * microtask queue, so a signal handler (Ctrl-C) would only run after the
 * whole command. Long loops call this between units of work: every
 * `intervalMs` it lets the event loop turn once, which costs a few
 * microseconds, not one per step.
 */
import { setImmediate } from "node:timers/promises";
import { monotonicMs } from "./clock.js";

export function eventLoopYielder(intervalMs = 50): () => Promise<void> {
  let last = monotonicMs();
  return async () => {
    const now = monotonicMs();
    if (now - last < intervalMs) return;
    last = now;
    await setImmediate();
  };
}
