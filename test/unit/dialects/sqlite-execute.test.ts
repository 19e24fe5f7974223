/** Every op's SQLite output runs on a real (in-memory) database and does what it says. */
import { beforeEach, describe, expect, it } from "vitest";
import { sqlExpression, type Op } from "../../../src/ops/op.js";
import { OPS } from "./op-fixtures.js";
import { openDb, readModel, rows, runOps, tableSql, type Db } from "./sqlite-harness.js";

const orgs: Op = { kind: "createTable", table: "orgs", columns: [{ name: "id", type: "bigint", primaryKey: true }] };
const posts: Op = {
  kind: "createTable",
  table: "posts",
  columns: [
    { name: "id", type: "integer", primaryKey: true },
    { name: "body", type: "text" },
  ],
};

let db: Db;
beforeEach(() => {
  db = openDb();
  runOps(db, orgs, OPS.createUsers, OPS.createComposite, posts);
});

describe("SQLite ops executed", () => {
  it("createTable: defaults, NOT NULL, UNIQUE, AUTOINCREMENT and composite keys hold", () => {
    runOps(db, OPS.bulkInsert);
    expect(rows(db, "SELECT id, email, active, note, created_at IS NOT NULL AS stamped FROM users ORDER BY id")).toEqual([
      { id: 1, email: "a@x", active: 1, note: "a", stamped: 1 },
      { id: 2, email: "b@x", active: 1, note: "b", stamped: 1 },
      { id: 3, email: "c@x", active: 1, note: "it's", stamped: 1 },
    ]);
    expect(() => db.prepare("INSERT INTO users (email) VALUES ('a@x')").run()).toThrow(/UNIQUE constraint failed: users.email/);
    expect(() => db.prepare("INSERT INTO users (note) VALUES ('n')").run()).toThrow(/NOT NULL constraint failed: users.email/);
    db.prepare("INSERT INTO orgs (id) VALUES (7)").run();
    db.prepare("INSERT INTO memberships (user_id, org_id) VALUES (1, 7)").run();
    expect(() => db.prepare("INSERT INTO memberships (user_id, org_id) VALUES (1, 7)").run()).toThrow(/UNIQUE constraint failed/);
    expect(() => db.prepare("INSERT INTO memberships (user_id, org_id, role) VALUES (2, 7, '')").run()).toThrow(
      /CHECK constraint failed: ck_role/,
    );
    expect(() => db.prepare("INSERT INTO memberships (user_id, org_id) VALUES (2, 99)").run()).toThrow(
      /FOREIGN KEY constraint failed/,
    );
    runOps(db, { ...OPS.createComposite }); // IF NOT EXISTS: no error
  });

  it("dropTable, renameTable", () => {
    runOps(db, OPS.renameTable);
    expect(readModel(db, "users")).toBeUndefined();
    expect(readModel(db, "people")?.columns.map((c) => c.name)).toEqual(["id", "email", "created_at", "active", "note"]);
    runOps(db, { kind: "dropTable", table: "people" }, OPS.dropTableIfExists);
    expect(readModel(db, "people")).toBeUndefined();
  });

  it("addColumn, renameColumn, dropColumn", () => {
    runOps(db, OPS.bulkInsert, OPS.addColumn, OPS.addColumnRef);
    expect(rows(db, "SELECT nickname FROM users WHERE id = 1")).toEqual([{ nickname: "" }]);
    runOps(db, OPS.renameColumn);
    expect(rows(db, "SELECT handle FROM users WHERE id = 2")).toEqual([{ handle: "" }]);
    runOps(db, { kind: "dropColumn", table: "users", column: "handle" });
    expect(readModel(db, "users")?.columns.map((c) => c.name)).not.toContain("handle");
    expect(() => db.prepare("INSERT INTO posts (user_id) VALUES (999)").run()).toThrow(/FOREIGN KEY constraint failed/);
  });

  it("createIndex (plain, unique, partial) and dropIndex", () => {
    runOps(db, OPS.createIndex, OPS.createUniqueIndex, OPS.createPartialIndex, OPS.createIndexConcurrently);
    const names = () =>
      rows(db, "SELECT name FROM pragma_index_list('users') WHERE origin = 'c' ORDER BY name").map((r) => r.name);
    expect(names()).toEqual(["ix_active", "ix_c", "ix_u", "ix_users_email"]);
    expect(rows(db, "SELECT sql FROM sqlite_schema WHERE name = 'ix_active'")).toEqual([
      { sql: 'CREATE INDEX "ix_active" ON "users" ("email") WHERE active = 1' },
    ]);
    runOps(db, OPS.dropIndex, OPS.dropIndexConcurrently, OPS.dropIndexConcurrently);
    expect(names()).toEqual(["ix_active", "ix_u"]);
  });

  it("views: create, replace, drop", () => {
    runOps(db, OPS.bulkInsert, OPS.createView);
    expect(rows(db, "SELECT count(*) AS n FROM active_users")).toEqual([{ n: 3 }]);
    runOps(db, OPS.createOrReplaceView);
    expect(Object.keys(rows(db, "SELECT * FROM active_users")[0]!)).toEqual(["id"]);
    runOps(db, OPS.dropView, OPS.dropView);
    expect(rows(db, "SELECT name FROM sqlite_schema WHERE type = 'view'")).toEqual([]);
  });

  it("execute passes parameters; bulkInsert handles op.sql values and empty rows", () => {
    runOps(db, OPS.bulkInsert, OPS.execute);
    expect(rows(db, "SELECT note FROM users WHERE id = 1")).toEqual([{ note: "x" }]);
    runOps(db, { kind: "bulkInsert", table: "posts", rows: [{ body: sqlExpression("upper('hi')") }, {}] });
    expect(rows(db, "SELECT id, body FROM posts ORDER BY id")).toEqual([
      { id: 1, body: "HI" },
      { id: 2, body: null },
    ]);
    runOps(db, OPS.executePlain);
    expect(rows(db, "SELECT count(*) AS n FROM users")).toEqual([{ n: 0 }]);
  });

  it("bulkInsert chunks thousands of rows and keeps them all", () => {
    const many = Array.from({ length: 2345 }, (_, i) => ({ email: `u${i}@x`, note: String(i) }));
    runOps(db, { kind: "bulkInsert", table: "users", rows: many });
    expect(rows(db, "SELECT count(*) AS n, max(id) AS top, min(note) AS first FROM users")).toEqual([
      { n: 2345, top: 2345, first: "0" },
    ]);
  });

  it("hostile names survive every kind of statement", () => {
    const t = 'we"ird `select` Mixed Case';
    runOps(
      db,
      {
        kind: "createTable",
        table: t,
        columns: [
          { name: "select", type: "integer", primaryKey: true },
          { name: 'a"b', type: "text", unique: true },
        ],
      },
      { kind: "bulkInsert", table: t, rows: [{ select: 1, 'a"b': "x" }] },
      { kind: "createIndex", table: t, name: 'ix "q"', columns: ['a"b'] },
      { kind: "addColumn", table: t, column: { name: "Mixed Case", type: "integer", default: 5 } },
      { kind: "alterColumn", table: t, column: "Mixed Case", nullable: false },
      { kind: "renameColumn", table: t, column: 'a"b', to: "from" },
      { kind: "addCheck", table: t, name: "order", expression: '"Mixed Case" > 0' },
    );
    expect(rows(db, `SELECT "select", "from", "Mixed Case" FROM "we""ird \`select\` Mixed Case"`)).toEqual([
      { select: 1, from: "x", "Mixed Case": 5 },
    ]);
    expect(() => db.prepare(`INSERT INTO "we""ird \`select\` Mixed Case" ("select", "Mixed Case") VALUES (2, 0)`).run()).toThrow(
      /CHECK constraint failed: order/,
    );
    expect(tableSql(db, t)).toContain('CONSTRAINT "order" CHECK ("Mixed Case" > 0)');
  });
});
