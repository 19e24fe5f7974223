/**
 * The lexical ground the header reader stands on: skipping comments,
 * strings, template and regex literals and whole expressions in JavaScript
 * or TypeScript text, and reading the literals a header may hold — by
 * offsets into the text, without regular expressions or copies on the hot
 * path (it runs once per script on every read-only command).
 */
import { decodeEscape, type Literal } from "./header-values.js";

const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

export function isIdentifierChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128;
}

export class ScriptTextCursor {
  constructor(
    protected readonly text: string,
    protected readonly file: string,
  ) {}

  /** The literal ends the declaration: `;`, a line break, `as const`, a comment, or the end of the file. */
  protected endsDeclaration(p: number): boolean {
    const { text } = this;
    for (;;) {
      while (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9) p++;
      if (this.keywordAt(p, "as")) {
        const after = this.skipTrivia(p + 2);
        if (!this.keywordAt(after, "const")) return false;
        p = after + 5;
        continue;
      }
      const before = p;
      p = this.skipComments(p);
      if (p !== before) continue;
      const c = text.charCodeAt(p);
      return Number.isNaN(c) || c === 59 || c === 10 || c === 13;
    }
  }

  protected literal(p: number): { value: Literal; end: number } | undefined {
    const { text } = this;
    const c = text.charCodeAt(p);
    if (c === 39 || c === 34 || c === 96) return this.stringLiteral(p);
    if (c === 91 /* [ */) {
      const items: string[] = [];
      p = this.skipTrivia(p + 1);
      while (text.charCodeAt(p) !== 93 /* ] */) {
        const item = this.stringLiteral(p);
        if (item === undefined) return undefined;
        items.push(item.value);
        p = this.skipTrivia(item.end);
        if (text.charCodeAt(p) === 44 /* , */) p = this.skipTrivia(p + 1);
        else if (text.charCodeAt(p) !== 93) return undefined;
      }
      return { value: items, end: p + 1 };
    }
    if (this.keywordAt(p, "null")) return { value: null, end: p + 4 };
    if (this.keywordAt(p, "true")) return { value: true, end: p + 4 };
    if (this.keywordAt(p, "false")) return { value: false, end: p + 5 };
    return undefined;
  }

  protected stringLiteral(p: number): { value: string; end: number } | undefined {
    const { text } = this;
    const quote = text.charCodeAt(p);
    if (quote !== 39 && quote !== 34 && quote !== 96) return undefined;
    let value = "";
    let from = p + 1;
    for (let q = from; ; q++) {
      const c = text.charCodeAt(q);
      if (Number.isNaN(c)) return undefined;
      if (c === quote) return { value: value + text.slice(from, q), end: q + 1 };
      if ((c === 10 && quote !== 96) || (c === 36 && quote === 96 && text.charCodeAt(q + 1) === 123)) return undefined;
      if (c === 92 /* \ */) {
        const escaped = decodeEscape(text, q + 1);
        value += text.slice(from, q) + escaped.text;
        from = escaped.end;
        q = escaped.end - 1;
      }
    }
  }

  /** `word` stands at `p` as a whole word. */
  protected keywordAt(p: number, word: string): boolean {
    return this.text.startsWith(word, p) && !isIdentifierChar(this.text.charCodeAt(p + word.length));
  }

  protected wordEnd(p: number): number {
    const { text } = this;
    while (p < text.length && isIdentifierChar(text.charCodeAt(p))) p++;
    return p;
  }

  protected skipTrivia(p: number): number {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13) p++;
      else if (c === 47) {
        const after = this.skipComments(p);
        if (after === p) return p;
        p = after;
      } else return p;
    }
  }

  protected skipComments(p: number): number {
    const { text } = this;
    if (text.charCodeAt(p) !== 47) return p;
    const next = text.charCodeAt(p + 1);
    if (next === 47) {
      const end = text.indexOf("\n", p);
      return end < 0 ? text.length : end;
    }
    if (next === 42) {
      const end = text.indexOf("*/", p + 2);
      return end < 0 ? text.length : end + 2;
    }
    return p;
  }

  /** Skips `: Type` up to the `=` of the initializer (not the `=>` of a function type). */
  protected skipTypeAnnotation(p: number): number {
    const { text } = this;
    let depth = 0;
    for (; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === 39 || c === 34 || c === 96) p = this.skipString(p) - 1;
      else if (c === 40 || c === 91 || c === 123 || c === 60) depth++;
      else if (c === 41 || c === 93 || c === 125 || (c === 62 && text.charCodeAt(p - 1) !== 61)) depth--;
      else if (c === 61 && depth <= 0 && text.charCodeAt(p + 1) !== 62) return p;
      else if (c === 59) return p;
    }
    return p;
  }

  /** A `/` in code: a comment, a regex literal or a division. */
  protected slash(j: number): number {
    const { text } = this;
    const next = text.charCodeAt(j + 1);
    if (next === 47 || next === 42) return this.skipComments(j);
    if (!this.regexAllowed(j)) return j + 1;
    let inClass = false;
    for (let p = j + 1; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === 10) return j + 1;
      if (c === 92) p++;
      else if (c === 91) inClass = true;
      else if (c === 93) inClass = false;
      else if (c === 47 && !inClass) return p + 1;
    }
    return j + 1;
  }

  /** A regex may start after an operator or a keyword like `return`, not after a value. */
  protected regexAllowed(j: number): boolean {
    const { text } = this;
    let p = j - 1;
    while (p >= 0 && text.charCodeAt(p) <= 32) p--;
    if (p < 0) return true;
    const c = text.charCodeAt(p);
    if (c === 41 || c === 93) return false;
    if (!isIdentifierChar(c)) return true;
    let s = p;
    while (s > 0 && isIdentifierChar(text.charCodeAt(s - 1))) s--;
    return REGEX_AFTER_WORD.has(text.slice(s, p + 1));
  }

  /** Skips a '…' or "…" string; a line break ends a broken one so that one typo cannot hide the file. */
  protected skipString(j: number): number {
    const { text } = this;
    const quote = text.charCodeAt(j);
    for (let p = j + 1; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === 92) p++;
      else if (c === quote || c === 10) return p + 1;
    }
    return text.length;
  }

  /**
   * Skips one expression from `p` (an object property's value): up to the
   * `,` or the closing bracket that ends it at its own nesting level.
   */
  protected skipExpression(p: number): number {
    const { text } = this;
    let depth = 0;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if (c === 39 || c === 34) p = this.skipString(p);
      else if (c === 96) p = this.skipTemplate(p + 1);
      else if (c === 47) p = this.slash(p);
      else if (c === 40 || c === 91 || c === 123) {
        depth++;
        p++;
      } else if (c === 41 || c === 93 || c === 125) {
        if (depth === 0) return p;
        depth--;
        p++;
      } else if (c === 44 && depth === 0) return p;
      else p++;
    }
    return p;
  }

  /** After the opening backtick: past the closing one, `${…}` parts included. */
  protected skipTemplate(p: number): number {
    const { text } = this;
    for (; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === 92) p++;
      else if (c === 96) return p + 1;
      else if (c === 36 && text.charCodeAt(p + 1) === 123) {
        p = this.skipExpression(p + 2);
      }
    }
    return p;
  }
}
