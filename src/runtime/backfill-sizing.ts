/**
 * How many rows the next batch takes. With `batchSize` alone the size is
 * fixed (as before); otherwise it adapts so that one batch — the time its
 * rows stay locked — takes about `batchMs` (default 20 ms), starting small
 * and never growing or shrinking more than ×2 (÷2) from one batch to the
 * next, with `batchSize` (when given with `batchMs`) as its maximum.
 */
import type { BackfillOptions } from "../ops/backfill-options.js";

export const DEFAULT_BATCH_MS = 20;
const FIRST_BATCH = 100;
const MAX_BATCH = 100_000;

export interface BatchSizer {
  readonly size: number;
  /** Feeds how long a batch of `rows` rows took (ms). */
  took(rows: number, ms: number): void;
}

export function batchSizer(options: Pick<BackfillOptions, "batchSize" | "batchMs">): BatchSizer {
  const fixed = options.batchSize === undefined ? undefined : Math.max(1, Math.floor(options.batchSize));
  if (fixed !== undefined && options.batchMs === undefined) return { size: fixed, took: () => undefined };
  const target = Math.max(1, options.batchMs ?? DEFAULT_BATCH_MS);
  const max = fixed ?? MAX_BATCH;
  let size = Math.min(FIRST_BATCH, max);
  return {
    get size() {
      return size;
    },
    took(rows, ms) {
      // A short last batch says little about the rate.
      if (rows < size / 2) return;
      const wanted = ms <= 0 ? size * 2 : (rows * target) / ms;
      size = Math.max(1, Math.min(max, Math.round(Math.min(size * 2, Math.max(size / 2, wanted)))));
    },
  };
}
