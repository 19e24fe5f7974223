/**
 * Reads a TypeScript/JavaScript script's header (`export const revision = …`
 * and which bodies it exports) without running it, so that `heads`,
 * `history` and `check` stay fast on thousands of scripts and never execute
 * user code. A light scanner skips comments, strings, templates and regex
 * literals, so an `export` inside any of them is never mistaken for a real
 * one, and only `export` at module level (brace depth 0) counts.
 *
 * This runs once per script on every read-only command, so it avoids regular
 * expressions and allocations on the hot path: one table lookup per
 * character, substrings only for the few names and values it keeps.
 */
import { ScriptError } from "../errors.js";
import type { Bodies } from "../graph/revision.js";
import { decodeEscape, idList, type Literal } from "./header-values.js";
import { lineAt, type BodyName, type ScriptHeader } from "./script-header.js";

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

/** Characters the scan must stop at; everything else is skipped with one table lookup. */
const STOP = new Uint8Array(128);
for (const ch of "/'\"`{}e") STOP[ch.charCodeAt(0)] = 1;

const NOT_FOUND = -1;

function isIdentifierChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128;
}

function isBodyName(name: string): name is BodyName {
  return name === "upgrade" || name === "downgrade" || name === "expand" || name === "migrate" || name === "contract";
}

function isHeaderName(name: string): boolean {
  return (
    name === "revision" ||
    name === "revises" ||
    name === "message" ||
    name === "dependsOn" ||
    name === "branchLabels" ||
    name === "transactional"
  );
}

/** Parses the header of a script whose text is already in memory. */
export function parseCodeHeader(text: string, file: string): ScriptHeader {
  return new HeaderScanner(text, file).run();
}

