import { describe, expect, it } from "vitest";
import { inlinePlaceholders, splitAtPlaceholders, toNumberedPlaceholders } from "../../../src/sql/placeholders.js";
import { DatabaseError } from "../../../src/errors.js";

describe("toNumberedPlaceholders (PostgreSQL)", () => {
  it("numbers the placeholders in order", () => {
    expect(toNumberedPlaceholders("UPDATE t SET a = ?, b = ? WHERE id = ?", [1, 2, 3])).toBe(
      "UPDATE t SET a = $1, b = $2 WHERE id = $3",
    );
  });

  it("skips strings, quoted names, comments and dollar quotes", () => {
    const sql = [
      "SELECT '?', 'it''s ?', E'\\'?', \"col?\", ? -- what?",
      "/* outer /* nested ? */ still ? */ , $$ ? $$, $fn$ a ? $fn$, a$b, ?",
    ].join("\n");
    expect(toNumberedPlaceholders(sql, [1, 2])).toBe(
      [
        "SELECT '?', 'it''s ?', E'\\'?', \"col?\", $1 -- what?",
        "/* outer /* nested ? */ still ? */ , $$ ? $$, $fn$ a ? $fn$, a$b, $2",
      ].join("\n"),
    );
  });

  it("does not read `$1` or an identifier's `$` as a dollar quote", () => {
    expect(toNumberedPlaceholders("SELECT x$y$ FROM t WHERE a = ?", [1])).toBe("SELECT x$y$ FROM t WHERE a = $1");
  });

  it("throws a DatabaseError when the counts differ", () => {
    expect(() => toNumberedPlaceholders("SELECT ?, ?", [1])).toThrow(DatabaseError);
    expect(() => toNumberedPlaceholders("SELECT ?, ?", [1])).toThrow(
      'The statement has 2 "?" placeholder(s) but 1 value(s) were given: SELECT ?, ?',
    );
  });
});

describe("splitAtPlaceholders (MySQL)", () => {
  it("honours backslash escapes, backticks, # and -- comments", () => {
    const sql = "SELECT 'a\\'?', \"b?\", `c?`, ? # x?\n, 5--?\n, ? -- z?\n, ?";
    expect(splitAtPlaceholders(sql, "mysql")).toEqual([
      "SELECT 'a\\'?', \"b?\", `c?`, ",
      " # x?\n, 5--",
      "\n, ",
      " -- z?\n, ",
      "",
    ]);
  });

  it("inlines rendered literals", () => {
    expect(inlinePlaceholders("INSERT INTO t VALUES (?, '?', ?)", [1, "x"], "mysql", (v) => `<${String(v)}>`)).toBe(
      "INSERT INTO t VALUES (<1>, '?', <x>)",
    );
  });
});
