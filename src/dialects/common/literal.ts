/**
 * SQL literals for offline rendering and for DEFAULT clauses. Values are
 * rendered the way the drivers bind them online (driver-support.ts), so an
 * offline script stores what an online run would.
 */
import type { DialectName } from "../dialect.js";
import { isSqlExpression } from "../../ops/op.js";
import { TidemarkError } from "../../errors.js";

/**
 * `where`: "expression" for a literal inside a parenthesized DEFAULT, where
 * MySQL/MariaDB strings need another spelling (mysqlStringExpression).
 */
export function renderLiteral(value: unknown, dialect: DialectName, where: "value" | "expression" = "value"): string {
  if (value === null || value === undefined) return "NULL";
  if (isSqlExpression(value)) return value.sql;
  const text = (string: string) =>
    where === "expression" && dialect === "mysql" ? mysqlStringExpression(string) : stringLiteral(string, dialect);
  switch (typeof value) {
    case "string":
      return text(value);
    case "number":
      return numberLiteral(value, dialect);
    case "bigint":
      return value.toString();
    case "boolean":
      // SQLite has no boolean type and MySQL's BOOLEAN is tinyint(1): 1/0 is what they store.
      if (dialect === "postgres") return value ? "TRUE" : "FALSE";
      return value ? "1" : "0";
    default:
      break;
  }
  if (value instanceof Date) return dateLiteral(value, dialect);
  if (value instanceof Uint8Array) return bytesLiteral(value, dialect);
  if (Array.isArray(value) || isPlainObject(value)) return text(JSON.stringify(value));
  throw cannotRender(value, "only strings, numbers, bigints, booleans, null, Dates, Buffers and JSON objects have literals");
}

export function stringLiteral(text: string, dialect: DialectName): string {
  if (text.includes("\0") && dialect !== "mysql") {
    // PostgreSQL text cannot hold NUL; SQLite would cut the statement there.
    throw cannotRender(text, "it contains a NUL character");
  }
  if (dialect === "mysql") return mysqlStringLiteral(text);
  if (dialect === "postgres" && text.includes("\\")) {
    // E'' means the same whatever standard_conforming_strings says.
    return `E'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  }
  return text.includes("'") ? `'${text.replace(/'/g, "''")}'` : `'${text}'`;
}

/**
 * A MySQL/MariaDB string literal that means the same with and without
 * `NO_BACKSLASH_ESCAPES` — the session's sql_mode is unknown offline, and a
 * script may change it. Quotes are doubled (`''`, read alike in both modes);
 * text with a backslash or a NUL, which only backslash escapes could spell,
 * becomes a hex literal with a character set introducer, `_utf8mb4 X'…'`:
 * a string (JSON columns take it), coercible like any literal (comparisons
 * with columns of another utf8mb4 collation work), escape-free.
 */
export function mysqlStringLiteral(text: string): string {
  if (!MYSQL_NEEDS_HEX.test(text)) return text.includes("'") ? `'${text.replace(/'/g, "''")}'` : `'${text}'`;
  return `_utf8mb4 X'${Buffer.from(text, "utf8").toString("hex")}'`;
}

/**
 * The same value as an expression that may stand in a parenthesized DEFAULT:
 * MariaDB prints `(_utf8mb4 X'5c')` back as `'\'` and re-reads it broken,
 * while CONVERT keeps its hex form (an expression default, so its collation
 * does not matter).
 */
export function mysqlStringExpression(text: string): string {
  if (!MYSQL_NEEDS_HEX.test(text)) return mysqlStringLiteral(text);
  return `CONVERT(X'${Buffer.from(text, "utf8").toString("hex")}' USING utf8mb4)`;
}

const MYSQL_NEEDS_HEX = /[\\\0]/;

function numberLiteral(value: number, dialect: DialectName): string {
  if (Number.isFinite(value)) return String(value);
  if (dialect === "postgres") {
    const special = Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    return `'${special}'::double precision`;
  }
  throw cannotRender(value, `${dialect} has no literal for non-finite numbers`);
}

/** UTC, millisecond precision: the text the drivers send for a Date. */
function dateLiteral(value: Date, dialect: DialectName): string {
  if (Number.isNaN(value.getTime())) throw cannotRender(value, "it is an invalid Date");
  const iso = value.toISOString();
  // PostgreSQL reads the zone for timestamptz and ignores it for timestamp;
  // SQLite and MySQL columns hold UTC wall-clock text without a zone.
  return dialect === "postgres" ? `'${iso}'` : `'${iso.replace("T", " ").replace("Z", "")}'`;
}

function bytesLiteral(value: Uint8Array, dialect: DialectName): string {
  const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
  // E'' so that the backslash means the same whatever standard_conforming_strings says.
  return dialect === "postgres" ? `E'\\\\x${hex}'::bytea` : `X'${hex}'`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function cannotRender(value: unknown, why: string): TidemarkError {
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : describe(value);
  return new TidemarkError("invalid-value", 2, `Cannot render ${shown} as a SQL literal: ${why}.`);
}

function describe(value: unknown): string {
  if (value instanceof Date) return "a Date";
  if (typeof value === "object" && value !== null) return `a ${value.constructor?.name ?? "object"}`;
  return `${typeof value} ${String(value)}`;
}
