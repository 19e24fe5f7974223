import { describe, expect, it } from "vitest";
import { sqlExpression } from "../../../src/ops/op.js";
import { canonicalSql, canonicalDefault } from "../../../src/autogen/normalize-text.js";
import { canonicalPostgresType, postgresNormalizer as pg } from "../../../src/autogen/normalize-postgres.js";
import { canonicalMysqlType, mysqlNormalizer } from "../../../src/autogen/normalize-mysql.js";
import { sqliteAffinity, sqliteNormalizer as sqlite } from "../../../src/autogen/normalize-sqlite.js";
import { typeChangeLoses } from "../../../src/autogen/normalizer.js";

const maria = mysqlNormalizer(true);
const mysql8 = mysqlNormalizer(false);

describe("PostgreSQL types: every alias is what format_type prints", () => {
  it.each([
    ["int4", "integer"],
    ["INT", "integer"],
    ["serial", "integer"],
    ["int8", "bigint"],
    ["varchar(255)", "character varying(255)"],
    ["character varying (255)", "character varying(255)"],
    ["varchar", "character varying"],
    ["char(3)", "character(3)"],
    ["bpchar", "character(1)"],
    ["decimal(10, 2)", "numeric(10,2)"],
    ["float8", "double precision"],
    ["float(10)", "real"],
    ["bool", "boolean"],
    ["timestamp", "timestamp without time zone"],
    ["timestamptz", "timestamp with time zone"],
    ["timestamp(3)", "timestamp(3) without time zone"],
    ["int[]", "integer[]"],
    ["pg_catalog.json", "json"],
  ])("%s → %s", (type, canonical) => {
    expect(canonicalPostgresType(type)).toBe(canonical);
  });

  it("maps declared portable names before comparing, and database ones never", () => {
    expect(pg.type("json", "declared")).toBe("jsonb");
    expect(pg.type("json", "database")).toBe("json");
    expect(pg.type("double", "declared")).toBe("double precision");
  });
});

describe("MySQL types: display widths are noise except tinyint(1)", () => {
  it.each([
    ["int(11)", "int"],
    ["integer", "int"],
    ["bigint(20) unsigned", "bigint unsigned"],
    ["tinyint(1)", "tinyint(1)"],
    ["tinyint(4)", "tinyint"],
    ["boolean", "tinyint(1)"],
    ["numeric(8,2)", "decimal(8,2)"],
    ["decimal", "decimal(10,0)"],
    ["double precision", "double"],
    ["char", "char(1)"],
  ])("%s → %s", (type, canonical) => {
    expect(canonicalMysqlType(type, false)).toBe(canonical);
  });

  it("takes MariaDB's json for the longtext it stores, and ignores its json_valid check", () => {
    expect(maria.type("json", "declared")).toBe("longtext");
    expect(mysql8.type("json", "declared")).toBe("json");
    expect(maria.implicitCheck(maria.expression("json_valid(`data`)"))).toBe(true);
    expect(mysql8.implicitCheck(mysql8.expression("json_valid(`data`)"))).toBe(false);
  });

  it("spells reported types so that the compiler does not map them again", () => {
    expect(maria.opType("text")).toBe("text(16383)");
    expect(maria.opType("blob")).toBe("blob(65535)");
    expect(maria.opType("timestamp")).toBe("timestamp(0)");
    expect(maria.opType("longtext")).toBe("longtext");
  });
});

describe("SQLite types compare by affinity", () => {
  it.each([
    ["INTEGER", "integer"],
    ["bigint", "integer"],
    ["varchar(255)", "text"],
    ["CLOB", "text"],
    ["blob", "blob"],
    ["", "blob"],
    ["double", "real"],
    ["decimal(10,2)", "numeric"],
    ["date", "numeric"],
  ])("%s → %s", (type, affinity) => {
    expect(sqliteAffinity(type)).toBe(affinity);
  });

  it("writes a reported type the compiler would map as its affinity's name", () => {
    expect(sqlite.opType("date")).toBe("numeric");
    expect(sqlite.opType("varchar(20)")).toBe("text");
    expect(sqlite.opType("datetime")).toBe("datetime");
  });
});

