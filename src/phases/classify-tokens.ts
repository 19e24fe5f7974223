/**
 * Classifies one MySQL/MariaDB or SQLite statement from its tokens. There is
 * no full parser for these dialects here, so the rules are deliberately
 * narrow: a statement whose shape is not recognised is `unknown` (refused in
 * expand and contract unless marked unsafe), never guessed to be harmless.
 */
import { TRANSACTION_EFFECT, type Change, type TokenDialect, type TriggerRef } from "./classification.js";
import { Cursor, splitTopLevel, topLevel } from "../sql/token-cursor.js";
import { tokenize, type Token } from "../sql/tokens.js";
import { alterTable } from "./classify-alter-table.js";
import { CALL_EFFECT, unknownCalls } from "./function-calls.js";
import { mysqlSet } from "./session-settings.js";

const REMOVES = (thing: string): string => `removes ${thing} the old release still uses`;
const NEUTRAL_FIRST = new Set([
  "SELECT",
  "VALUES",
  "TABLE",
  "SHOW",
  "DESCRIBE",
  "DESC",
  "EXPLAIN",
  "HELP",
  "OPTIMIZE",
  "CHECK",
  "CHECKSUM",
  "REPAIR",
  "VACUUM",
  "REINDEX",
  "SAVEPOINT",
  "RELEASE",
  "UNLOCK",
  "DEALLOCATE",
  "CACHE",
]);
const DATA_FIRST = new Set(["INSERT", "REPLACE", "UPDATE", "DELETE", "TRUNCATE", "LOAD"]);
const CREATE_OBJECTS = new Set([
  "TABLE",
  "INDEX",
  "VIEW",
  "TRIGGER",
  "PROCEDURE",
  "FUNCTION",
  "EVENT",
  "DATABASE",
  "SCHEMA",
  "USER",
  "ROLE",
  "SEQUENCE",
  "SERVER",
  "TABLESPACE",
  "LOGFILE",
]);
/** SQLite pragmas that only read, even with an argument (`PRAGMA table_info(t)`). */
const READ_PRAGMAS = new Set([
  "table_info",
  "table_xinfo",
  "index_info",
  "index_xinfo",
  "index_list",
  "foreign_key_list",
  "foreign_key_check",
  "integrity_check",
  "quick_check",
  "function_list",
  "pragma_list",
  "collation_list",
  "database_list",
  "module_list",
  "compile_options",
  "table_list",
  "data_version",
  "freelist_count",
  "page_count",
]);
/**
 * SQLite pragmas that only change the current connection, like SET, and
 * change neither how statements are read nor what they do to the schema
 * (legacy_alter_table, recursive_triggers and writable_schema do: opaque).
 */
const SESSION_PRAGMAS = new Set([
  "foreign_keys",
  "defer_foreign_keys",
  "busy_timeout",
  "cache_size",
  "temp_store",
  "synchronous",
  "case_sensitive_like",
  "cache_spill",
  "mmap_size",
  "threads",
  "automatic_index",
  "query_only",
  "reverse_unordered_selects",
  "analysis_limit",
  "soft_heap_limit",
]);

/** Statements whose effect the classifier cannot see from their text. */
const OPAQUE_FIRST: Readonly<Record<string, string>> = {
  CALL: "CALL runs a stored procedure, which may do anything",
  EXECUTE: "EXECUTE runs a prepared statement whose text tidemark does not see",
  PREPARE: "PREPARE builds a statement from text tidemark does not see",
  DO: "DO evaluates expressions that may call anything",
  LOCK: "LOCK TABLES blocks the old release's reads and writes (and commits the step's transaction on MySQL)",
  FLUSH: "FLUSH may lock every table (FLUSH TABLES WITH READ LOCK)",
  USE: "USE switches the database later statements (and tidemark's own bookkeeping) act on",
  HANDLER: "HANDLER reads and locks tables below SQL",
  INSTALL: "INSTALL loads server code",
  UNINSTALL: "UNINSTALL unloads server code",
  KILL: "KILL ends other sessions, perhaps the old release's",
  XA: "XA transactions outlive the step",
  SHUTDOWN: "SHUTDOWN stops the server",
};

