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

export const CALL_EFFECT =
  "calls a function that is not a known built-in, which may run any statement (DDL, DML) tidemark never sees";

/** Built-ins of every dialect that only compute a value. */
const COMMON = [
  "abs",
  "ceil",
  "ceiling",
  "floor",
  "round",
  "trunc",
  "truncate",
  "mod",
  "power",
  "pow",
  "sqrt",
  "sign",
  "exp",
  "ln",
  "log",
  "log10",
  "log2",
  "greatest",
  "least",
  "coalesce",
  "nullif",
  "lower",
  "upper",
  "length",
  "char_length",
  "character_length",
  "octet_length",
  "bit_length",
  "concat",
  "concat_ws",
  "substr",
  "substring",
  "left",
  "right",
  "trim",
  "ltrim",
  "rtrim",
  "replace",
  "reverse",
  "repeat",
  "lpad",
  "rpad",
  "position",
  "instr",
  "md5",
  "hex",
  "char",
  "ascii",
  "cast",
  "now",
  "current_timestamp",
  "current_date",
  "current_time",
  "localtime",
  "localtimestamp",
  "date",
  "time",
  "extract",
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "row_number",
  "rank",
  "dense_rank",
  "percent_rank",
  "cume_dist",
  "ntile",
  "lag",
  "lead",
  "first_value",
  "last_value",
  "nth_value",
  "random",
  "json_object",
  "json_array",
  "json_extract",
  "json_valid",
  "json_type",
  "json_quote",
  "regexp_replace",
  "regexp_substr",
  "regexp_like",
];

