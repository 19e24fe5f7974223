/**
 * Splits a SQL script into statements the way each database's own client
 * would: a `;` inside a string, a comment, a dollar-quoted body or a trigger's
 * BEGIN … END block does not end a statement. Statements keep their text as
 * written (minus the terminator) so that errors can quote them verbatim.
 */
import { ScriptError } from "../errors.js";

export type SqlDialectName = "sqlite" | "postgres" | "mysql";

export interface SqlStatement {
  readonly sql: string;
  /** 1-based line of the statement's first character in the file. */
  readonly line: number;
  /** Set by a `-- tidemark:unsafe REASON` comment line right before the statement. */
  readonly unsafe?: string;
}

const UNSAFE_MARK = /^--\s*tidemark:unsafe\b[ \t]*(.*)$/;
const DELIMITER_LINE = /delimiter[ \t]+(\S+)[^\n]*/iy;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const WORD = /[A-Za-z0-9_$\u0080-\uffff]+/y;
/** Words after END naming what it closes; all but CASE close constructs whose opener we do not count. */
const END_SUFFIX = /[ \t\r\n]+(IF|LOOP|WHILE|REPEAT|CASE)\b/iy;

/** Object kinds whose CREATE statement may carry a BEGIN … END body, per dialect. */
const COMPOUND_KINDS: Readonly<Record<SqlDialectName, ReadonlySet<string>>> = {
  sqlite: new Set(["TRIGGER"]),
  mysql: new Set(["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]),
  // PostgreSQL bodies are dollar-quoted; only SQL-standard `BEGIN ATOMIC … END` bodies need this.
  postgres: new Set(["FUNCTION", "PROCEDURE"]),
};
/** Other kinds: seeing one of these first after CREATE settles that the statement is not compound. */
const OTHER_KINDS = new Set([
  "TABLE", "INDEX", "VIEW", "DATABASE", "SCHEMA", "SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE",
  "UNIQUE", "FULLTEXT", "SPATIAL", "VIRTUAL", "TYPE", "DOMAIN", "EXTENSION", "MATERIALIZED", "POLICY",
  "RULE", "CAST", "COLLATION", "CONVERSION", "PUBLICATION", "SUBSCRIPTION", "STATISTICS",
  "LOGFILE", "RESOURCE",
]);
const ANY_COMPOUND_KIND = new Set(Object.values(COMPOUND_KINDS).flatMap((kinds) => [...kinds]));

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 0x80;
}

function isWordChar(code: number): boolean {
  return isWordStart(code) || (code >= 48 && code <= 57) || code === 36;
}

/**
 * Split `text` into statements. `startLine` is the file line of the text's
 * first line (a section of a larger script), so that lines point into the file.
 */
export function splitSql(
  text: string,
  dialect: SqlDialectName,
  file = "<sql>",
  startLine = 1,
): SqlStatement[] {
  return new Splitter(text, dialect, file, startLine).run();
}

class Splitter {
  private pos = 0;
  private line: number;
  private readonly out: SqlStatement[] = [];
  private delimiter = ";";
  // State of the statement being read.
  private start = -1;
  private startLineOfStmt = 0;
  private unsafe: string | undefined;
  private words = 0;
  /** undefined until the statement's object kind is known. */
  private compound: boolean | undefined;
  private depth = 0;
  private blockLine = 0;

  constructor(
    private readonly text: string,
    private readonly dialect: SqlDialectName,
    private readonly file: string,
    startLine: number,
  ) {
    this.line = startLine;
  }

  run(): SqlStatement[] {
    const { text } = this;
    const n = text.length;
    // A byte-order mark would otherwise glue itself to the first keyword.
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (this.dialect === "mysql") this.directive();
    while (this.pos < n) {
      const c = text.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.pos++;
        if (this.start < 0 && this.dialect === "mysql") this.directive();
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
        this.pos++;
        continue;
      }
      if (this.atDelimiter()) {
        this.finish(this.pos);
        this.pos += this.delimiter.length;
        continue;
      }
      if (this.comment(c)) continue;
      this.begin();
      if (c === 39) this.quoted(39, this.dialect === "mysql", "string literal");
      else if (c === 34) this.quoted(34, this.dialect === "mysql", this.dialect === "mysql" ? "string literal" : "quoted identifier");
      else if (c === 96 && this.dialect !== "postgres") this.quoted(96, false, "quoted identifier");
      else if (c === 91 && this.dialect === "sqlite") this.bracketed();
      else if (c === 36 && this.dialect === "postgres" && this.dollar()) continue;
      else if (isWordChar(c)) this.word();
      else this.pos++;
    }
    if (this.start >= 0 && this.compound === true && this.depth > 0) {
      throw new ScriptError(this.file, this.blockLine, "unterminated BEGIN … END block: no matching END before the end of the script");
    }
    this.finish(n);
    return this.out;
  }

  /** Runs at the start of a file and after each newline outside a statement (the mysql client's DELIMITER). */
  private directive(): void {
    let p = this.pos;
    while (p < this.text.length && (this.text.charCodeAt(p) === 32 || this.text.charCodeAt(p) === 9)) p++;
    DELIMITER_LINE.lastIndex = p;
    const m = DELIMITER_LINE.exec(this.text);
    if (m === null) return;
    this.delimiter = m[1] as string;
    this.pos = p + m[0].length;
  }

  private atDelimiter(): boolean {
    const d = this.delimiter;
    if (d === ";") {
      if (this.text.charCodeAt(this.pos) !== 59) return false;
      // Inside a trigger/procedure body, `;` ends inner statements, not the CREATE.
      return !(this.compound === true && this.depth > 0);
    }
    return this.text.startsWith(d, this.pos);
  }

  private comment(c: number): boolean {
    const { text } = this;
    const next = text.charCodeAt(this.pos + 1);
    if (c === 45 && next === 45) {
      // MySQL needs whitespace (or the end) after `--`; elsewhere `--` always starts a comment.
      if (this.dialect === "mysql") {
        const after = text.charCodeAt(this.pos + 2);
        if (!(Number.isNaN(after) || after <= 32)) return false;
      }
      this.lineComment(true);
      return true;
    }
    if (c === 35 && this.dialect === "mysql") {
      this.lineComment(false);
      return true;
    }
    if (c === 47 && next === 42) {
      this.blockComment();
      return true;
    }
    return false;
  }

  private lineComment(dashes: boolean): void {
    let end = this.text.indexOf("\n", this.pos);
    if (end < 0) end = this.text.length;
    if (dashes && this.start < 0) {
      const m = UNSAFE_MARK.exec(this.text.slice(this.pos, end).trimEnd());
      if (m !== null) {
        const reason = (m[1] as string).trim();
        if (reason === "") {
          throw new ScriptError(this.file, this.line, "`-- tidemark:unsafe` needs a reason after it, e.g. `-- tidemark:unsafe rewrites the table in place`");
        }
        this.unsafe = reason;
      }
    }
    this.pos = end;
  }

  private blockComment(): void {
    const { text } = this;
    const line = this.line;
    const nested = this.dialect === "postgres";
    let depth = 0;
    let p = this.pos;
    for (;;) {
      if (p >= text.length) throw new ScriptError(this.file, line, "unterminated /* comment");
      const c = text.charCodeAt(p);
      if (c === 10) this.line++;
      if (c === 47 && text.charCodeAt(p + 1) === 42 && (nested || depth === 0)) {
        depth++;
        p += 2;
      } else if (c === 42 && text.charCodeAt(p + 1) === 47) {
        depth--;
        p += 2;
        if (depth === 0) break;
      } else p++;
    }
    this.pos = p;
  }

  /** A quoted run closed by `quote`; a doubled quote is an escaped one; `backslash` also honours `\x`. */
  private quoted(quote: number, backslash: boolean, what: string): void {
    const { text } = this;
    const line = this.line;
    let p = this.pos + 1;
    for (;;) {
      if (p >= text.length) throw new ScriptError(this.file, line, `unterminated ${what}`);
      const c = text.charCodeAt(p);
      if (c === 10) this.line++;
      if (c === 92 && backslash) {
        if (text.charCodeAt(p + 1) === 10) this.line++;
        p += 2;
      } else if (c === quote) {
        if (text.charCodeAt(p + 1) === quote) p += 2;
        else break;
      } else p++;
    }
    this.pos = p + 1;
  }

  private bracketed(): void {
    const end = this.text.indexOf("]", this.pos);
    if (end < 0) throw new ScriptError(this.file, this.line, "unterminated [identifier]");
    this.countLines(this.pos, end);
    this.pos = end + 1;
  }

  /** PostgreSQL `$tag$ … $tag$`. Returns false when the `$` is not a dollar quote ($1, a$b). */
  private dollar(): boolean {
    const { text } = this;
    if (this.pos > 0 && isWordChar(text.charCodeAt(this.pos - 1))) return false;
    DOLLAR_TAG.lastIndex = this.pos;
    const m = DOLLAR_TAG.exec(text);
    if (m === null) return false;
    const tag = m[0];
    const end = text.indexOf(tag, this.pos + tag.length);
    if (end < 0) throw new ScriptError(this.file, this.line, `unterminated dollar-quoted string ${tag}`);
    this.countLines(this.pos, end);
    this.pos = end + tag.length;
    return true;
  }

  private word(): void {
    const { text } = this;
    WORD.lastIndex = this.pos;
    const m = WORD.exec(text) as RegExpExecArray;
    const first = text.charCodeAt(this.pos);
    // The mysql client sees a custom delimiter even glued to a word (`END$$`).
    const cut = this.delimiter === ";" ? -1 : m[0].indexOf(this.delimiter);
    if (cut > 0) m[0] = m[0].slice(0, cut);
    this.pos += m[0].length;
    // E'…' strings (PostgreSQL) take backslash escapes; the prefix must stand alone.
    if (this.dialect === "postgres" && text.charCodeAt(this.pos) === 39 && (m[0] === "E" || m[0] === "e")) {
      this.quoted(39, true, "string literal");
      return;
    }
    if (!isWordStart(first) || first === 36) return;
    if (this.compound === false) return;
    const upper = m[0].toUpperCase();
    this.words++;
    if (this.words === 1) {
      if (upper !== "CREATE") this.compound = false;
      return;
    }
    if (this.compound === undefined) {
      if (COMPOUND_KINDS[this.dialect].has(upper)) this.compound = true;
      else if (OTHER_KINDS.has(upper) || ANY_COMPOUND_KIND.has(upper)) this.compound = false;
      return;
    }
    // Only BEGIN and CASE are closed by a bare END; IF/LOOP/WHILE/REPEAT close with `END IF` etc.
    if (upper === "BEGIN" || upper === "CASE") {
      if (this.depth === 0) this.blockLine = this.line;
      this.depth++;
    } else if (upper === "END") {
      END_SUFFIX.lastIndex = this.pos;
      const suffix = END_SUFFIX.exec(text);
      if (suffix !== null) {
        this.countLines(this.pos, this.pos + suffix[0].length);
        this.pos += suffix[0].length;
      }
      if ((suffix === null || (suffix[1] as string).toUpperCase() === "CASE") && this.depth > 0) this.depth--;
    }
  }

  private begin(): void {
    if (this.start >= 0) return;
    this.start = this.pos;
    this.startLineOfStmt = this.line;
  }

  private finish(end: number): void {
    if (this.start >= 0) {
      const sql = this.text.slice(this.start, end).trim();
      if (sql !== "") {
        this.out.push(this.unsafe === undefined
          ? { sql, line: this.startLineOfStmt }
          : { sql, line: this.startLineOfStmt, unsafe: this.unsafe });
      }
    }
    this.start = -1;
    this.unsafe = undefined;
    this.words = 0;
    this.compound = undefined;
    this.depth = 0;
  }

  private countLines(from: number, to: number): void {
    for (let p = from; p < to; p++) if (this.text.charCodeAt(p) === 10) this.line++;
  }
}
