/**
 * MySQL/MariaDB and SQLite statements → lock facts, from the shared
 * tokenizer (strings, comments and quoted names are single tokens, so a word
 * inside them is never read as a keyword). Only the shapes that matter for
 * locks are read; anything else gives no fact.
 */
import type { TokenDialect } from "../phases/classification.js";
import { Cursor, splitTopLevel } from "../sql/token-cursor.js";
import { tokenize, type Token } from "../sql/tokens.js";
import type { LockFact } from "./facts.js";

/**
 * MySQL functions whose default makes InnoDB copy the table (each row gets
 * its own value). RAND() is not among them: MariaDB adds it in place.
 */
const MYSQL_VOLATILE = new Set(["UUID", "UUID_SHORT", "SYSDATE", "RANDOM_BYTES", "SYS_GUID"]);
/** ALTER … ALGORITHM values that never copy the table (with LOCK=NONE, or INSTANT alone). */
const ONLINE_ALGORITHMS = new Set(["INPLACE", "NOCOPY", "INSTANT"]);
/**
 * Clauses InnoDB can only do by copying the table (MariaDB refuses them with
 * ALGORITHM=INPLACE, LOCK=NONE; test/integration/lint-safe-sequences.test.ts
 * asks the server). FORCE, ROW_FORMAT and ENGINE=InnoDB rebuild in place with
 * writes allowed, so they are not here.
 */
const COPY_CLAUSES: Readonly<Record<string, string>> = {
  CONVERT: "CONVERT TO CHARACTER SET rewrites every row",
  ENGINE: "moving the table to another ENGINE copies it",
  ORDER: "ORDER BY copies the table",
  PARTITION: "partitioning copies the table",
  REMOVE: "REMOVE PARTITIONING copies the table",
  COALESCE: "changing partitions copies rows",
  REORGANIZE: "changing partitions copies rows",
};

/** `ENGINE [=] InnoDB` rebuilds in place; any other engine is a copy. */
function engineIsInnodb(c: Cursor): boolean {
  const value = c.tokens[c.i + (c.punct("=", 1) ? 2 : 1)];
  return value !== undefined && value.value.toUpperCase() === "INNODB";
}

/** The first name of each comma-separated part inside the first parentheses from `from`. */
function parenColumns(tokens: readonly Token[], from = 0): string[] {
  const open = tokens.findIndex((t, i) => i >= from && t.kind === "punct" && t.text === "(");
  if (open < 0) return [];
  let depth = 0;
  let close = tokens.length;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== "punct") continue;
    if (t.text === "(") depth++;
    else if (t.text === ")" && --depth === 0) {
      close = i;
      break;
    }
  }
  return splitTopLevel(tokens.slice(open + 1, close))
    .map((part) => part[0])
    .filter((t): t is Token => t !== undefined && (t.kind === "word" || t.kind === "quoted"))
    .map((t) => t.value);
}

interface Options {
  algorithm?: string;
  lock?: string;
}

/** `ALGORITHM [=] X` / `LOCK [=] Y` anywhere at the top level of `tokens`. */
function readOptions(tokens: readonly Token[], into: Options): void {
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i]?.upper;
    if (word !== "ALGORITHM" && word !== "LOCK") continue;
    const value = tokens[i + 1]?.text === "=" ? tokens[i + 2] : tokens[i + 1];
    if (value === undefined) continue;
    if (word === "ALGORITHM") into.algorithm = value.upper || value.value.toUpperCase();
    else into.lock = value.upper || value.value.toUpperCase();
  }
}

function isOnline(options: Options): boolean {
  const algorithm = options.algorithm ?? "";
  if (algorithm === "INSTANT") return true;
  return ONLINE_ALGORITHMS.has(algorithm) && options.lock === "NONE";
}

