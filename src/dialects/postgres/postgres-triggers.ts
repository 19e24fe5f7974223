/**
 * PostgreSQL triggers for the rolling-upgrade ops (syncColumns, dropSync,
 * forbidWrites, allowWrites): one PL/pgSQL trigger function per op, called
 * by row-level BEFORE triggers named by ops/naming.ts. Which side
 * of a pair a write came from is decided in common/trigger-plan.ts.
 *
 * BEFORE triggers assign NEW's fields, so a sync never writes the table
 * again (no recursion), and a NOT NULL old column is satisfied by the value
 * the trigger computes (PostgreSQL checks NOT NULL after BEFORE triggers).
 *
 * Names: the function lives in `context.schema` when one is set (else the
 * first schema of the search path, like the table); a trigger belongs to its
 * table, so its name is never qualified. Functions are created with plain
 * CREATE FUNCTION, not OR REPLACE: two syncs sharing a name must fail loudly
 * rather than one silently taking over the other's function.
 *
 * `EXECUTE FUNCTION` needs PostgreSQL 11 or later. Row triggers do not see
 * TRUNCATE, so forbidWrites does not stop it.
 */
import type { CompileContext, Statement } from "../dialect.js";
import type { SqlHelpers, TriggerOp } from "../common/sql-compiler.js";
import type { AllowWrites, DropSync, ForbidWrites, SyncColumns } from "../../ops/op.js";
import { forbidMessage, planSync, type Assignment } from "../common/trigger-plan.js";
import { compileTriggerOpWith } from "../common/trigger-ops.js";
import { forbidTriggerNames, syncTriggerNames } from "../../ops/naming.js";

export function compileTriggerOp(op: TriggerOp, context: CompileContext, sql: SqlHelpers): Statement[] {
  return compileTriggerOpWith({ syncColumns, dropSync, forbidWrites, allowWrites }, op, context, sql);
}

function syncColumns(op: SyncColumns, sql: SqlHelpers, context: CompileContext): Statement[] {
  const plan = planSync(op, "postgres", {
    ref: (row, column) => `${row}.${sql.quoteIdentifier(column)}`,
    distinct: (a, b) => `${a} IS DISTINCT FROM ${b}`,
  });
  const names = syncTriggerNames(op);
  const fn = sql.quoteTable(names.function, context.schema);
  const table = sql.quoteTable(op.table, context.schema);
  const assign = (assignments: readonly Assignment[], indent: string): string[] =>
    assignments.map((a) => `${indent}NEW.${sql.quoteIdentifier(a.column)} := ${a.expression};`);
  const body = [
    "BEGIN",
    "  IF TG_OP = 'INSERT' THEN",
    `    IF ${plan.insertForward} THEN`,
    ...assign(plan.forward, "      "),
    `    ELSIF ${plan.insertBackward} THEN`,
    ...assign(plan.backward, "      "),
    "    END IF;",
    `  ELSIF ${plan.updateBackward} THEN`,
    ...assign(plan.backward, "    "),
    `  ELSIF ${plan.updateForward} THEN`,
    ...assign(plan.forward, "    "),
    "  END IF;",
    "  RETURN NEW;",
    "END",
  ];
  const columns = plan.columns.map((column) => sql.quoteIdentifier(column)).join(", ");
  return [
    { sql: createFunction(fn, body) },
    {
      sql: `CREATE TRIGGER ${sql.quoteIdentifier(names.insert)} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    },
    {
      sql:
        `CREATE TRIGGER ${sql.quoteIdentifier(names.update)} BEFORE UPDATE OF ${columns} ON ${table} ` +
        `FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    },
  ];
}

function dropSync(op: DropSync, sql: SqlHelpers, context: CompileContext): Statement[] {
  const names = syncTriggerNames(op);
  return dropTriggers([names.insert, names.update], names.function, op.table, context, sql);
}

function forbidWrites(op: ForbidWrites, sql: SqlHelpers, context: CompileContext): Statement[] {
  const names = forbidTriggerNames(op.table);
  const fn = sql.quoteTable(names.function, context.schema);
  const table = sql.quoteTable(op.table, context.schema);
  // USING MESSAGE, not a format string: a `%` in the message stays a `%`.
  const body = ["BEGIN", `  RAISE EXCEPTION USING MESSAGE = ${sql.literal(forbidMessage(op.table, op.message))};`, "END"];
  const events = [
    [names.insert, "INSERT"],
    [names.update, "UPDATE"],
    [names.delete, "DELETE"],
  ] as const;
  return [
    { sql: createFunction(fn, body) },
    ...events.map(([name, event]) => ({
      sql: `CREATE TRIGGER ${sql.quoteIdentifier(name)} BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    })),
  ];
}

function allowWrites(op: AllowWrites, sql: SqlHelpers, context: CompileContext): Statement[] {
  const names = forbidTriggerNames(op.table);
  return dropTriggers([names.insert, names.update, names.delete], names.function, op.table, context, sql);
}

function dropTriggers(
  triggers: readonly string[],
  fn: string,
  table: string,
  context: CompileContext,
  sql: SqlHelpers,
): Statement[] {
  const on = sql.quoteTable(table, context.schema);
  return [
    ...triggers.map((name) => ({ sql: `DROP TRIGGER IF EXISTS ${sql.quoteIdentifier(name)} ON ${on}` })),
    { sql: `DROP FUNCTION IF EXISTS ${sql.quoteTable(fn, context.schema)}()` },
  ];
}

function createFunction(fn: string, body: readonly string[]): string {
  const text = body.join("\n");
  const tag = dollarTag(text);
  return `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS ${tag}\n${text}\n${tag}`;
}

/** A dollar-quote tag that the body does not contain (a script's expression could). */
function dollarTag(body: string): string {
  let tag = "$tidemark$";
  for (let n = 1; body.includes(tag); n += 1) tag = `$tidemark${n}$`;
  return tag;
}
