/** The same ops for every dialect's exact-SQL table (one name → one op). */
import type { Op } from "../../../src/ops/op.js";
import { sqlExpression } from "../../../src/ops/op.js";

export const OPS = {
  createUsers: {
    kind: "createTable",
    table: "users",
    columns: [
      { name: "id", type: "integer", primaryKey: true, autoIncrement: true },
      { name: "email", type: "varchar(255)", nullable: false, unique: true },
      { name: "created_at", type: "timestamp", default: sqlExpression("CURRENT_TIMESTAMP") },
      { name: "active", type: "boolean", nullable: false, default: true },
      { name: "note", type: "text", default: "it's" },
    ],
  },
  createComposite: {
    kind: "createTable",
    table: "memberships",
    ifNotExists: true,
    columns: [
      { name: "user_id", type: "integer" },
      { name: "org_id", type: "bigint", references: { table: "orgs", column: "id", onDelete: "cascade" } },
      { name: "role", type: "varchar(20)", default: "member" },
    ],
    primaryKey: ["user_id", "org_id"],
    uniques: [{ name: "uq_role", columns: ["org_id", "role"] }],
    checks: [{ name: "ck_role", expression: "role <> ''" }],
    foreignKeys: [{ name: "fk_user", columns: ["user_id"], refTable: "users", refColumns: ["id"], onUpdate: "cascade" }],
  },
  dropTable: { kind: "dropTable", table: "users" },
  dropTableIfExists: { kind: "dropTable", table: "users", ifExists: true },
  renameTable: { kind: "renameTable", table: "users", to: "people" },
  addColumn: {
    kind: "addColumn",
    table: "users",
    column: { name: "nickname", type: "varchar(40)", nullable: false, default: "" },
  },
  addColumnRef: {
    kind: "addColumn",
    table: "posts",
    column: { name: "user_id", type: "integer", references: { table: "users", column: "id" } },
  },
  dropColumn: { kind: "dropColumn", table: "users", column: "nickname" },
  renameColumn: { kind: "renameColumn", table: "users", column: "nickname", to: "handle" },
  createIndex: { kind: "createIndex", table: "users", name: "ix_users_email", columns: ["email", "created_at"] },
  createUniqueIndex: { kind: "createIndex", table: "users", name: "ix_u", columns: ["email"], unique: true, ifNotExists: true },
  createPartialIndex: { kind: "createIndex", table: "users", name: "ix_active", columns: ["email"], where: "active = 1" },
  createIndexConcurrently: { kind: "createIndex", table: "users", name: "ix_c", columns: ["email"], concurrently: true },
  dropIndex: { kind: "dropIndex", table: "users", name: "ix_users_email" },
  dropIndexConcurrently: { kind: "dropIndex", table: "users", name: "ix_c", concurrently: true, ifExists: true },
  addForeignKey: {
    kind: "addForeignKey",
    table: "posts",
    name: "fk_posts_user",
    columns: ["user_id"],
    refTable: "users",
    refColumns: ["id"],
    onDelete: "cascade",
  },
  addUnique: { kind: "addUnique", table: "users", name: "uq_email", columns: ["email"] },
  addCheck: { kind: "addCheck", table: "users", name: "ck_email", expression: "email LIKE '%@%'" },
  dropConstraint: { kind: "dropConstraint", table: "users", name: "uq_email" },
  createView: { kind: "createView", name: "active_users", sql: "SELECT id, email FROM users WHERE active = 1" },
  createOrReplaceView: { kind: "createView", name: "active_users", sql: "SELECT id FROM users", orReplace: true },
  dropView: { kind: "dropView", name: "active_users", ifExists: true },
  execute: { kind: "execute", sql: "UPDATE users SET note = ? WHERE id = ?", params: ["x", 1] },
  executePlain: { kind: "execute", sql: "DELETE FROM users" },
  bulkInsert: {
    kind: "bulkInsert",
    table: "users",
    rows: [{ email: "a@x", note: "a" }, { note: "b", email: "b@x" }, { email: "c@x" }],
  },
} as const satisfies Record<string, Op>;
