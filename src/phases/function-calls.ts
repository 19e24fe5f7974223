/**
 * Closed rules for function calls: a call is only judged harmless when the
 * function is a built-in known to compute a value and do nothing else. A
 * user function (or a built-in with side effects: `set_config`, `sleep`,
 * `load_extension`, `pg_terminate_backend`, …) may run any statement, so
 * a statement that calls one is opaque, whatever its outer shape. The token
 * dialects find calls as `name (` outside the places where a name before a
 * parenthesis is a table, an index or a type; PostgreSQL's parser names
 * them (classify-postgres.ts walks its tree).
 */
import { tokenize, type Token } from "../sql/tokens.js";
import type { DialectName } from "../vocabulary.js";
import { isSafeFunction, SEQUENCE_WRITERS } from "./known-functions.js";

export { isSafeFunction, SEQUENCE_WRITERS } from "./known-functions.js";

export const CALL_EFFECT =
  "calls a function that is not a known built-in, which may run any statement (DDL, DML) tidemark never sees";

/** Keywords that may stand right before `(` without calling anything. */
const KEYWORDS_BEFORE_PAREN = new Set([
  "ADD",
  "AGAINST",
  "ALL",
  "ALWAYS",
  "AND",
  "ANY",
  "ARRAY",
  "AS",
  "BEGIN",
  "BETWEEN",
  "BY",
  "CASE",
  "CHANGE",
  "CHECK",
  "COLUMNS",
  "CONFLICT",
  "CONSTRAINT",
  "DEFAULT",
  "DISTINCT",
  "DO",
  "EACH",
  "ELSE",
  "ENUM",
  "EXCEPT",
  "EXISTS",
  "FILTER",
  "FOR",
  "FOREIGN",
  "FROM",
  "FULLTEXT",
  "GENERATED",
  "GROUP",
  "HASH",
  "HAVING",
  "IN",
  "INCLUDE",
  "INDEX",
  "INTERSECT",
  "INTO",
  "IS",
  "JOIN",
  "KEY",
  "LATERAL",
  "LIKE",
  "LIST",
  "MATCH",
  "MODIFY",
  "NOT",
  "ON",
  "OR",
  "OVER",
  "PARTITION",
  "PRIMARY",
  "RANGE",
  "RECURSIVE",
  "REFERENCES",
  "RETURNING",
  "RETURNS",
  "ROW",
  "ROWS",
  "SELECT",
  "SET",
  "SOME",
  "SPATIAL",
  "STORED",
  "TABLE",
  "THAN",
  "THEN",
  "UNION",
  "UNIQUE",
  "USING",
  "VALUE",
  "VALUES",
  "VIRTUAL",
  "WHEN",
  "WHERE",
  "WINDOW",
  "WITH",
  "WITHIN",
]);

/** Words after which a name followed by `(` is an object with a column list, not a call. */
const NAME_POSITION = new Set([
  "TABLE",
  "INTO",
  "REFERENCES",
  "KEY",
  "INDEX",
  "CONSTRAINT",
  "VIEW",
  "EXISTS",
  "UNIQUE",
  "FULLTEXT",
  "SPATIAL",
  "TRIGGER",
  "WITH",
  "INSERT",
  "REPLACE",
  "PROCEDURE",
  "FUNCTION",
  "PARTITION",
  "SUBPARTITION",
  "USING",
  "RECURSIVE",
  "PRAGMA",
]);

/** Type names that take a length or precision: `varchar(20)` after a column name is no call. */
const SIZED_TYPES = new Set([
  "varchar",
  "char",
  "character",
  "nchar",
  "nvarchar",
  "varchar2",
  "varbinary",
  "binary",
  "bit",
  "decimal",
  "dec",
  "numeric",
  "number",
  "fixed",
  "float",
  "double",
  "real",
  "int",
  "integer",
  "tinyint",
  "smallint",
  "mediumint",
  "bigint",
  "datetime",
  "timestamp",
  "time",
  "year",
  "text",
  "blob",
  "enum",
  "set",
  "raw",
  "interval",
  "vector",
]);