class HeaderScanner {
  private revision: string | undefined;
  private revises: readonly string[] | undefined;
  private message: string | undefined;
  private dependsOn: readonly string[] = [];
  private branchLabels: readonly string[] = [];
  private transactional = true;
  /** Offset of each body's declaration, NOT_FOUND when absent. */
  private upgradeAt = NOT_FOUND;
  private downgradeAt = NOT_FOUND;
  private expandAt = NOT_FOUND;
  private migrateAt = NOT_FOUND;
  private contractAt = NOT_FOUND;
  /** Brace depth of code; `export` only counts at depth 0 (module level). */
  private depth = 0;
  /** For each open `${` of a template literal, the brace depth at which it was opened. */
  private readonly templates: number[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  run(): ScriptHeader {
    const text = this.text;
    const n = text.length;
    const templates = this.templates;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c >= 128 || STOP[c] === 0) {
        i++;
        continue;
      }
      if (c === 101 /* e */) {
        i = this.depth === 0 && templates.length === 0 && this.isExportKeyword(i) ? this.exportStatement(i + 6) : i + 1;
      } else if (c === 123 /* { */) {
        this.depth++;
        i++;
      } else if (c === 125 /* } */) {
        if (templates.length > 0 && templates[templates.length - 1] === this.depth) {
          templates.pop();
          i = this.template(i + 1);
        } else {
          this.depth--;
          i++;
        }
      } else if (c === 47 /* / */) i = this.slash(i);
      else if (c === 96 /* ` */) i = this.template(i + 1);
      else i = this.skipString(i);
    }
    return this.result();
  }

  private isExportKeyword(i: number): boolean {
    const { text } = this;
    if (!text.startsWith("export", i)) return false;
    const before = i > 0 ? text.charCodeAt(i - 1) : 32;
    return !isIdentifierChar(before) && before !== 46 /* . */ && !isIdentifierChar(text.charCodeAt(i + 6));
  }

  private result(): ScriptHeader {
    const bodies: Bodies = {
      upgrade: this.upgradeAt !== NOT_FOUND,
      downgrade: this.downgradeAt !== NOT_FOUND,
      expand: this.expandAt !== NOT_FOUND,
      migrate: this.migrateAt !== NOT_FOUND,
      contract: this.contractAt !== NOT_FOUND,
    };
    if (bodies.upgrade && (bodies.expand || bodies.migrate || bodies.contract)) {
      const phase = bodies.expand ? "expand" : bodies.migrate ? "migrate" : "contract";
      const at = Math.max(this.upgradeAt, bodies.expand ? this.expandAt : bodies.migrate ? this.migrateAt : this.contractAt);
      throw new ScriptError(
        this.file,
        lineAt(this.text, at),
        `exports both \`upgrade\` and \`${phase}\`: a revision is either plain (upgrade/downgrade) or rolling (expand/migrate/contract), not both`,
      );
    }
    const header: { -readonly [K in keyof ScriptHeader]: ScriptHeader[K] } = {
      file: this.file,
      dependsOn: this.dependsOn,
      branchLabels: this.branchLabels,
      transactional: this.transactional,
      bodies,
    };
    if (this.revision !== undefined) header.revision = this.revision;
    if (this.revises !== undefined) header.revises = this.revises;
    if (this.message !== undefined) header.message = this.message;
    return header;
  }

  private setBody(name: BodyName, at: number): void {
    if (name === "upgrade") this.upgradeAt = at;
    else if (name === "downgrade") this.downgradeAt = at;
    else if (name === "expand") this.expandAt = at;
    else if (name === "migrate") this.migrateAt = at;
    else this.contractAt = at;
  }

  private setValue(name: string, value: Literal, at: number): void {
    switch (name) {
      case "revision":
        if (typeof value !== "string" || value === "" || /\s/.test(value))
          this.badValue(name, value, at, "a non-empty string without spaces");
        this.revision = value as string;
        break;
      case "message":
        if (typeof value !== "string") this.badValue(name, value, at, "a string");
        this.message = value as string;
        break;
      case "transactional":
        if (typeof value !== "boolean") this.badValue(name, value, at, "true or false");
        this.transactional = value as boolean;
        break;
      case "revises":
        this.revises =
          idList(value) ?? this.badValue(name, value, at, "a revision id, an array of ids (a merge) or null (a root)");
        break;
      case "dependsOn":
        this.dependsOn = idList(value) ?? this.badValue(name, value, at, "an array of strings");
        break;
      default:
        this.branchLabels = idList(value) ?? this.badValue(name, value, at, "an array of strings");
    }
  }

  private badValue(name: string, value: Literal, at: number, expected: string): never {
    throw new ScriptError(this.file, lineAt(this.text, at), `\`${name}\` must be ${expected}, found ${JSON.stringify(value)}`);
  }

  /** After `export`: records a header value or a body, returns where scanning resumes. */
  private exportStatement(p: number): number {
    const { text } = this;
    p = this.skipTrivia(p);
    if (text.charCodeAt(p) === 123 /* { */) return this.exportList(p + 1);
    if (this.keywordAt(p, "async")) {
      p = this.skipTrivia(p + 5);
      if (!this.keywordAt(p, "function")) return p;
    }
    if (this.keywordAt(p, "function")) {
      p = this.skipTrivia(p + 8);
      if (text.charCodeAt(p) === 42 /* * */) p = this.skipTrivia(p + 1);
      const end = this.wordEnd(p);
      const name = text.slice(p, end);
      if (isBodyName(name)) this.setBody(name, p);
      return end;
    }
    let keyword = 0;
    if (this.keywordAt(p, "const")) keyword = 5;
    else if (this.keywordAt(p, "let") || this.keywordAt(p, "var")) keyword = 3;
    else return p;
    p = this.skipTrivia(p + keyword);
    const nameAt = p;
    const nameEnd = this.wordEnd(p);
    if (nameEnd === p) return p;
    const name = text.slice(p, nameEnd);
    p = this.skipTrivia(nameEnd);
    if (text.charCodeAt(p) === 58 /* : */) p = this.skipTypeAnnotation(p + 1);
    if (text.charCodeAt(p) !== 61 /* = */) return p;
    p = this.skipTrivia(p + 1);
    if (isBodyName(name)) {
      this.setBody(name, nameAt);
      return p;
    }
    if (!isHeaderName(name)) return p;
    const literal = this.literal(p);
    if (literal === undefined || !this.endsDeclaration(literal.end)) {
      const snippet = text.slice(p, Math.min(text.length, p + 40)).split("\n")[0] ?? "";
      throw new ScriptError(
        this.file,
        lineAt(text, p),
        `\`${name}\` must be a literal (a string, an array of strings, null, true or false) so that tidemark can read it without running the script; found \`${snippet.trim()}\``,
      );
    }
    this.setValue(name, literal.value, p);
    return literal.end;
  }

  /** `export { a, b as upgrade } [from "…"]`: bodies count, header values cannot be read this way. */
  private exportList(p: number): number {
    const close = this.text.indexOf("}", p);
    if (close < 0) return this.text.length;
    for (const entry of this.text
      .slice(p, close)
      .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "")
      .split(",")) {
      const parts = entry.trim().split(/\s+/);
      const exported = parts[parts.length - 1] ?? "";
      if (isBodyName(exported)) this.setBody(exported, p);
      else if (isHeaderName(exported)) {
        throw new ScriptError(
          this.file,
          lineAt(this.text, p),
          `\`${exported}\` must be declared as \`export const ${exported} = <literal>\` so that tidemark can read it without running the script`,
        );
      }
    }
    return close + 1;
  }

  /** The literal ends the declaration: `;`, a line break, `as const`, a comment, or the end of the file. */
  private endsDeclaration(p: number): boolean {
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

  private literal(p: number): { value: Literal; end: number } | undefined {
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

  private stringLiteral(p: number): { value: string; end: number } | undefined {
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
  private keywordAt(p: number, word: string): boolean {
    return this.text.startsWith(word, p) && !isIdentifierChar(this.text.charCodeAt(p + word.length));
  }

  private wordEnd(p: number): number {
    const { text } = this;
    while (p < text.length && isIdentifierChar(text.charCodeAt(p))) p++;
    return p;
  }

  private skipTrivia(p: number): number {
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

  private skipComments(p: number): number {
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
  private skipTypeAnnotation(p: number): number {
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
  private slash(j: number): number {
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
  private regexAllowed(j: number): boolean {
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
  private skipString(j: number): number {
    const { text } = this;
    const quote = text.charCodeAt(j);
    for (let p = j + 1; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === 92) p++;
      else if (c === quote || c === 10) return p + 1;
    }
    return text.length;
  }

  /** Inside a template literal from `p`: returns after its closing backtick, or after a `${` (recorded). */
  private template(p: number): number {
    const { text } = this;
    for (; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c === 92 /* \ */) p++;
      else if (c === 96 /* ` */) return p + 1;
      else if (c === 36 /* $ */ && text.charCodeAt(p + 1) === 123 /* { */) {
        this.templates.push(this.depth);
        return p + 2;
      }
    }
    return p;
  }
}
