import { describe, expect, it } from "vitest";
import { splitTopLevel, topLevel } from "../../../src/sql/token-cursor.js";
import { tokenize } from "../../../src/sql/tokens.js";

const kinds = (sql: string, dialect: "mysql" | "sqlite" | "postgres") =>
  tokenize(sql, dialect).map((t) => `${t.kind}:${t.value}`);

describe("tokenize", () => {
  it("drops comments and keeps strings and quoted names whole", () => {
    expect(kinds('SELECT \'a;b\' -- x\n, "c""d" /* y */ FROM `t`', "mysql")).toEqual([
      "word:SELECT",
      "string:a;b",
      "punct:,",
      'string:c"d',
      "word:FROM",
      "quoted:t",
    ]);
    expect(kinds('SELECT "c""d", [e f] FROM t', "sqlite")).toEqual([
      "word:SELECT",
      'quoted:c"d',
      "punct:,",
      "quoted:e f",
      "word:FROM",
      "word:t",
    ]);
  });

  it("follows each dialect's escapes", () => {
    expect(kinds("'it\\'s'", "mysql")).toEqual(["string:it's"]);
    expect(kinds("'a\\' ", "sqlite")).toEqual(["string:a\\"]);
    expect(kinds("E'it\\'s' 'x''y'", "postgres")).toEqual(["string:it's", "string:x'y"]);
    expect(kinds("$fn$ DROP; $fn$ $1", "postgres")).toEqual(["string: DROP; ", "param:$1"]);
    expect(kinds("x'0A' _utf8mb4'z'", "mysql")).toEqual(["string:0A", "string:z"]);
  });

  it("treats `--` without a space as minus signs on MySQL only", () => {
    expect(kinds("SELECT 1--2", "mysql")).toEqual(["word:SELECT", "number:1", "punct:-", "punct:-", "number:2"]);
    expect(kinds("SELECT 1--2", "sqlite")).toEqual(["word:SELECT", "number:1"]);
  });

  it("reads variables, parameters and nested PostgreSQL comments", () => {
    expect(kinds("SET @a = @@global.x, ? , :name", "mysql")).toEqual([
      "word:SET",
      "variable:@a",
      "punct:=",
      "variable:@@global.x",
      "punct:,",
      "param:?",
      "punct:,",
      "param::name",
    ]);
    expect(kinds("/* a /* b */ c */ SELECT", "postgres")).toEqual(["word:SELECT"]);
    expect(kinds("/* a /* b */ SELECT", "mysql")).toEqual(["word:SELECT"]);
  });

  it("never throws on an unterminated quote", () => {
    expect(kinds("SELECT 'abc", "sqlite")).toEqual(["word:SELECT", "string:abc"]);
  });
});

describe("splitTopLevel / topLevel", () => {
  it("splits at commas outside parentheses", () => {
    const parts = splitTopLevel(tokenize("ADD a int, ADD INDEX i (a, b), DROP c", "mysql"));
    expect(parts.map((p) => p.map((t) => t.text).join(" "))).toEqual(["ADD a int", "ADD INDEX i ( a , b )", "DROP c"]);
  });

  it("keeps only what is outside parentheses", () => {
    expect(topLevel(tokenize("a int CHECK (a IS NOT NULL) DEFAULT (1)", "mysql")).map((t) => t.upper)).toEqual([
      "A",
      "INT",
      "CHECK",
      "DEFAULT",
    ]);
  });
});
