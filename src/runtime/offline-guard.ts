/**
 * The first statements of an offline script that starts at a given
 * revision: they make the script abort, before it changes anything, when
 * the database is not at that revision. A temporary table with a named
 * CHECK constraint fails the same way on all three databases, and each
 * client stops at the first error (with the prelude's directives).
 */
import type { Dialect, Statement } from "../dialects/dialect.js";

export interface GuardExpectation {
  readonly versionTable: string;
  readonly repositoryId: string;
  /** Phases whose rows must equal `versions` ('' for plain repositories). */
  readonly phases: readonly string[];
  /** The expected version rows; empty means base. */
  readonly versions: readonly string[];
}

const GUARD_TABLE = "tidemark_guard";

export function guardStatements(dialect: Dialect, expected: GuardExpectation, schema?: string): Statement[] {
  const q = (name: string) => dialect.compiler.quoteIdentifier(name);
  const table = dialect.compiler.quoteTable(expected.versionTable, schema);
  const repo = dialect.compiler.literal(expected.repositoryId);
  const phases = expected.phases.map((phase) => dialect.compiler.literal(phase)).join(", ");
  const scope = `${q("repository")} = ${repo} AND ${q("phase")} IN (${phases})`;
  const total = `(SELECT COUNT(*) FROM ${table} WHERE ${scope})`;
  const wanted = expected.versions.length * expected.phases.length;
  const condition =
    expected.versions.length === 0
      ? `${total} = 0`
      : `${total} = ${wanted} AND (SELECT COUNT(*) FROM ${table} WHERE ${scope} AND ${q("version")} IN (${expected.versions
          .map((version) => dialect.compiler.literal(version))
          .join(", ")})) = ${wanted}`;
  const constraint = q(`tidemark_database_is_not_at_${expected.versions.join("_") || "base"}`.slice(0, 60));
  // Without transactional DDL only DROP TEMPORARY TABLE avoids an implicit commit.
  const drop = dialect.caps.transactionalDdl ? "DROP TABLE" : "DROP TEMPORARY TABLE";
  return [
    { sql: `CREATE TEMPORARY TABLE ${q(GUARD_TABLE)} (${q("ok")} INTEGER, CONSTRAINT ${constraint} CHECK (${q("ok")} = 1))` },
    { sql: `INSERT INTO ${q(GUARD_TABLE)} (${q("ok")}) SELECT CASE WHEN ${condition} THEN 1 ELSE 0 END` },
    { sql: `${drop} ${q(GUARD_TABLE)}` },
  ];
}
