/**
 * What `sync --abort` does to one revision whose window is open: the
 * operations that take away what its expand step added, and the check that
 * its migrate step (when it ran) changed nothing abort cannot give back.
 *
 * Undo order, as pgroll's rollback and Reshape's abort do it: the triggers
 * first (sync and forbid-writes triggers, raw triggers), so that neither
 * release's writes go through a half-removed mechanism, then everything
 * else in the reverse order of creation (an index before the column it
 * covers, a column before the table it is in).
 *
 * Only what can be undone exactly is undone. `CREATE OR REPLACE` (it may
 * have replaced what the old release uses), a column change, data written
 * in expand, or SQL the rules below cannot read refuse the abort before
 * anything runs; the message names the statement.
 */
import type { DialectName } from "../vocabulary.js";
import { AbortRefusedError } from "../errors.js";
import type { Op } from "../ops/op.js";
import { typeChangeNames } from "../ops/naming.js";
import { describeOpCall } from "../phases/category.js";
import type { GuardStatement } from "../phases/guard.js";
import { splitSql } from "../sql/splitter.js";

/** Where a refusal points. */
export interface AbortContext {
  readonly dialect: DialectName;
  readonly revision: string;
  readonly repository: string;
  readonly file: string;
  /**
   * PostgreSQL, in a revision with `transactional = false`: the abort step
   * runs outside a transaction too, so indexes go with DROP INDEX
   * CONCURRENTLY (no ACCESS EXCLUSIVE lock on a table both releases use).
   * Elsewhere a plain DROP INDEX, which a transaction allows.
   */
  readonly concurrentDrops?: boolean;
}

/** The tables and columns an expand step added: migrate may have filled these and nothing else. */
export interface Added {
  readonly tables: Set<string>;
  readonly columns: Set<string>;
}

interface Undo {
  readonly op: Op;
  readonly trigger: boolean;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|\x60[^\x60]+\x60|\[[^\]]+\]|[\w$]+)`;
const NAME = String.raw`(${IDENT}(?:\s*\.\s*${IDENT})*)`;

/** An identifier's key for comparisons: unquoted, last part, lower case. */
function key(name: string): string {
  const last = name.split(".").pop()?.trim() ?? name;
  return last.replace(/^["\x60[]|["\x60\]]$/g, "").toLowerCase();
}

/** The statement without leading comments, on one line. */
function bare(sql: string): string {
  let text = sql.trim();
  for (;;) {
    if (text.startsWith("--")) text = text.slice(text.indexOf("\n") === -1 ? text.length : text.indexOf("\n") + 1).trim();
    else if (text.startsWith("/*") && !/^\/\*[!M]/.test(text)) text = text.slice(text.indexOf("*/") + 2).trim();
    else break;
  }
  return text.replace(/;\s*$/, "").replace(/\s+/g, " ");
}

/** Splits at commas outside parentheses and quotes. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function refuse(ctx: AbortContext, statement: string, why: string): AbortRefusedError {
  const shown = statement.length > 160 ? `${statement.slice(0, 157)}…` : statement;
  return new AbortRefusedError(
    `Cannot abort the window of revision ${ctx.revision} in repository ${ctx.repository}: ${ctx.file} ${why}: \`${shown}\`. ` +
      "Nothing was changed. Undo that part by hand and then `tidemark stamp` the expand phase back, or finish the " +
      "window with `tidemark sync --contract`.",
    { fields: { repository: ctx.repository, revision: ctx.revision, file: ctx.file, statement: shown } },
  );
}

/** Statements that leave nothing to undo: reads, session settings, statistics, comments. */
const NEUTRAL = /^(SELECT|SET|SHOW|EXPLAIN|ANALYZE|COMMENT ON|PRAGMA)\b/i;

