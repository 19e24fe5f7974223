/**
 * Every command that changes the database first names it on stderr, so
 * that a URL taken from somewhere unexpected (a forgotten DATABASE_URL, a
 * config found in a parent folder) is seen before anything runs.
 */
import type { Tidemark } from "../../api/tidemark.js";
import type { DatabaseTarget } from "../../api/types.js";
import type { Output } from "../output.js";

const DIALECT_LABEL: Readonly<Record<DatabaseTarget["dialect"], string>> = {
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  mysql: "MySQL/MariaDB",
};

function where(target: DatabaseTarget): string {
  if (target.socket !== undefined) return `socket ${target.socket}`;
  const host = target.host ?? "localhost";
  const shown = host.includes(":") ? `[${host}]` : host;
  return target.port === undefined ? shown : `${shown}:${target.port}`;
}

function source(target: DatabaseTarget): string {
  switch (target.source) {
    case "flag":
      return "--url";
    case "env":
      return "DATABASE_URL";
    case "env-file":
      return `DATABASE_URL in ${target.sourceFile ?? ".env"}`;
    case "config":
      return target.sourceFile ?? "the config";
    case "default":
      return "the default, no URL configured";
  }
}

/** `SQLite /app/tidemark.db (from …)`, `PostgreSQL database "app" on db:5432 as app (from DATABASE_URL)`. */
export function describeTarget(target: DatabaseTarget): string {
  const label = DIALECT_LABEL[target.dialect];
  const what =
    target.dialect === "sqlite"
      ? `${label} ${target.path ?? ":memory:"}`
      : `${label} database ${JSON.stringify(target.database ?? "")} on ${where(target)}${target.user === undefined ? "" : ` as ${target.user}`}`;
  return `${what} (from ${source(target)})`;
}

/** Prints the target on stderr (not with --quiet or --json, where it is in the document) and returns it. */
export function announceTarget(tidemark: Tidemark, out: Output, verb = "Database"): DatabaseTarget {
  const target = tidemark.target;
  out.info(`${verb}: ${describeTarget(target)}`);
  return target;
}