function mysqlVolatile(part: readonly Token[]): string | undefined {
  for (let i = 0; i < part.length; i++) {
    const t = part[i] as Token;
    if (t.upper === "AUTO_INCREMENT") return "an AUTO_INCREMENT column (a value per row)";
    if ((t.upper === "STORED" || t.upper === "PERSISTENT") && part.some((p) => p.upper === "AS")) {
      return "a stored generated column (computed for every row)";
    }
    if (t.upper !== "DEFAULT") continue;
    // DEFAULT f() or DEFAULT (… f() …): only the default's own tokens.
    let end = i + 2;
    if (part[i + 1]?.kind === "punct" && part[i + 1]?.text === "(") {
      let depth = 0;
      for (end = i + 1; end < part.length; end++) {
        const d = part[end] as Token;
        if (d.kind === "punct" && d.text === "(") depth++;
        else if (d.kind === "punct" && d.text === ")" && --depth === 0) break;
      }
    }
    for (let k = i + 1; k < Math.min(end, part.length); k++) {
      const d = part[k] as Token;
      if (MYSQL_VOLATILE.has(d.upper) && part[k + 1]?.text === "(") return `DEFAULT ${d.upper.toLowerCase()}()`;
    }
  }
  return undefined;
}

/** One clause of a MySQL ALTER TABLE. */
function mysqlClause(table: string, part: readonly Token[], addsPrimaryKey: boolean): LockFact[] {
  const c = new Cursor(part);
  if (c.accept("DROP", "PRIMARY", "KEY")) {
    // Replaced in the same ALTER, the key is rebuilt in place; dropped alone, the table is copied.
    return addsPrimaryKey ? [] : [{ kind: "copy-alter", table, why: "DROP PRIMARY KEY without a new one copies the table" }];
  }
  if (c.accept("MODIFY") || c.accept("CHANGE")) {
    c.accept("COLUMN");
    c.accept("IF", "EXISTS");
    const column = c.name() ?? "";
    return [{ kind: "change-type", table, column, what: `${part[0]?.upper} COLUMN ${column}` }];
  }
  const copy = COPY_CLAUSES[c.word()];
  const exempt = (c.word() === "PARTITION" && c.word(1) !== "BY") || (c.word() === "ENGINE" && engineIsInnodb(c));
  if (copy !== undefined && !exempt) return [{ kind: "copy-alter", table, why: copy }];
  if (!c.accept("ADD")) return [];
  if (c.accept("CONSTRAINT")) {
    if (!["PRIMARY", "UNIQUE", "FOREIGN", "CHECK"].includes(c.word())) c.name();
  }
  switch (c.word()) {
    case "PRIMARY":
      // InnoDB rebuilds the clustered index in place: an index build, not a copy.
      return [{ kind: "create-index", table, unique: true, columns: parenColumns(part), online: false }];
    case "FOREIGN":
      return [{ kind: "copy-alter", table, why: "ADD FOREIGN KEY copies the table while foreign_key_checks is on" }];
    case "CHECK":
      return [{ kind: "copy-alter", table, why: "ADD CHECK copies the table to check every row" }];
    case "UNIQUE":
      return [{ kind: "create-index", table, unique: true, columns: parenColumns(part), online: false }];
    case "INDEX":
    case "KEY":
    case "FULLTEXT":
    case "SPATIAL":
      return [{ kind: "create-index", table, unique: false, columns: parenColumns(part), online: false }];
  }
  c.accept("COLUMN");
  c.accept("IF", "NOT", "EXISTS");
  const column = c.name() ?? "";
  const facts: LockFact[] = [];
  const volatile = mysqlVolatile(c.rest());
  facts.push({ kind: "add-column", table, column, ...(volatile === undefined ? {} : { volatile }) });
  const words = c.rest().map((t) => t.upper);
  if (words.includes("PRIMARY") || words.includes("UNIQUE")) {
    facts.push({ kind: "create-index", table, unique: true, columns: [column], online: false });
  }
  return facts;
}

