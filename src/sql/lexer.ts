/**
 * The one SQL lexer: reads a token at a position, following the dialect's
 * lexical rules (lexical-rules.ts). The splitter, the placeholder rewriter
 * and the tokenizer all drive it. It allocates nothing per token: a call
 * fills the lexer's fields (kind, bounds, quote) and callers slice what
 * they keep, so splitting a thousand scripts pays for no token objects.
 * Whitespace is the caller's: each caller has its own idea of it (the
 * splitter watches newlines for the mysql client's DELIMITER).
 */
import type { LexicalRules } from "./lexical-rules.js";

/** What `tokenize` keeps. */
export type TokenKind = "word" | "quoted" | "string" | "number" | "variable" | "param" | "punct";

/**
 * What one `scan` reads. `executable-open` is MySQL's `/*!50001` (or
 * MariaDB's `/*M!100100`) and `executable-close` its `*\/`, when executable
 * comments are read as code.
 */
export type LexemeKind = TokenKind | "line-comment" | "block-comment" | "executable-open" | "executable-close";

/**
 * MySQL's `/*! … *\/` holds code the server runs. The splitter and the
 * classifier read it as code (it is a statement; a DROP inside counts); the
 * placeholder rewriter skips it whole like any comment.
 */
export type ExecutableComments = "code" | "comment";

export function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
}

export function isWordChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A dollar-quote tag character: a word character other than `$`. */
function isTagChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57);
}

export class SqlLexer {
  /** Kind of the token last scanned. */
  kind: LexemeKind = "punct";
  start = 0;
  end = 0;
  /** The opening quote's character code for strings, quoted identifiers and quoted variables (`'`, `"`, `` ` ``, `[`, `$`); 0 otherwise. */
  quote = 0;
  /** Where the text between the quotes (or the dollar tags) starts and ends. */
  contentStart = 0;
  contentEnd = 0;
  /** The content takes `\x` escapes. */
  backslash = false;
  /** The closing quote or comment end is missing: the token runs to the end of the text. */
  unterminated = false;
  /** Inside `/*! … *\/` read as code: the next `*\/` closes it. */
  inExecutable = false;
  /**
   * A custom statement delimiter (the mysql client's `DELIMITER $$`) that
   * ends a word it is glued to, as in `END$$`.
   */
  stop: string | undefined = undefined;
  /** Set by the splitter before a statement's first token: `--x` there is a comment where the client says so. */
  atStatementStart = false;

  constructor(
    readonly text: string,
    readonly rules: LexicalRules,
    readonly executable: ExecutableComments = "code",
  ) {}

  /** Reads the token at `pos` (which must not be whitespace) and returns its end. */
  scan(pos: number): number {
    const { text, rules } = this;
    const c = text.charCodeAt(pos);
    const next = text.charCodeAt(pos + 1);
    this.start = pos;
    this.quote = 0;
    this.unterminated = false;
    if (
      c === 45 &&
      next === 45 &&
      (!rules.dashCommentNeedsSpace ||
        spaceOrEnd(text.charCodeAt(pos + 2)) ||
        (this.atStatementStart && rules.dashCommentOpensStatement))
    ) {
      return this.lineComment(pos);
    }
    if (c === 35 && rules.hashComments) return this.lineComment(pos);
    if (c === 47 && next === 42) return this.blockComment(pos);
    if (c === 42 && next === 47 && this.inExecutable) {
      this.inExecutable = false;
      return this.done("executable-close", pos + 2);
    }
    if (c === 39) return this.quoted("string", pos, 39, rules.backslashEscapes);
    if (c === 34) return this.quoted(rules.doubleQuotedStrings ? "string" : "quoted", pos, 34, rules.backslashEscapes);
    if (c === 96 && rules.backtickIdentifiers) return this.quoted("quoted", pos, 96, false);
    if (c === 91 && rules.bracketIdentifiers) return this.bracketed(pos);
    if (c === 36 && rules.dollarQuotes && this.dollarQuote(pos)) return this.end;
    if (isDigit(c) || (c === 46 && isDigit(next))) return this.number(pos);
    if (isWordStart(c)) return this.word(pos);
    if (c === 64 && rules.atVariables) return this.variable(pos);
    if (c === 63 || ((c === 58 || c === 36) && isWordChar(next))) return this.param(pos, c);
    return this.done("punct", pos + 1);
  }

