/**
 * ALTER TABLE for MySQL/MariaDB and SQLite, clause by clause: one statement
 * may add a column and drop another (`ADD COLUMN a int, DROP COLUMN b`),
 * and each clause is judged on its own.
 */
import type { Change, TokenDialect } from "./classification.js";
import { CHECK_EFFECT, addColumnChange } from "./classification.js";
import type { Token } from "../sql/tokens.js";
import { Cursor, splitTopLevel, topLevel } from "../sql/token-cursor.js";

const REMOVES = (thing: string): string => `removes ${thing} the old release still uses`;

/** ALTER TABLE clauses that only set storage options or say how to run the ALTER. */
const TABLE_OPTIONS = new Set([
  "ENGINE",
  "AUTO_INCREMENT",
  "CHARACTER",
  "CHARSET",
  "COLLATE",
  "COMMENT",
  "ROW_FORMAT",
  "KEY_BLOCK_SIZE",
  "ALGORITHM",
  "LOCK",
  "FORCE",
  "ORDER",
  "STATS_AUTO_RECALC",
  "STATS_PERSISTENT",
  "STATS_SAMPLE_PAGES",
  "PACK_KEYS",
  "CHECKSUM",
  "DELAY_KEY_WRITE",
  "AVG_ROW_LENGTH",
  "MAX_ROWS",
  "MIN_ROWS",
  "ENABLE",
  "DISABLE",
  "TABLESPACE",
  "INSERT_METHOD",
  "CONNECTION",
  "COMPRESSION",
  "ENCRYPTION",
  "PAGE_CHECKSUM",
  "TRANSACTIONAL",
  "WITH",
  "WITHOUT",
  "DATA",
  "INDEX",
  "SECONDARY_ENGINE",
  "STORAGE",
  "AUTOEXTEND_SIZE",
  "ENGINE_ATTRIBUTE",
  "ANALYZE",
  "OPTIMIZE",
  "REBUILD",
  "REPAIR",
]);

/** The clauses after `ALTER TABLE` (the cursor stands after TABLE). */
export function alterTable(c: Cursor, dialect: TokenDialect): Change[] {
  c.accept("IF", "EXISTS");
  c.accept("ONLY");
  const table = c.name() ?? "";
  const clauses = splitTopLevel(c.rest());
  if (clauses.length === 0) return [{ category: "neutral", what: `ALTER TABLE ${table} (rebuild)` }];
  return clauses.map((clause) => alterClause(new Cursor(clause), table, dialect));
}

function alterClause(c: Cursor, table: string, dialect: TokenDialect): Change {
  const head = `ALTER TABLE ${table}`;
  const first = c.word();
  c.i++;
  switch (first) {
    case "ADD":
      return addClause(c, head);
    case "DROP":
      return dropClause(c, head);
    case "MODIFY":
    case "CHANGE": {
      c.accept("COLUMN");
      const column = c.name() ?? "";
      return {
        category: "contractive",
        what: `${head} ${first} COLUMN ${column}`,
        effect: "redefines a column (type, nullability or name) the old release still uses",
      };
    }
    case "RENAME":
      return renameClause(c, head);
    case "ALTER":
      return alterColumnClause(c, head);
    case "CONVERT":
      return {
        category: "contractive",
        what: `${head} CONVERT TO CHARACTER SET`,
        effect: "changes the type of every text column of the table",
      };
    case "TRUNCATE":
      return { category: "data", what: `${head} TRUNCATE PARTITION` };
    case "DEFAULT":
      if (["CHARACTER", "CHARSET", "COLLATE"].includes(c.word()))
        return { category: "neutral", what: `${head} DEFAULT ${c.word()}` };
      break;
    default:
      if (dialect === "mysql" && TABLE_OPTIONS.has(first)) return { category: "neutral", what: `${head} ${first}` };
  }
  return { category: "unknown", what: `${head} ${first}`.trimEnd() };
}

function addClause(c: Cursor, head: string): Change {
  const explicitColumn = c.accept("COLUMN");
  c.accept("IF", "NOT", "EXISTS");
  if (!explicitColumn) {
    const kind = c.word();
    if (["INDEX", "KEY", "FULLTEXT", "SPATIAL"].includes(kind)) return { category: "additive", what: `${head} ADD ${kind}` };
    if (kind === "CHECK") return addCheck(`${head} ADD CHECK`);
    if (["UNIQUE", "PRIMARY", "FOREIGN"].includes(kind))
      return { category: "constraint", what: `${head} ADD ${constraintWords(c)}` };
    if (kind === "CONSTRAINT") {
      c.i++;
      const name = ["UNIQUE", "PRIMARY", "FOREIGN", "CHECK"].includes(c.word()) ? "" : (c.name() ?? "");
      if (c.word() === "NOT") {
        return {
          category: "contractive",
          what: `${head} ADD CONSTRAINT ${name} NOT NULL`,
          effect: "makes the old release's writes that leave the column empty fail",
        };
      }
      const what = `${head} ADD CONSTRAINT ${name} ${constraintWords(c)}`.replace(/\s+/g, " ").trimEnd();
      return c.word() === "CHECK" ? addCheck(what) : { category: "constraint", what };
    }
    if (kind === "PARTITION") return { category: "unknown", what: `${head} ADD PARTITION` };
  }
  if (c.punct("(")) {
    // ADD [COLUMN] (a INT, b INT NOT NULL): one change per column.
    const inner = c.tokens.slice(c.i + 1, lastParen(c.tokens));
    const defs = splitTopLevel(inner).map((def) => columnDefinition(def, head));
    const bad = defs.find((d) => d.category !== "additive");
    return bad ?? { category: "additive", what: `${head} ADD COLUMN (${defs.length} columns)` };
  }
  return columnDefinition(c.rest(), head);
}

