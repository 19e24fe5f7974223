/** The SQLite table rebuild on a real database: data, keys, indexes, views and guards. */
import { beforeEach, describe, expect, it } from "vitest";
import { sqlExpression, type Op } from "../../../src/ops/op.js";
import { openDb, readModel, rows, runOps, tableSql, type Db } from "./sqlite-harness.js";

const createItems: Op = {
  kind: "createTable",
  table: "items",
  columns: [
    { name: "id", type: "integer", primaryKey: true, autoIncrement: true },
    { name: "code", type: "varchar(10)", nullable: false },
    { name: "qty", type: "text" },
    { name: "tag", type: "text", default: "none" },
  ],
  checks: [{ name: "ck_code", expression: "length(code) > 0" }],
};
const createParts: Op = {
  kind: "createTable",
  table: "parts",
  columns: [
    { name: "id", type: "integer", primaryKey: true },
    { name: "item_id", type: "integer", references: { table: "items", column: "id", onDelete: "cascade" } },
  ],
};

function seed(db: Db): void {
  runOps(db, createItems, createParts, {
    kind: "bulkInsert",
    table: "items",
    rows: [
      { code: "a", qty: "1" },
      { code: "b", qty: "2", tag: "red" },
      { code: "c", qty: "3" },
    ],
  });
  db.exec(`CREATE INDEX ix_code ON items (code); CREATE UNIQUE INDEX ix_lower ON items (lower(code)) WHERE qty IS NOT NULL;
           CREATE VIEW v_items AS SELECT id, code FROM items; DELETE FROM items WHERE id = 3;
           INSERT INTO items (code, qty) VALUES ('c', '3')`);
}

const leftovers = (db: Db) =>
  rows(db, "SELECT name FROM sqlite_schema WHERE name LIKE '%tidemark%' UNION ALL SELECT name FROM sqlite_temp_schema");
const alterQty: Op = { kind: "alterColumn", table: "items", column: "qty", type: "integer", nullable: false, default: 0 };

