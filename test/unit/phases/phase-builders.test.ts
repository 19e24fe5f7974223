import { describe, expect, expectTypeOf, it } from "vitest";
import { PhaseRuleError } from "../../../src/errors.js";
import type { OpBuilder } from "../../../src/ops/builder.js";
import type { ContractOp, ExpandOp, MigrateOp } from "../../../src/phases/phase-builders.js";
import { PHASE_METHODS, assertMethodAllowed, methodAllowed, phaseMethodGuard } from "../../../src/phases/phase-builders.js";

describe("phase builders (types)", () => {
  it("leave out the methods a phase does not allow", () => {
    expectTypeOf<ExpandOp>().toHaveProperty("addColumn");
    expectTypeOf<ExpandOp>().toHaveProperty("syncColumns");
    expectTypeOf<ExpandOp>().toHaveProperty("execute");
    expectTypeOf<ExpandOp>().toHaveProperty("dialect");
    expectTypeOf<ExpandOp>().not.toHaveProperty("dropColumn");
    expectTypeOf<ExpandOp>().not.toHaveProperty("bulkInsert");
    expectTypeOf<MigrateOp>().toHaveProperty("backfill");
    expectTypeOf<MigrateOp>().not.toHaveProperty("createTable");
    expectTypeOf<ContractOp>().toHaveProperty("dropSync");
    expectTypeOf<ContractOp>().not.toHaveProperty("createTable");
    expectTypeOf<ContractOp>().not.toHaveProperty("backfill");
    const refuse = (op: ExpandOp): void => {
      // @ts-expect-error dropColumn is a contract operation
      void op.dropColumn("users", "email");
    };
    expect(typeof refuse).toBe("function");
    // The full builder is assignable to every phase builder.
    expectTypeOf<OpBuilder>().toExtend<ExpandOp>();
  });
});

describe("phase builders (runtime, for JavaScript scripts)", () => {
  it("allow per phase", () => {
    expect(methodAllowed("expand", "createTable")).toBe(true);
    expect(methodAllowed("expand", "dropTable")).toBe(false);
    expect(methodAllowed("migrate", "backfill")).toBe(true);
    expect(methodAllowed("migrate", "addColumn")).toBe(false);
    expect(methodAllowed("contract", "alterColumn")).toBe(true);
    expect(PHASE_METHODS.contract).toContain("execute");
  });

  it("refuse a method with a message naming file, revision, phase and where it belongs", () => {
    const ctx = { file: "migrations/005_x.js", revision: "5" };
    expect(() => assertMethodAllowed("expand", "createTable", ctx)).not.toThrow();
    let error: unknown;
    try {
      phaseMethodGuard("expand", ctx)("dropColumn");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PhaseRuleError);
    expect((error as PhaseRuleError).message).toBe(
      "migrations/005_x.js (revision 5, expand phase): `op.dropColumn(…)` breaks a phase rule: op.dropColumn is not available in expand: " +
        "expand may only make additive schema changes; op.dropColumn belongs in the contract phase.",
    );
    expect(() => assertMethodAllowed("contract", "createTable", ctx)).toThrow(/op\.createTable belongs in the expand phase/);
    expect(() => assertMethodAllowed("migrate", "addUnique", ctx)).toThrow(
      /op\.addUnique belongs in the expand or contract phase/,
    );
  });
});
