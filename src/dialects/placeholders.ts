/**
 * `?` placeholders on every dialect (SPEC §7). PostgreSQL wants `$1…`, and
 * mysql2's own formatter replaces every `?` blindly, even inside strings; so
 * both drivers cut the SQL at the `?` that stand outside strings, quoted
 * identifiers, comments and dollar quotes, with this one scanner.
 */
import { DatabaseError } from "../errors.js";

export type PlaceholderSyntax = "postgres" | "mysql";

/**
 * The SQL text around each placeholder: `n` placeholders give `n + 1`
 * pieces, so `pieces.join("?")` is the input again.
 */
export function splitAtPlaceholders(sql: string, syntax: PlaceholderSyntax): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === "?") {
      pieces.push(sql.slice(start, i));
      start = i + 1;
      i += 1;
    } else if (ch === "'") {
      const backslashes = syntax === "mysql" || isEscapeStringPrefix(sql, i);
      i = skipQuoted(sql, i, "'", backslashes);
    } else if (ch === '"') {
      i = skipQuoted(sql, i, '"', syntax === "mysql");
    } else if (ch === "`" && syntax === "mysql") {
      i = skipQuoted(sql, i, "`", false);
    } else if (ch === "-" && next === "-" && (syntax === "postgres" || isMysqlDashComment(sql, i))) {
      i = skipLine(sql, i);
    } else if (ch === "#" && syntax === "mysql") {
      i = skipLine(sql, i);
    } else if (ch === "/" && next === "*") {
      i = skipBlockComment(sql, i, syntax === "postgres");
    } else if (ch === "$" && syntax === "postgres") {
      i = skipDollarQuote(sql, i);
    } else {
      i += 1;
    }
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
const recentPieces: Record<PlaceholderSyntax, Map<string, readonly string[]>> = { postgres: new Map(), mysql: new Map() };
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

function checkCount(placeholders: number, values: number, sql: string): void {
  if (placeholders === values) return;
  throw new DatabaseError(
    `The statement has ${placeholders} "?" placeholder(s) but ${values} value(s) were given: ${shorten(sql)}`,
    { fields: { placeholders, values } },
  );
}

function shorten(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}

/** PostgreSQL `E'…'` strings take backslash escapes; `e` must not end an identifier. */
function isEscapeStringPrefix(sql: string, quoteAt: number): boolean {
  const prev = sql[quoteAt - 1];
  if (prev !== "E" && prev !== "e") return false;
  const before = sql[quoteAt - 2];
  return before === undefined || !/[A-Za-z0-9_$]/.test(before);
}

/** MySQL needs whitespace (or a control character) after `--` for a comment. */
function isMysqlDashComment(sql: string, at: number): boolean {
  const after = sql[at + 2];
  return after === undefined || after <= " ";
}

function skipQuoted(sql: string, at: number, quote: string, backslashes: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (backslashes && ch === "\\") {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function skipLine(sql: string, at: number): number {
  const end = sql.indexOf("\n", at);
  return end === -1 ? sql.length : end + 1;
}

function skipBlockComment(sql: string, at: number, nested: boolean): number {
  let depth = 1;
  let i = at + 2;
  while (i < sql.length) {
    if (sql[i] === "*" && sql[i + 1] === "/") {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else if (nested && sql[i] === "/" && sql[i + 1] === "*") {
      depth += 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** `$tag$ … $tag$`; a `$` inside an identifier (`a$b`) or `$1` is not a quote. */
function skipDollarQuote(sql: string, at: number): number {
  const prev = sql[at - 1];
  if (prev !== undefined && /[A-Za-z0-9_$]/.test(prev)) return at + 1;
  const match = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(at, at + 200));
  if (!match) return at + 1;
  const tag = match[0];
  const close = sql.indexOf(tag, at + tag.length);
  return close === -1 ? sql.length : close + tag.length;
}
