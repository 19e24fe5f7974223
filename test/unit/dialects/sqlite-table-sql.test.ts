import { describe, expect, it } from "vitest";
import { parseCreateIndex, parseCreateTable, viewSelect } from "../../../src/dialects/sqlite/sqlite-table-sql.js";

describe("parseCreateTable", () => {
  it("finds names, checks, uniques, references and AUTOINCREMENT past quotes, commas in strings and comments", () => {
    const parsed = parseCreateTable(`CREATE TABLE IF NOT EXISTS "a(b" (
      "id" integer PRIMARY KEY AUTOINCREMENT, -- one, two
      x INTEGER CONSTRAINT "c,1" CHECK (x IN (1, 2)) UNIQUE,
      y TEXT DEFAULT (',') /* , UNIQUE */ REFERENCES "p" ON DELETE CASCADE,
      [odd name] varchar(10, 2) CHECK ("odd name" <> ')'),
      CONSTRAINT fk FOREIGN KEY (x, [odd name]) REFERENCES [p q] (id, k),
      CONSTRAINT uq UNIQUE (y COLLATE NOCASE, x DESC),
      CHECK (x > 0)
    )`);
    expect([...parsed.autoIncrement]).toEqual(["id"]);
    expect(parsed.checks).toEqual([
      { name: "c,1", expression: "x IN (1, 2)", column: "x" },
      { name: undefined, expression: `"odd name" <> ')'`, column: "odd name" },
      { name: undefined, expression: "x > 0", column: undefined },
    ]);
    expect(parsed.uniques).toEqual([
      { name: undefined, columns: ["x"] },
      { name: "uq", columns: ["y", "x"] },
    ]);
    expect(parsed.foreignKeys).toEqual([
      { name: undefined, columns: ["y"], refTable: "p" },
      { name: "fk", columns: ["x", "odd name"], refTable: "p q" },
    ]);
  });
});

describe("parseCreateIndex and viewSelect", () => {
  it("reads index items and the partial predicate", () => {
    expect(
      parseCreateIndex(`CREATE UNIQUE INDEX "ix on" ON "t" ("a", lower(b), c DESC) WHERE a IS NOT NULL AND c > 'x'`),
    ).toEqual({
      items: ["a", "lower(b)", "c"],
      where: "a IS NOT NULL AND c > 'x'",
    });
    expect(parseCreateIndex("CREATE INDEX i ON t (a)")).toEqual({ items: ["a"], where: undefined });
  });

  it("returns a view's SELECT after the top-level AS", () => {
    expect(viewSelect(`CREATE VIEW "as" (a, b) AS SELECT x AS a, y AS b FROM t;`)).toBe("SELECT x AS a, y AS b FROM t");
  });
});
