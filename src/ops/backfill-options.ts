/** `op.backfill(...)`: a batched, resumable UPDATE for the migrate phase (SPEC §8). */
export interface BackfillOptions {
  readonly table: string;
  /** Column → SQL expression over the row, e.g. `{ full_name: "first || ' ' || last" }`. */
  readonly set: Readonly<Record<string, string>>;
  /** Only rows matching this SQL condition (e.g. `full_name IS NULL`). */
  readonly where?: string;
  /** The column batches are ordered and resumed by; default `id`. */
  readonly key?: string;
  /** Rows per batch (each batch its own transaction); default 1000. */
  readonly batchSize?: number;
}

export interface BackfillResult {
  readonly rows: number;
  readonly batches: number;
  /** True when `--max-count` stopped the backfill before it was finished. */
  readonly stopped: boolean;
}
