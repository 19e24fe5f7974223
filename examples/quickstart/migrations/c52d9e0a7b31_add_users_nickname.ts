import type { Op } from "tidemark";

export const revision = "c52d9e0a7b31";
export const revises = "8a4e6b2c1f05";
export const message = "add users.nickname";

export async function upgrade(op: Op) {
  await op.addColumn("users", "nickname", { type: "varchar(64)" });
  await op.bulkInsert("users", [{ email: "ada@example.com", nickname: "ada" }]);
}

export async function downgrade(op: Op) {
  await op.execute("DELETE FROM users WHERE email = ?", ["ada@example.com"]);
  await op.dropColumn("users", "nickname");
}
