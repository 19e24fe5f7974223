/**
 * A tokenizer for one SQL statement, good enough to classify it: comments
 * are dropped (MySQL's executable `/*! … *\/` comments are kept as code,
 * since the server runs them), strings and quoted identifiers are single
 * tokens, so a `DROP` inside a string or comment is never seen as a word.
 * Splitting a script into statements is repo/sql-splitter.ts's job.
 */
import type { DialectName } from "../vocabulary.js";

export type TokenKind = "word" | "quoted" | "string" | "number" | "variable" | "param" | "punct";

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

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

class Lexer {
  private pos = 0;
  /** Inside MySQL `/*! … *\/`: the closing `*\/` is skipped, its content is code. */
  private executable = false;
  readonly tokens: Token[] = [];

  constructor(
    private readonly sql: string,
    private readonly dialect: DialectName,
  ) {}

  run(): Token[] {
    const { sql } = this;
    while (this.pos < sql.length) {
      const c = sql.charCodeAt(this.pos);
      const next = sql.charCodeAt(this.pos + 1);
      if (c <= 32) this.pos++;
      else if (c === 45 && next === 45 && this.dashComment()) this.skipLine();
      else if (c === 35 && this.dialect === "mysql") this.skipLine();
      else if (c === 47 && next === 42) this.blockComment();
      else if (c === 42 && next === 47 && this.executable) {
        this.executable = false;
        this.pos += 2;
      } else if (c === 39) this.quoted("string", 39, this.dialect === "mysql");
      else if (c === 34) this.quoted(this.dialect === "mysql" ? "string" : "quoted", 34, this.dialect === "mysql");
      else if (c === 96 && this.dialect !== "postgres") this.quoted("quoted", 96, false);
      else if (c === 91 && this.dialect === "sqlite") this.bracketed();
      else if (c === 36 && this.dialect === "postgres" && this.dollar()) continue;
      else if (isDigit(c) || (c === 46 && isDigit(next))) this.number();
      else if (isWordStart(c)) this.word();
      else if (c === 64 && this.dialect === "mysql") this.variable();
      else if (c === 63 || ((c === 58 || c === 36) && isWordChar(next) && next !== 58)) this.param(c);
      else this.punct();
    }
    return this.tokens;
  }

  private push(kind: TokenKind, start: number, end: number, value?: string): void {
    const text = this.sql.slice(start, end);
    this.tokens.push({ kind, text, value: value ?? text, upper: kind === "word" ? text.toUpperCase() : "", start, end });
  }

  private dashComment(): boolean {
    if (this.dialect !== "mysql") return true;
    const after = this.sql.charCodeAt(this.pos + 2);
    return Number.isNaN(after) || after <= 32;
  }

  private skipLine(): void {
    const end = this.sql.indexOf("\n", this.pos);
    this.pos = end < 0 ? this.sql.length : end + 1;
  }

  private blockComment(): void {
    const { sql } = this;
    if (this.dialect === "mysql" && sql.charCodeAt(this.pos + 2) === 33) {
      // `/*!50001 CREATE … *\/` runs on the server: read its content as code.
      this.pos += 3;
      while (isDigit(sql.charCodeAt(this.pos))) this.pos++;
      this.executable = true;
      return;
    }
    const nested = this.dialect === "postgres";
    let depth = 0;
    let p = this.pos;
    while (p < sql.length) {
      if (sql.charCodeAt(p) === 47 && sql.charCodeAt(p + 1) === 42 && (nested || depth === 0)) {
        depth++;
        p += 2;
      } else if (sql.charCodeAt(p) === 42 && sql.charCodeAt(p + 1) === 47) {
        depth--;
        p += 2;
        if (depth === 0) break;
      } else p++;
    }
    this.pos = p;
  }

  /** A run closed by `quote`; a doubled quote escapes it; `backslash` also honours `\x`. */
  private quoted(kind: TokenKind, quote: number, backslash: boolean, start = this.pos): void {
    const { sql } = this;
    let p = this.pos + 1;
    let value = "";
    while (p < sql.length) {
      const c = sql.charCodeAt(p);
      if (c === 92 && backslash) {
        value += sql.charAt(p + 1);
        p += 2;
      } else if (c === quote) {
        if (sql.charCodeAt(p + 1) !== quote) break;
        value += sql.charAt(p);
        p += 2;
      } else {
        value += sql.charAt(p);
        p++;
      }
    }
    this.pos = Math.min(p + 1, sql.length);
    this.push(kind, start, this.pos, value);
  }

  private bracketed(): void {
    const end = this.sql.indexOf("]", this.pos);
    const stop = end < 0 ? this.sql.length : end + 1;
    this.push("quoted", this.pos, stop, this.sql.slice(this.pos + 1, end < 0 ? stop : end));
    this.pos = stop;
  }

