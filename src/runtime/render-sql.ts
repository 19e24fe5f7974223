/**
 * Renders a statement as text a database client accepts: `?` placeholders
 * replaced by literals, and the dialect's terminator. The mysql client needs
 * `DELIMITER` around compound statements (trigger and routine bodies).
 */
import type { Dialect, Statement } from "../dialects/dialect.js";

const COMPOUND = /\bBEGIN\b[\s\S]*\bEND\b/i;

export function inlineParams(dialect: Dialect, sql: string, params: readonly unknown[] | undefined): string {
  if (params === undefined || params.length === 0) return sql;
  let index = 0;
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = skipQuoted(sql, i, ch, dialect.name === "mysql");
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === "?") {
      out += dialect.literal(params[index]);
      index += 1;
      i += 1;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === "\\" && quote !== "`") {
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

export function renderStatement(dialect: Dialect, statement: Statement): string {
  const sql = inlineParams(dialect, statement.sql, statement.params).trim();
  if (dialect.caps.clientDelimiter && COMPOUND.test(sql) && /^\s*CREATE\b/i.test(sql)) {
    return `DELIMITER //\n${sql}\n//\nDELIMITER ;`;
  }
  return `${sql};`;
}
