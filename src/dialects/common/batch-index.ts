/**
 * Which statement of a batch (Connection.executeBatch) failed, carried on
 * the error it threw: a step whose script statements travel in one message
 * with its bookkeeping must still name the statement and line that failed.
 */
const failedAt = new WeakMap<object, number>();

/** Marks `error` as thrown by the statement at `index` (0-based) of a batch; returns it. */
export function markBatchIndex<E extends object>(error: E, index: number): E {
  failedAt.set(error, index);
  return error;
}

/** The 0-based index of the batch statement that threw `error`, when the driver knows it. */
export function failedBatchIndex(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? failedAt.get(error) : undefined;
}
