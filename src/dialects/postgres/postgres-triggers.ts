/**
 * PostgreSQL triggers for the rolling-upgrade ops (syncColumns, dropSync,
 * forbidWrites, allowWrites). PLACEHOLDER: another change replaces this
 * file; the compiler only depends on the signature below.
 *
 * Contract: `compileTriggerOp(op, context, sql)` returns the statements for
 * one trigger op. `context` is the op's CompileContext (`schema` qualifies
 * names on PostgreSQL); `sql` gives the dialect's quoting and literals, so
 * this file never re-implements them. It must not do I/O.
 */
import type { CompileContext, Statement } from "../dialect.js";
import type { SqlHelpers, TriggerOp } from "../common/sql-compiler.js";
import { TidemarkError } from "../../errors.js";

export function compileTriggerOp(op: TriggerOp, _context: CompileContext, _sql: SqlHelpers): Statement[] {
  throw new TidemarkError(
    "not-implemented",
    1,
    `PostgreSQL: ${op.kind} on table "${op.table}" is not implemented yet (the trigger compiler for rolling upgrades is still being written).`,
    { fields: { dialect: "postgres", kind: op.kind } },
  );
}
