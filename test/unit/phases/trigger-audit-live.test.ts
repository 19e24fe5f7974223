import { beforeAll, describe, expect, it } from "vitest";
import { PhaseRuleError } from "../../../src/errors.js";
import { loadSqlClassifier } from "../../../src/phases/sql-classifier.js";
import { permanentTriggerMarks, triggersCreatedByExpand, triggersLeftByContract } from "../../../src/phases/trigger-audit.js";
import { auditLiveTriggers, triggersStillThere } from "../../../src/phases/trigger-audit-live.js";

beforeAll(async () => {
  await loadSqlClassifier("postgres");
  await loadSqlClassifier("mysql");
  await loadSqlClassifier("sqlite");
});

const stmt = (sql: string, line = 1) => ({ sql, line });

describe("names compare as the database compares them", () => {
  it('keeps "Roll_Tr" apart from roll_tr on PostgreSQL and MySQL, not on SQLite', () => {
    const pgLeft = triggersLeftByContract(
      { statements: [stmt('CREATE TRIGGER "Roll_Tr" BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION f()')] },
      { statements: [stmt("DROP TRIGGER IF EXISTS roll_tr ON people")] },
      "postgres",
    );
    expect(pgLeft.map((t) => t.name)).toEqual(["Roll_Tr"]);
    const mysqlLeft = triggersLeftByContract(
      { statements: [stmt("CREATE TRIGGER `Roll_Tr` BEFORE INSERT ON people FOR EACH ROW SET NEW.a = 1")] },
      { statements: [stmt("DROP TRIGGER IF EXISTS roll_tr")] },
      "mysql",
    );
    expect(mysqlLeft.map((t) => t.name)).toEqual(["Roll_Tr"]);
    const sqliteLeft = triggersLeftByContract(
      { statements: [stmt('CREATE TRIGGER "Roll_Tr" AFTER INSERT ON people BEGIN SELECT 1; END')] },
      { statements: [stmt("DROP TRIGGER IF EXISTS roll_tr")] },
      "sqlite",
    );
    expect(sqliteLeft).toEqual([]);
  });

  it("counts a view's triggers as gone with the view (SQL and op)", () => {
    const expand = {
      statements: [
        stmt("CREATE VIEW v AS SELECT 1 AS a"),
        stmt("CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN SELECT 1; END"),
      ],
    };
    expect(triggersCreatedByExpand(expand, "sqlite").map((t) => t.name)).toEqual(["v_ins"]);
    expect(triggersLeftByContract(expand, { statements: [stmt("DROP VIEW v")] }, "sqlite")).toEqual([]);
    expect(triggersLeftByContract(expand, { statements: [stmt("DROP VIEW IF EXISTS main.v")] }, "sqlite")).toEqual([]);
    expect(triggersLeftByContract(expand, { ops: [{ kind: "dropView", name: "v" }] }, "sqlite")).toEqual([]);
    expect(triggersLeftByContract(expand, { statements: [stmt("DROP VIEW other")] }, "sqlite")).toHaveLength(1);
  });

  it("sees an expand trigger the contract drops and creates again", () => {
    const expand = { statements: [stmt("CREATE TRIGGER copy_tr AFTER INSERT ON t BEGIN SELECT 1; END")] };
    const contract = {
      statements: [stmt("DROP TRIGGER copy_tr"), stmt("CREATE TRIGGER copy_tr AFTER INSERT ON t BEGIN SELECT 2; END")],
    };
    expect(triggersLeftByContract(expand, contract, "mysql").map((t) => t.name)).toEqual(["copy_tr"]);
  });

  it("lets a trigger declared permanent stay", () => {
    const expand = { statements: [stmt("CREATE TRIGGER audit_tr AFTER INSERT ON t BEGIN SELECT 1; END")] };
    expect(triggersLeftByContract(expand, {}, "sqlite", ["AUDIT_TR"])).toEqual([]);
    expect(triggersLeftByContract(expand, {}, "sqlite", ["other"])).toHaveLength(1);
  });
});

describe("permanentTriggerMarks", () => {
  it("reads SQL and script comments, quoted names keep their case", () => {
    const text = [
      "-- tidemark:permanent-trigger audit_tr",
      '// tidemark:permanent-trigger "Audit_Two"',
      'await op.execute("/* tidemark:permanent-trigger audit_three */ CREATE TRIGGER …");',
      "-- tidemark:permanent-trigger",
    ].join("\n");
    expect(permanentTriggerMarks(text)).toEqual(["audit_tr", "Audit_Two", "audit_three"]);
  });
});

describe("the audit of the live triggers", () => {
  const created = [{ name: "Roll_Tr", table: "people", createdBy: "CREATE TRIGGER", remedy: "DROP TRIGGER Roll_Tr ON people" }];

  it("finds named triggers still there, and triggers of the expand step's transaction", () => {
    const existing = [
      { name: "Roll_Tr", table: "people", transaction: "100" },
      { name: "dyn_tr", table: "people", transaction: "200" },
      { name: "other_window", table: "orders", transaction: "300" },
    ];
    const left = triggersStillThere({ created, existing, foldCase: false, expandTransaction: "200" });
    expect(left.map((t) => `${t.name} ${t.remedy}`)).toEqual([
      "Roll_Tr DROP TRIGGER Roll_Tr ON people",
      "dyn_tr DROP TRIGGER dyn_tr ON people",
    ]);
    expect(triggersStillThere({ created, existing, foldCase: false }, ["dyn_tr", "Roll_Tr"])).toEqual([]);
    expect(triggersStillThere({ created, existing: [{ name: "roll_tr", table: "people" }], foldCase: false })).toEqual([]);
    expect(triggersStillThere({ created, existing: [{ name: "roll_tr", table: "people" }], foldCase: true })).toHaveLength(1);
    expect(triggersStillThere({ created, existing: [{ name: "Roll_Tr", table: "elsewhere" }], foldCase: false })).toEqual([]);
  });

  it("refuses with a PhaseRuleError naming trigger, table, revision and file", () => {
    const ctx = { dialect: "postgres" as const, revision: "2", file: "migrations/002_roll.sql" };
    expect(() => auditLiveTriggers({ created, existing: [], foldCase: false }, ctx)).not.toThrow();
    let error: unknown;
    try {
      auditLiveTriggers({ created, existing: [{ name: "Roll_Tr", table: "people" }], foldCase: false }, ctx);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PhaseRuleError);
    expect((error as PhaseRuleError).exitCode).toBe(1);
    expect((error as Error).message).toContain("migrations/002_roll.sql (revision 2, contract phase)");
    expect((error as Error).message).toContain("trigger Roll_Tr on people still exists in the database");
  });
});
