/**
 * What a rolling repository's ops default to so that the old release keeps
 * writing while a step runs (issue 13): indexes are built without blocking
 * writes (PostgreSQL CONCURRENTLY, MySQL ALGORITHM=INPLACE LOCK=NONE) unless
 * the script says `concurrently: false`. On PostgreSQL such a build cannot
 * run inside a transaction, and `setNotNull` must not hold its first lock
 * through the scan, so a step that has either runs outside one: each
 * statement commits by itself, as on MySQL.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { Op } from "../ops/op.js";
import type { PlannedStep } from "./planned-step.js";

export function onlineOp(op: Op): Op {
  return op.kind === "createIndex" && op.concurrently === undefined ? { ...op, concurrently: true } : op;
}

/** Does this op want its statements in transactions of their own on this dialect? */
function wantsOwnTransactions(op: Op, dialect: Dialect): boolean {
  if (!dialect.caps.transactionalDdl || !dialect.caps.concurrentIndex) return false;
  return (op.kind === "createIndex" && op.concurrently !== false) || op.kind === "setNotNull";
}

/** The step with its ops' online defaults, and outside a transaction when one of `ops` (as recorded) needs it. */
export function withOnlineDefaults(step: PlannedStep, ops: readonly Op[] | undefined, dialect: Dialect): PlannedStep {
  const own = ops?.some((op) => wantsOwnTransactions(op, dialect)) === true;
  return {
    ...step,
    rewrite: onlineOp,
    ...(own && step.revision.transactional ? { revision: { ...step.revision, transactional: false } } : {}),
  };
}
