/**
 * SQLite triggers for the rolling-upgrade ops (syncColumns, dropSync,
 * forbidWrites, allowWrites). Which side of a pair a write came from is
 * decided in common/trigger-plan.ts; this file only spells it in SQLite.
 *
 * SQLite cannot assign to NEW, so the sync triggers are AFTER INSERT and
 * AFTER UPDATE OF <both sides> triggers whose body updates the written row
 * again (`WHERE rowid = NEW.rowid`). That inner UPDATE does not re-fire its
 * own trigger (recursive_triggers is off by default), and the insert
 * trigger's inner UPDATE, which does fire the update trigger, leaves the row
 * consistent, so the update trigger's conditions find nothing to do. With
 * recursive_triggers on, the same conditions stop the recursion after one
 * nested round: a fix-up leaves the side it wrote equal to what the other
 * side computes, which is exactly what the conditions skip (for
 * deterministic expressions).
 *
 * Contracts for scripts (for the README):
 * - The row is written first and fixed up after, so a column must accept the
 *   write of a release that does not know it: add the new columns nullable
 *   (without default) in expand, and keep the old ones nullable while new
 *   writers run. A default on a synced column makes its side look written.
 * - Tables WITHOUT ROWID are not supported (the fix-up finds the row by
 *   rowid). SQLite would accept the triggers and fail every later write with
 *   "no such column: rowid", so a probe statement makes the step fail instead.
 * - SQLite refuses to drop a column a trigger refers to: the contract step
 *   must `dropSync` before `dropColumn` (the phase guard lists leftover
 *   triggers anyway).
 */
import type { CompileContext, Statement } from "../dialect.js";
import type { SqlHelpers, TriggerOp } from "../common/sql-compiler.js";
import type { AllowWrites, DropSync, ForbidWrites, SyncColumns } from "../../ops/op.js";
import { planSync, type Assignment } from "../common/trigger-plan.js";
import { compileTriggerOpWith, dropTriggersNamed, forbiddingTriggers } from "../common/trigger-ops.js";
import { forbidTriggerNames, syncTriggerNames } from "../../ops/naming.js";

export function compileTriggerOp(op: TriggerOp, context: CompileContext, sql: SqlHelpers): Statement[] {
  return compileTriggerOpWith({ syncColumns, dropSync, forbidWrites, allowWrites }, op, context, sql);
}

function syncColumns(op: SyncColumns, sql: SqlHelpers): Statement[] {
  const plan = planSync(op, "sqlite", {
    ref: (row, column) => `${row}.${sql.quoteIdentifier(column)}`,
    distinct: (a, b) => `${a} IS NOT ${b}`,
  });
  const names = syncTriggerNames(op);
  const table = sql.quoteTable(op.table);
  const fixUp = (assignments: readonly Assignment[], when: string): string => {
    const set = assignments.map((a) => `${sql.quoteIdentifier(a.column)} = ${a.expression}`).join(", ");
    return `  UPDATE ${table} SET ${set} WHERE rowid = NEW.rowid AND ${when};`;
  };
  const columns = plan.columns.map((column) => sql.quoteIdentifier(column)).join(", ");
  return [
    { sql: `/* tidemark: syncColumns needs a rowid table, not WITHOUT ROWID */ SELECT rowid FROM ${table} LIMIT 0` },
    {
      sql: [
        `CREATE TRIGGER ${sql.quoteIdentifier(names.insert)} AFTER INSERT ON ${table} FOR EACH ROW`,
        "BEGIN",
        fixUp(plan.forward, plan.insertForward),
        fixUp(plan.backward, plan.insertBackward),
        "END",
      ].join("\n"),
    },
    {
      sql: [
        `CREATE TRIGGER ${sql.quoteIdentifier(names.update)} AFTER UPDATE OF ${columns} ON ${table} FOR EACH ROW`,
        "BEGIN",
        fixUp(plan.backward, plan.updateBackward),
        // NEW keeps the values of the outer write, so the first fix-up cannot change what this one sees.
        fixUp(plan.forward, `${plan.updateForward} AND NOT (${plan.updateBackward})`),
        "END",
      ].join("\n"),
    },
  ];
}

function dropSync(op: DropSync, sql: SqlHelpers): Statement[] {
  const names = syncTriggerNames(op);
  return dropTriggersNamed([names.insert, names.update], sql);
}

function forbidWrites(op: ForbidWrites, sql: SqlHelpers): Statement[] {
  return forbiddingTriggers(op, sql, (literal) => `SELECT RAISE(ABORT, ${literal});`);
}

function allowWrites(op: AllowWrites, sql: SqlHelpers): Statement[] {
  const names = forbidTriggerNames(op.table);
  return dropTriggersNamed([names.insert, names.update, names.delete], sql);
}
