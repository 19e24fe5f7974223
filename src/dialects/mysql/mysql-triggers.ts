/**
 * MySQL/MariaDB triggers for the rolling-upgrade ops (syncColumns, dropSync,
 * forbidWrites, allowWrites). Which side of a pair a write came from is
 * decided in common/trigger-plan.ts; this file only spells it in MySQL.
 *
 * Sync triggers are BEFORE triggers that `SET NEW.x = …` (a trigger may not
 * UPDATE its own table), so there is no recursion, and a NOT NULL old column
 * is satisfied by the value the trigger computes. MySQL has no `UPDATE OF`:
 * the update trigger fires on every UPDATE and does nothing when neither
 * side changed. Each trigger is ONE statement with a BEGIN…END body: the
 * driver sends it whole, and offline rendering wraps it in DELIMITER.
 *
 * Trigger names are per database, not per table, so two syncs sharing a name
 * fail at CREATE TRIGGER instead of replacing each other.
 *
 * With binary logging on, creating a trigger needs SUPER unless
 * log_bin_trust_function_creators is set: `checkTriggerPrivilege` says so
 * before a step starts rather than after half of it ran (MySQL DDL is not
 * transactional).
 */
import type { CompileContext, Connection, Row, Statement } from "../dialect.js";
import type { SqlHelpers, TriggerOp } from "../common/sql-compiler.js";
import type { AllowWrites, DropSync, ForbidWrites, SyncColumns } from "../../ops/op.js";
import { invalidOp } from "../common/compile-errors.js";
import { forbidMessage, planSync, type Assignment } from "../common/trigger-plan.js";
import { compileTriggerOpWith, dropTriggersNamed, forbiddingTriggers } from "../common/trigger-ops.js";
import { forbidTriggerNames, syncTriggerNames } from "../../ops/naming.js";
import { TidemarkError } from "../../errors.js";

/** SIGNAL's MESSAGE_TEXT holds at most 128 characters. */
export const MYSQL_MESSAGE_LIMIT = 128;

export function compileTriggerOp(op: TriggerOp, context: CompileContext, sql: SqlHelpers): Statement[] {
  return compileTriggerOpWith({ syncColumns, dropSync, forbidWrites, allowWrites }, op, context, sql);
}

function syncColumns(op: SyncColumns, sql: SqlHelpers): Statement[] {
  const plan = planSync(op, "mysql", {
    ref: (row, column) => `${row}.${sql.quoteIdentifier(column)}`,
    distinct: (a, b) => `NOT (${a} <=> ${b})`,
  });
  const names = syncTriggerNames(op);
  const table = sql.quoteTable(op.table);
  const set = (assignments: readonly Assignment[]): string =>
    `    SET ${assignments.map((a) => `NEW.${sql.quoteIdentifier(a.column)} = ${a.expression}`).join(", ")};`;
  const trigger = (name: string, event: string, body: readonly string[]): Statement => ({
    sql: [`CREATE TRIGGER ${sql.quoteIdentifier(name)} BEFORE ${event} ON ${table} FOR EACH ROW`, "BEGIN", ...body, "END"].join(
      "\n",
    ),
  });
  return [
    trigger(names.insert, "INSERT", [
      `  IF ${plan.insertForward} THEN`,
      set(plan.forward),
      `  ELSEIF ${plan.insertBackward} THEN`,
      set(plan.backward),
      "  END IF;",
    ]),
    trigger(names.update, "UPDATE", [
      `  IF ${plan.updateBackward} THEN`,
      set(plan.backward),
      `  ELSEIF ${plan.updateForward} THEN`,
      set(plan.forward),
      "  END IF;",
    ]),
  ];
}

function dropSync(op: DropSync, sql: SqlHelpers): Statement[] {
  const names = syncTriggerNames(op);
  return dropTriggersNamed([names.insert, names.update], sql);
}

function forbidWrites(op: ForbidWrites, sql: SqlHelpers): Statement[] {
  const message = forbidMessage(op.table, op.message);
  if ([...message].length > MYSQL_MESSAGE_LIMIT) {
    throw invalidOp(
      "mysql",
      op,
      `has a message of ${[...message].length} characters; MySQL's SIGNAL allows at most ${MYSQL_MESSAGE_LIMIT}`,
    );
  }
  return forbiddingTriggers(op, sql, (literal) => `SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = ${literal};`);
}

/** MySQL trigger names belong to the database: DROP TRIGGER takes no table. */
function allowWrites(op: AllowWrites, sql: SqlHelpers): Statement[] {
  const names = forbidTriggerNames(op.table);
  return dropTriggersNamed([names.insert, names.update, names.delete], sql);
}

// ---- privilege check ---------------------------------------------------------

/** What the server says about the session, as checkTriggerPrivilege reads it. */
export interface TriggerPrivilegeFacts {
  readonly logBin: boolean;
  readonly trustFunctionCreators: boolean;
  /** CURRENT_USER(): the account the server matched, `user@host`. */
  readonly account: string;
  /** DATABASE(); null when the session has none. */
  readonly database: string | null;
  /** The lines of SHOW GRANTS. */
  readonly grants: readonly string[];
}

/**
 * Throws a TidemarkError (code `trigger-privilege`, exit 1) when the session
 * cannot create triggers: no TRIGGER privilege on its database, or binary
 * logging on without log_bin_trust_function_creators and without SUPER.
 * Privileges that only come through a role cannot be seen in SHOW GRANTS;
 * then the check gives the benefit of the doubt and the server decides.
 */