/** The name of every call in `tokens` whose function is not a known harmless built-in. */
export function unknownCalls(tokens: readonly Token[], dialect: DialectName): string[] {
  const out: string[] = [];
  for (let k = 0; k + 1 < tokens.length; k++) {
    const t = tokens[k] as Token;
    const next = tokens[k + 1] as Token;
    if (next.kind !== "punct" || next.text !== "(") continue;
    if (t.kind !== "word" && t.kind !== "quoted") continue;
    if (t.kind === "word" && KEYWORDS_BEFORE_PAREN.has(t.upper)) continue;
    // The start of a qualified name `a.b.c`.
    let start = k;
    while (start >= 2 && isDot(tokens[start - 1]) && isName(tokens[start - 2])) start -= 2;
    const qualified = start < k;
    const prev = tokens[start - 1];
    if (prev !== undefined && prev.kind === "word") {
      if (NAME_POSITION.has(prev.upper)) continue;
      // `ON t (a)` names the table of an index; `JOIN … ON f(a)` calls f.
      if (prev.upper === "ON" && tokens.slice(0, start).some((x) => x.upper === "INDEX")) continue;
    }
    // A type after a column name (`name varchar(20)`), after AS/TYPE (`CAST(x AS decimal(10, 2))`) or `::`.
    if (!qualified && prev !== undefined && SIZED_TYPES.has(t.value.toLowerCase()) && isTypeContext(prev)) continue;
    if (!qualified && isSafeFunction(t.value, dialect)) continue;
    if (!qualified && dialect === "mysql" && isIndexPrefix(tokens, k)) continue;
    out.push(
      tokens
        .slice(start, k + 1)
        .filter((x) => !isDot(x))
        .map((x) => x.value)
        .join("."),
    );
  }
  return out;
}

/** Words after which a name followed by `(` is called. */
const CALL_CONTEXT = new Set([
  "SELECT",
  "WHERE",
  "AND",
  "OR",
  "NOT",
  "DEFAULT",
  "SET",
  "THEN",
  "ELSE",
  "WHEN",
  "CASE",
  "RETURN",
  "HAVING",
  "BY",
  "DISTINCT",
  "ALL",
  "LIKE",
  "BETWEEN",
  "IN",
  "DO",
  "IF",
  "ELSEIF",
  "WHILE",
  "UNTIL",
  "RETURNING",
  "ON",
  "FROM",
  "JOIN",
  "CALL",
  "EXECUTE",
]);

const INDEX_WORDS = new Set(["KEY", "INDEX", "UNIQUE", "FULLTEXT", "SPATIAL"]);

/**
 * MySQL's index prefix length, `KEY ix (name(20))` or `ON t (email(191))`:
 * a column and one number, directly in an index's column list.
 */
function isIndexPrefix(tokens: readonly Token[], k: number): boolean {
  const arg = tokens[k + 2];
  if (arg?.kind !== "number" || !isPunct(tokens[k + 3], ")")) return false;
  if (!isPunct(tokens[k - 1], "(") && !isPunct(tokens[k - 1], ",")) return false;
  // The list's opening parenthesis, and what stands before it.
  let depth = 0;
  let open = k - 1;
  for (; open >= 0; open--) {
    const t = tokens[open] as Token;
    if (isPunct(t, ")")) depth++;
    else if (isPunct(t, "(") && depth-- === 0) break;
  }
  const before = tokens[open - 1];
  const beforeName = tokens[open - 2];
  if (before?.kind === "word" && INDEX_WORDS.has(before.upper)) return true;
  if (before === undefined || !isName(before) || beforeName?.kind !== "word") return false;
  if (INDEX_WORDS.has(beforeName.upper)) return true;
  return beforeName.upper === "ON" && tokens.slice(0, open).some((x) => x.upper === "INDEX");
}

function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === "punct" && t.text === text;
}

function isTypeContext(prev: Token): boolean {
  if (prev.kind === "punct") return prev.text === ":";
  return prev.kind === "quoted" || (prev.kind === "word" && !CALL_CONTEXT.has(prev.upper));
}

/**
 * Unknown calls in a SQL fragment an op carries (a view's query, a CHECK
 * or index predicate, a default, a sync expression). Sequence functions
 * are fine there: a default of `nextval('s')` numbers new rows.
 */
export function unknownCallsInFragment(sql: string, dialect: DialectName): string[] {
  return unknownCalls(tokenize(sql, dialect), dialect).filter((name) => !SEQUENCE_WRITERS.has(name.toLowerCase()));
}

function isDot(t: Token | undefined): boolean {
  return t !== undefined && t.kind === "punct" && t.text === ".";
}

function isName(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === "word" || t.kind === "quoted");
}