/** The undo of one raw SQL statement of an expand step. */
function undoSql(sql: string, ctx: AbortContext, added: Added): Undo[] {
  const text = bare(sql);
  if (text === "" || NEUTRAL.test(text)) return [];
  const execute = (statement: string): Op => ({ kind: "execute", sql: statement });
  if (/^CREATE OR REPLACE /i.test(text)) throw refuse(ctx, text, "may have replaced something the old release uses");
  let m = new RegExp(String.raw`^CREATE (?:DEFINER ?= ?\S+ )?TRIGGER (IF NOT EXISTS )?${NAME}`, "i").exec(text);
  if (m !== null) {
    if (m[1] !== undefined) throw refuse(ctx, text, "may have found the trigger there already (IF NOT EXISTS)");
    const name = m[2] as string;
    const on = new RegExp(String.raw` ON ${NAME}`, "i").exec(text.slice(m[0].length));
    if (ctx.dialect === "postgres" && on === null) throw refuse(ctx, text, "creates a trigger whose table abort cannot read");
    return [{ op: execute(`DROP TRIGGER ${name}${ctx.dialect === "postgres" ? ` ON ${on?.[1]}` : ""}`), trigger: true }];
  }
  m = new RegExp(String.raw`^CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(IF NOT EXISTS )?${NAME} ON (?:ONLY )?${NAME}`, "i").exec(
    text,
  );
  if (m !== null) {
    const [, ifNotExists, name, table] = m as unknown as [string, string | undefined, string, string];
    if (ifNotExists !== undefined) throw refuse(ctx, text, "may have found the index there already (IF NOT EXISTS)");
    const drop =
      ctx.dialect === "mysql"
        ? `DROP INDEX ${name} ON ${table}`
        : `DROP INDEX ${ctx.concurrentDrops === true ? "CONCURRENTLY " : ""}${name}`;
    return [{ op: execute(drop), trigger: false }];
  }
  m = new RegExp(
    String.raw`^CREATE (?:(?:GLOBAL |LOCAL )?(?:TEMP|TEMPORARY|UNLOGGED) )?TABLE (IF NOT EXISTS )?${NAME}`,
    "i",
  ).exec(text);
  if (m !== null) {
    if (m[1] !== undefined) throw refuse(ctx, text, "may have found the table there already (IF NOT EXISTS)");
    added.tables.add(key(m[2] as string));
    return [{ op: execute(`DROP TABLE ${m[2]}`), trigger: false }];
  }
  m = new RegExp(String.raw`^CREATE (?:MATERIALIZED )?VIEW ${NAME}`, "i").exec(text);
  if (m !== null) {
    const materialized = /^CREATE MATERIALIZED/i.test(text) ? "MATERIALIZED " : "";
    return [{ op: execute(`DROP ${materialized}VIEW ${m[1]}`), trigger: false }];
  }
  m = new RegExp(String.raw`^CREATE (?:DEFINER ?= ?\S+ )?(FUNCTION|PROCEDURE) ${NAME}`, "i").exec(text);
  if (m !== null) return [{ op: execute(`DROP ${(m[1] as string).toUpperCase()} ${m[2]}`), trigger: false }];
  m = new RegExp(String.raw`^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?${NAME} (.+)$`, "i").exec(text);
  if (m !== null) return undoAlterTable(m[1] as string, m[2] as string, text, ctx, added);
  throw refuse(ctx, text, "ran a statement abort cannot undo");
}

/** ALTER TABLE t ADD [COLUMN] c …, ADD CONSTRAINT n … (PostgreSQL, SQLite has none): each clause undone. */
function undoAlterTable(table: string, clauses: string, text: string, ctx: AbortContext, added: Added): Undo[] {
  const undo: Undo[] = [];
  for (const clause of topLevelParts(clauses)) {
    const constraint = new RegExp(String.raw`^ADD CONSTRAINT ${NAME}`, "i").exec(clause);
    if (constraint !== null && ctx.dialect === "postgres") {
      undo.push({ op: { kind: "execute", sql: `ALTER TABLE ${table} DROP CONSTRAINT ${constraint[1]}` }, trigger: false });
      continue;
    }
    const column = new RegExp(String.raw`^ADD (?:COLUMN )?(IF NOT EXISTS )?${NAME}`, "i").exec(clause);
    if (
      constraint !== null ||
      column === null ||
      /^(PRIMARY|UNIQUE|CONSTRAINT|INDEX|KEY|FOREIGN|CHECK)$/i.test(column[2] ?? "")
    ) {
      throw refuse(ctx, text, "changes a table in a way abort cannot undo");
    }
    if (column[1] !== undefined) throw refuse(ctx, text, "may have found the column there already (IF NOT EXISTS)");
    added.columns.add(`${key(table)}.${key(column[2] as string)}`);
    undo.push({ op: { kind: "execute", sql: `ALTER TABLE ${table} DROP COLUMN ${column[2]}` }, trigger: false });
  }
  // In creation order: undoExpand reverses the whole list, these clauses with it.
  return undo;
}

/** The undo of one recorded op of an expand step. */
function undoOp(op: Op, ctx: AbortContext, added: Added): Undo[] {
  const describe = describeOpCall;
  switch (op.kind) {
    case "syncColumns":
      return [{ op: { kind: "dropSync", table: op.table, name: op.name }, trigger: true }];
    case "forbidWrites":
      return [{ op: { kind: "allowWrites", table: op.table }, trigger: true }];
    case "createTable":
      if (op.ifNotExists === true) throw refuse(ctx, describe(op), "may have found the table there already (ifNotExists)");
      added.tables.add(key(op.table));
      return [{ op: { kind: "dropTable", table: op.table }, trigger: false }];
    case "addColumn":
      added.columns.add(`${key(op.table)}.${key(op.column.name)}`);
      return [{ op: { kind: "dropColumn", table: op.table, column: op.column.name }, trigger: false }];
    case "createIndex":
      if (op.ifNotExists === true) throw refuse(ctx, describe(op), "may have found the index there already (ifNotExists)");
      return [
        {
          op: {
            kind: "dropIndex",
            table: op.table,
            name: op.name,
            ...(ctx.concurrentDrops === true ? { concurrently: true } : {}),
          },
          trigger: false,
        },
      ];
    case "addForeignKey":
      return [{ op: { kind: "dropConstraint", table: op.table, name: op.name, type: "foreignKey" }, trigger: false }];
    case "addUnique":
      return [{ op: { kind: "dropConstraint", table: op.table, name: op.name, type: "unique" }, trigger: false }];
    case "addCheck":
      return [{ op: { kind: "dropConstraint", table: op.table, name: op.name, type: "check" }, trigger: false }];
    case "createView":
      if (op.orReplace === true) throw refuse(ctx, describe(op), "may have replaced a view the old release reads");
      return [{ op: { kind: "dropView", name: op.name }, trigger: false }];
    case "aliasTable":
      // The writable view; on SQLite its INSTEAD OF triggers go with it.
      return [{ op: { kind: "dropView", name: op.alias }, trigger: false }];
    case "execute":
      // One op.execute may hold several statements: each is undone.
      return splitSql(op.sql, ctx.dialect).flatMap((statement) => undoSql(statement.sql, ctx, added));
    default:
      throw refuse(ctx, describe(op), "did something abort cannot undo");
  }
}

