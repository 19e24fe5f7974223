import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { sqliteCompiler } from "../../../src/dialects/sqlite/sqlite-compiler.js";
import { categorizeDetailed } from "../../../src/phases/category.js";
import type { Op, SyncColumns } from "../../../src/ops/op.js";
import { syncTriggerNames } from "../../../src/ops/naming.js";

const sql = (op: Op): string[] => sqliteCompiler.compile(op, {}).map((s) => s.sql);

const RENAME: SyncColumns = {
  kind: "syncColumns",
  table: "users",
  name: "users_name",
  from: ["name"],
  to: ["full_name"],
  forward: { full_name: "NEW.name" },
  backward: { name: "NEW.full_name" },
};

describe("SQLite trigger ops: exact SQL", () => {
  it("syncColumns: AFTER INSERT / AFTER UPDATE OF triggers that fix the row up by rowid", () => {
    expect(sql(RENAME)).toEqual([
      '/* tidemark: syncColumns needs a rowid table, not WITHOUT ROWID */ SELECT rowid FROM "users" LIMIT 0',
      'CREATE TRIGGER "tidemark_sync_users_name_ins" AFTER INSERT ON "users" FOR EACH ROW\n' +
        "BEGIN\n" +
        '  UPDATE "users" SET "full_name" = (NEW.name) WHERE rowid = NEW.rowid AND NEW."full_name" IS NULL AND NEW."name" IS NOT NULL;\n' +
        '  UPDATE "users" SET "name" = (NEW.full_name) WHERE rowid = NEW.rowid AND NEW."name" IS NULL AND NEW."full_name" IS NOT NULL;\n' +
        "END",
      'CREATE TRIGGER "tidemark_sync_users_name_upd" AFTER UPDATE OF "name", "full_name" ON "users" FOR EACH ROW\n' +
        "BEGIN\n" +
        '  UPDATE "users" SET "name" = (NEW.full_name) WHERE rowid = NEW.rowid AND NEW."full_name" IS NOT OLD."full_name" ' +
        'AND NEW."full_name" IS NOT (NEW.name);\n' +
        '  UPDATE "users" SET "full_name" = (NEW.name) WHERE rowid = NEW.rowid AND NEW."name" IS NOT OLD."name" ' +
        'AND NEW."name" IS NOT (NEW.full_name) AND NOT (NEW."full_name" IS NOT OLD."full_name" AND NEW."full_name" IS NOT (NEW.name));\n' +
        "END",
    ]);
  });

  it("syncColumns with several new columns: OR-ed conditions, one SET per side", () => {
    const [, insert, update] = sql({
      kind: "syncColumns",
      table: "people",
      name: "split",
      from: ["name"],
      to: ["first", "last"],
      forward: { first: "a(NEW.name)", last: " b(NEW.name) " },
      backward: { name: "NEW.first || ' ' || NEW.last" },
    });
    expect(insert).toBe(
      'CREATE TRIGGER "tidemark_sync_split_ins" AFTER INSERT ON "people" FOR EACH ROW\n' +
        "BEGIN\n" +
        '  UPDATE "people" SET "first" = (a(NEW.name)), "last" = (b(NEW.name)) WHERE rowid = NEW.rowid ' +
        'AND NEW."first" IS NULL AND NEW."last" IS NULL AND NEW."name" IS NOT NULL;\n' +
        '  UPDATE "people" SET "name" = (NEW.first || \' \' || NEW.last) WHERE rowid = NEW.rowid ' +
        'AND NEW."name" IS NULL AND (NEW."first" IS NOT NULL OR NEW."last" IS NOT NULL);\n' +
        "END",
    );
    expect(update).toContain('AFTER UPDATE OF "name", "first", "last" ON "people"');
    expect(update).toContain(
      '(NEW."first" IS NOT OLD."first" OR NEW."last" IS NOT OLD."last") AND (NEW."first" IS NOT (a(NEW.name)) OR NEW."last" IS NOT (b(NEW.name)))',
    );
  });

  it("dropSync drops both triggers if they exist", () => {
    expect(sql({ kind: "dropSync", table: "users", name: "users_name" })).toEqual([
      'DROP TRIGGER IF EXISTS "tidemark_sync_users_name_ins"',
      'DROP TRIGGER IF EXISTS "tidemark_sync_users_name_upd"',
    ]);
  });

  it("forbidWrites: one BEFORE trigger per write that RAISEs ABORT with the message", () => {
    const trigger = (name: string, event: string, message: string): string =>
      `CREATE TRIGGER "${name}" BEFORE ${event} ON "orders" FOR EACH ROW\nBEGIN\n  SELECT RAISE(ABORT, ${message});\nEND`;
    const standard = "'writes to orders are forbidden during a rolling upgrade (tidemark)'";
    expect(sql({ kind: "forbidWrites", table: "orders" })).toEqual([
      trigger("tidemark_forbid_orders_ins", "INSERT", standard),
      trigger("tidemark_forbid_orders_upd", "UPDATE", standard),
      trigger("tidemark_forbid_orders_del", "DELETE", standard),
    ]);
    expect(sql({ kind: "forbidWrites", table: "orders", message: "it's frozen" })[0]).toBe(
      trigger("tidemark_forbid_orders_ins", "INSERT", "'it''s frozen'"),
    );
  });

  it("allowWrites drops the three triggers if they exist", () => {
    expect(sql({ kind: "allowWrites", table: "orders" })).toEqual([
      'DROP TRIGGER IF EXISTS "tidemark_forbid_orders_ins"',
      'DROP TRIGGER IF EXISTS "tidemark_forbid_orders_upd"',
      'DROP TRIGGER IF EXISTS "tidemark_forbid_orders_del"',
    ]);
  });

  it("creates exactly the triggers the phase audit expects, also for names that need a hash", () => {
    const long: SyncColumns = { ...RENAME, table: "a_table_with_a_rather_long_name", name: "x".repeat(80) };
    for (const op of [RENAME, long] as const) {
      const created = sql(op).flatMap((text) => /^CREATE TRIGGER "([^"]+)"/.exec(text)?.[1] ?? []);
      const audit = categorizeDetailed(op, "sqlite")
        .flatMap((c) => c.triggers?.created ?? [])
        .map((t) => t.name);
      expect(created).toEqual(audit);
      const names = syncTriggerNames(op);
      const dropped = sql({ kind: "dropSync", table: op.table, name: op.name });
      expect(dropped).toEqual([`DROP TRIGGER IF EXISTS "${names.insert}"`, `DROP TRIGGER IF EXISTS "${names.update}"`]);
    }
  });

  it("refuses a WITHOUT ROWID table when the step runs, not at the first write after it", () => {
    const db = new Database(":memory:");
    db.exec('CREATE TABLE "users" (id TEXT PRIMARY KEY, name TEXT, full_name TEXT) WITHOUT ROWID');
    const [probe] = sql(RENAME);
    expect(() => db.exec(probe!)).toThrow("no such column: rowid");
    db.exec('CREATE TABLE "rowid_users" (id INTEGER PRIMARY KEY, name TEXT, full_name TEXT)');
    expect(() => db.exec(sql({ ...RENAME, table: "rowid_users" })[0]!)).not.toThrow();
    db.close();
  });

  it("the trap the contract must avoid: SQLite refuses to drop a column a sync trigger still reads", () => {
    const db = new Database(":memory:");
    db.exec('CREATE TABLE "users" (id INTEGER PRIMARY KEY, name TEXT, full_name TEXT)');
    for (const text of sql(RENAME)) db.exec(text);
    expect(() => db.exec('ALTER TABLE "users" DROP COLUMN "name"')).toThrow(/tidemark_sync_users_name/);
    for (const text of sql({ kind: "dropSync", table: "users", name: "users_name" })) db.exec(text);
    db.exec('ALTER TABLE "users" DROP COLUMN "name"');
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all()).toEqual([]);
    db.close();
  });
});
