import { describe, expect, it } from "vitest";
import { sqlExpression, type Op } from "../../../src/ops/op.js";
import { compareSchemas } from "../../../src/autogen/compare.js";
import { declaredSchema } from "../../../src/autogen/declared-schema.js";
import { postgresNormalizer as pg } from "../../../src/autogen/normalize-postgres.js";
import { rollingBodies } from "../../../src/autogen/rolling.js";
import type { SchemaSpec } from "../../../src/autogen/schema-spec.js";
import type { ScriptStep } from "../../../src/autogen/script-steps.js";
import { isAllowed } from "../../../src/phases/rules.js";
import { categorize } from "../../../src/phases/category.js";
import type { Phase } from "../../../src/graph/revision.js";
import type { Dialect } from "../../../src/dialects/dialect.js";

const live: SchemaSpec = {
  tables: [
    {
      name: "users",
      origin: "database",
      columns: [
        { name: "id", type: "integer", nullable: false, default: undefined, autoIncrement: false },
        { name: "age", type: "integer", nullable: false, default: sqlExpression("0"), autoIncrement: false },
        { name: "note", type: "text", nullable: true, default: undefined, autoIncrement: false },
      ],
      primaryKey: ["id"],
      indexes: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
    },
  ],
  views: [{ name: "v", sql: "SELECT id FROM users" }],
};

const ops = (steps: readonly ScriptStep[] | undefined): Op[] =>
  (steps ?? []).flatMap((step) => (step.kind === "op" ? [step.op] : []));

function arrange(schema: unknown) {
  const declared = declaredSchema(schema, "s");
  const { changes } = compareSchemas(declared, live, pg, { copyRenamedColumns: true });
  return rollingBodies(changes, declared, [], { compiler: { quoteIdentifier: (n: string) => `"${n}"` } as Dialect["compiler"] });
}

describe("rolling placement", () => {
  const bodies = arrange({
    tables: {
      people: {
        renamedFrom: "users",
        columns: {
          id: { type: "integer", primaryKey: true },
          age: { type: "bigint", nullable: true, default: 1 },
          note: { type: "text", nullable: false },
          status: { type: "text", nullable: false },
          team: { type: "integer" },
        },
        checks: [{ expression: "age > 0" }, { expression: "team > 0" }],
        foreignKeys: [{ columns: ["team"], refTable: "people", refColumns: ["id"] }],
      },
    },
    views: { v: "SELECT id, age FROM people" },
  });

  it("puts every op in a phase that allows it", () => {
    for (const phase of ["expand", "migrate", "contract"] as Phase[]) {
      for (const op of ops(bodies[phase])) {
        for (const category of categorize(op, "postgres"))
          expect([phase, op.kind, isAllowed(phase, category)]).toEqual([phase, op.kind, true]);
      }
    }
  });

  it("relaxes in expand and tightens in contract; a renamed table keeps its old name until contract renames it", () => {
    expect(ops(bodies.expand)).toEqual([
      { kind: "addColumn", table: "users", column: { name: "status", type: "text" } },
      { kind: "addColumn", table: "users", column: { name: "team", type: "integer" } },
      { kind: "alterColumn", table: "users", column: "age", nullable: true, default: 1 },
      {
        kind: "addForeignKey",
        table: "users",
        name: "fk_people_team_people",
        columns: ["team"],
        refTable: "users",
        refColumns: ["id"],
      },
    ]);
    expect(ops(bodies.contract)).toEqual([
      { kind: "renameTable", table: "users", to: "people" },
      { kind: "alterColumn", table: "people", column: "status", nullable: false },
      { kind: "alterColumn", table: "people", column: "age", type: "bigint" },
      { kind: "alterColumn", table: "people", column: "note", nullable: false },
      { kind: "addCheck", table: "people", name: expect.stringMatching(/^ck_people_/), expression: "age > 0" },
      // A CHECK may reject the old release's writes, and a view replaced in place changes what it reads: contract.
      { kind: "addCheck", table: "people", name: expect.stringMatching(/^ck_people_/), expression: "team > 0" },
      { kind: "createView", name: "v", sql: "SELECT id, age FROM people", orReplace: true },
    ]);
    expect(bodies.migrate).toEqual([
      {
        kind: "comment",
        text: "TODO: fill users.status in the rows that exist (e.g. op.backfill) before contract makes it NOT NULL",
      },
    ]);
  });
});
