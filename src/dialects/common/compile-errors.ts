/**
 * The errors a compiler raises. They are plain TidemarkErrors with their own
 * codes: the compiler knows the op but not the revision, so the runner wraps
 * them with the script that asked for the op.
 */
import type { DialectName } from "../dialect.js";
import type { Op } from "../../ops/op.js";
import { TidemarkError } from "../../errors.js";

const DIALECT_TITLE: Readonly<Record<DialectName, string>> = {
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  mysql: "MySQL",
};

export function dialectTitle(dialect: DialectName): string {
  return DIALECT_TITLE[dialect];
}

/** What an op is about, for messages: `createIndex "ix_a" on table "users"`. */
export function describeOp(op: Op): string {
  const table = "table" in op ? ` on table "${op.table}"` : "";
  const name = "name" in op && typeof op.name === "string" ? ` "${op.name}"` : "";
  return `${op.kind}${name}${table}`;
}

/** The dialect cannot express what the op asks for (a script problem: exit 2). */
export function unsupported(dialect: DialectName, op: Op, why: string): TidemarkError {
  return new TidemarkError("unsupported-op", 2, `${dialectTitle(dialect)} cannot compile ${describeOp(op)}: ${why}`, {
    fields: { dialect, kind: op.kind },
  });
}

/** The op contradicts itself or names something that is not there (exit 2). */
export function invalidOp(dialect: DialectName, op: Op, why: string): TidemarkError {
  return new TidemarkError("invalid-op", 2, `${dialectTitle(dialect)}: ${describeOp(op)} ${why}`, {
    fields: { dialect, kind: op.kind },
  });
}

/** needsTableModel said yes, but no TableModel came with the op. */
export function missingTableModel(dialect: DialectName, op: Op & { readonly table: string }, why: string): TidemarkError {
  return new TidemarkError(
    "table-model-missing",
    1,
    `${dialectTitle(dialect)} cannot compile ${describeOp(op)} without the current shape of table ` +
      `"${op.table}" (${why}). Online this means the table was not found in the database; offline, ` +
      "tidemark only knows tables created earlier in the rendered range, so render a range that " +
      "includes the table's creation or run the upgrade online.",
    { fields: { dialect, kind: op.kind, table: op.table } },
  );
}

/** An identifier that cannot be quoted safely. */
export function invalidIdentifier(name: string, why: string): TidemarkError {
  return new TidemarkError("invalid-identifier", 2, `Invalid SQL identifier ${JSON.stringify(name)}: ${why}.`, {
    fields: { name },
  });
}
