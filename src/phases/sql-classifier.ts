/**
 * Raw SQL → categories, per dialect: PostgreSQL through its real parser,
 * MySQL/MariaDB and SQLite through a tokenizer. A text is first split into
 * statements the way the database's client would (sql/splitter.ts), so
 * a `-- tidemark:unsafe reason` line before a statement marks that statement.
 */
import type { DialectName } from "../vocabulary.js";
import type { Change, Classified } from "./classification.js";
import { TidemarkError, messageOf } from "../errors.js";
import { commentsIn } from "../sql/comments.js";
import { readsTheSameInEveryMode } from "../sql/sql-mode-neutral.js";
import { splitSql } from "../sql/splitter.js";
import { classifyPostgres, loadPgParser, pgParserLoaded } from "./classify-postgres.js";
import { classifyTokenStatement } from "./classify-tokens.js";

export interface ClassifiedStatement extends Classified {
  /** 1-based line of the statement in the classified text. */
  readonly line: number;
  /** The reason of a `-- tidemark:unsafe` comment line right before the statement. */
  readonly unsafe?: string;
}

/**
 * Makes `classifySql` usable for `dialect`. Only PostgreSQL needs it (the
 * parser is WebAssembly, loaded on first use); callers guarding a rolling
 * repository await it once before the first step.
 */
export function loadSqlClassifier(dialect: DialectName): Promise<void> {
  return dialect === "postgres" ? loadPgParser() : Promise.resolve();
}

export function sqlClassifierReady(dialect: DialectName): boolean {
  return dialect !== "postgres" || pgParserLoaded();
}

/** Classifies the text of one statement (no splitting, no unsafe marks). */
export function classifyStatement(sql: string, dialect: DialectName): Change[] {
  if (dialect !== "sqlite" && !readsTheSameInEveryMode(sql, dialect)) {
    return [{ category: "unknown", what: "a backslash-escaped quote", effect: MODE_EFFECT[dialect] }];
  }
  if (dialect === "postgres") return classifyPostgres(sql);
  if (dialect === "mysql" && commentsIn(sql, dialect).executable) {
    return [{ category: "unknown", what: "an executable comment /*! … */", effect: EXECUTABLE_COMMENT_EFFECT }];
  }
  return classifyTokenStatement(sql, dialect);
}

const MODE_EFFECT = {
  mysql:
    "reads as different statements when the server's sql_mode has NO_BACKSLASH_ESCAPES or ANSI_QUOTES " +
    "(set globally or per session); write a quote inside a string doubled ('it''s'), which reads the same in every mode",
  postgres:
    "reads as different statements when standard_conforming_strings is off (set for the server, the database " +
    "or the role); write a quote inside a string doubled ('it''s'), or use an E'…' string",
} as const;

const EXECUTABLE_COMMENT_EFFECT =
  "holds code the server runs or skips depending on its version and kind (/*!NNNNN … */, MariaDB's /*M! … */), " +
  "so what runs is not what tidemark can read";

/**
 * Every change the SQL makes, statement by statement; an ALTER TABLE with
 * several clauses gives one entry per clause. For PostgreSQL, await
 * `loadSqlClassifier("postgres")` first.
 */
export function classifySql(sql: string, dialect: DialectName): ClassifiedStatement[] {
  let statements: readonly { readonly sql: string; readonly line: number; readonly unsafe?: string }[];
  try {
    statements = splitSql(sql, dialect);
  } catch (error) {
    if (!(error instanceof TidemarkError)) throw error;
    // An unterminated string or block: the database will refuse it too, but say what we saw.
    return [
      {
        category: "unknown",
        what: `SQL that cannot be split into statements (${messageOf(error)})`,
        statement: sql.trim(),
        line: 1,
      },
    ];
  }
  return statements.flatMap((stmt) =>
    classifyStatement(stmt.sql, dialect).map((change) => ({
      ...change,
      statement: stmt.sql,
      line: stmt.line,
      ...(stmt.unsafe === undefined ? {} : { unsafe: stmt.unsafe }),
    })),
  );
}
