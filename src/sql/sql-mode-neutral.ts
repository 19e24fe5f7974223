/**
 * MySQL's sql_mode changes how a statement is read: with
 * NO_BACKSLASH_ESCAPES (or ANSI_QUOTES, whose `"…"` identifiers take no
 * escapes) a backslash no longer escapes a quote, so `'x\', DROP COLUMN b,
 * …'` is a string to one reading and a DROP to the other. The server's
 * mode may be set globally, outside every script, so a statement is only
 * judged when both readings cut it into the same tokens; a quote inside a
 * string written doubled (`'it''s'`) reads the same in every mode.
 */
import { SqlLexer } from "./lexer.js";
import { LEXICAL_RULES, type LexicalRules } from "./lexical-rules.js";

const WITHOUT_BACKSLASH_ESCAPES: LexicalRules = { ...LEXICAL_RULES.mysql, backslashEscapes: false };

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

/** True when MySQL reads `sql` into the same tokens with and without backslash escapes. */
export function readsTheSameInEverySqlMode(sql: string): boolean {
  // Without a backslash both readings are the same by construction.
  if (!sql.includes("\\")) return true;
  const a = bounds(sql, LEXICAL_RULES.mysql);
  const b = bounds(sql, WITHOUT_BACKSLASH_ESCAPES);
  return a.length === b.length && a.every((value, k) => value === b[k]);
}
