import { describe, expect, it } from "vitest";
import { declaredSchema, mergeSchemas } from "../../../src/autogen/declared-schema.js";
import { SchemaError } from "../../../src/errors.js";

const fails = (value: unknown): string => {
  try {
    declaredSchema(value, "db/schema.js");
  } catch (error) {
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error("expected a SchemaError");
};

describe("a declared schema is checked as it loads", () => {
  it("lifts column-level keys, uniques and references to the table", () => {
    const spec = declaredSchema(
      {
        tables: {
          posts: {
            columns: {
              id: { type: "integer", primaryKey: true },
              slug: { type: "text", unique: true, nullable: false },
              user_id: { type: "integer", references: { table: "users", column: "id", onDelete: "cascade" } },
            },
          },
        },
      },
      "s",
    );
    expect(spec.tables[0]).toEqual({
      name: "posts",
      origin: "declared",
      columns: [
        { name: "id", type: "integer", nullable: false, default: undefined, autoIncrement: false },
        { name: "slug", type: "text", nullable: false, default: undefined, autoIncrement: false },
        { name: "user_id", type: "integer", nullable: true, default: undefined, autoIncrement: false },
      ],
      primaryKey: ["id"],
      indexes: [],
      uniques: [{ name: "", columns: ["slug"] }],
      foreignKeys: [
        { name: "", columns: ["user_id"], refTable: "users", refColumns: ["id"], onDelete: "cascade", onUpdate: "no action" },
      ],
      checks: [],
    });
  });

  it.each([
    [{ tabels: {} }, 'db/schema.js: the schema: unknown key "tabels" (known: tables, views).'],
    [
      { tables: { t: { columns: { a: { type: "text", nulable: true } } } } },
      'db/schema.js: tables.t.columns.a: unknown key "nulable"',
    ],
    [{ tables: { t: { columns: {} } } }, "db/schema.js: tables.t.columns: a table needs at least one column."],
    [{ tables: { t: { columns: { a: { type: "" } } } } }, 'tables.t.columns.a.type: must be a non-empty string, found "".'],
    [
      { tables: { t: { columns: { a: { type: "text" } }, indexes: [{ columns: ["b"] }] } } },
      'tables.t.indexes[0].columns: names column "b", which the table does not declare (its columns: a).',
    ],
    [{ tables: { t: { columns: { a: { type: "text" } }, primaryKey: ["a", "z"] } } }, 'tables.t.primaryKey: names column "z"'],
    [
      { tables: { t: { columns: { a: { type: "int", primaryKey: true }, b: { type: "int", primaryKey: true } } } } },
      "a composite key is declared as the table's primaryKey",
    ],
    [
      {
        tables: {
          t: { columns: { a: { type: "int" } }, foreignKeys: [{ columns: ["a"], refTable: "u", refColumns: ["x", "y"] }] },
        },
      },
      "has 1 columns but 2 refColumns",
    ],
    [
      { tables: { t: { columns: { a: { type: "int", default: {} } } } } },
      'tables.t.columns.a.default: must be a string, a finite number, a boolean, null or op.sql("…")',
    ],
    [
      {
        tables: {
          t: {
            columns: { a: { type: "int" } },
            foreignKeys: [{ columns: ["a"], refTable: "u", refColumns: ["x"], onDelete: "delete" }],
          },
        },
      },
      'onDelete: must be one of "cascade", "restrict"',
    ],
  ])("refuses %j", (value, message) => {
    expect(fails(value)).toContain(message);
  });

  it("refuses a table declared in two files of a folder, naming both", () => {
    const one = declaredSchema({ tables: { t: { columns: { a: { type: "int" } } } } }, "a.ts");
    expect(() =>
      mergeSchemas([
        { source: "schema/a.ts", schema: one },
        { source: "schema/b.ts", schema: one },
      ]),
    ).toThrow('Table "t" is declared twice: in schema/a.ts and in schema/b.ts; declare each table in one file.');
  });
});