let db: Db;
describe("rebuild with foreign keys OFF (what the runner should set)", () => {
  beforeEach(() => {
    db = openDb(false);
    seed(db);
    db.exec("INSERT INTO parts (id, item_id) VALUES (1, 1), (2, 4)");
  });

  it("alterColumn keeps rows, rowids, indexes, views and the rows that reference the table", () => {
    runOps(db, alterQty);
    expect(rows(db, "SELECT id, code, qty, typeof(qty) AS t, tag FROM items ORDER BY id")).toEqual([
      { id: 1, code: "a", qty: 1, t: "integer", tag: "none" },
      { id: 2, code: "b", qty: 2, t: "integer", tag: "red" },
      { id: 4, code: "c", qty: 3, t: "integer", tag: "none" },
    ]);
    expect(tableSql(db, "items")).toContain('"qty" integer NOT NULL DEFAULT 0');
    expect(rows(db, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'items' ORDER BY name")).toEqual([
      { name: "ix_code", sql: 'CREATE INDEX "ix_code" ON "items" ("code")' },
      { name: "ix_lower", sql: 'CREATE UNIQUE INDEX "ix_lower" ON "items" (lower(code)) WHERE qty IS NOT NULL' },
    ]);
    expect(rows(db, "SELECT code FROM v_items ORDER BY id")).toEqual([{ code: "a" }, { code: "b" }, { code: "c" }]);
    expect(rows(db, "SELECT count(*) AS n FROM parts")).toEqual([{ n: 2 }]);
    expect(rows(db, "PRAGMA foreign_key_check")).toEqual([]);
    expect(rows(db, "PRAGMA legacy_alter_table")).toEqual([{ legacy_alter_table: 0 }]);
    expect(leftovers(db)).toEqual([]);
    expect(() => db.prepare("INSERT INTO items (code) VALUES ('d')").run()).not.toThrow();
    expect(() => db.prepare("INSERT INTO items (code, qty) VALUES ('', 1)").run()).toThrow(/CHECK constraint failed: ck_code/);
  });

  it("keeps AUTOINCREMENT from reusing the ids of deleted rows", () => {
    db.exec("DELETE FROM items WHERE id = 4");
    runOps(db, alterQty);
    db.prepare("INSERT INTO items (code) VALUES ('e')").run();
    expect(rows(db, "SELECT max(id) AS id FROM items")).toEqual([{ id: 5 }]);
  });

  it("alterColumn `using` converts the data while it is copied", () => {
    runOps(db, { kind: "alterColumn", table: "items", column: "qty", type: "integer", using: "CAST(qty AS integer) * 10" });
    expect(rows(db, "SELECT qty FROM items ORDER BY id").map((r) => r.qty)).toEqual([10, 20, 30]);
  });

  it("addUnique makes a real constraint; duplicates fail and roll back", () => {
    runOps(db, { kind: "addUnique", table: "items", name: "uq_code", columns: ["code"] });
    expect(tableSql(db, "items")).toContain('CONSTRAINT "uq_code" UNIQUE ("code")');
    expect(() => db.prepare("INSERT INTO items (code) VALUES ('a')").run()).toThrow(/UNIQUE constraint failed: items.code/);
    expect(() => runOps(db, { kind: "addUnique", table: "items", name: "uq_tag", columns: ["tag"] })).toThrow(
      /UNIQUE constraint failed/,
    );
    expect(rows(db, "SELECT count(*) AS n FROM items")).toEqual([{ n: 3 }]);
    expect(tableSql(db, "items")).not.toContain("uq_tag");
  });

  it("addCheck refuses existing rows that break it", () => {
    expect(() => runOps(db, { kind: "addCheck", table: "items", name: "ck_tag", expression: "tag = 'none'" })).toThrow(
      /CHECK constraint failed: ck_tag/,
    );
    runOps(db, { kind: "addCheck", table: "items", name: "ck_qty", expression: "qty <> ''" });
    expect(() => db.prepare("INSERT INTO items (code, qty) VALUES ('z', '')").run()).toThrow(/CHECK constraint failed: ck_qty/);
  });

  it("addForeignKey refuses orphans even with foreign keys OFF, and is enforced afterwards", () => {
    runOps(db, { kind: "createTable", table: "kinds", columns: [{ name: "name", type: "text", primaryKey: true }] });
    const add: Op = {
      kind: "addForeignKey",
      table: "items",
      name: "fk_tag",
      columns: ["tag"],
      refTable: "kinds",
      refColumns: ["name"],
    };
    expect(() => runOps(db, add)).toThrow(
      /CHECK constraint failed: tidemark cannot rebuild table "items": its rows violate its foreign keys/,
    );
    db.exec("INSERT INTO kinds VALUES ('none'), ('red')");
    runOps(db, add);
    db.pragma("foreign_keys = ON");
    expect(() => db.prepare("INSERT INTO items (code, tag) VALUES ('q', 'blue')").run()).toThrow(/FOREIGN KEY constraint failed/);
  });

  it("dropConstraint removes a check, a unique, a foreign key and the primary key", () => {
    runOps(db, { kind: "addUnique", table: "items", name: "uq_code", columns: ["code"] });
    runOps(
      db,
      { kind: "dropConstraint", table: "items", name: "ck_code", type: "check" },
      { kind: "dropConstraint", table: "items", name: "UQ_CODE" },
    );
    db.prepare("INSERT INTO items (code) VALUES ('')").run();
    db.prepare("INSERT INTO items (code) VALUES ('')").run();
    runOps(db, { kind: "addForeignKey", table: "parts", name: "fk2", columns: ["id"], refTable: "items", refColumns: ["id"] });
    runOps(db, { kind: "dropConstraint", table: "parts", name: "fk2", type: "foreignKey" });
    expect(readModel(db, "parts")?.foreignKeys.map((fk) => fk.name)).toEqual([""]);
    runOps(db, { kind: "dropConstraint", table: "parts", name: "parts_pkey", type: "primaryKey" });
    expect(readModel(db, "parts")?.primaryKey).toEqual([]);
    expect(rows(db, "SELECT count(*) AS n FROM parts")).toEqual([{ n: 2 }]);
  });

  it("dropColumn of a constrained column takes its index, check and constraints with it", () => {
    runOps(db, { kind: "dropColumn", table: "items", column: "code" });
    const model = readModel(db, "items")!;
    expect(model.columns.map((c) => c.name)).toEqual(["id", "qty", "tag"]);
    expect(model.indexes).toEqual([]);
    expect(model.checks).toEqual([]);
    expect(rows(db, "SELECT id, qty FROM items ORDER BY id")).toEqual([
      { id: 1, qty: "1" },
      { id: 2, qty: "2" },
      { id: 4, qty: "3" },
    ]);
    runOps(db, { kind: "dropColumn", table: "parts", column: "item_id" });
    expect(readModel(db, "parts")?.foreignKeys).toEqual([]);
  });

  it("addColumn rebuilds for UNIQUE, computed defaults and NOT NULL without default", () => {
    runOps(db, { kind: "addColumn", table: "items", column: { name: "sku", type: "text", unique: true } });
    runOps(db, {
      kind: "addColumn",
      table: "items",
      column: { name: "at", type: "timestamp", default: sqlExpression("CURRENT_TIMESTAMP") },
    });
    expect(rows(db, "SELECT count(*) AS n FROM items WHERE at IS NOT NULL AND sku IS NULL")).toEqual([{ n: 3 }]);
    db.prepare("INSERT INTO items (code, sku) VALUES ('s', 'k')").run();
    expect(() => db.prepare("INSERT INTO items (code, sku) VALUES ('t', 'k')").run()).toThrow(
      /UNIQUE constraint failed: items.sku/,
    );
    expect(() =>
      runOps(db, { kind: "addColumn", table: "items", column: { name: "must", type: "text", nullable: false } }),
    ).toThrow(/NOT NULL constraint failed: _tidemark_new_items.must/);
    runOps(db, { kind: "addColumn", table: "parts", column: { name: "n", type: "integer", nullable: false, default: 0 } });
    db.exec("DELETE FROM parts");
    runOps(db, { kind: "addColumn", table: "parts", column: { name: "must", type: "text", nullable: false } });
    expect(readModel(db, "parts")?.columns.at(-1)).toEqual({
      name: "must",
      type: "text",
      nullable: false,
      default: null,
      autoIncrement: false,
    });
  });
});

