/**
 * What a rolling repository's ops default to so that the old release keeps
 * writing while a step runs (issue 13): indexes are built without blocking
 * writes (PostgreSQL CONCURRENTLY, MySQL ALGORITHM=INPLACE LOCK=NONE) unless
 * the script says `concurrently: false`. On PostgreSQL such a build cannot
 * run inside a transaction, and `setNotNull` must not hold its first lock
 * through the scan, so a step that has either runs outside one: each
 * statement commits by itself, as on MySQL. So does a rolling SQL script
 * that writes `CREATE INDEX CONCURRENTLY` itself.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { Op } from "../ops/op.js";
import { refusedInTransaction } from "../sql/transaction-blocks.js";
import type { PlannedStep } from "./planned-step.js";

/** What a rolling step holds, as its phase rules read it before it runs. */
export interface StepContent {
  /** The ops a script body built, recorded. */
  readonly ops?: readonly Op[];
  /** The statements of a SQL script. */
  readonly statements?: readonly { readonly sql: string }[];
}

export function onlineOp(op: Op): Op {
  return op.kind === "createIndex" && op.concurrently === undefined ? { ...op, concurrently: true } : op;
}

/** Does this op want its statements in transactions of their own on this dialect? */
function wantsOwnTransactions(op: Op, dialect: Dialect): boolean {
  if (!dialect.caps.transactionalDdl || !dialect.caps.concurrentIndex) return false;
  return (op.kind === "createIndex" && op.concurrently !== false) || op.kind === "setNotNull";
}

/**
 * The step with its ops' online defaults, and outside a transaction when one
 * of its ops (as recorded) or of its SQL statements (`CREATE INDEX
 * CONCURRENTLY` written by hand) needs it.
 */
export async function withOnlineDefaults(step: PlannedStep, content: StepContent, dialect: Dialect): Promise<PlannedStep> {
  let own = content.ops?.some((op) => wantsOwnTransactions(op, dialect)) === true;
  if (!own && dialect.caps.concurrentIndex && content.statements !== undefined) {
    for (const statement of content.statements) {
      const refused = await refusedInTransaction(statement.sql, dialect.name);
      if (refused?.includes("CONCURRENTLY") === true) {
        own = true;
        break;
      }
    }
  }
  return {
    ...step,
    rewrite: onlineOp,
    ...(own && step.revision.transactional ? { revision: { ...step.revision, transactional: false } } : {}),
  };
}
