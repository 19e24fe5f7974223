/**
 * Renders a statement as text a database client accepts: `?` placeholders
 * replaced by literals, and the dialect's terminator. The mysql client needs
 * `DELIMITER` around compound statements (trigger and routine bodies).
 */
import type { Dialect, Statement } from "../dialects/dialect.js";
import { inlinePlaceholders } from "../sql/placeholders.js";

const COMPOUND = /\bBEGIN\b[\s\S]*\bEND\b/i;
/** CREATE, possibly inside an executable comment as mysqldump writes triggers (`/*!50003 CREATE*\/ …`). */
const CREATE = /^(?:\/\*M?!\d*\s*)?CREATE\b/i;

/**
 * `?` → literals, with the scanner the drivers use online, so that a `?` in a
 * string, comment or dollar quote stays as it is in both modes.
 */
export function inlineParams(dialect: Dialect, sql: string, params: readonly unknown[] | undefined): string {
  if (params === undefined || params.length === 0) return sql;
  return inlinePlaceholders(sql, params, dialect.name, (value) => dialect.compiler.literal(value));
}

export function renderStatement(dialect: Dialect, statement: Statement): string {
  // Only the start is trimmed: a SQLite statement's end is stored as written (`CREATE INDEX … (a) ;`).
  const sql = inlineParams(dialect, statement.sql, statement.params).trimStart();
  if (dialect.caps.clientDelimiter && COMPOUND.test(sql) && CREATE.test(sql)) {
    return `DELIMITER //\n${sql}\n//\nDELIMITER ;`;
  }
  // A line comment at the end would swallow the terminator.
  const lastLine = sql.slice(sql.lastIndexOf("\n") + 1);
  return lastLine.includes("--") || lastLine.includes("#") ? `${sql}\n;` : `${sql};`;
}
