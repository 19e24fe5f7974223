import { beforeAll, describe, expect, it } from "vitest";
import { PhaseRuleError } from "../../../src/errors.js";
import type { Op } from "../../../src/ops/op.js";
import { loadSqlClassifier } from "../../../src/phases/sql-classifier.js";
import { checkContractTriggers, guardContractTriggers, triggersLeftByContract } from "../../../src/phases/trigger-audit.js";
import { TRIGGER_NAME_LIMIT, boundedName, forbidTriggerNames, syncTriggerNames } from "../../../src/ops/naming.js";

beforeAll(async () => {
  await loadSqlClassifier("postgres");
});

describe("trigger names", () => {
  it("are deterministic, lower case and prefixed", () => {
    expect(syncTriggerNames({ table: "users", name: "users_first_last_full" })).toEqual({
      insert: "tidemark_sync_users_first_last_full_ins",
      update: "tidemark_sync_users_first_last_full_upd",
      function: "tidemark_sync_users_first_last_full_fn",
    });
    expect(forbidTriggerNames("App.Users")).toEqual({
      insert: "tidemark_forbid_app_users_ins",
      update: "tidemark_forbid_app_users_upd",
      delete: "tidemark_forbid_app_users_del",
      function: "tidemark_forbid_app_users_fn",
    });
  });

  it("stay within 63 bytes, keep their suffix and differ when long names differ", () => {
    const long = "a_very_long_table_name_that_goes_on_and_on_and_on_forever";
    const a = forbidTriggerNames(`${long}_1`);
    const b = forbidTriggerNames(`${long}_2`);
    for (const name of [...Object.values(a), ...Object.values(b)]) expect(name.length).toBeLessThanOrEqual(TRIGGER_NAME_LIMIT);
    expect(a.insert).toMatch(/^tidemark_forbid_a_very_long_table_name_that_goes_o_[0-9a-f]{8}_ins$/);
    expect(a.insert).not.toBe(b.insert);
    expect(forbidTriggerNames(`${long}_1`)).toEqual(a);
    expect(boundedName("p_", "x".repeat(57), "ins")).toBe(`p_${"x".repeat(57)}_ins`);
    expect(boundedName("p_", "x".repeat(58), "ins")).toMatch(/^p_x{48}_[0-9a-f]{8}_ins$/);
  });
});

describe("triggersLeftByContract", () => {
  const sync: Op = {
    kind: "syncColumns",
    table: "users",
    name: "users_name",
    from: ["name"],
    to: ["full_name"],
    forward: { full_name: "NEW.name" },
    backward: { name: "NEW.full_name" },
  };

  it("is empty when contract drops what expand created", () => {
    expect(
      triggersLeftByContract(
        { ops: [sync, { kind: "forbidWrites", table: "orders" }] },
        {
          ops: [
            { kind: "dropSync", table: "users", name: "users_name" },
            { kind: "allowWrites", table: "orders" },
          ],
        },
        "sqlite",
      ),
    ).toEqual([]);
  });

  it("lists op and raw SQL triggers left behind, with a remedy", () => {
    const left = triggersLeftByContract(
      {
        ops: [
          sync,
          {
            kind: "execute",
            sql: "CREATE TRIGGER audit_ins AFTER INSERT ON orders BEGIN INSERT INTO audit VALUES (NEW.id); END",
          },
        ],
        statements: [{ sql: "CREATE TRIGGER keep AFTER UPDATE ON t BEGIN SELECT 1; END", line: 3 }],
      },
      { statements: [{ sql: "DROP TRIGGER keep", line: 1 }] },
      "sqlite",
    );
    expect(left.map((t) => [t.name, t.table, t.remedy])).toEqual([
      ["tidemark_sync_users_name_ins", "users", 'op.dropSync({ table: "users", name: "users_name" })'],
      ["tidemark_sync_users_name_upd", "users", 'op.dropSync({ table: "users", name: "users_name" })'],
      ["audit_ins", "orders", "DROP TRIGGER audit_ins"],
    ]);
  });

  it("counts a dropped table as dropping its triggers, and ignores triggers dropped within expand", () => {
    expect(
      triggersLeftByContract(
        {
          statements: [
            { sql: "CREATE TRIGGER a BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()" },
            { sql: "CREATE TRIGGER tmp BEFORE INSERT ON u FOR EACH ROW EXECUTE FUNCTION f(); DROP TRIGGER tmp ON u" },
          ],
        },
        { statements: [{ sql: "DROP TABLE public.t" }] },
        "postgres",
      ),
    ).toEqual([]);
  });

  it("matches PostgreSQL trigger drops by table too", () => {
    const left = triggersLeftByContract(
      { statements: [{ sql: "CREATE TRIGGER a BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()" }] },
      { statements: [{ sql: "DROP TRIGGER a ON other" }] },
      "postgres",
    );
    expect(left.map((t) => t.remedy)).toEqual(["DROP TRIGGER a ON t"]);
  });

  it("reports and guards with a message naming the trigger and the fix", () => {
    const ctx = { dialect: "mysql" as const, revision: "4", file: "contract_repo/versions/004_contract_split.ts" };
    const [violation] = checkContractTriggers({ ops: [{ kind: "forbidWrites", table: "orders" }] }, {}, ctx);
    expect(violation?.message).toBe(
      'contract_repo/versions/004_contract_split.ts (revision 4, contract phase): `op.forbidWrites("orders")` breaks a phase rule: ' +
        "every trigger an expand step creates must be dropped by the matching contract step, but trigger tidemark_forbid_orders_ins on orders " +
        'is still there after contract; add `op.allowWrites("orders")` to the contract step.',
    );
    expect(() => guardContractTriggers({ ops: [{ kind: "forbidWrites", table: "orders" }] }, {}, ctx)).toThrow(PhaseRuleError);
    expect(() =>
      guardContractTriggers(
        { ops: [{ kind: "forbidWrites", table: "orders" }] },
        { ops: [{ kind: "dropTable", table: "orders" }] },
        ctx,
      ),
    ).not.toThrow();
  });
});
