/**
 * `defineSchema` is typed: `npm run typecheck` compiles this file, and every
 * `@ts-expect-error` line must really be an error. One mistake per call:
 * TypeScript reports the first excess key of a literal only.
 */
import { describe, expect, it } from "vitest";
import { defineSchema } from "../../src/index.js";

export const schema = defineSchema({
  tables: {
    users: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        email: { type: "varchar(255)", nullable: false },
        handle: { type: "text", renamedFrom: "nickname", default: "" },
      },
      indexes: [{ columns: ["email"], unique: true, where: "email IS NOT NULL" }],
      checks: [{ expression: "length(email) > 3" }],
    },
    posts: {
      renamedFrom: "post",
      columns: {
        id: { type: "integer", primaryKey: true },
        user_id: { type: "integer", references: { table: "users", column: "id", onDelete: "cascade" } },
      },
      foreignKeys: [{ columns: ["user_id"], refTable: "users", refColumns: ["id"], onDelete: "set null" }],
    },
  },
  views: { active_users: "SELECT id, email FROM users" },
});

export const misspeltColumnKey = defineSchema({
  // @ts-expect-error a misspelt column key
  tables: { users: { columns: { handle: { type: "text", renamedFom: "nickname" } } } },
});

export const misspeltTableKey = defineSchema({
  // @ts-expect-error a misspelt table key
  tables: { users: { columns: { id: { type: "integer" } }, foreignKey: [] } },
});

export const badAction = defineSchema({
  tables: {
    posts: {
      columns: { u: { type: "integer" } },
      // @ts-expect-error an action that does not exist
      foreignKeys: [{ columns: ["u"], refTable: "users", refColumns: ["id"], onDelete: "delete" }],
    },
  },
});

export const missingType = defineSchema({
  // @ts-expect-error every column needs a type
  tables: { users: { columns: { id: { nullable: false } } } },
});

describe("defineSchema", () => {
  it("returns the schema unchanged", () => {
    const value = { tables: {} };
    expect(defineSchema(value)).toBe(value);
  });
});
