/**
 * Statements a database refuses inside a transaction block: a step that
 * runs in one must not hold them. PostgreSQL's are found with its own parser
 * (after a cheap look at the words, so most scripts never load it); SQLite
 * refuses VACUUM; MySQL runs no DDL in transactions anyway.
 */
import type { Node } from "libpg-query";
import type { DialectName } from "../vocabulary.js";
import { loadPgParser, parsePg } from "./pg-parser.js";

/** Words without which none of PostgreSQL's transaction-refusing statements can be written. */
const PG_CANDIDATE = /\b(CONCURRENTLY|VACUUM|DATABASE|TABLESPACE|SYSTEM|SUBSCRIPTION|VALUE)\b/i;
const SQLITE_VACUUM = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*VACUUM\b/i;

export interface TransactionBlockOptions {
  /** PostgreSQL's server_version_num when known: ALTER TYPE … ADD VALUE is refused in a transaction before 12. */
  readonly serverVersion?: number;
}

/**
 * What in `sql` cannot run inside a transaction block (e.g. `CREATE INDEX
 * CONCURRENTLY`), or undefined when all of it can.
 */
export async function refusedInTransaction(
  sql: string,
  dialect: DialectName,
  options: TransactionBlockOptions = {},
): Promise<string | undefined> {
  if (dialect === "sqlite") return SQLITE_VACUUM.test(sql) ? "VACUUM" : undefined;
  if (dialect !== "postgres" || !PG_CANDIDATE.test(sql)) return undefined;
  await loadPgParser();
  let nodes: Node[];
  try {
    nodes = parsePg(sql);
  } catch {
    // Not valid SQL: PostgreSQL itself will say so when it runs.
    return undefined;
  }
  for (const node of nodes) {
    const found = refusedNode(node, options);
    if (found !== undefined) return found;
  }
  return undefined;
}

function refusedNode(node: Node, options: TransactionBlockOptions): string | undefined {
  const [tag, body] = (Object.entries(node)[0] ?? ["", {}]) as [string, Record<string, unknown>];
  switch (tag) {
    case "IndexStmt":
      return body.concurrent === true ? "CREATE INDEX CONCURRENTLY" : undefined;
    case "DropStmt":
      return body.concurrent === true ? "DROP INDEX CONCURRENTLY" : undefined;
    case "ReindexStmt": {
      const params = (body.params ?? []) as { DefElem?: { defname?: string } }[];
      return params.some((param) => param.DefElem?.defname === "concurrently") ? "REINDEX … CONCURRENTLY" : undefined;
    }
    case "AlterEnumStmt":
      return body.newVal !== undefined && options.serverVersion !== undefined && options.serverVersion < 120000
        ? "ALTER TYPE … ADD VALUE (before PostgreSQL 12)"
        : undefined;
    case "VacuumStmt":
      return body.is_vacuumcmd === true ? "VACUUM" : undefined;
    case "CreatedbStmt":
      return "CREATE DATABASE";
    case "DropdbStmt":
      return "DROP DATABASE";
    case "AlterSystemStmt":
      return "ALTER SYSTEM";
    case "CreateTableSpaceStmt":
      return "CREATE TABLESPACE";
    case "DropTableSpaceStmt":
      return "DROP TABLESPACE";
    case "CreateSubscriptionStmt":
      return "CREATE SUBSCRIPTION";
    default:
      return undefined;
  }
}
