/**
 * `?` placeholders on every dialect (SPEC §7). PostgreSQL wants `$1…`, and
 * mysql2's own formatter replaces every `?` blindly, even inside strings; so
 * both drivers cut the SQL at the `?` that stand outside strings, quoted
 * identifiers, comments and dollar quotes, as the SQL lexer reads them.
 */
import { DatabaseError } from "../errors.js";
import type { DialectName } from "../vocabulary.js";
import { LEXICAL_RULES } from "./lexical-rules.js";
import { SqlLexer } from "./lexer.js";
import { shortenSql } from "../util/shorten-sql.js";

/** Placeholders are found with the lexical rules of the dialect the statement is for. */
export type PlaceholderSyntax = DialectName;

/**
 * The SQL text around each placeholder: `n` placeholders give `n + 1`
 * pieces, so `pieces.join("?")` is the input again.
 */
export function splitAtPlaceholders(sql: string, syntax: PlaceholderSyntax): string[] {
  // Most statements have none: no need to read them.
  if (!sql.includes("?")) return [sql];
  const lexer = new SqlLexer(sql, LEXICAL_RULES[syntax], "comment");
  const pieces: string[] = [];
  let start = 0;
  let pos = 0;
  const n = sql.length;
  while (pos < n) {
    const c = sql.charCodeAt(pos);
    if (c <= 32) pos++;
    else if (c === 63) {
      pieces.push(sql.slice(start, pos));
      start = ++pos;
    } else pos = lexer.scan(pos);
  }
  pieces.push(sql.slice(start));
  return pieces;
}

/** `?` → `$1, $2, …`; checks that the number of values matches. */
export function toNumberedPlaceholders(sql: string, params: readonly unknown[]): string {
  const pieces = splitAtPlaceholders(sql, "postgres");
  checkCount(pieces.length - 1, params.length, sql);
  let out = pieces[0]!;
  for (let k = 1; k < pieces.length; k += 1) out += `$${k}${pieces[k]!}`;
  return out;
}

/**
 * Pieces of the statements seen most: tidemark's own version and log writes
 * come back thousands of times in one offline script. Bounded: scripts' own
 * statements are mostly seen once.
 */
const recentPieces: Record<PlaceholderSyntax, Map<string, readonly string[]>> = {
  sqlite: new Map(),
  postgres: new Map(),
  mysql: new Map(),
};
const RECENT_LIMIT = 64;

function piecesOf(sql: string, syntax: PlaceholderSyntax): readonly string[] {
  const recent = recentPieces[syntax];
  let pieces = recent.get(sql);
  if (pieces === undefined) {
    pieces = splitAtPlaceholders(sql, syntax);
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(sql, pieces);
  }
  return pieces;
}

/** `?` → the literal each value renders to, for drivers that format client-side. */
export function inlinePlaceholders(
  sql: string,
  params: readonly unknown[],
  syntax: PlaceholderSyntax,
  literal: (value: unknown) => string,
): string {
  const pieces = piecesOf(sql, syntax);
  checkCount(pieces.length - 1, params.length, sql);
  let out = pieces[0]!;
  for (let k = 1; k < pieces.length; k += 1) out += literal(params[k - 1]) + pieces[k]!;
  return out;
}

/** Throws unless `sql` has one `?` placeholder per value (drivers that bind values themselves). */
export function checkPlaceholderCount(sql: string, params: readonly unknown[], syntax: PlaceholderSyntax): void {
  checkCount(piecesOf(sql, syntax).length - 1, params.length, sql);
}

function checkCount(placeholders: number, values: number, sql: string): void {
  if (placeholders === values) return;
  throw new DatabaseError(
    `The statement has ${placeholders} "?" placeholder(s) but ${values} value(s) were given: ${shortenSql(sql, 200)}`,
    { fields: { placeholders, values } },
  );
}
