/**
 * The lock facts of SQL text and of ops, per dialect. Ops are compiled to
 * the dialect's SQL and read like any statement, so the lint judges exactly
 * what would run (CONCURRENTLY, NOT VALID or ALGORITHM=INPLACE included when
 * the op emits them) — except SQLite's table rebuilds, which need the live
 * table to compile and are recognised from the op itself.
 */
import type { Dialect } from "../dialects/dialect.js";
import type { Op } from "../ops/op.js";
import { splitSql } from "../sql/splitter.js";
import type { DialectName } from "../vocabulary.js";
import type { LockFact } from "./facts.js";
import { postgresFacts } from "./facts-postgres.js";
import { tokenFacts } from "./facts-tokens.js";

/** The facts of one statement (already split). For PostgreSQL, the parser must be loaded. */
export function statementFacts(sql: string, dialect: DialectName): LockFact[] {
  return dialect === "postgres" ? postgresFacts(sql) : tokenFacts(sql, dialect);
}

export interface OpStatement {
  readonly sql: string;
  readonly facts: readonly LockFact[];
  /** Line inside `op.execute`'s text, 1-based. */
  readonly line: number;
  readonly unsafe?: string;
}

/** Ops SQLite can only do by rebuilding the table (dropColumn is left out: only a constrained column needs it). */
function sqliteRebuild(op: Op, dialect: Dialect): Extract<LockFact, { kind: "table-rebuild" }> | undefined {
  // aliasTable needs the model only to list the columns of its view's INSTEAD OF triggers: no rebuild.
  if (dialect.name !== "sqlite" || op.kind === "dropColumn" || op.kind === "aliasTable" || !("table" in op)) return undefined;
  if (!dialect.compiler.needsTableModel(op)) return undefined;
  return { kind: "table-rebuild", table: op.table, why: `${op.kind} on SQLite rebuilds the table` };
}

/** What one recorded op runs, statement by statement, with the facts of each. */
export function opStatements(op: Op, dialect: Dialect): OpStatement[] {
  if (op.kind === "execute") {
    let parts: readonly { readonly sql: string; readonly line: number; readonly unsafe?: string }[];
    try {
      parts = splitSql(op.sql, dialect.name);
    } catch {
      return [];
    }
    return parts.map((part) => {
      const unsafe = op.unsafe ?? part.unsafe;
      return {
        sql: part.sql,
        line: part.line,
        facts: statementFacts(part.sql, dialect.name),
        ...(unsafe === undefined ? {} : { unsafe }),
      };
    });
  }
  // Safe ops take `{ unsafe }` too; any op carrying a reason silences its findings.
  const reason = (op as { readonly unsafe?: unknown }).unsafe;
  const unsafe = typeof reason === "string" ? { unsafe: reason } : {};
  const rebuild = sqliteRebuild(op, dialect);
  if (rebuild !== undefined) {
    return [{ sql: `op.${op.kind}("${rebuild.table}", …)`, line: 1, facts: [rebuild], ...unsafe }];
  }
  let compiled: readonly { readonly sql: string }[];
  try {
    compiled = dialect.compiler.compile(op, {});
  } catch {
    return [];
  }
  return compiled.map((statement) => ({
    sql: statement.sql,
    line: 1,
    facts: statementFacts(statement.sql, dialect.name),
    ...unsafe,
  }));
}
