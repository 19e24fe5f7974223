/**
 * DEFAULT clauses. SQLite accepts only literals, signed numbers and
 * CURRENT_* bare, anything else inside parentheses; MySQL 8 needs parentheses
 * for expressions and for any default of a TEXT/BLOB/JSON column; PostgreSQL
 * takes any expression as is. A literal default is rendered with the
 * dialect's literal rules.
 */
import type { DialectName } from "../dialect.js";
import { isSqlExpression, type DefaultValue } from "../../ops/op.js";
import { renderLiteral } from "./literal.js";

const SIMPLE_DEFAULT =
  /^(?:[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?|'(?:[^']|'')*'|x'[0-9a-f]*'|null|true|false|current_timestamp|current_date|current_time)$/i;

/** MySQL's temporal functions that it accepts bare in a DEFAULT. */
const MYSQL_NOW = /^(?:current_timestamp|now|localtimestamp|localtime)(?:\(\s*\d*\s*\))?$/i;

const MYSQL_LOB = /^(?:(?:tiny|medium|long)?(?:text|blob)|json)$/i;

/** Whether SQL default text may stand bare after DEFAULT (SQLite's rule). */
export function isSimpleDefault(sql: string): boolean {
  const text = sql.trim();
  return SIMPLE_DEFAULT.test(text) || isParenthesized(text);
}

/** `(…)` around the whole text, not `(a) + (b)`. */
export function isParenthesized(text: string): boolean {
  if (!text.startsWith("(") || !text.endsWith(")")) return false;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") quote = ch;
    else if (ch === "(") depth += 1;
    else if (ch === ")") {
      depth -= 1;
      if (depth === 0 && i < text.length - 1) return false;
    }
  }
  return depth === 0;
}

/** The SQL after DEFAULT for a column of `type` (already mapped), or undefined for none. */
export function renderDefault(value: DefaultValue | undefined, dialect: DialectName, type: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isSqlExpression(value)) return wrapDefaultSql(value.sql.trim(), dialect, type);
  if (dialect === "mysql" && MYSQL_LOB.test(type.trim())) return `(${renderLiteral(value, dialect, "expression")})`;
  return renderLiteral(value, dialect);
}

/** Default SQL text (from an op or from introspection) made valid for `dialect`. */
export function wrapDefaultSql(sql: string, dialect: DialectName, type: string): string {
  if (dialect === "postgres") return sql;
  if (dialect === "mysql") {
    if (MYSQL_NOW.test(sql)) {
      // MySQL wants CURRENT_TIMESTAMP(6) for a datetime(6); MariaDB fixes it silently.
      const precision = /^(?:datetime|timestamp)\((\d)\)$/i.exec(type.trim());
      return precision === null ? sql : `CURRENT_TIMESTAMP(${precision[1]})`;
    }
    if (MYSQL_LOB.test(type.trim())) return isParenthesized(sql) ? sql : `(${sql})`;
  }
  return isSimpleDefault(sql) ? sql : `(${sql})`;
}
