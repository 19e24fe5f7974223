/**
 * What the `<dialect>-triggers.ts` files share besides the sync rules of
 * trigger-plan.ts: the dispatch of the four trigger ops, and, for the two
 * dialects whose triggers are named per database with a BEGIN…END body
 * (MySQL, SQLite), dropping triggers by name and the three triggers that
 * refuse writes.
 */
import type { CompileContext, Statement } from "../dialect.js";
import type { SqlHelpers, TriggerOp } from "./sql-compiler.js";
import { assertNever, type AllowWrites, type DropSync, type ForbidWrites, type SyncColumns } from "../../ops/op.js";
import { forbidTriggerNames } from "../../ops/naming.js";
import { forbidMessage } from "./trigger-plan.js";

/** How one dialect spells each trigger op (the context last: only some dialects need it). */
export interface TriggerSpelling {
  syncColumns(op: SyncColumns, sql: SqlHelpers, context: CompileContext): Statement[];
  dropSync(op: DropSync, sql: SqlHelpers, context: CompileContext): Statement[];
  forbidWrites(op: ForbidWrites, sql: SqlHelpers, context: CompileContext): Statement[];
  allowWrites(op: AllowWrites, sql: SqlHelpers, context: CompileContext): Statement[];
}

export function compileTriggerOpWith(
  spelling: TriggerSpelling,
  op: TriggerOp,
  context: CompileContext,
  sql: SqlHelpers,
): Statement[] {
  switch (op.kind) {
    case "syncColumns":
      return spelling.syncColumns(op, sql, context);
    case "dropSync":
      return spelling.dropSync(op, sql, context);
    case "forbidWrites":
      return spelling.forbidWrites(op, sql, context);
    case "allowWrites":
      return spelling.allowWrites(op, sql, context);
    default:
      return assertNever(op, "trigger op kind");
  }
}

/** `DROP TRIGGER IF EXISTS` for each name, where trigger names need no table. */
export function dropTriggersNamed(names: readonly string[], sql: SqlHelpers): Statement[] {
  return names.map((name) => ({ sql: `DROP TRIGGER IF EXISTS ${sql.quoteIdentifier(name)}` }));
}

/**
 * BEFORE INSERT, UPDATE and DELETE triggers whose body is the one statement
 * `raise` makes of the message literal.
 */
export function forbiddingTriggers(op: ForbidWrites, sql: SqlHelpers, raise: (message: string) => string): Statement[] {
  const names = forbidTriggerNames(op.table);
  const table = sql.quoteTable(op.table);
  const body = raise(sql.literal(forbidMessage(op.table, op.message)));
  const events = [
    [names.insert, "INSERT"],
    [names.update, "UPDATE"],
    [names.delete, "DELETE"],
  ] as const;
  return events.map(([name, event]) => ({
    sql: [
      `CREATE TRIGGER ${sql.quoteIdentifier(name)} BEFORE ${event} ON ${table} FOR EACH ROW`,
      "BEGIN",
      `  ${body}`,
      "END",
    ].join("\n"),
  }));
}
