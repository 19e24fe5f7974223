import { describe, expect, it } from "vitest";
import { sqliteCompiler } from "../../../src/dialects/sqlite/sqlite-compiler.js";
import { postgresCompiler } from "../../../src/dialects/postgres/postgres-compiler.js";
import { mysqlCompiler } from "../../../src/dialects/mysql/mysql-compiler.js";
import { parsePortableType } from "../../../src/dialects/common/types.js";

describe("portable type map", () => {
  const table: [string, string, string, string][] = [
    // portable, sqlite, postgres, mysql
    ["integer", "integer", "integer", "int"],
    ["bigint", "integer", "bigint", "bigint"],
    ["smallint", "integer", "smallint", "smallint"],
    ["text", "text", "text", "longtext"],
    ["varchar(255)", "text", "varchar(255)", "varchar(255)"],
    ["boolean", "integer", "boolean", "tinyint(1)"],
    ["real", "real", "real", "float"],
    ["double", "real", "double precision", "double"],
    ["decimal(10,2)", "numeric", "numeric(10,2)", "decimal(10,2)"],
    ["decimal(12)", "numeric", "numeric(12)", "decimal(12)"],
    ["decimal", "numeric", "numeric", "decimal"],
    ["date", "text", "date", "date"],
    ["timestamp", "text", "timestamp", "datetime(6)"],
    ["timestamptz", "text", "timestamptz", "datetime(6)"],
    ["json", "text", "jsonb", "json"],
    ["blob", "blob", "bytea", "longblob"],
    ["uuid", "text", "uuid", "char(36)"],
  ];
  it.each(table)("maps %s", (portable, sqlite, postgres, mysql) => {
    expect(sqliteCompiler.mapType(portable)).toBe(sqlite);
    expect(postgresCompiler.mapType(portable)).toBe(postgres);
    expect(mysqlCompiler.mapType(portable)).toBe(mysql);
  });

  it("is case-insensitive and tolerates spaces in arguments", () => {
    expect(postgresCompiler.mapType("VARCHAR( 64 )")).toBe("varchar(64)");
    expect(mysqlCompiler.mapType("Decimal(10, 2)")).toBe("decimal(10,2)");
    expect(postgresCompiler.mapType("JSON")).toBe("jsonb");
    expect(mysqlCompiler.mapType(" Boolean ")).toBe("tinyint(1)");
  });

  it("passes anything else through exactly as written", () => {
    for (const type of ["int4", "character varying(20)", "ENUM('a','b')", "varchar", "integer(3)", "text[]", "Geometry"]) {
      expect(sqliteCompiler.mapType(type)).toBe(type);
      expect(postgresCompiler.mapType(type)).toBe(type);
      expect(mysqlCompiler.mapType(type)).toBe(type);
    }
  });

  it("parses only portable names with the right arguments", () => {
    expect(parsePortableType("decimal(10,2)")).toEqual({ name: "decimal", args: ["10", "2"] });
    expect(parsePortableType("varchar")).toBeUndefined();
    expect(parsePortableType("decimal(1,2,3)")).toBeUndefined();
    expect(parsePortableType("toString")).toBeUndefined();
  });
});