export async function checkTriggerPrivilege(connection: Connection): Promise<void> {
  const [vars] = await connection.query<Row>(
    "SELECT @@log_bin AS log_bin, @@log_bin_trust_function_creators AS trust, CURRENT_USER() AS account, DATABASE() AS db",
  );
  const grants = await connection.query<Row>("SHOW GRANTS");
  const problem = triggerPrivilegeProblem({
    logBin: truthy(vars?.["log_bin"]),
    trustFunctionCreators: truthy(vars?.["trust"]),
    account: String(vars?.["account"] ?? "?"),
    database: typeof vars?.["db"] === "string" ? vars["db"] : null,
    grants: grants.map((row) => String(Object.values(row)[0] ?? "")),
  });
  if (problem !== undefined) throw problem;
}

function truthy(value: unknown): boolean {
  return value === 1 || value === "1" || value === true || value === 1n || String(value).toUpperCase() === "ON";
}

/** The pure half of checkTriggerPrivilege: the error to throw, if any. */
export function triggerPrivilegeProblem(facts: TriggerPrivilegeFacts): TidemarkError | undefined {
  const grants = facts.grants.map(parseGrant).filter((grant) => grant !== undefined);
  const viaRoles = facts.grants.some((line) => /^GRANT\s/i.test(line) && !/\sON\s/i.test(line));
  const account = quoteAccount(facts.account);
  const fields = {
    account: facts.account,
    database: facts.database,
    logBin: facts.logBin,
    trustFunctionCreators: facts.trustFunctionCreators,
  };
  const db = facts.database;
  const covers = (g: Grant): boolean => g.global || (db !== null && g.database !== undefined && matchesDatabase(g.database, db));
  const hasTrigger = grants.some((g) => (g.all || g.privileges.has("TRIGGER")) && covers(g));
  if (!hasTrigger && !viaRoles) {
    const on = db === null ? "the database" : `database \`${db}\``;
    return new TidemarkError(
      "trigger-privilege",
      1,
      `MySQL/MariaDB: ${account} has no TRIGGER privilege on ${on}, which the rolling-upgrade triggers ` +
        `(syncColumns, forbidWrites) need. Run \`GRANT TRIGGER ON ${db === null ? "<database>" : `\`${db}\``}.* TO ${account}\` ` +
        "as an administrator, then run the step again.",
      { fields },
    );
  }
  const hasSuper = grants.some((g) => g.global && (g.all || g.privileges.has("SUPER")));
  if (facts.logBin && !facts.trustFunctionCreators && !hasSuper && !viaRoles) {
    return new TidemarkError(
      "trigger-privilege",
      1,
      `MySQL/MariaDB: binary logging is on (@@log_bin = 1) and @@log_bin_trust_function_creators = 0, so ` +
        `creating the rolling-upgrade triggers (syncColumns, forbidWrites) needs the SUPER privilege, which ` +
        `${account} does not have. Set log_bin_trust_function_creators = 1 (\`SET GLOBAL ` +
        "log_bin_trust_function_creators = 1`, and `log_bin_trust_function_creators = 1` under [mysqld] in the " +
        `server configuration so it survives a restart), or grant SUPER to ${account}, then run the step again.`,
      { fields },
    );
  }
  return undefined;
}

interface Grant {
  readonly all: boolean;
  readonly privileges: ReadonlySet<string>;
  readonly global: boolean;
  /** The database pattern of a database- or table-level grant, unquoted. */
  readonly database?: string;
}

function parseGrant(line: string): Grant | undefined {
  const match = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?:\s+BODY)?)\s+)?(\S+?)\s+TO\s/i.exec(line);
  if (!match) return undefined;
  // Column lists (`SELECT (a, b)`) would otherwise split and could name a column TRIGGER.
  const list = (match[1] as string).replace(/\([^)]*\)/g, "").toUpperCase();
  const privileges = new Set(list.split(",").map((p) => p.trim().replace(/\s+/g, " ")));
  const object = match[2] as string;
  const all = privileges.has("ALL") || privileges.has("ALL PRIVILEGES");
  if (object === "*.*" || object === "*") return { all, privileges, global: true };
  const dot = /^(`(?:[^`]|``)*`|[^.]+)\./.exec(object);
  if (!dot) return undefined;
  const raw = dot[1] as string;
  const database = raw.startsWith("`") ? raw.slice(1, -1).replace(/``/g, "`") : raw;
  return { all, privileges, global: false, database };
}

/** GRANT database names are LIKE patterns: `%` and `_` are wildcards, `\_` and `\%` literal. */
function matchesDatabase(pattern: string, database: string): boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i] as string;
    if (ch === "\\" && i + 1 < pattern.length) {
      i += 1;
      source += escapeRegExp(pattern[i] as string);
    } else if (ch === "%") source += ".*";
    else if (ch === "_") source += ".";
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, "i").test(database);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `user@host` → `'user'@'host'` for GRANT statements in messages. */
function quoteAccount(account: string): string {
  const at = account.lastIndexOf("@");
  if (at < 0) return `'${account}'`;
  return `'${account.slice(0, at)}'@'${account.slice(at + 1)}'`;
}