describe("rebuild guards with foreign keys ON", () => {
  beforeEach(() => {
    db = openDb(true);
    seed(db);
    db.exec("INSERT INTO parts (id, item_id) VALUES (1, 1), (2, 4)");
  });

  it("refuses to rebuild a referenced table with rows instead of cascading the delete", () => {
    expect(() => runOps(db, alterQty)).toThrow(
      'CHECK constraint failed: tidemark cannot rebuild table "items" while PRAGMA foreign_keys is ON',
    );
    expect(rows(db, "SELECT count(*) AS n FROM parts")).toEqual([{ n: 2 }]);
    expect(tableSql(db, "items")).toContain('"qty" text');
    expect(leftovers(db)).toEqual([]);
  });

  it("rebuilds a table that only references others (parts) and keeps enforcing its keys", () => {
    runOps(db, { kind: "addCheck", table: "parts", name: "ck_id", expression: "id > 0" });
    expect(rows(db, "SELECT id, item_id FROM parts ORDER BY id")).toEqual([
      { id: 1, item_id: 1 },
      { id: 2, item_id: 4 },
    ]);
    expect(() => db.prepare("INSERT INTO parts (id, item_id) VALUES (3, 99)").run()).toThrow(/FOREIGN KEY constraint failed/);
  });

  it("rebuilds a referenced table once it is empty", () => {
    db.exec("DELETE FROM parts; DELETE FROM items");
    runOps(db, alterQty);
    expect(tableSql(db, "items")).toContain('"qty" integer NOT NULL DEFAULT 0');
  });

  it("refuses a table with triggers, which the rebuild would lose", () => {
    db.exec("CREATE TRIGGER trg AFTER INSERT ON parts BEGIN SELECT 1; END");
    expect(() => runOps(db, { kind: "addCheck", table: "parts", name: "ck_id", expression: "id > 0" })).toThrow(
      'CHECK constraint failed: tidemark cannot rebuild table "parts": it has triggers, which the rebuild would drop',
    );
    expect(rows(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger'")).toEqual([{ name: "trg" }]);
  });
});