  private done(kind: LexemeKind, end: number): number {
    this.kind = kind;
    this.end = end;
    return end;
  }

  /** Ends before the newline, so that callers watching lines see it. */
  private lineComment(pos: number): number {
    const nl = this.text.indexOf("\n", pos);
    return this.done("line-comment", nl < 0 ? this.text.length : nl);
  }

  private blockComment(pos: number): number {
    const { text, rules } = this;
    if (rules.executableComments && this.executable === "code") {
      // `/*!50001` (MySQL, MariaDB) or `/*M!100100` (MariaDB only; MySQL's server skips it as a comment).
      let p = text.charCodeAt(pos + 2) === 77 ? pos + 3 : pos + 2;
      if (text.charCodeAt(p) === 33) {
        p++;
        while (isDigit(text.charCodeAt(p))) p++;
        this.inExecutable = true;
        return this.done("executable-open", p);
      }
    }
    if (!rules.nestedBlockComments) {
      const close = text.indexOf("*/", pos + 2);
      if (close < 0) return this.runaway("block-comment");
      return this.done("block-comment", close + 2);
    }
    let depth = 1;
    let p = pos + 2;
    const n = text.length;
    while (p < n) {
      const c = text.charCodeAt(p);
      if (c === 42 && text.charCodeAt(p + 1) === 47) {
        p += 2;
        if (--depth === 0) return this.done("block-comment", p);
      } else if (c === 47 && text.charCodeAt(p + 1) === 42) {
        depth++;
        p += 2;
      } else p++;
    }
    return this.runaway("block-comment");
  }

  private runaway(kind: LexemeKind): number {
    this.unterminated = true;
    return this.done(kind, this.text.length);
  }

  /**
   * A run closed by `quote` opening at `open` (after a prefix such as `E`
   * or `@`, when `start` is before it); a doubled quote is an escaped one.
   */
  private quoted(kind: LexemeKind, open: number, quote: number, backslash: boolean): number {
    const { text } = this;
    const n = text.length;
    this.quote = quote;
    this.backslash = backslash;
    this.contentStart = open + 1;
    let p = open + 1;
    if (!backslash) {
      const quoteChar = text[open] as string;
      for (;;) {
        p = text.indexOf(quoteChar, p);
        if (p < 0) break;
        if (text.charCodeAt(p + 1) !== quote) {
          this.contentEnd = p;
          return this.done(kind, p + 1);
        }
        p += 2;
      }
    } else {
      while (p < n) {
        const c = text.charCodeAt(p);
        if (c === 92) p += 2;
        else if (c === quote) {
          if (text.charCodeAt(p + 1) !== quote) {
            this.contentEnd = p;
            return this.done(kind, p + 1);
          }
          p += 2;
        } else p++;
      }
    }
    this.contentEnd = n;
    return this.runaway(kind);
  }

  private bracketed(pos: number): number {
    const close = this.text.indexOf("]", pos);
    this.quote = 91;
    this.backslash = false;
    this.contentStart = pos + 1;
    if (close < 0) {
      this.contentEnd = this.text.length;
      return this.runaway("quoted");
    }
    this.contentEnd = close;
    return this.done("quoted", close + 1);
  }

