/** `op.backfill(...)`: a batched, resumable UPDATE for the migrate phase (SPEC §8). */
export interface BackfillOptions {
  readonly table: string;
  /** Column → SQL expression over the row, e.g. `{ full_name: "first || ' ' || last" }`. */
  readonly set: Readonly<Record<string, string>>;
  /** Only rows matching this SQL condition (e.g. `full_name IS NULL`). */
  readonly where?: string;
  /** The column batches are ordered and resumed by; default `id`. */
  readonly key?: string;
  /**
   * Rows per batch, fixed. Without it the size adapts so that a batch takes
   * about `batchMs`; given together with `batchMs`, it is the adaptive size's maximum.
   */
  readonly batchSize?: number;
  /** The time one batch (its row locks) should take, in ms; default 20. The batch size adapts to it. */
  readonly batchMs?: number;
}

export interface BackfillResult {
  readonly rows: number;
  readonly batches: number;
  /** True when `--max-count` stopped the backfill before it was finished. */
  readonly stopped: boolean;
}
