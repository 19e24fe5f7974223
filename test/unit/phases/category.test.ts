import { describe, expect, it } from "vitest";
import type { Op } from "../../../src/ops/op.js";
import { sqlExpression } from "../../../src/ops/op.js";
import { categorize, categorizeDetailed, describeOpCall, OP_CATEGORY_RULES } from "../../../src/phases/category.js";

const col = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: "integer", ...extra });

describe("categorize(op)", () => {
  const table: readonly (readonly [string, Op, readonly string[]])[] = [
    [
      "createTable",
      { kind: "createTable", table: "t", columns: [col("id", { nullable: false, primaryKey: true })] },
      ["additive"],
    ],
    ["dropTable", { kind: "dropTable", table: "t" }, ["contractive"]],
    ["renameTable", { kind: "renameTable", table: "t", to: "u" }, ["contractive"]],
    ["addColumn nullable", { kind: "addColumn", table: "t", column: col("c") }, ["additive"]],
    [
      "addColumn NOT NULL with default",
      { kind: "addColumn", table: "t", column: col("c", { nullable: false, default: 0 }) },
      ["additive"],
    ],
    [
      "addColumn NOT NULL with sql default",
      { kind: "addColumn", table: "t", column: col("c", { nullable: false, default: sqlExpression("now()") }) },
      ["additive"],
    ],
    ["addColumn NOT NULL no default", { kind: "addColumn", table: "t", column: col("c", { nullable: false }) }, ["breaking"]],
    [
      "addColumn NOT NULL default null",
      { kind: "addColumn", table: "t", column: col("c", { nullable: false, default: null }) },
      ["breaking"],
    ],
    ["addColumn primary key", { kind: "addColumn", table: "t", column: col("c", { primaryKey: true }) }, ["breaking"]],
    [
      "addColumn autoincrement key",
      { kind: "addColumn", table: "t", column: col("c", { primaryKey: true, autoIncrement: true }) },
      ["additive"],
    ],
    ["dropColumn", { kind: "dropColumn", table: "t", column: "c" }, ["contractive"]],
    ["alterColumn nullable false", { kind: "alterColumn", table: "t", column: "c", nullable: false }, ["contractive"]],
    ["alterColumn nullable true", { kind: "alterColumn", table: "t", column: "c", nullable: true }, ["additive"]],
    ["alterColumn default", { kind: "alterColumn", table: "t", column: "c", default: "x" }, ["additive"]],
    ["alterColumn drop default", { kind: "alterColumn", table: "t", column: "c", default: null }, ["contractive"]],
    ["alterColumn type", { kind: "alterColumn", table: "t", column: "c", type: "bigint" }, ["contractive"]],
    [
      "alterColumn relax + type",
      { kind: "alterColumn", table: "t", column: "c", type: "bigint", nullable: true },
      ["contractive", "additive"],
    ],
    ["renameColumn", { kind: "renameColumn", table: "t", column: "c", to: "d" }, ["contractive"]],
    ["createIndex", { kind: "createIndex", table: "t", name: "ix", columns: ["c"] }, ["additive"]],
    ["createIndex unique", { kind: "createIndex", table: "t", name: "ix", columns: ["c"], unique: true }, ["constraint"]],
    ["dropIndex", { kind: "dropIndex", table: "t", name: "ix" }, ["contractive"]],
    [
      "addForeignKey",
      { kind: "addForeignKey", table: "t", name: "fk", columns: ["a"], refTable: "u", refColumns: ["id"] },
      ["constraint"],
    ],
    ["addUnique", { kind: "addUnique", table: "t", name: "uq", columns: ["a"] }, ["constraint"]],
    ["addCheck", { kind: "addCheck", table: "t", name: "ck", expression: "a > 0" }, ["contractive"]],
    ["dropConstraint", { kind: "dropConstraint", table: "t", name: "fk" }, ["contractive"]],
    ["createView", { kind: "createView", name: "v", sql: "SELECT 1" }, ["additive"]],
    ["dropView", { kind: "dropView", name: "v" }, ["contractive"]],
    ["bulkInsert", { kind: "bulkInsert", table: "t", rows: [{ a: 1 }] }, ["data"]],
    [
      "syncColumns",
      { kind: "syncColumns", table: "t", name: "n", from: ["a"], to: ["b"], forward: { b: "NEW.a" }, backward: { a: "NEW.b" } },
      ["additive"],
    ],
    ["dropSync", { kind: "dropSync", table: "t", name: "n" }, ["contractive"]],
    ["forbidWrites", { kind: "forbidWrites", table: "t" }, ["additive"]],
    ["allowWrites", { kind: "allowWrites", table: "t" }, ["contractive"]],
    [
      "execute mixed",
      { kind: "execute", sql: "ALTER TABLE t ADD COLUMN a int, DROP COLUMN b; UPDATE t SET a = 1; UPDATE t SET a = 2" },
      ["additive", "contractive", "data"],
    ],
  ];
  it.each(table)("%s", (_name, op, expected) => {
    expect(categorize(op, "mysql")).toEqual(expected);
  });

  it("has a rule for every op kind", () => {
    expect(Object.keys(OP_CATEGORY_RULES).sort()).toEqual([
      "addCheck",
      "addColumn",
      "addForeignKey",
      "addUnique",
      "aliasTable",
      "allowWrites",
      "alterColumn",
      "bulkInsert",
      "createIndex",
      "createTable",
      "createView",
      "dropColumn",
      "dropConstraint",
      "dropIndex",
      "dropSync",
      "dropTable",
      "dropView",
      "execute",
      "forbidWrites",
      "renameColumn",
      "renameTable",
      "setNotNull",
      "swapColumn",
      "syncColumns",
      "validateConstraint",
    ]);
  });

  it("describes the op call and its change", () => {
    const op: Op = { kind: "alterColumn", table: "users", column: "email", nullable: false };
    expect(describeOpCall(op)).toBe('op.alterColumn("users", "email", { nullable: false })');
    expect(categorizeDetailed(op, "sqlite")).toEqual([
      {
        category: "contractive",
        what: "ALTER COLUMN users.email SET NOT NULL",
        effect: "makes the old release's writes that leave email empty fail",
        statement: 'op.alterColumn("users", "email", { nullable: false })',
      },
    ]);
    expect(
      describeOpCall({ kind: "addColumn", table: "t", column: col("c", { nullable: false, default: sqlExpression("now()") }) }),
    ).toBe('op.addColumn("t", "c", { type: "integer", nullable: false, default: op.sql("now()") })');
  });

  it("knows the triggers of syncColumns, forbidWrites and their removal", () => {
    const [sync] = categorizeDetailed(
      { kind: "syncColumns", table: "t", name: "t_a_b", from: ["a"], to: ["b"], forward: {}, backward: {} },
      "sqlite",
    );
    expect(sync?.triggers).toEqual({
      created: [
        { name: "tidemark_sync_t_a_b_ins", table: "t" },
        { name: "tidemark_sync_t_a_b_upd", table: "t" },
      ],
    });
    const [allow] = categorizeDetailed({ kind: "allowWrites", table: "t" }, "sqlite");
    expect(allow?.triggers?.dropped?.map((d) => d.name)).toEqual([
      "tidemark_forbid_t_ins",
      "tidemark_forbid_t_upd",
      "tidemark_forbid_t_del",
    ]);
  });
});
