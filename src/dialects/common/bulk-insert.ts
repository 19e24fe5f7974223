/**
 * bulkInsert → multi-row INSERTs with `?` parameters. Consecutive rows with
 * the same keys share a statement (so the order of rows, and of generated
 * ids, is kept); a missing key takes the column default instead of NULL.
 * Each statement stays under the driver's parameter limit.
 */
import type { Statement } from "../dialect.js";
import { isSqlExpression } from "../../ops/op.js";

export interface BulkInsertOptions {
  /** The quoted, possibly qualified table name. */
  readonly table: string;
  readonly quoteIdentifier: (name: string) => string;
  /** Most `?` in one statement (SQLite 32766, PostgreSQL and MySQL 65535). */
  readonly maxParams: number;
  /** Most rows in one statement, to keep statements and packets reasonable. */
  readonly maxRows: number;
  /** The statement for a row without values: `DEFAULT VALUES` or MySQL's `() VALUES ()`. */
  readonly emptyRowSql: string;
}

export function bulkInsertStatements(
  rows: readonly Readonly<Record<string, unknown>>[],
  options: BulkInsertOptions,
): Statement[] {
  const statements: Statement[] = [];
  let group: Readonly<Record<string, unknown>>[] = [];
  let groupKeys: readonly string[] = [];
  let groupSignature = "";
  const flush = (): void => {
    if (group.length > 0) statements.push(...groupStatements(group, groupKeys, options));
    group = [];
  };
  for (const row of rows) {
    const keys = Object.keys(row).filter((key) => row[key] !== undefined);
    const signature = [...keys].sort().join("\u0000");
    if (group.length === 0 || signature !== groupSignature) {
      flush();
      groupKeys = keys;
      groupSignature = signature;
    }
    group.push(row);
  }
  flush();
  return statements;
}

function groupStatements(
  rows: readonly Readonly<Record<string, unknown>>[],
  keys: readonly string[],
  options: BulkInsertOptions,
): Statement[] {
  if (keys.length === 0) return rows.map(() => ({ sql: `INSERT INTO ${options.table} ${options.emptyRowSql}` }));
  const perStatement = Math.max(1, Math.min(options.maxRows, Math.floor(options.maxParams / keys.length)));
  const columns = keys.map(options.quoteIdentifier).join(", ");
  const statements: Statement[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const params: unknown[] = [];
    const tuples = rows.slice(start, start + perStatement).map((row) => {
      const cells = keys.map((key) => {
        const value = row[key];
        // op.sql(...) in a row is SQL, not a value: it is written inline.
        if (isSqlExpression(value)) return value.sql;
        params.push(value);
        return "?";
      });
      return `(${cells.join(", ")})`;
    });
    statements.push({ sql: `INSERT INTO ${options.table} (${columns}) VALUES ${tuples.join(", ")}`, params });
  }
  return statements;
}