function mysqlAlterTable(c: Cursor): LockFact[] {
  const table = c.name() ?? "";
  const options: Options = {};
  const facts: LockFact[] = [];
  const parts = splitTopLevel(c.rest());
  const addsPrimaryKey = parts.some((part) => {
    const words = part.map((t) => t.upper);
    return words[0] === "ADD" && words.includes("PRIMARY");
  });
  for (const part of parts) {
    readOptions(part, options);
    facts.push(...mysqlClause(table, part, addsPrimaryKey));
  }
  if (options.algorithm === "COPY") facts.push({ kind: "copy-alter", table, why: "ALGORITHM=COPY copies the table" });
  if (!isOnline(options)) return facts;
  // The server refuses an ALTER it cannot do as asked: nothing here blocks writes for a copy.
  return facts.flatMap((fact): LockFact[] => {
    if (fact.kind === "create-index") return [{ ...fact, online: true }];
    if (fact.kind === "copy-alter" || fact.kind === "change-type") return [];
    if (fact.kind === "add-column") return [{ kind: "add-column", table: fact.table, column: fact.column }];
    return [fact];
  });
}

/** `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX name ON t (…)`, the cursor after CREATE [OR REPLACE] [ONLINE]. */
function createIndex(c: Cursor, dialect: TokenDialect): LockFact[] | undefined {
  const unique = c.accept("UNIQUE");
  if (!unique) c.accept("FULLTEXT") || c.accept("SPATIAL");
  if (!c.accept("INDEX")) return undefined;
  c.accept("IF", "NOT", "EXISTS");
  c.name();
  while (c.i < c.tokens.length && c.word() !== "ON") c.i++;
  if (!c.accept("ON")) return [];
  const table = c.name() ?? "";
  const rest = c.rest();
  const options: Options = {};
  if (dialect === "mysql") readOptions(rest, options);
  return [{ kind: "create-index", table, unique, columns: parenColumns(rest), online: dialect === "mysql" && isOnline(options) }];
}

function createTable(c: Cursor): LockFact[] | undefined {
  c.accept("TEMPORARY") || c.accept("TEMP");
  if (!c.accept("TABLE")) return undefined;
  c.accept("IF", "NOT", "EXISTS");
  return [{ kind: "create-table", table: c.name() ?? "" }];
}

function tableList(c: Cursor): string[] {
  const names: string[] = [];
  for (;;) {
    const name = c.name();
    if (name === undefined) return names;
    names.push(name);
    if (!c.punct(",")) return names;
    c.i++;
  }
}

/** The lock facts of one MySQL/MariaDB or SQLite statement. */
export function tokenFacts(sql: string, dialect: TokenDialect): LockFact[] {
  const c = new Cursor(tokenize(sql, dialect));
  if (c.accept("CREATE")) {
    c.accept("OR", "REPLACE");
    c.accept("ONLINE") || c.accept("OFFLINE");
    return createIndex(c, dialect) ?? createTable(c) ?? [];
  }
  if (c.accept("DROP")) {
    c.accept("TEMPORARY");
    if (!c.accept("TABLE")) return [];
    c.accept("IF", "EXISTS");
    return tableList(c).map((table) => ({ kind: "drop-table", table }));
  }
  if (c.accept("ALTER")) {
    if (dialect === "mysql") {
      c.accept("ONLINE");
      c.accept("IGNORE");
    }
    if (!c.accept("TABLE")) return [];
    c.accept("IF", "EXISTS");
    if (dialect === "mysql") return mysqlAlterTable(c);
    const table = c.name() ?? "";
    if (c.accept("RENAME", "TO")) return [{ kind: "rename-table", table, to: c.name() ?? "" }];
    return [];
  }
  if (dialect === "mysql") {
    if (c.accept("RENAME", "TABLE")) {
      return splitTopLevel(c.rest()).flatMap((part): LockFact[] => {
        const pair = new Cursor(part);
        const table = pair.name() ?? "";
        return pair.accept("TO") ? [{ kind: "rename-table", table, to: pair.name() ?? "" }] : [];
      });
    }
    if (c.word() === "LOCK" && (c.word(1) === "TABLES" || c.word(1) === "TABLE")) {
      c.i += 2;
      return [{ kind: "lock-table", tables: splitTopLevel(c.rest()).map((part) => new Cursor(part).name() ?? "") }];
    }
    if (c.accept("KILL")) return [{ kind: "terminate-backend", what: "KILL" }];
  }
  if (dialect === "sqlite" && c.accept("VACUUM")) return [{ kind: "vacuum-full" }];
  return [];
}
