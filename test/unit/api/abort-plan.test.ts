import { describe, expect, it } from "vitest";
import { AbortRefusedError } from "../../../src/errors.js";
import { assertMigrateUndoable, undoExpand, type AbortContext } from "../../../src/api/abort-plan.js";
import type { Op } from "../../../src/ops/op.js";

const ctx = (dialect: AbortContext["dialect"] = "postgres"): AbortContext => ({
  dialect,
  revision: "7",
  repository: "core",
  file: "migrations/007_x.sql",
});
const stmt = (sql: string, line = 1) => ({ sql, line });

describe("undoExpand", () => {
  it("drops triggers first, then the rest in reverse order of creation", () => {
    const ops: Op[] = [
      { kind: "addColumn", table: "people", column: { name: "full_name", type: "text" } },
      {
        kind: "syncColumns",
        table: "people",
        name: "people_name",
        from: ["name"],
        to: ["full_name"],
        forward: { full_name: "NEW.name" },
        backward: { name: "NEW.full_name" },
      },
      { kind: "createIndex", table: "people", name: "ix_full", columns: ["full_name"] },
      { kind: "createTable", table: "audit", columns: [{ name: "id", type: "integer" }] },
      { kind: "forbidWrites", table: "orders" },
      { kind: "addCheck", table: "people", name: "ck", expression: "1 = 1" },
      { kind: "createView", name: "v", sql: "SELECT 1" },
      { kind: "execute", sql: "SET lock_timeout = '1s'" },
    ];
    const undo = undoExpand({ ops }, ctx());
    expect(undo.ops.map((op) => `${op.kind} ${"table" in op ? op.table : ""} ${"name" in op ? op.name : ""}`.trim())).toEqual([
      "allowWrites orders",
      "dropSync people people_name",
      "dropView  v",
      "dropConstraint people ck",
      "dropTable audit",
      "dropIndex people ix_full",
      "dropColumn people",
    ]);
    expect([...undo.added.columns]).toEqual(["people.full_name"]);
    expect([...undo.added.tables]).toEqual(["audit"]);
  });

  it("reads SQL: tables, indexes, views, triggers, functions, ADD COLUMN clauses, keeping names as written", () => {
    const undo = undoExpand(
      {
        statements: [
          stmt('ALTER TABLE "People" ADD COLUMN nick varchar(20), ADD "Other" int DEFAULT 0'),
          stmt("CREATE INDEX CONCURRENTLY ix_nick ON people (nick)"),
          stmt("-- a comment first\nCREATE TABLE nicknames (id int)"),
          stmt("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"),
          stmt('CREATE TRIGGER "Nick_Tr" BEFORE INSERT ON people FOR EACH ROW EXECUTE FUNCTION f()'),
          stmt("CREATE MATERIALIZED VIEW mv AS SELECT 1"),
        ],
      },
      ctx(),
    );
    expect(undo.ops.map((op) => (op.kind === "execute" ? op.sql : op.kind))).toEqual([
      'DROP TRIGGER "Nick_Tr" ON people',
      "DROP MATERIALIZED VIEW mv",
      "DROP FUNCTION f",
      "DROP TABLE nicknames",
      "DROP INDEX ix_nick",
      'ALTER TABLE "People" DROP COLUMN "Other"',
      'ALTER TABLE "People" DROP COLUMN nick',
    ]);
    expect([...undo.added.columns].sort()).toEqual(["people.nick", "people.other"]);
  });

  it("undoes every statement of one op.execute", () => {
    const undo = undoExpand(
      { ops: [{ kind: "execute", sql: "CREATE TABLE a (x int); CREATE TABLE b (y int);" }] },
      ctx("sqlite"),
    );
    expect(undo.ops).toEqual([
      { kind: "execute", sql: "DROP TABLE b" },
      { kind: "execute", sql: "DROP TABLE a" },
    ]);
    expect(() =>
      assertMigrateUndoable(
        { calls: [{ method: "execute", args: ["UPDATE a SET x = 1; DELETE FROM people"] }] },
        undo.added,
        ctx("sqlite"),
      ),
    ).toThrow(AbortRefusedError);
  });

  it("drops indexes concurrently where the abort step runs outside a transaction (PostgreSQL)", () => {
    const content = {
      ops: [{ kind: "createIndex", table: "t", name: "ix_a", columns: ["a"], concurrently: true }] as Op[],
      statements: [stmt("CREATE INDEX CONCURRENTLY ix_b ON t (b)")],
    };
    expect(undoExpand(content, { ...ctx(), concurrentDrops: true }).ops).toEqual([
      { kind: "execute", sql: "DROP INDEX CONCURRENTLY ix_b" },
      { kind: "dropIndex", table: "t", name: "ix_a", concurrently: true },
    ]);
    expect(undoExpand(content, ctx()).ops).toEqual([
      { kind: "execute", sql: "DROP INDEX ix_b" },
      { kind: "dropIndex", table: "t", name: "ix_a" },
    ]);
  });

  it("drops a MySQL index on its table and a MySQL/SQLite trigger by name", () => {
    const undo = undoExpand(
      { statements: [stmt("CREATE INDEX ix ON t (a)"), stmt("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1")] },
      ctx("mysql"),
    );
    expect(undo.ops).toEqual([
      { kind: "execute", sql: "DROP TRIGGER tr" },
      { kind: "execute", sql: "DROP INDEX ix ON t" },
    ]);
  });

  it.each([
    ["CREATE OR REPLACE VIEW v AS SELECT 2", "may have replaced"],
    ["CREATE TABLE IF NOT EXISTS t (a int)", "IF NOT EXISTS"],
    ["ALTER TABLE t ALTER COLUMN a DROP NOT NULL", "cannot undo"],
    ["INSERT INTO t VALUES (1)", "cannot undo"],
    ["ALTER TABLE t ADD COLUMN IF NOT EXISTS b int", "IF NOT EXISTS"],
    ["CREATE INDEX IF NOT EXISTS ix ON t (a)", "IF NOT EXISTS"],
    ["CREATE OR REPLACE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", "may have replaced"],
    ["CREATE TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT 1; END", "IF NOT EXISTS"],
    ["DO $$ BEGIN EXECUTE 'CREATE TABLE x (a int)'; END $$", "cannot undo"],
  ])("refuses %s, naming file, revision and statement", (sql, why) => {
    let error: unknown;
    try {
      undoExpand({ statements: [stmt(sql)] }, ctx());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AbortRefusedError);
    expect((error as Error).message).toContain(why);
    expect((error as Error).message).toContain("migrations/007_x.sql");
    expect((error as Error).message).toContain("revision 7");
    expect((error as Error).message).toContain(sql);
    expect((error as AbortRefusedError).exitCode).toBe(1);
  });

  it("refuses ops it cannot invert", () => {
    expect(() => undoExpand({ ops: [{ kind: "alterColumn", table: "t", column: "a", nullable: true }] }, ctx())).toThrow(
      /op.alterColumn/,
    );
    expect(() => undoExpand({ ops: [{ kind: "createView", name: "v", sql: "SELECT 1", orReplace: true }] }, ctx())).toThrow(
      AbortRefusedError,
    );
  });
});