/** Opaque objects: their bodies run later, where no phase rule sees them. */
const OPAQUE_OBJECTS: Readonly<Record<string, string>> = {
  FUNCTION: "a function may run any statement whenever it is called",
  PROCEDURE: "a procedure may run any statement whenever it is called",
  EVENT: "an event runs statements on a schedule, outside every phase",
  TRIGGER:
    "a trigger runs on the old release's writes and may reject, rewrite or discard them; " +
    "only tidemark's own triggers (op.syncColumns, op.forbidWrites) are proven safe",
  SERVER: "a server definition reaches another database",
};

/** Classifies one statement (no trailing `;`). */
export function classifyTokenStatement(sql: string, dialect: TokenDialect): Change[] {
  const tokens = tokenize(sql, dialect);
  if (tokens.length === 0) return [{ category: "neutral", what: "empty statement" }];
  const changes = classifyTokens(tokens, dialect);
  // Closed rules: a call of a function tidemark does not know may do anything, whatever the statement's shape.
  const calls = unknownCalls(tokens, dialect);
  if (calls.length === 0 || changes.every((change) => change.category === "unknown")) return changes;
  return [{ category: "unknown", what: `a call of ${calls[0]}()`, effect: CALL_EFFECT }];
}

function classifyTokens(tokens: readonly Token[], dialect: TokenDialect): Change[] {
  const c = new Cursor(tokens);
  // `(SELECT …) UNION (SELECT …)`.
  while (c.punct("(")) c.i++;
  const first = c.word();
  if (first === "WITH") return [withStatement(c)];
  if (first === "BEGIN") {
    return c.word(1) === "NOT"
      ? [{ category: "unknown", what: "BEGIN NOT ATOMIC … END block", effect: "runs procedural code tidemark does not see" }]
      : [{ category: "unknown", what: "BEGIN (transaction)", effect: TRANSACTION_EFFECT }];
  }
  if (first === "ROLLBACK" && topLevel(c.rest()).some((t) => t.upper === "TO")) {
    return [{ category: "neutral", what: "ROLLBACK TO SAVEPOINT" }];
  }
  if (["START", "COMMIT", "END", "ROLLBACK"].includes(first)) {
    return [{ category: "unknown", what: `${first} (transaction)`, effect: TRANSACTION_EFFECT }];
  }
  if (first === "ANALYZE") return [analyze(c)];
  const opaque = OPAQUE_FIRST[first];
  if (opaque !== undefined) return [{ category: "unknown", what: first, effect: opaque }];
  if (first === "SET") {
    return dialect === "mysql" ? [mysqlSet(c)] : [{ category: "unknown", what: "SET" }];
  }
  if (first === "SELECT" && topLevel(c.rest()).some((t) => t.upper === "OUTFILE" || t.upper === "DUMPFILE")) {
    return [{ category: "unknown", what: "SELECT … INTO OUTFILE", effect: "writes a file on the database server" }];
  }
  if (NEUTRAL_FIRST.has(first)) return [{ category: "neutral", what: first }];
  if (DATA_FIRST.has(first)) return [dataStatement(c)];
  switch (first) {
    case "CREATE":
      return [create(c)];
    case "DROP":
      return [drop(c)];
    case "ALTER":
      return alter(c, dialect);
    case "RENAME":
      return [
        {
          category: "contractive",
          what: `RENAME ${c.word(1)}`,
          effect: "renames an object the old release still uses by its old name",
        },
      ];
    case "GRANT":
      return [{ category: "additive", what: "GRANT" }];
    case "REVOKE":
      return [{ category: "contractive", what: "REVOKE", effect: "takes privileges away from the old release" }];
    case "PRAGMA":
      return [pragma(c, dialect)];
    default:
      return [{ category: "unknown", what: first === "" ? (tokens[0] as Token).text : first }];
  }
}