describe("defaults and expressions", () => {
  it("drops PostgreSQL's casts and parentheses", () => {
    expect(pg.defaultValue(sqlExpression("'x'::text"), "database", "text", "text")).toBe("'x'");
    expect(pg.defaultValue("x", "declared", "text", "text")).toBe("'x'");
    expect(pg.defaultValue(sqlExpression("'-5'::integer"), "database", "integer", "integer")).toBe("-5");
    expect(pg.defaultValue(-5, "declared", "integer", "integer")).toBe("-5");
    expect(pg.defaultValue(sqlExpression("'it''s'::character varying"), "database", "varchar(9)", "character varying(9)")).toBe(
      "'it''s'",
    );
    expect(pg.defaultValue(true, "declared", "boolean", "boolean")).toBe("true");
  });

  it("makes every spelling of now one", () => {
    expect(canonicalDefault("CURRENT_TIMESTAMP", "temporal")).toBe("current_timestamp");
    expect(canonicalDefault("current_timestamp(6)", "temporal")).toBe("current_timestamp");
    expect(canonicalDefault("now()", "temporal")).toBe("current_timestamp");
  });

  it("compares numbers as numbers and MySQL's fractional zeros away", () => {
    expect(maria.defaultValue(sqlExpression("1.50"), "database", "decimal(8,2)", "decimal(8,2)")).toBe("1.5");
    expect(maria.defaultValue(1.5, "declared", "decimal(8,2)", "decimal(8,2)")).toBe("1.5");
    expect(maria.defaultValue(sqlExpression("'2020-01-01 00:00:00.000000'"), "database", "datetime(6)", "datetime(6)")).toBe(
      "'2020-01-01 00:00:00'",
    );
    expect(maria.defaultValue(true, "declared", "boolean", "tinyint(1)")).toBe("1");
    expect(maria.defaultValue(sqlExpression("'it\\'s'"), "database", "varchar(9)", "varchar(9)")).toBe("'it''s'");
  });

  it("reads CHECK text the way each database rewrites it", () => {
    const declared = "qty >= 0 AND note != 'a b'";
    expect(pg.expression("((qty >= 0) AND (note <> 'a b'::text))")).toBe(pg.expression(declared));
    expect(maria.expression("`qty` >= 0 and `note` <> 'a b'")).toBe(maria.expression(declared));
    expect(pg.expression("qty > 0")).not.toBe(pg.expression("qty > 1"));
    expect(pg.expression("(balance >= '-100'::integer::numeric)")).toBe(pg.expression("balance >= -100"));
    expect(pg.expression("(note <> '-1'::text)")).not.toBe(pg.expression("note <> '1'"));
    expect(canonicalSql("note = 'A B'")).not.toBe(canonicalSql("note = 'a b'"));
  });

  it("reads views the way PostgreSQL and MySQL print them", () => {
    const declared = "SELECT id, email FROM users WHERE active = 1";
    expect(pg.view(" SELECT users.id,\n    users.email\n   FROM users\n  WHERE users.active = 1;")).toBe(pg.view(declared));
    expect(maria.view("select `users`.`id` AS `id`,`users`.`email` AS `email` from `users` where `users`.`active` = 1")).toBe(
      maria.view(declared),
    );
  });
});

describe("narrowing", () => {
  it("knows which type changes can lose data", () => {
    expect(typeChangeLoses(pg, "integer", "bigint")).toBe(false);
    expect(typeChangeLoses(pg, "bigint", "integer")).toBe(true);
    expect(typeChangeLoses(pg, "character varying(50)", "character varying(20)")).toBe(true);
    expect(typeChangeLoses(pg, "character varying(20)", "text")).toBe(false);
    expect(typeChangeLoses(pg, "text", "integer")).toBe(true);
    expect(typeChangeLoses(pg, "numeric(10,2)", "numeric(10,1)")).toBe(true);
    expect(typeChangeLoses(maria, "longtext", "varchar(10)")).toBe(true);
  });
});
