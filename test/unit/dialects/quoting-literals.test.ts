import { describe, expect, it } from "vitest";
import { sqliteCompiler } from "../../../src/dialects/sqlite/sqlite-compiler.js";
import { postgresCompiler } from "../../../src/dialects/postgres/postgres-compiler.js";
import { mysqlCompiler } from "../../../src/dialects/mysql/mysql-compiler.js";
import { TidemarkError } from "../../../src/errors.js";
import { sqlExpression } from "../../../src/ops/op.js";

describe("identifier quoting", () => {
  const cases: [string, string, string][] = [
    // name, "-dialects, `-dialect
    ["users", '"users"', "`users`"],
    ['we"ird', '"we""ird"', '`we"ird`'],
    ["select", '"select"', "`select`"],
    ["Mixed Case", '"Mixed Case"', "`Mixed Case`"],
    ["back`tick", '"back`tick"', "`back``tick`"],
    ['x"; DROP TABLE t; --', '"x""; DROP TABLE t; --"', '`x"; DROP TABLE t; --`'],
  ];
  it.each(cases)("quotes %j", (name, doubleQuoted, backticked) => {
    expect(sqliteCompiler.quoteIdentifier(name)).toBe(doubleQuoted);
    expect(postgresCompiler.quoteIdentifier(name)).toBe(doubleQuoted);
    expect(mysqlCompiler.quoteIdentifier(name)).toBe(backticked);
  });

  it("qualifies tables with a schema only when one is given", () => {
    expect(postgresCompiler.quoteTable("users")).toBe('"users"');
    expect(postgresCompiler.quoteTable("users", "app")).toBe('"app"."users"');
    expect(postgresCompiler.quoteTable('t"1', 'my"schema')).toBe('"my""schema"."t""1"');
    expect(mysqlCompiler.quoteTable("users", "db")).toBe("`db`.`users`");
    expect(sqliteCompiler.quoteTable("users", "main")).toBe('"main"."users"');
  });

  it("refuses names that cannot be quoted safely", () => {
    expect(() => sqliteCompiler.quoteIdentifier("")).toThrow(/Invalid SQL identifier "": it is empty/);
    expect(() => mysqlCompiler.quoteIdentifier("a\0b")).toThrow(TidemarkError);
    expect(() => postgresCompiler.quoteIdentifier("a\0b")).toThrow(/NUL character/);
  });
});

describe("literals", () => {
  const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  const bytes = Buffer.from([0xde, 0xad, 0x00, 0x01]);
  const cases: [string, unknown, string, string, string][] = [
    // what, value, sqlite, postgres, mysql
    ["null", null, "NULL", "NULL", "NULL"],
    ["undefined", undefined, "NULL", "NULL", "NULL"],
    ["string", "plain", "'plain'", "'plain'", "'plain'"],
    ["quote", "it's", "'it''s'", "'it''s'", "'it''s'"],
    // MySQL: the same meaning with and without NO_BACKSLASH_ESCAPES (hex, with the charset introducer).
    ["backslash", "a\\b'c", "'a\\b''c'", "E'a\\\\b''c'", "_utf8mb4 X'615c622763'"],
    ["integer", 42, "42", "42", "42"],
    ["negative float", -1.5, "-1.5", "-1.5", "-1.5"],
    ["bigint", 9007199254740993n, "9007199254740993", "9007199254740993", "9007199254740993"],
    ["true", true, "1", "TRUE", "1"],
    ["false", false, "0", "FALSE", "0"],
    ["date", date, "'2024-01-02 03:04:05.678'", "'2024-01-02T03:04:05.678Z'", "'2024-01-02 03:04:05.678'"],
    // PostgreSQL: E'' so that the backslash means the same whatever standard_conforming_strings says.
    ["buffer", bytes, "X'dead0001'", "E'\\\\xdead0001'::bytea", "X'dead0001'"],
    ["json with escapes", { q: '"' }, `'{"q":"\\""}'`, `E'{"q":"\\\\""}'`, "_utf8mb4 X'7b2271223a225c22227d'"],
    ["json object", { a: "it's" }, `'{"a":"it''s"}'`, `'{"a":"it''s"}'`, `'{"a":"it''s"}'`],
    ["json array", [1, 2], "'[1,2]'", "'[1,2]'", "'[1,2]'"],
    ["sql expression", sqlExpression("now()"), "now()", "now()", "now()"],
  ];
  it.each(cases)("renders %s", (_what, value, sqlite, postgres, mysql) => {
    expect(sqliteCompiler.literal(value)).toBe(sqlite);
    expect(postgresCompiler.literal(value)).toBe(postgres);
    expect(mysqlCompiler.literal(value)).toBe(mysql);
  });

  it("spells NUL in hex for MySQL and refuses it where text cannot hold it", () => {
    expect(mysqlCompiler.literal("a\0b")).toBe("_utf8mb4 X'610062'");
    expect(() => postgresCompiler.literal("a\0b")).toThrow(/NUL character/);
    expect(() => sqliteCompiler.literal("a\0b")).toThrow(TidemarkError);
  });

  it("renders non-finite numbers on PostgreSQL only", () => {
    expect(postgresCompiler.literal(Number.NaN)).toBe("'NaN'::double precision");
    expect(postgresCompiler.literal(-Infinity)).toBe("'-Infinity'::double precision");
    expect(() => sqliteCompiler.literal(Infinity)).toThrow(/non-finite/);
    expect(() => mysqlCompiler.literal(Number.NaN)).toThrow(/non-finite/);
  });

  it("refuses values without a literal", () => {
    expect(() => sqliteCompiler.literal(new Date("nope"))).toThrow(/invalid Date/);
    expect(() => postgresCompiler.literal(new Map())).toThrow(/Cannot render a Map as a SQL literal/);
    expect(() => mysqlCompiler.literal(Symbol("s"))).toThrow(TidemarkError);
  });
});
