/**
 * Reads a TypeScript/JavaScript script's header (`export const revision = …`
 * and which bodies it exports) without running it, so that `heads`,
 * `history` and `check` stay fast on thousands of scripts and never execute
 * user code. A light scanner skips comments, strings, templates and regex
 * literals, so an `export` inside any of them is never mistaken for a real
 * one, and only `export` at module level (brace depth 0) counts.
 *
 * CommonJS scripts declare the same names as `exports.NAME = …`,
 * `module.exports.NAME = …` or `module.exports = { NAME: …, … }`; they are
 * read the same way (values must be literals there too).
 *
 * This runs once per script on every read-only command, so it avoids regular
 * expressions and allocations on the hot path: one table lookup per
 * character, substrings only for the few names and values it keeps.
 */
import { ScriptError } from "../errors.js";
import type { Bodies } from "../graph/revision.js";
import { idList, type Literal } from "./header-values.js";
import { isIdentifierChar, ScriptTextCursor } from "./script-text-cursor.js";
import { lineAt, type BodyName, type ScriptHeader } from "./script-header.js";

/** Characters the scan must stop at; everything else is skipped with one table lookup. */
const STOP = new Uint8Array(128);
for (const ch of "/'\"`{}em") STOP[ch.charCodeAt(0)] = 1;

const NOT_FOUND = -1;

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

class HeaderScanner extends ScriptTextCursor {
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
      if (c === 101 /* e */ || c === 109 /* m */) {
        i = this.depth === 0 && templates.length === 0 ? this.moduleLevelWord(i) : i + 1;
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

  /** At module level, a word starting with `e` or `m`: `export …`, `exports.X =`, `module.exports…`, or anything else. */
  private moduleLevelWord(i: number): number {
    const { text } = this;
    const before = i > 0 ? text.charCodeAt(i - 1) : 32;
    if (isIdentifierChar(before) || before === 46 /* . */) return i + 1;
    if (this.keywordAt(i, "export")) return this.exportStatement(i + 6);
    if (text.startsWith("exports", i) && text.charCodeAt(i + 7) === 46) return this.commonJsProperty(i + 8);
    if (text.startsWith("module", i) && !isIdentifierChar(text.charCodeAt(i + 6))) {
      let p = this.skipTrivia(i + 6);
      if (text.charCodeAt(p) !== 46) return p;
      p = this.skipTrivia(p + 1);
      if (!this.keywordAt(p, "exports")) return p;
      p = this.skipTrivia(p + 7);
      if (text.charCodeAt(p) === 46) return this.commonJsProperty(this.skipTrivia(p + 1));
      if (text.charCodeAt(p) === 61 && text.charCodeAt(p + 1) !== 61) {
        p = this.skipTrivia(p + 1);
        return text.charCodeAt(p) === 123 ? this.commonJsObject(p + 1) : p;
      }
      return p;
    }
    return i + 1;
  }

  /** `exports.NAME = value`, from NAME on. */
  private commonJsProperty(p: number): number {
    const { text } = this;
    const nameAt = p;
    const nameEnd = this.wordEnd(p);
    const name = text.slice(p, nameEnd);
    p = this.skipTrivia(nameEnd);
    if (text.charCodeAt(p) !== 61 || text.charCodeAt(p + 1) === 61) return p;
    return this.declared(name, nameAt, this.skipTrivia(p + 1), "exports");
  }

  /**
   * `module.exports = { … }`, after the `{`: each property is a header value
   * (`revision: "…"`) or a body (`upgrade: async (op) => …`, `async upgrade(op) {…}`).
   */
  private commonJsObject(p: number): number {
    const { text } = this;
    for (;;) {
      p = this.skipTrivia(p);
      const c = text.charCodeAt(p);
      if (Number.isNaN(c) || c === 125 /* } */) return p + 1;
      if (c === 44 /* , */) {
        p++;
        continue;
      }
      const quoted = c === 39 || c === 34 ? this.stringLiteral(p) : undefined;
      let keyAt = p;
      let keyEnd = quoted?.end ?? this.wordEnd(p);
      let key = quoted?.value ?? text.slice(p, keyEnd);
      if (keyEnd === p) return this.skipExpression(p);
      let next = this.skipTrivia(keyEnd);
      // `async upgrade(op) {…}` and `*migrate() {…}`: methods.
      if ((key === "async" || key === "get" || key === "set") && isIdentifierChar(text.charCodeAt(next))) {
        keyAt = next;
        keyEnd = this.wordEnd(next);
        key = text.slice(next, keyEnd);
        next = this.skipTrivia(keyEnd);
      }
      const after = text.charCodeAt(next);
      if (after === 58 /* : */) {
        p = this.declared(key, keyAt, this.skipTrivia(next + 1), "object");
        p = this.skipExpression(p);
      } else if (after === 40 /* ( */) {
        if (isBodyName(key)) this.setBody(key, keyAt);
        p = this.skipExpression(next);
      } else {
        // Shorthand `{ upgrade, revision }`: a body is fine, a header value is not a literal.
        if (isBodyName(key)) this.setBody(key, keyAt);
        else if (isHeaderName(key)) this.notLiteral(key, keyAt, key);
        p = next;
      }
    }
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
    return this.declared(name, nameAt, this.skipTrivia(p + 1), "const");
  }

  /**
   * NAME is being given the value at `p` (`export const NAME =`, `exports.NAME =`,
   * `NAME:` in `module.exports = {…}`): a body, a header literal, or nothing of ours.
   * Returns where scanning resumes.
   */
  private declared(name: string, nameAt: number, p: number, form: "const" | "exports" | "object"): number {
    if (isBodyName(name)) {
      this.setBody(name, nameAt);
      return p;
    }
    if (!isHeaderName(name)) return p;
    const literal = this.literal(p);
    // In an object the value ends at `,` or `}`; elsewhere at the end of the statement.
    const ends =
      literal !== undefined &&
      (form === "object"
        ? [44, 125].includes(this.text.charCodeAt(this.skipTrivia(literal.end)))
        : this.endsDeclaration(literal.end));
    if (literal === undefined || !ends) {
      const snippet = this.text.slice(p, Math.min(this.text.length, p + 40)).split("\n")[0] ?? "";
      this.notLiteral(name, p, snippet.trim());
    }
    this.setValue(name, literal.value, p);
    return literal.end;
  }

  private notLiteral(name: string, at: number, found: string): never {
    throw new ScriptError(
      this.file,
      lineAt(this.text, at),
      `\`${name}\` must be a literal (a string, an array of strings, null, true or false) so that tidemark can read it without running the script; found \`${found}\``,
    );
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