describe("assertMigrateUndoable", () => {
  const added = { tables: new Set(["nicknames"]), columns: new Set(["people.nick"]) };

  it("lets through reads and fills of what expand added", () => {
    expect(() =>
      assertMigrateUndoable(
        {
          statements: [
            stmt("UPDATE people SET nick = name WHERE nick IS NULL"),
            stmt("UPDATE nicknames SET nick = 'x'"),
            stmt("SELECT count(*) FROM people"),
          ],
          calls: [
            { method: "query", args: ["SELECT 1"] },
            { method: "backfill", args: [{ table: "people", set: { nick: "name" } }] },
            { method: "execute", args: ["UPDATE People SET Nick = name"] },
          ],
        },
        added,
        ctx(),
      ),
    ).not.toThrow();
  });

  it.each([
    [{ statements: [stmt("UPDATE people SET name = 'x'")] }, "UPDATE people SET name"],
    [{ statements: [stmt("UPDATE people SET nick = 'a', name = 'b'")] }, "UPDATE people"],
    [{ statements: [stmt("DELETE FROM people")] }, "DELETE FROM people"],
    [{ calls: [{ method: "backfill", args: [{ table: "people", set: { name: "nick" } }] }] }, "op.backfill"],
    [{ calls: [{ method: "bulkInsert", args: ["people", []] }] }, "op.bulkInsert"],
  ])("refuses a write of what the old release reads (%#)", (migrate, shown) => {
    expect(() => assertMigrateUndoable(migrate, added, ctx())).toThrow(shown);
  });
});
