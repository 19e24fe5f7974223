/**
 * Milliseconds from a monotonic clock, for durations. Not `performance.now()`:
 * the first touch of Node's `performance` global loads perf_hooks and its
 * resource-timing modules, a few milliseconds of every command's start-up.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