function dataStatement(c: Cursor): Change {
  const first = c.word();
  c.i++;
  // INSERT [LOW_PRIORITY|IGNORE|OR REPLACE…] [INTO] t; DELETE [QUICK…] FROM t; UPDATE [OR …] t.
  while (
    [
      "LOW_PRIORITY",
      "DELAYED",
      "HIGH_PRIORITY",
      "IGNORE",
      "QUICK",
      "OR",
      "ROLLBACK",
      "ABORT",
      "FAIL",
      "REPLACE",
      "INTO",
      "FROM",
      "TABLE",
      "DATA",
      "XML",
      "LOCAL",
      "CONCURRENT",
    ].includes(c.word())
  )
    c.i++;
  const table = first === "LOAD" ? undefined : c.name();
  if (table === undefined) return { category: "data", what: first };
  const joiner = first === "INSERT" || first === "REPLACE" ? " INTO" : first === "DELETE" ? " FROM" : "";
  return { category: "data", what: `${first}${joiner} ${table}` };
}

function withStatement(c: Cursor): Change {
  for (const t of topLevel(c.rest())) {
    if (["INSERT", "UPDATE", "DELETE", "REPLACE"].includes(t.upper)) return { category: "data", what: `WITH … ${t.upper}` };
    if (t.upper === "SELECT" || t.upper === "VALUES" || t.upper === "TABLE")
      return { category: "neutral", what: "WITH … SELECT" };
  }
  return { category: "unknown", what: "WITH …" };
}

/** `ANALYZE TABLE t` reads statistics; MariaDB's `ANALYZE UPDATE …` runs the UPDATE. */
function analyze(c: Cursor): Change {
  const next = c.word(1);
  if (DATA_FIRST.has(next)) return { category: "data", what: `ANALYZE ${next}` };
  return { category: "neutral", what: "ANALYZE" };
}

/**
 * `DEFINER = user[@host]` (or CURRENT_USER[()]): the user is a name, not a
 * keyword, even when it is spelled `view` or `event`.
 */
function skipDefiner(c: Cursor): void {
  c.i += 2;
  const user = c.tokens[c.i];
  if (user === undefined) return;
  c.i++;
  if (user.upper === "CURRENT_USER" && c.punct("(") && c.punct(")", 1)) c.i += 2;
  while (c.tokens[c.i]?.kind === "variable") c.i++;
}

function create(c: Cursor): Change {
  c.i++;
  const modifiers = new Set<string>();
  while (c.i < c.tokens.length && !CREATE_OBJECTS.has(c.word())) {
    if (c.word() !== "") modifiers.add(c.word());
    if (c.word() === "DEFINER" && c.punct("=", 1)) skipDefiner(c);
    else c.i++;
  }
  const object = c.word();
  if (object === "") return { category: "unknown", what: "CREATE …" };
  c.i++;
  c.accept("IF", "NOT", "EXISTS");
  const name = c.name() ?? "";
  switch (object) {
    case "TABLE":
      if (modifiers.has("TEMPORARY") || modifiers.has("TEMP"))
        return { category: "neutral", what: `CREATE TEMPORARY TABLE ${name}` };
      if (modifiers.has("REPLACE")) {
        // MariaDB: drops the table first when it exists.
        return {
          category: "contractive",
          what: `CREATE OR REPLACE TABLE ${name}`,
          effect: "drops and recreates a table the old release may still use",
        };
      }
      return { category: "additive", what: `CREATE TABLE ${name}` };
    case "INDEX": {
      c.accept("ON");
      const table = c.name();
      const unique = modifiers.has("UNIQUE");
      return {
        category: unique ? "constraint" : "additive",
        what: `CREATE ${unique ? "UNIQUE " : ""}INDEX ${name}${table === undefined ? "" : ` ON ${table}`}`,
      };
    }
    case "TRIGGER": {
      while (c.i < c.tokens.length && c.word() !== "ON" && c.word() !== "BEGIN") c.i++;
      const table = c.accept("ON") ? c.name() : undefined;
      const trigger: TriggerRef = table === undefined ? { name } : { name, table };
      return {
        category: "unknown",
        what: `CREATE TRIGGER ${name}${table === undefined ? "" : ` ON ${table}`}`,
        effect: OPAQUE_OBJECTS.TRIGGER,
        triggers: { created: [trigger] },
      };
    }
    case "VIEW":
      if (modifiers.has("REPLACE")) {
        return {
          category: "contractive",
          what: `CREATE OR REPLACE VIEW ${name}`,
          effect: "replaces in place a view the old release may read",
        };
      }
      return { category: "additive", what: `CREATE VIEW ${name}` };
    default: {
      const opaque = OPAQUE_OBJECTS[object];
      if (opaque !== undefined) return { category: "unknown", what: `CREATE ${object} ${name}`.trimEnd(), effect: opaque };
      return { category: "additive", what: `CREATE ${object} ${name}`.trimEnd() };
    }
  }
}