  /** PostgreSQL `$tag$ … $tag$`; false when the `$` is something else (`$1`). */
  private dollar(): boolean {
    const m = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
    m.lastIndex = this.pos;
    const found = m.exec(this.sql);
    if (found === null) return false;
    const tag = found[0];
    const close = this.sql.indexOf(tag, this.pos + tag.length);
    const stop = close < 0 ? this.sql.length : close + tag.length;
    this.push("string", this.pos, stop, this.sql.slice(this.pos + tag.length, close < 0 ? stop : close));
    this.pos = stop;
    return true;
  }

  private number(): void {
    const start = this.pos;
    const { sql } = this;
    while (this.pos < sql.length && (isWordChar(sql.charCodeAt(this.pos)) || sql.charCodeAt(this.pos) === 46)) {
      const c = sql.charCodeAt(this.pos);
      // An exponent sign: 1e-5.
      if ((c === 101 || c === 69) && (sql.charCodeAt(this.pos + 1) === 45 || sql.charCodeAt(this.pos + 1) === 43)) this.pos++;
      this.pos++;
    }
    this.push("number", start, this.pos);
  }

  private word(): void {
    const start = this.pos;
    const { sql } = this;
    while (this.pos < sql.length && isWordChar(sql.charCodeAt(this.pos))) this.pos++;
    const word = sql.slice(start, this.pos);
    // Prefixed strings: E'…' (PostgreSQL), N'…', X'…', B'…', _utf8mb4'…' (MySQL).
    if (sql.charCodeAt(this.pos) === 39 && /^(?:[enxb]|_[a-z0-9]+)$/i.test(word)) {
      const backslash = this.dialect === "mysql" || word.toLowerCase() === "e";
      this.quoted("string", 39, backslash, start);
      return;
    }
    this.push("word", start, this.pos);
  }

  private variable(): void {
    const start = this.pos;
    const { sql } = this;
    this.pos++;
    if (sql.charCodeAt(this.pos) === 64) this.pos++;
    const c = sql.charCodeAt(this.pos);
    if (c === 39 || c === 34 || c === 96) {
      this.quoted("variable", c, c !== 96, start);
      return;
    }
    while (this.pos < sql.length && (isWordChar(sql.charCodeAt(this.pos)) || sql.charCodeAt(this.pos) === 46)) this.pos++;
    this.push("variable", start, this.pos);
  }

  private param(c: number): void {
    const start = this.pos;
    this.pos++;
    if (c !== 63) while (this.pos < this.sql.length && isWordChar(this.sql.charCodeAt(this.pos))) this.pos++;
    this.push("param", start, this.pos);
  }

  private punct(): void {
    this.push("punct", this.pos, this.pos + 1);
    this.pos++;
  }
}

/** The tokens of `sql` (comments and whitespace dropped). Never throws: an unterminated quote runs to the end. */
export function tokenize(sql: string, dialect: DialectName): Token[] {
  return new Lexer(sql, dialect).run();
}

/** Splits `tokens` at commas outside parentheses. */
export function splitTopLevel(tokens: readonly Token[], separator = ","): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "punct") {
      if (token.text === "(") depth++;
      else if (token.text === ")") depth = Math.max(0, depth - 1);
      else if (token.text === separator && depth === 0) {
        parts.push([]);
        continue;
      }
    }
    (parts[parts.length - 1] as Token[]).push(token);
  }
  return parts.filter((part) => part.length > 0);
}

/** The tokens at parenthesis depth 0 (what is inside parentheses is left out). */
export function topLevel(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "punct" && token.text === "(") depth++;
    else if (token.kind === "punct" && token.text === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) out.push(token);
  }
  return out;
}

/** Walks a statement's tokens for the token classifiers. */
export class Cursor {
  constructor(
    readonly tokens: readonly Token[],
    public i = 0,
  ) {}

  word(k = 0): string {
    return this.tokens[this.i + k]?.upper ?? "";
  }

  punct(text: string, k = 0): boolean {
    const t = this.tokens[this.i + k];
    return t !== undefined && t.kind === "punct" && t.text === text;
  }

  /** Advances past `words` when they come next. */
  accept(...words: string[]): boolean {
    if (!words.every((w, k) => this.word(k) === w)) return false;
    this.i += words.length;
    return true;
  }

  /** A possibly qualified name (`db.t`, `"s"."t"`); returns its last part. */
  name(): string | undefined {
    let last: string | undefined;
    for (;;) {
      const t = this.tokens[this.i];
      if (t === undefined || (t.kind !== "word" && t.kind !== "quoted")) return last;
      last = t.value;
      this.i++;
      if (!this.punct(".")) return last;
      this.i++;
    }
  }

  rest(): readonly Token[] {
    return this.tokens.slice(this.i);
  }
}