export interface ExpandUndo {
  /** The operations to run, in order. */
  readonly ops: readonly Op[];
  readonly added: Added;
}

/** The undo of an expand step (its recorded ops, or its SQL statements); throws AbortRefusedError. */
export function undoExpand(
  content: { readonly ops?: readonly Op[]; readonly statements?: readonly GuardStatement[] },
  ctx: AbortContext,
): ExpandUndo {
  const added: Added = { tables: new Set(), columns: new Set() };
  const undos: Undo[] = [];
  for (const op of content.ops ?? []) undos.push(...undoOp(op, ctx, added));
  for (const statement of content.statements ?? []) undos.push(...undoSql(statement.sql, ctx, added));
  const reversed = undos.reverse();
  return {
    ops: [...reversed.filter((u) => u.trigger), ...reversed.filter((u) => !u.trigger)].map((u) => u.op),
    added,
  };
}

/** A call a migrate body made, as the abort recorder saw it. */
export interface MigrateCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

function fills(added: Added, table: string, columns: readonly string[]): boolean {
  if (added.tables.has(key(table))) return true;
  return columns.length > 0 && columns.every((column) => added.columns.has(`${key(table)}.${key(column)}`));
}

/** Is this SQL of a migrate step a read, or an UPDATE of only what expand added? */
function migrateSqlUndoable(sql: string, added: Added): boolean {
  const text = bare(sql);
  if (text === "" || /^(SELECT|SHOW|EXPLAIN|SET)\b/i.test(text)) return true;
  const update = new RegExp(String.raw`^UPDATE ${NAME} SET (.+?)(?: WHERE .*)?$`, "i").exec(text);
  if (update === null) return false;
  const columns = topLevelParts(update[2] as string).map((part) => /^([^=]+)=/.exec(part)?.[1]?.trim() ?? "");
  return !columns.includes("") && fills(added, update[1] as string, columns);
}

/**
 * Throws unless the migrate step only filled what expand added (a backfill
 * or UPDATE of new columns, rows of new tables): dropping those drops what
 * migrate wrote, and the old release never read it.
 */
export function assertMigrateUndoable(
  migrate: { readonly calls?: readonly MigrateCall[]; readonly statements?: readonly GuardStatement[] },
  added: Added,
  ctx: AbortContext,
): void {
  const why = "ran a migrate step that changed data the old release reads (abort can only drop what expand added)";
  for (const statement of migrate.statements ?? []) {
    if (!migrateSqlUndoable(statement.sql, added)) throw refuse(ctx, bare(statement.sql), why);
  }
  for (const call of migrate.calls ?? []) {
    // Validating a constraint reads the rows; abort drops the constraint expand added with it.
    if (call.method === "query" || call.method === "validateConstraint") continue;
    if (call.method === "backfillTypeChange") {
      const [table, column] = call.args;
      const replacement =
        typeof table === "string" && typeof column === "string" ? typeChangeNames(table, column).replacement : "";
      if (typeof table === "string" && fills(added, table, [replacement])) continue;
      throw refuse(ctx, `op.backfillTypeChange(${describeArgs(call.args)})`, why);
    }
    if (call.method === "backfill") {
      const options = call.args[0] as { table?: unknown; set?: unknown } | undefined;
      const table = typeof options?.table === "string" ? options.table : "";
      const columns = options?.set !== null && typeof options?.set === "object" ? Object.keys(options.set) : [];
      if (fills(added, table, columns)) continue;
      throw refuse(ctx, `op.backfill(${JSON.stringify({ table, set: columns })})`, why);
    }
    const sql = call.method === "execute" && typeof call.args[0] === "string" ? call.args[0] : undefined;
    if (sql !== undefined && splitSql(sql, ctx.dialect).every((statement) => migrateSqlUndoable(statement.sql, added))) continue;
    throw refuse(ctx, `op.${call.method}(${describeArgs(call.args)})`, why);
  }
}

function describeArgs(args: readonly unknown[]): string {
  const text = args.map((arg) => (typeof arg === "string" ? JSON.stringify(arg) : typeof arg)).join(", ");
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
