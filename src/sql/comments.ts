/**
 * Which comments a text holds, read by the dialect's own lexer: closed
 * phase rules refuse MySQL's executable comments (`/*! … *\/`, `/*M! … *\/`:
 * whether the server runs them depends on its version), and a backfill's
 * `where` / `set` expressions may hold no comment at all.
 */
import type { DialectName } from "../vocabulary.js";
import { SqlLexer } from "./lexer.js";
import { LEXICAL_RULES } from "./lexical-rules.js";

export interface CommentsFound {
  /** `--` or `#` comments. */
  readonly line: boolean;
  /** `/* … *\/` comments that the server skips. */
  readonly block: boolean;
  /** `/*! … *\/` or `/*M! … *\/`: code the server may run. */
  readonly executable: boolean;
  /** A `;` outside strings, identifiers and comments. */
  readonly semicolon: boolean;
}

export function commentsIn(sql: string, dialect: DialectName): CommentsFound {
  const lexer = new SqlLexer(sql, LEXICAL_RULES[dialect], "code");
  let line = false;
  let block = false;
  let executable = false;
  let semicolon = false;
  let pos = 0;
  while (pos < sql.length) {
    if (sql.charCodeAt(pos) <= 32) {
      pos++;
      continue;
    }
    const start = pos;
    pos = lexer.scan(pos);
    if (lexer.kind === "line-comment") line = true;
    else if (lexer.kind === "block-comment") block = true;
    else if (lexer.kind === "executable-open") executable = true;
    else if (lexer.kind === "punct" && sql.charCodeAt(start) === 59) semicolon = true;
  }
  return { line, block, executable, semicolon };
}
