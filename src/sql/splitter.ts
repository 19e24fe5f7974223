/**
 * Splits a SQL script into statements the way each database's own client
 * would: a `;` inside a string, a comment, a dollar-quoted body or a trigger's
 * BEGIN … END block does not end a statement. Statements keep their text as
 * the client would send it (lexical-rules.ts says what each client changes
 * besides dropping the comments before a statement and its terminator), so
 * that the server stores what it would store from the client, and errors
 * quote the statement as written.
 */
import { ScriptError } from "../errors.js";
import type { DialectName } from "../vocabulary.js";
import { CompoundStatement } from "./compound-statement.js";
import { LEXICAL_RULES, type LexicalRules } from "./lexical-rules.js";
import { SqlLexer } from "./lexer.js";

export interface SqlStatement {
  readonly sql: string;
  /** 1-based line of the statement's first character in the file. */
  readonly line: number;
  /** Set by a `-- tidemark:unsafe REASON` comment line right before the statement. */
  readonly unsafe?: string;
}

/**
 * Changes whenever `splitSql` may give other statements for the same text:
 * the on-disk caches of split scripts (repo/loader.ts) are keyed by it, so
 * that an upgraded tidemark never runs statements an older splitter cut.
 */
export const SPLITTER_VERSION = "2";

const UNSAFE_MARK = /^--\s*tidemark:unsafe\b[ \t]*(.*)$/;
const DELIMITER_LINE = /delimiter[ \t]+(\S+)[^\n]*/iy;

/**
 * Split `text` into statements. `startLine` is the file line of the text's
 * first line (a section of a larger script), so that lines point into the file.
 */
export function splitSql(text: string, dialect: DialectName, file = "<sql>", startLine = 1): SqlStatement[] {
  return new Splitter(text, LEXICAL_RULES[dialect], file, startLine).run();
}

class Splitter {
  private readonly lexer: SqlLexer;
  private readonly compound: CompoundStatement;
  private readonly out: SqlStatement[] = [];
  private pos = 0;
  private delimiter = ";";
  /** Start of the statement being read; -1 between statements. */
  private start = -1;
  private unsafe: string | undefined;
  // Lines are counted only when asked for, from the last place asked.
  private lineOffset = 0;
  private lineNumber: number;

  constructor(
    private readonly text: string,
    private readonly rules: LexicalRules,
    private readonly file: string,
    private readonly startLine: number,
  ) {
    this.lexer = new SqlLexer(text, rules, "code");
    this.compound = CompoundStatement.for(rules.dialect);
    this.lineNumber = startLine;
  }

  run(): SqlStatement[] {
    const { text, lexer } = this;
    const n = text.length;
    const directives = this.rules.delimiterDirective;
    // A byte-order mark would otherwise glue itself to the first keyword.
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    if (directives) this.directive();
    while (this.pos < n) {
      const at = this.pos;
      const c = text.charCodeAt(at);
      if (c === 10) {
        this.pos++;
        if (this.start < 0 && directives) this.directive();
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
        this.pos++;
        continue;
      }
      if (this.atDelimiter(c)) {
        this.finish(at);
        this.pos += this.delimiter.length;
        continue;
      }
      lexer.atStatementStart = this.start < 0;
      this.pos = lexer.scan(at);
      switch (lexer.kind) {
        case "line-comment":
          if (this.start < 0 && c === 45) this.unsafeMark(at, this.pos);
          break;
        case "block-comment":
          if (lexer.unterminated) throw this.error(at, "unterminated /* comment");
          break;
        case "word":
          if (this.start < 0) this.start = at;
          this.pos = this.compound.word(text, at, this.pos);
          break;
        default:
          if (this.start < 0) this.start = at;
          if (lexer.unterminated) throw this.error(at, `unterminated ${this.quotedWhat()}`);
      }
    }
    if (this.start >= 0 && this.compound.inBody) {
      throw this.error(this.compound.blockStart, "unterminated BEGIN … END block: no matching END before the end of the script");
    }
    this.finish(n, true);
    return this.out;
  }

  /** Runs at the start of a file and after each newline outside a statement (the mysql client's DELIMITER). */
  private directive(): void {
    const { text } = this;
    let p = this.pos;
    while (p < text.length && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    DELIMITER_LINE.lastIndex = p;
    const m = DELIMITER_LINE.exec(text);
    if (m === null) return;
    this.delimiter = m[1] as string;
    this.lexer.stop = this.delimiter === ";" ? undefined : this.delimiter;
    this.pos = p + m[0].length;
  }

  private atDelimiter(c: number): boolean {
    const d = this.delimiter;
    if (d === ";") {
      // Inside a trigger/procedure body, `;` ends inner statements, not the CREATE.
      return c === 59 && !this.compound.inBody;
    }
    return this.text.startsWith(d, this.pos);
  }

  private unsafeMark(from: number, to: number): void {
    const m = UNSAFE_MARK.exec(this.text.slice(from, to).trimEnd());
    if (m === null) return;
    const reason = (m[1] as string).trim();
    if (reason === "") {
      throw this.error(
        from,
        "`-- tidemark:unsafe` needs a reason after it, e.g. `-- tidemark:unsafe rewrites the table in place`",
      );
    }
    this.unsafe = reason;
  }

  /** What an unterminated quoted token is, for its error. */
  private quotedWhat(): string {
    const { lexer } = this;
    switch (lexer.quote) {
      case 36:
        return `dollar-quoted string ${this.text.slice(lexer.start, lexer.contentStart)}`;
      case 91:
        return "[identifier]";
      case 96:
        return "quoted identifier";
      case 34:
        return this.rules.doubleQuotedStrings ? "string literal" : "quoted identifier";
      default:
        return "string literal";
    }
  }

  /** Ends the statement before `end` (its terminator, or the end of the text). */
  private finish(end: number, atEnd = false): void {
    if (this.start >= 0) {
      if (this.lexer.inExecutable) {
        throw this.error(
          this.start,
          "unterminated /*! comment: the statement ends before its */ (a terminator inside /*! … */ ends the statement, as in the mysql client; change it with DELIMITER)",
        );
      }
      const sql = this.statementText(end, atEnd);
      if (sql !== "") {
        const line = this.lineAt(this.start);
        this.out.push(this.unsafe === undefined ? { sql, line } : { sql, line, unsafe: this.unsafe });
      }
    }
    this.start = -1;
    this.unsafe = undefined;
    this.compound.reset();
  }

  private statementText(end: number, atEnd: boolean): string {
    const { rules } = this;
    let sql = this.text.slice(this.start, end);
    if (rules.crlfAsLf && sql.includes("\r")) sql = sql.replace(/\r\n/g, "\n");
    if (!rules.keepsStatementEnd) return sql.trim();
    // The sqlite3 client sends a last statement without terminator as its lines joined: no final line end.
    if (atEnd && sql.endsWith("\n")) sql = sql.slice(0, -1);
    return sql.trimStart();
  }

  /** The file line of `offset`. Offsets asked for mostly grow, so counting resumes where it stopped. */
  private lineAt(offset: number): number {
    if (offset < this.lineOffset) {
      this.lineOffset = 0;
      this.lineNumber = this.startLine;
    }
    const { text } = this;
    let nl = text.indexOf("\n", this.lineOffset);
    while (nl >= 0 && nl < offset) {
      this.lineNumber++;
      nl = text.indexOf("\n", nl + 1);
    }
    this.lineOffset = offset;
    return this.lineNumber;
  }

  private error(offset: number, message: string): ScriptError {
    return new ScriptError(this.file, this.lineAt(offset), message);
  }
}
