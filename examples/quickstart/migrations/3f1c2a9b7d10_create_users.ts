import type { Op } from "tidemark";

export const revision = "3f1c2a9b7d10";
export const revises = null;
export const message = "create users";

export async function upgrade(op: Op) {
  await op.createTable("users", {
    id: { type: "integer", primaryKey: true, autoIncrement: true },
    email: { type: "varchar(255)", nullable: false, unique: true },
    created_at: { type: "timestamp", default: op.sql("CURRENT_TIMESTAMP") },
  });
}

export async function downgrade(op: Op) {
  await op.dropTable("users");
}