function drop(c: Cursor): Change {
  c.i++;
  const temporary = c.accept("TEMPORARY");
  const object = c.word();
  if (!CREATE_OBJECTS.has(object)) {
    if (object === "PREPARE") return { category: "neutral", what: "DROP PREPARE" };
    return { category: "unknown", what: `DROP ${object}`.trimEnd() };
  }
  c.i++;
  c.accept("IF", "EXISTS");
  if (object === "TABLE") {
    const names = splitTopLevel(c.rest())
      .map((part) => new Cursor(part).name())
      .filter((n): n is string => n !== undefined);
    if (temporary) return { category: "neutral", what: `DROP TEMPORARY TABLE ${names.join(", ")}` };
    return {
      category: "contractive",
      what: `DROP TABLE ${names.join(", ")}`,
      effect: REMOVES(names.length > 1 ? "tables" : "a table"),
      triggers: { droppedTables: names },
    };
  }
  const name = c.name() ?? "";
  if (object === "TRIGGER") {
    const table = c.accept("ON") ? c.name() : undefined;
    return {
      category: "contractive",
      what: `DROP TRIGGER ${name}`,
      effect: "removes a trigger that may keep the old release's writes consistent",
      triggers: { dropped: [table === undefined ? { name } : { name, table }] },
    };
  }
  const article = /^[AEIOU]/.test(object) ? "an" : "a";
  return {
    category: "contractive",
    what: `DROP ${object} ${name}`.trimEnd(),
    effect: REMOVES(`${article} ${object.toLowerCase()}`),
  };
}

function alter(c: Cursor, dialect: TokenDialect): Change[] {
  c.i++;
  while (["ONLINE", "OFFLINE", "IGNORE"].includes(c.word())) c.i++;
  const object = c.word();
  c.i++;
  switch (object) {
    case "TABLE":
      return alterTable(c, dialect);
    // ALTER VIEW redefines the view like CREATE OR REPLACE VIEW.
    case "VIEW":
      return [
        {
          category: "contractive",
          what: `ALTER VIEW ${c.name() ?? ""}`.trimEnd(),
          effect: "redefines in place a view the old release may read",
        },
      ];
    case "DATABASE":
    case "SCHEMA":
    case "SEQUENCE":
    case "TABLESPACE":
    case "SERVER":
    case "LOGFILE":
    case "INSTANCE":
      return [{ category: "neutral", what: `ALTER ${object}` }];
    default:
      return [{ category: "unknown", what: `ALTER ${object}`.trimEnd() }];
  }
}

function pragma(c: Cursor, dialect: TokenDialect): Change {
  if (dialect !== "sqlite") return { category: "unknown", what: "PRAGMA" };
  c.i++;
  const name = (c.name() ?? "").toLowerCase();
  const what = `PRAGMA ${name}`;
  const sets = c.punct("=") || c.punct("(");
  if (!sets || READ_PRAGMAS.has(name)) return { category: "neutral", what };
  if (SESSION_PRAGMAS.has(name)) return { category: "neutral", what: `${what} (connection setting)` };
  return { category: "unknown", what: `${what} (changes the database file's settings)` };
}
