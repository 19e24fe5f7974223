/**
 * A session or server setting can change how a statement is read: MySQL's
 * sql_mode with NO_BACKSLASH_ESCAPES (or ANSI_QUOTES, whose `"…"`
 * identifiers take no escapes) stops a backslash from escaping a quote;
 * PostgreSQL with standard_conforming_strings off makes plain strings take
 * backslash escapes. Either way `'x\', DROP COLUMN b, …'` is a string to one
 * reading and a DROP to the other. The setting may be global, outside
 * every script, so a statement is only judged when both readings cut it
 * into the same tokens; a quote inside a string written doubled (`'it''s'`)
 * reads the same everywhere.
 */
import { SqlLexer } from "./lexer.js";
import { LEXICAL_RULES, type LexicalRules } from "./lexical-rules.js";

/** The other reading of each dialect: MySQL without backslash escapes, PostgreSQL with them. */
const OTHER_READING: Readonly<Record<"mysql" | "postgres", LexicalRules>> = {
  mysql: { ...LEXICAL_RULES.mysql, backslashEscapes: false },
  postgres: { ...LEXICAL_RULES.postgres, backslashEscapes: true },
};

function bounds(sql: string, rules: LexicalRules): number[] {
  const lexer = new SqlLexer(sql, rules, "code");
  const out: number[] = [];
  let pos = 0;
  while (pos < sql.length) {
    if (sql.charCodeAt(pos) <= 32) {
      pos++;
      continue;
    }
    const start = pos;
    pos = lexer.scan(pos);
    out.push(start, pos);
  }
  return out;
}

/** True when the database reads `sql` into the same tokens with and without backslash escapes in strings. */
export function readsTheSameInEveryMode(sql: string, dialect: "mysql" | "postgres"): boolean {
  // Without a backslash both readings are the same by construction.
  if (!sql.includes("\\")) return true;
  const a = bounds(sql, LEXICAL_RULES[dialect]);
  const b = bounds(sql, OTHER_READING[dialect]);
  return a.length === b.length && a.every((value, k) => value === b[k]);
}
