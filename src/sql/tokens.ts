/**
 * A statement as a list of tokens, good enough to classify it or to read a
 * stored CREATE statement: comments are dropped (MySQL's executable
 * `/*! … *\/` comments are kept as code, since the server runs them),
 * strings and quoted identifiers are single tokens, so a `DROP` inside a
 * string or comment is never seen as a word.
 */
import type { DialectName } from "../vocabulary.js";
import { LEXICAL_RULES } from "./lexical-rules.js";
import { SqlLexer, unquote, type TokenKind } from "./lexer.js";

export type { TokenKind } from "./lexer.js";

export interface Token {
  readonly kind: TokenKind;
  /** The token as written. */
  readonly text: string;
  /** Identifier or string value without quotes; for words, the word itself. */
  readonly value: string;
  /** Words in upper case; empty for every other kind. */
  readonly upper: string;
  readonly start: number;
  readonly end: number;
}

/** The tokens of `sql` (comments and whitespace dropped). Never throws: an unterminated quote runs to the end. */
export function tokenize(sql: string, dialect: DialectName): Token[] {
  const lexer = new SqlLexer(sql, LEXICAL_RULES[dialect], "code");
  const tokens: Token[] = [];
  const n = sql.length;
  let pos = 0;
  while (pos < n) {
    if (sql.charCodeAt(pos) <= 32) {
      pos++;
      continue;
    }
    const start = pos;
    pos = lexer.scan(pos);
    const kind = lexer.kind;
    switch (kind) {
      case "line-comment":
      case "block-comment":
      case "executable-open":
      case "executable-close":
        continue;
      default: {
        const text = sql.slice(start, pos);
        const value = lexer.quote === 0 ? text : unquote(lexer);
        tokens.push({ kind, text, value, upper: kind === "word" ? text.toUpperCase() : "", start, end: pos });
      }
    }
  }
  return tokens;
}
