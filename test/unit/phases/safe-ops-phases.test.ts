/**
 * Where issue 13's safe-sequence ops belong: each is classified by its kind
 * (never by the SQL it compiles to), allowed in its phase and refused with a
 * PhaseRuleError elsewhere; and the rolling defaults (online index builds,
 * steps outside a transaction on PostgreSQL) are filled in by kind.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Dialect } from "../../../src/dialects/dialect.js";
import { loadDialect } from "../../../src/dialects/registry.js";
import { PhaseRuleError } from "../../../src/errors.js";
import type { Op } from "../../../src/ops/op.js";
import { guardOps } from "../../../src/phases/guard.js";
import type { ContractOp, ExpandOp, MigrateOp } from "../../../src/phases/phase-builders.js";
import { methodAllowed } from "../../../src/phases/phase-builders.js";
import { onlineOp, withOnlineDefaults } from "../../../src/runtime/online-defaults.js";
import type { PlannedStep } from "../../../src/runtime/planned-step.js";

const ctx = { dialect: "postgres", file: "migrations/002_x.mjs", revision: "2" } as const;

const alias: Op = { kind: "aliasTable", table: "people", alias: "persons" };
const swapTable: Op = { kind: "renameTable", table: "people", to: "persons", overAlias: true };
const validate: Op = { kind: "validateConstraint", table: "people", name: "fk" };
const notNull: Op = { kind: "setNotNull", table: "people", column: "note" };
const swapColumn: Op = { kind: "swapColumn", table: "people", column: "score", replacement: "score_tidemark_new", sync: "s" };

describe("safe-sequence ops and the phase rules", () => {
  it("are methods of the phases they belong to, and only those", () => {
    expectTypeOf<ExpandOp>().toHaveProperty("aliasTable");
    expectTypeOf<ExpandOp>().toHaveProperty("changeType");
    expectTypeOf<ExpandOp>().not.toHaveProperty("setNotNull");
    expectTypeOf<MigrateOp>().toHaveProperty("validateConstraint");
    expectTypeOf<MigrateOp>().toHaveProperty("backfillTypeChange");
    expectTypeOf<ContractOp>().toHaveProperty("setNotNull");
    expectTypeOf<ContractOp>().toHaveProperty("finishTypeChange");
    expectTypeOf<ContractOp>().not.toHaveProperty("aliasTable");
    expect(methodAllowed("contract", "aliasTable")).toBe(false);
    expect(methodAllowed("expand", "finishTypeChange")).toBe(false);
  });

  it("pass in their phase", () => {
    expect(() => guardOps([alias], "expand", ctx)).not.toThrow();
    expect(() => guardOps([validate], "migrate", ctx)).not.toThrow();
    expect(() => guardOps([swapTable, notNull, swapColumn], "contract", ctx)).not.toThrow();
  });

  it("are refused elsewhere, naming file, revision and the op", () => {
    for (const [op, phase] of [
      [notNull, "expand"],
      [swapColumn, "expand"],
      [swapTable, "expand"],
      [alias, "migrate"],
    ] as const) {
      let error: unknown;
      try {
        guardOps([op], phase, ctx);
      } catch (caught) {
        error = caught;
      }
      expect(error, `${op.kind} in ${phase}`).toBeInstanceOf(PhaseRuleError);
      expect((error as Error).message).toContain("migrations/002_x.mjs");
      expect((error as Error).message).toContain("revision 2");
      expect((error as Error).message).toMatch(/op\.(setNotNull|finishTypeChange|renameTable|aliasTable)\(/);
    }
  });
});

describe("rolling defaults", () => {
  const step = { revision: { id: "2", transactional: true } } as unknown as PlannedStep;
  const index: Op = { kind: "createIndex", table: "people", name: "ix", columns: ["name"] };

  it("build indexes online unless the script says concurrently: false", () => {
    expect(onlineOp(index)).toEqual({ ...index, concurrently: true });
    expect(onlineOp({ ...index, concurrently: false })).toEqual({ ...index, concurrently: false });
    expect(onlineOp(alias)).toBe(alias);
  });

  it("take a PostgreSQL step with an online index build or setNotNull out of its transaction, and only those", async () => {
    const pg: Dialect = await loadDialect("postgres");
    const mysql: Dialect = await loadDialect("mysql");
    const transactional = async (dialect: Dialect, content: Parameters<typeof withOnlineDefaults>[1]) =>
      (await withOnlineDefaults(step, content, dialect)).revision.transactional;
    expect(await transactional(pg, { ops: [index] })).toBe(false);
    expect(await transactional(pg, { ops: [notNull] })).toBe(false);
    expect(await transactional(pg, { ops: [{ ...index, concurrently: false }, alias] })).toBe(true);
    expect(await transactional(pg, { statements: [{ sql: "CREATE INDEX CONCURRENTLY ix ON people (name)" }] })).toBe(false);
    expect(await transactional(pg, { statements: [{ sql: "CREATE INDEX ix ON people (name)" }] })).toBe(true);
    // MySQL's DDL commits by itself anyway: nothing to change.
    expect(await transactional(mysql, { ops: [index] })).toBe(true);
  });
});