const BY_DIALECT: Readonly<Record<DialectName, readonly string[]>> = {
  sqlite: [
    "ifnull",
    "iif",
    "printf",
    "format",
    "unicode",
    "quote",
    "typeof",
    "total",
    "group_concat",
    "zeroblob",
    "randomblob",
    "datetime",
    "julianday",
    "strftime",
    "unixepoch",
    "timediff",
    "likelihood",
    "likely",
    "unlikely",
    "glob",
    "like",
    "json",
    "jsonb",
    "json_set",
    "json_insert",
    "json_replace",
    "json_remove",
    "json_patch",
    "json_array_length",
    "json_group_array",
    "json_group_object",
    "json_each",
    "json_tree",
    "last_insert_rowid",
    "changes",
    "total_changes",
    "sqlite_version",
  ],
  mysql: [
    "if",
    "ifnull",
    "isnull",
    "nvl",
    "lcase",
    "ucase",
    "mid",
    "locate",
    "substring_index",
    "ord",
    "quote",
    "insert",
    "field",
    "find_in_set",
    "elt",
    "format",
    "space",
    "strcmp",
    "soundex",
    "sha",
    "sha1",
    "sha2",
    "crc32",
    "unhex",
    "bin",
    "oct",
    "conv",
    "to_base64",
    "from_base64",
    "convert",
    "collate",
    "charset",
    "collation",
    "rand",
    "uuid",
    "uuid_short",
    "sysdate",
    "curdate",
    "curtime",
    "utc_timestamp",
    "utc_date",
    "utc_time",
    "unix_timestamp",
    "from_unixtime",
    "date_add",
    "date_sub",
    "adddate",
    "subdate",
    "addtime",
    "subtime",
    "datediff",
    "timediff",
    "timestampdiff",
    "timestampadd",
    "date_format",
    "time_format",
    "str_to_date",
    "makedate",
    "maketime",
    "year",
    "month",
    "day",
    "dayofmonth",
    "dayofweek",
    "dayofyear",
    "week",
    "weekday",
    "hour",
    "minute",
    "second",
    "microsecond",
    "quarter",
    "last_day",
    "to_days",
    "from_days",
    "group_concat",
    "std",
    "stddev",
    "variance",
    "bit_and",
    "bit_or",
    "bit_xor",
    "json_unquote",
    "json_value",
    "json_contains",
    "json_contains_path",
    "json_keys",
    "json_length",
    "json_depth",
    "json_set",
    "json_insert",
    "json_replace",
    "json_remove",
    "json_merge_patch",
    "json_merge_preserve",
    "json_arrayagg",
    "json_objectagg",
    "json_table",
    "inet_aton",
    "inet_ntoa",
    "inet6_aton",
    "inet6_ntoa",
    "last_insert_id",
    "row_count",
    "found_rows",
    "database",
    "schema",
    "user",
    "current_user",
    "version",
    "connection_id",
  ],
  postgres: [
    "btrim",
    "strpos",
    "split_part",
    "initcap",
    "format",
    "chr",
    "to_hex",
    "encode",
    "decode",
    "overlay",
    "translate",
    "starts_with",
    "string_agg",
    "array_agg",
    "array_length",
    "array_to_string",
    "string_to_array",
    "array_position",
    "array_append",
    "array_prepend",
    "array_cat",
    "array_remove",
    "cardinality",
    "unnest",
    "generate_series",
    "bool_and",
    "bool_or",
    "every",
    "stddev",
    "variance",
    "gen_random_uuid",
    "uuid_generate_v4",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timezone",
    "date_part",
    "date_trunc",
    "date_bin",
    "age",
    "make_date",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "make_interval",
    "to_char",
    "to_date",
    "to_timestamp",
    "to_number",
    "isfinite",
    "justify_days",
    "justify_hours",
    "justify_interval",
    "to_json",
    "to_jsonb",
    "row_to_json",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "jsonb_set",
    "jsonb_insert",
    "jsonb_strip_nulls",
    "json_strip_nulls",
    "jsonb_typeof",
    "json_typeof",
    "json_extract_path",
    "jsonb_extract_path",
    "json_extract_path_text",
    "jsonb_extract_path_text",
    "jsonb_array_length",
    "json_array_length",
    "jsonb_array_elements",
    "json_array_elements",
    "jsonb_each",
    "json_each",
    "jsonb_object_keys",
    "json_object_keys",
    "regexp_match",
    "regexp_matches",
    "regexp_split_to_array",
    "regexp_count",
    "regexp_instr",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "current_setting",
    "current_schema",
    "current_database",
    "version",
    "currval",
    "lastval",
    "num_nonnulls",
    "num_nulls",
    "pg_typeof",
    "pg_collation_for",
    "lower_inc",
    "upper_inc",
    "isempty",
    "numrange",
    "int4range",
    "int8range",
    "tsrange",
    "tstzrange",
    "daterange",
    "to_tsvector",
    "to_tsquery",
    "plainto_tsquery",
    "websearch_to_tsquery",
    "setweight",
    "ts_rank",
    // Catalog reads.
    "to_regclass",
    "to_regtype",
    "to_regproc",
    "to_regnamespace",
    "format_type",
    "obj_description",
    "col_description",
    "pg_get_constraintdef",
    "pg_get_indexdef",
    "pg_get_viewdef",
    "pg_get_triggerdef",
    "pg_get_serial_sequence",
    "pg_get_expr",
    "pg_table_is_visible",
    "pg_relation_size",
    "pg_total_relation_size",
    "pg_table_size",
    "pg_indexes_size",
    "pg_column_size",
    "pg_size_pretty",
    "pg_backend_pid",
    "pg_is_in_recovery",
    "has_table_privilege",
    "has_column_privilege",
    "has_schema_privilege",
    "has_sequence_privilege",
    "quote_ident",
    "quote_literal",
    "quote_nullable",
  ],
};

/** Built-ins that change sequences: a data change, not a read. */
export const SEQUENCE_WRITERS = new Set(["nextval", "setval"]);

const SAFE: Readonly<Record<DialectName, ReadonlySet<string>>> = {
  sqlite: new Set([...COMMON, ...BY_DIALECT.sqlite]),
  mysql: new Set([...COMMON, ...BY_DIALECT.mysql]),
  postgres: new Set([...COMMON, ...BY_DIALECT.postgres]),
};

/** True when `name` (unqualified, any case) is a built-in that only computes a value. */
export function isSafeFunction(name: string, dialect: DialectName): boolean {
  const lower = name.toLowerCase();
  // SQLite's table-valued pragma functions only read (`pragma_table_info('t')`).
  if (dialect === "sqlite" && lower.startsWith("pragma_")) return true;
  return SAFE[dialect].has(lower);
}

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
