/**
 * Typed phase builders: `npm run typecheck` compiles this file, and every
 * `@ts-expect-error` line must really be an error — if a phase ever gained
 * a method it must not have, the unused directive fails the build.
 */
import { describe, expect, it } from "vitest";
import type { ContractOp, ExpandOp, MigrateOp } from "../../src/index.js";

export async function expand(op: ExpandOp): Promise<void> {
  await op.addColumn("users", "full_name", { type: "text" });
  await op.syncColumns({ table: "users", from: "name", to: "full_name", forward: "NEW.name", backward: "NEW.full_name" });
  // @ts-expect-error expand may not drop a column
  await op.dropColumn("users", "name");
  // @ts-expect-error expand may not change data
  await op.bulkInsert("users", [{ name: "x" }]);
}

export async function migrate(op: MigrateOp): Promise<void> {
  await op.backfill({ table: "users", set: { full_name: "name" } });
  // @ts-expect-error migrate may not change the schema
  await op.addColumn("users", "x", { type: "text" });
}

export async function contract(op: ContractOp): Promise<void> {
  await op.dropSync({ table: "users", from: "name", to: "full_name" });
  await op.dropColumn("users", "name");
  // @ts-expect-error contract may not create tables
  await op.createTable("t", { id: { type: "integer" } });
}

describe("typed phase builders", () => {
  it("are checked by the type-check of the test suite (see the @ts-expect-error lines)", () => {
    expect([expand, migrate, contract].map((body) => body.name)).toEqual(["expand", "migrate", "contract"]);
  });
});