/** A CHECK on a table the old release writes: see CHECK_EFFECT. */
function addCheck(what: string): Change {
  return { category: "contractive", what, effect: CHECK_EFFECT };
}

function lastParen(tokens: readonly Token[]): number {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i] as Token;
    if (t.kind === "punct" && t.text === ")") return i;
  }
  return tokens.length;
}

function constraintWords(c: Cursor): string {
  const w = c.word();
  return w === "PRIMARY" || w === "FOREIGN" ? `${w} KEY` : w;
}

/** `name type [NOT NULL] [DEFAULT …] …`: a NOT NULL column needs something to fill it for old writers. */
function columnDefinition(tokens: readonly Token[], head: string): Change {
  const column = tokens[0]?.value ?? "";
  const words = topLevel(tokens.slice(1)).map((t) => t.upper);
  const has = (a: string, b?: string): boolean => words.some((w, k) => w === a && (b === undefined || words[k + 1] === b));
  const serial = words[0] === "SERIAL";
  const notNull = has("NOT", "NULL") || has("PRIMARY", "KEY") || serial;
  const defaulted = words.some((w, k) => w === "DEFAULT" && words[k + 1] !== "NULL");
  const filled = defaulted || has("AUTO_INCREMENT") || has("AUTOINCREMENT") || has("GENERATED") || has("AS") || serial;
  return addColumnChange(`${head} ADD COLUMN ${column}`, { check: words.includes("CHECK"), notNull, filled });
}

function dropClause(c: Cursor, head: string): Change {
  const kind = c.word();
  if (["INDEX", "KEY"].includes(kind)) {
    c.i++;
    c.accept("IF", "EXISTS");
    return { category: "contractive", what: `${head} DROP INDEX ${c.name() ?? ""}`.trimEnd(), effect: REMOVES("an index") };
  }
  if (["FOREIGN", "PRIMARY", "CONSTRAINT", "CHECK", "UNIQUE"].includes(kind)) {
    return { category: "contractive", what: `${head} DROP ${constraintWords(c)}`, effect: REMOVES("a constraint") };
  }
  if (kind === "PARTITION") {
    return { category: "contractive", what: `${head} DROP PARTITION`, effect: "removes a partition and its rows" };
  }
  if (kind === "DEFAULT") {
    return {
      category: "contractive",
      what: `${head} DROP DEFAULT`,
      effect: "makes the old release's inserts that rely on the default fail",
    };
  }
  c.accept("COLUMN");
  c.accept("IF", "EXISTS");
  const column = c.name() ?? "";
  return {
    category: "contractive",
    what: `${head} DROP COLUMN ${column}`,
    effect: "removes a column the old release still reads",
  };
}

function renameClause(c: Cursor, head: string): Change {
  const kind = c.word();
  if (kind === "TO" || kind === "AS") {
    c.i++;
    return {
      category: "contractive",
      what: `${head} RENAME TO ${c.name() ?? ""}`,
      effect: "renames a table the old release still uses by its old name",
    };
  }
  if (kind === "INDEX" || kind === "KEY") {
    return { category: "contractive", what: `${head} RENAME INDEX`, effect: "renames an index the old release may refer to" };
  }
  c.accept("COLUMN");
  const column = c.name() ?? "";
  if (!c.accept("TO")) {
    // MySQL: `ALTER TABLE t RENAME new_name`.
    return {
      category: "contractive",
      what: `${head} RENAME TO ${column}`,
      effect: "renames a table the old release still uses by its old name",
    };
  }
  return {
    category: "contractive",
    what: `${head} RENAME COLUMN ${column} TO ${c.name() ?? ""}`,
    effect: "renames a column the old release still uses by its old name",
  };
}

function alterColumnClause(c: Cursor, head: string): Change {
  if (!c.accept("COLUMN") && c.word() === "INDEX") {
    // Index visibility only steers the optimizer.
    return { category: "neutral", what: `${head} ALTER INDEX` };
  }
  if (c.word() === "CONSTRAINT" || c.word() === "CHECK") return { category: "unknown", what: `${head} ALTER ${c.word()}` };
  const column = c.name() ?? "";
  const at = `${head} ALTER COLUMN ${column}`;
  if (c.accept("SET", "DEFAULT")) return { category: "additive", what: `${at} SET DEFAULT` };
  if (c.accept("DROP", "DEFAULT")) {
    return {
      category: "contractive",
      what: `${at} DROP DEFAULT`,
      effect: "makes the old release's inserts that rely on the default fail",
    };
  }
  if (c.accept("SET", "NOT", "NULL")) {
    return {
      category: "contractive",
      what: `${at} SET NOT NULL`,
      effect: `makes the old release's writes that leave ${column} empty fail`,
    };
  }
  if (c.accept("DROP", "NOT", "NULL")) return { category: "additive", what: `${at} DROP NOT NULL` };
  if (c.word() === "TYPE" || (c.word() === "SET" && c.word(1) === "DATA")) {
    return {
      category: "contractive",
      what: `${at} TYPE`,
      effect: "changes the type of a column the old release still reads and writes",
    };
  }
  return { category: "unknown", what: `${at} ${c.word()}`.trimEnd() };
}
