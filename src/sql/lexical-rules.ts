/**
 * What each database's own client and server take as a string, an
 * identifier or a comment, and what the client sends of a statement. The
 * lexer and the splitter read these flags and nothing else, so a dialect
 * difference is a row of this table, never an `if` elsewhere. The clients
 * are sqlite3, psql and mariadb (the last two differ from MySQL's `mysql`
 * only where noted).
 */
import type { DialectName } from "../vocabulary.js";

export interface LexicalRules {
  readonly dialect: DialectName;
  /** `'…'` and `"…"` strings take `\x` escapes (MySQL). A doubled quote escapes everywhere. */
  readonly backslashEscapes: boolean;
  /** `E'…'` strings take `\x` escapes even though plain strings do not (PostgreSQL). */
  readonly escapeStringPrefix: boolean;
  /** `"…"` is a string literal (MySQL's default sql_mode) instead of a quoted identifier. */
  readonly doubleQuotedStrings: boolean;
  /** `` `…` `` quotes an identifier. */
  readonly backtickIdentifiers: boolean;
  /** `[…]` quotes an identifier (SQLite, after SQL Server). */
  readonly bracketIdentifiers: boolean;
  /** `$tag$ … $tag$` strings (PostgreSQL). */
  readonly dollarQuotes: boolean;
  /** `/* /* … *\/ *\/` nests (PostgreSQL); elsewhere the first `*\/` closes. */
  readonly nestedBlockComments: boolean;
  /** `--` starts a comment only when whitespace, a control character or the end follows (MySQL). */
  readonly dashCommentNeedsSpace: boolean;
  /** `#` starts a line comment (MySQL). */
  readonly hashComments: boolean;
  /**
   * `/*!NNNNN … *\/` and MariaDB's `/*M!NNNNNN … *\/` hold code the server
   * runs when its version is at least NNNNN: the client sends them as they are.
   */
  readonly executableComments: boolean;
  /** `@name`, `@@name`, `@'name'` are variables (MySQL). */
  readonly atVariables: boolean;
  /** The client reads a `DELIMITER x` line as a change of statement terminator (the mysql client). */
  readonly delimiterDirective: boolean;
  /**
   * `--x` (no space) opening a statement is a comment as well: the mysql and
   * mariadb clients drop such a line, though the server reads `--x` inside a
   * statement as two minus signs.
   */
  readonly dashCommentOpensStatement: boolean;
  /**
   * What stands between a statement's last token and its terminator stays in
   * its text: SQLite stores it (`CREATE INDEX i ON t (a) ;` keeps the space),
   * as the sqlite3 client sends it. Elsewhere nothing keeps it, and the
   * mariadb client trims it.
   */
  readonly keepsStatementEnd: boolean;
  /**
   * The client reads the script line by line and joins the lines with `\n`,
   * so CRLF line ends reach the server as LF, inside strings too (sqlite3,
   * mariadb; psql sends the CR).
   */
  readonly crlfAsLf: boolean;
}

export const LEXICAL_RULES: Readonly<Record<DialectName, LexicalRules>> = {
  sqlite: {
    dialect: "sqlite",
    backslashEscapes: false,
    escapeStringPrefix: false,
    doubleQuotedStrings: false,
    backtickIdentifiers: true,
    bracketIdentifiers: true,
    dollarQuotes: false,
    nestedBlockComments: false,
    dashCommentNeedsSpace: false,
    hashComments: false,
    executableComments: false,
    atVariables: false,
    delimiterDirective: false,
    dashCommentOpensStatement: false,
    keepsStatementEnd: true,
    crlfAsLf: true,
  },
  postgres: {
    dialect: "postgres",
    backslashEscapes: false,
    escapeStringPrefix: true,
    doubleQuotedStrings: false,
    backtickIdentifiers: false,
    bracketIdentifiers: false,
    dollarQuotes: true,
    nestedBlockComments: true,
    dashCommentNeedsSpace: false,
    hashComments: false,
    executableComments: false,
    atVariables: false,
    delimiterDirective: false,
    dashCommentOpensStatement: false,
    keepsStatementEnd: false,
    crlfAsLf: false,
  },
  mysql: {
    dialect: "mysql",
    backslashEscapes: true,
    escapeStringPrefix: false,
    doubleQuotedStrings: true,
    backtickIdentifiers: true,
    bracketIdentifiers: false,
    dollarQuotes: false,
    nestedBlockComments: false,
    dashCommentNeedsSpace: true,
    hashComments: true,
    executableComments: true,
    atVariables: true,
    delimiterDirective: true,
    dashCommentOpensStatement: true,
    keepsStatementEnd: false,
    crlfAsLf: true,
  },
};
