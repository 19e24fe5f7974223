/**
 * Script bodies as text: TypeScript op calls, or the dialect's SQL. SQL is
 * compiled by the dialect's own compiler, against the introspected tables
 * (SQLite's table rebuild and MySQL's MODIFY COLUMN restate a table's or a
 * column's current shape), tracked op by op as the body changes them.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { TableModel } from "../dialects/schema-model.js";
import type { Op } from "../ops/op.js";
import { renderStatement } from "../runtime/render-sql.js";
import { SchemaTracker } from "../dialects/schema-tracker.js";
import { renderBackfillCall, renderOpCall } from "./render-ts.js";
import type { ScriptStep } from "./script-steps.js";

export function renderTsBody(steps: readonly ScriptStep[]): string {
  const lines: string[] = [];
  for (const step of steps) {
    if (step.kind === "comment") {
      lines.push(...commentLines("//", step.text));
      continue;
    }
    for (const comment of step.comments) lines.push(...commentLines("//", comment));
    lines.push(step.kind === "op" ? renderOpCall(step.op) : renderBackfillCall(step.options));
  }
  return lines.join("\n");
}

function commentLines(prefix: string, text: string): string[] {
  return text.split("\n").map((line) => `${prefix} ${line}`);
}

/** Compiles ops one after another, each against the tables as the ops before it left them. */
export class SqlBodyRenderer {
  private readonly tracker: SchemaTracker;

  constructor(
    private readonly dialect: Dialect,
    tables: readonly TableModel[],
    private readonly schema?: string,
  ) {
    this.tracker = new SchemaTracker(dialect);
    this.tracker.seed(tables);
  }

  /** The SQL of one op, statements terminated. */
  op(op: Op): string[] {
    const table = "table" in op && this.dialect.compiler.needsTableModel(op) ? this.tracker.table(op.table) : undefined;
    const statements = this.dialect.compiler.compile(op, {
      ...(table === undefined ? {} : { table }),
      ...(this.schema === undefined ? {} : { schema: this.schema }),
    });
    this.tracker.apply(op);
    return statements.map((statement) => renderStatement(this.dialect, statement));
  }

  body(steps: readonly ScriptStep[]): string {
    const lines: string[] = [];
    for (const step of steps) {
      if (step.kind === "comment") {
        lines.push(...commentLines("--", step.text));
        continue;
      }
      for (const comment of step.comments) lines.push(...commentLines("--", comment));
      if (step.kind === "op") lines.push(...this.op(step.op));
      else lines.push(this.backfillSql(step.options.table, step.options.set, step.options.where));
    }
    return lines.join("\n");
  }

  /** A SQL script has no batched backfill: one UPDATE does the copy. */
  private backfillSql(table: string, set: Readonly<Record<string, string>>, where: string | undefined): string {
    const q = (name: string) => this.dialect.compiler.quoteIdentifier(name);
    const assignments = Object.entries(set)
      .map(([column, expression]) => `${q(column)} = ${expression}`)
      .join(", ");
    return `UPDATE ${this.dialect.compiler.quoteTable(table, this.schema)} SET ${assignments}${where === undefined ? "" : ` WHERE ${where}`};`;
  }
}