  /** `$tag$ … $tag$`; false when the `$` opens no tag (`$1`, a lone `$`). */
  private dollarQuote(pos: number): boolean {
    const { text } = this;
    let p = pos + 1;
    if (text.charCodeAt(p) !== 36) {
      if (!isWordStart(text.charCodeAt(p))) return false;
      p++;
      while (isTagChar(text.charCodeAt(p))) p++;
      if (text.charCodeAt(p) !== 36) return false;
    }
    const tagEnd = p + 1;
    const close = text.indexOf(text.slice(pos, tagEnd), tagEnd);
    this.quote = 36;
    this.backslash = false;
    this.contentStart = tagEnd;
    if (close < 0) {
      this.contentEnd = text.length;
      this.runaway("string");
    } else {
      this.contentEnd = close;
      this.done("string", close + tagEnd - pos);
    }
    return true;
  }

  private number(pos: number): number {
    const { text } = this;
    const n = text.length;
    let p = pos;
    while (p < n) {
      const c = text.charCodeAt(p);
      if (!isWordChar(c) && c !== 46) break;
      // An exponent's sign: 1e-5.
      if ((c === 101 || c === 69) && isSign(text.charCodeAt(p + 1)) && isDigit(text.charCodeAt(p + 2))) p++;
      p++;
    }
    return this.done("number", this.cut(pos, p));
  }

  private word(pos: number): number {
    const { text, rules } = this;
    let p = pos + 1;
    while (isWordChar(text.charCodeAt(p))) p++;
    p = this.cut(pos, p);
    // Prefixed strings: E'…' (PostgreSQL), N'…', X'…', B'…', _utf8mb4'…' (MySQL).
    if (text.charCodeAt(p) === 39 && isStringPrefix(text, pos, p)) {
      const escapePrefix = rules.escapeStringPrefix && p === pos + 1 && (text.charCodeAt(pos) | 32) === 101;
      return this.quoted("string", p, 39, rules.backslashEscapes || escapePrefix);
    }
    return this.done("word", p);
  }

  private variable(pos: number): number {
    const { text } = this;
    let p = pos + 1;
    if (text.charCodeAt(p) === 64) p++;
    const c = text.charCodeAt(p);
    if (c === 39 || c === 34 || c === 96) return this.quoted("variable", p, c, c !== 96);
    while (isWordChar(text.charCodeAt(p)) || text.charCodeAt(p) === 46) p++;
    return this.done("variable", this.cut(pos, p));
  }

  private param(pos: number, c: number): number {
    let p = pos + 1;
    if (c !== 63) while (isWordChar(this.text.charCodeAt(p))) p++;
    return this.done("param", this.cut(pos, p));
  }

  /** Ends a word-like token where a custom delimiter glued to it starts (`END$$`). */
  private cut(start: number, end: number): number {
    const { stop } = this;
    if (stop === undefined) return end;
    const at = this.text.indexOf(stop, start + 1);
    return at >= 0 && at + stop.length <= end ? at : end;
  }
}

function spaceOrEnd(c: number): boolean {
  return Number.isNaN(c) || c <= 32;
}

function isSign(c: number): boolean {
  return c === 45 || c === 43;
}

/** `e`, `n`, `x`, `b` or `_charset`, any case. */
function isStringPrefix(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start) | 32;
  if (end === start + 1) return first === 101 || first === 110 || first === 120 || first === 98;
  if (text.charCodeAt(start) !== 95) return false;
  for (let p = start + 1; p < end; p++) {
    const c = text.charCodeAt(p);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigit(c))) return false;
  }
  return true;
}

/** The text between a token's quotes with its escapes undone (`''` → `'`, and `\x` → `x` where backslashes escape). */
export function unquote(lexer: SqlLexer): string {
  const { text, contentStart, contentEnd, quote, backslash } = lexer;
  if (quote === 91 || quote === 36) return text.slice(contentStart, contentEnd);
  let out = "";
  let run = contentStart;
  let p = contentStart;
  while (p < contentEnd) {
    const c = text.charCodeAt(p);
    if (c === 92 && backslash) {
      out += text.slice(run, p) + text.charAt(p + 1);
      p += 2;
      run = p;
    } else if (c === quote) {
      out += text.slice(run, p + 1);
      p += 2;
      run = p;
    } else p++;
  }
  return run >= contentEnd ? out : out + text.slice(run, contentEnd);
}
