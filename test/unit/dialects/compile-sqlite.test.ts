import { describe, expect, it } from "vitest";
import { sqliteCompiler as lite } from "../../../src/dialects/sqlite/sqlite-compiler.js";
import type { TableModel } from "../../../src/dialects/schema-model.js";
import { TidemarkError } from "../../../src/errors.js";
import { sqlExpression, type ColumnDef, type Op } from "../../../src/ops/op.js";
import { OPS } from "./op-fixtures.js";

const sql = (op: Op, table?: TableModel): string[] => lite.compile(op, table === undefined ? {} : { table }).map((s) => s.sql);

const users: TableModel = {
  name: "users",
  columns: [
    { name: "id", type: "integer", nullable: false, default: null, autoIncrement: false },
    { name: "email", type: "text", nullable: true, default: null, autoIncrement: false },
    { name: "nickname", type: "text", nullable: true, default: "'x'", autoIncrement: false },
  ],
  primaryKey: ["id"],
  indexes: [{ name: "ix_email", columns: ["email"], unique: false }],
  uniques: [],
  foreignKeys: [],
  checks: [],
};

describe("SQLite compiler: exact SQL per op", () => {
  const table: [keyof typeof OPS, string[]][] = [
    [
      "createUsers",
      [
        'CREATE TABLE "users" (\n' +
          '  "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,\n' +
          '  "email" text NOT NULL UNIQUE,\n' +
          '  "created_at" text DEFAULT CURRENT_TIMESTAMP,\n' +
          '  "active" integer NOT NULL DEFAULT 1,\n' +
          "  \"note\" text DEFAULT 'it''s'\n)",
      ],
    ],
    [
      "createComposite",
      [
        'CREATE TABLE IF NOT EXISTS "memberships" (\n' +
          '  "user_id" integer NOT NULL,\n' +
          '  "org_id" integer NOT NULL REFERENCES "orgs" ("id") ON DELETE CASCADE,\n' +
          "  \"role\" text DEFAULT 'member',\n" +
          '  PRIMARY KEY ("user_id", "org_id"),\n' +
          '  CONSTRAINT "uq_role" UNIQUE ("org_id", "role"),\n' +
          '  CONSTRAINT "fk_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE CASCADE,\n' +
          "  CONSTRAINT \"ck_role\" CHECK (role <> '')\n)",
      ],
    ],
    ["dropTable", ['DROP TABLE "users"']],
    ["dropTableIfExists", ['DROP TABLE IF EXISTS "users"']],
    ["renameTable", ['ALTER TABLE "users" RENAME TO "people"']],
    ["addColumn", ['ALTER TABLE "users" ADD COLUMN "nickname" text NOT NULL DEFAULT \'\'']],
    ["addColumnRef", ['ALTER TABLE "posts" ADD COLUMN "user_id" integer REFERENCES "users" ("id")']],
    ["renameColumn", ['ALTER TABLE "users" RENAME COLUMN "nickname" TO "handle"']],
    ["createIndex", ['CREATE INDEX "ix_users_email" ON "users" ("email", "created_at")']],
    ["createUniqueIndex", ['CREATE UNIQUE INDEX IF NOT EXISTS "ix_u" ON "users" ("email")']],
    ["createPartialIndex", ['CREATE INDEX "ix_active" ON "users" ("email") WHERE active = 1']],
    ["createIndexConcurrently", ['CREATE INDEX "ix_c" ON "users" ("email")']],
    ["dropIndex", ['DROP INDEX "ix_users_email"']],
    ["dropIndexConcurrently", ['DROP INDEX IF EXISTS "ix_c"']],
    ["createView", ['CREATE VIEW "active_users" AS SELECT id, email FROM users WHERE active = 1']],
    ["createOrReplaceView", ['DROP VIEW IF EXISTS "active_users"', 'CREATE VIEW "active_users" AS SELECT id FROM users']],
    ["dropView", ['DROP VIEW IF EXISTS "active_users"']],
    ["executePlain", ["DELETE FROM users"]],
    ["bulkInsert", ['INSERT INTO "users" ("email", "note") VALUES (?, ?), (?, ?)', 'INSERT INTO "users" ("email") VALUES (?)']],
  ];
  it.each(table)("%s", (name, expected) => {
    expect(sql(OPS[name])).toEqual(expected);
  });

  it("ignores a PostgreSQL schema in the context", () => {
    expect(lite.compile(OPS.dropTable, { schema: "app" })).toEqual([{ sql: 'DROP TABLE "users"' }]);
  });

  it("chunks bulk inserts under SQLite's 32766 parameters", () => {
    const row = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, i]));
    const statements = lite.compile({ kind: "bulkInsert", table: "t", rows: Array.from({ length: 700 }, () => row) }, {});
    expect(statements.map((s) => s.params?.length)).toEqual([32_700, 32_700, 4_600]);
  });
});

describe("SQLite compiler: which ops need the table model", () => {
  const column = (extra: Partial<ColumnDef>): Op => ({
    kind: "addColumn",
    table: "t",
    column: { name: "c", type: "text", ...extra },
  });
  it.each<[string, Op, boolean]>([
    ["alterColumn", { kind: "alterColumn", table: "t", column: "c", default: 1 }, true],
    ["addForeignKey", OPS.addForeignKey, true],
    ["addUnique", OPS.addUnique, true],
    ["addCheck", OPS.addCheck, true],
    ["dropConstraint", OPS.dropConstraint, true],
    ["dropColumn", OPS.dropColumn, true],
    ["plain addColumn", column({}), false],
    ["addColumn with constant default", column({ nullable: false, default: sqlExpression("0") }), false],
    ["addColumn NULL reference", column({ references: { table: "u", column: "id" } }), false],
    ["addColumn unique", column({ unique: true }), true],
    ["addColumn primary key", column({ primaryKey: true }), true],
    ["addColumn CURRENT_TIMESTAMP", column({ default: sqlExpression("CURRENT_TIMESTAMP") }), true],
    ["addColumn NOT NULL without default", column({ nullable: false }), true],
    ["addColumn reference with default", column({ default: 1, references: { table: "u", column: "id" } }), true],
    ["createTable", OPS.createUsers, false],
    ["renameColumn", OPS.renameColumn, false],
    ["createIndex", OPS.createIndex, false],
    ["execute", OPS.execute, false],
  ])("%s → %s", (_what, op, expected) => {
    expect(lite.needsTableModel(op)).toBe(expected);
  });
});

describe("SQLite compiler: choices that depend on the table", () => {
  it("drops an unconstrained column with ALTER TABLE", () => {
    expect(sql({ kind: "dropColumn", table: "users", column: "nickname" }, users)).toEqual([
      'ALTER TABLE "users" DROP COLUMN "nickname"',
    ]);
  });

  it("rebuilds to drop an indexed column, and the index goes with it", () => {
    const statements = sql({ kind: "dropColumn", table: "users", column: "EMAIL" }, users);
    expect(statements).toContain(
      'CREATE TABLE "_tidemark_new_users" (\n  "id" integer NOT NULL PRIMARY KEY,\n  "nickname" text DEFAULT \'x\'\n)',
    );
    expect(statements).toContain('INSERT INTO "_tidemark_new_users" ("id", "nickname") SELECT "id", "nickname" FROM "users"');
    expect(statements.some((s) => s.includes("ix_email"))).toBe(false);
  });

  it("renders the whole rebuild recipe for alterColumn", () => {
    const statements = sql({ kind: "alterColumn", table: "users", column: "email", type: "varchar(80)", nullable: false }, users);
    expect(statements.slice(2)).toEqual([
      'INSERT INTO temp."_tidemark_rebuild_guard" ("referencing_foreign_keys", "triggers") SELECT ' +
        "(SELECT count(*) FROM sqlite_schema AS s, pragma_foreign_key_list(s.name) AS f WHERE s.type = 'table' " +
        "AND lower(f.\"table\") = lower('users') AND (SELECT foreign_keys FROM pragma_foreign_keys) = 1 " +
        'AND EXISTS (SELECT 1 FROM "users")), ' +
        "(SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND lower(tbl_name) = lower('users'))",
      'CREATE TABLE "_tidemark_new_users" (\n' +
        '  "id" integer NOT NULL PRIMARY KEY,\n' +
        '  "email" text NOT NULL,\n' +
        "  \"nickname\" text DEFAULT 'x'\n)",
      'INSERT INTO "_tidemark_new_users" ("id", "email", "nickname") SELECT "id", "email", "nickname" FROM "users"',
      'DROP TABLE "users"',
      "PRAGMA legacy_alter_table = ON",
      'ALTER TABLE "_tidemark_new_users" RENAME TO "users"',
      "PRAGMA legacy_alter_table = OFF",
      'DROP TABLE temp."_tidemark_rebuild_guard"',
      'CREATE INDEX "ix_email" ON "users" ("email")',
    ]);
    expect(statements[0]).toBe('DROP TABLE IF EXISTS temp."_tidemark_rebuild_guard"');
    expect(statements[1]).toMatch(
      /^CREATE TEMP TABLE temp\."_tidemark_rebuild_guard" \("referencing_foreign_keys" integer CONSTRAINT "tidemark cannot rebuild table ""users"" while PRAGMA foreign_keys is ON/,
    );
  });

  it("drops a unique index by name without a rebuild", () => {
    const table = { ...users, indexes: [{ name: "ux", columns: ["email"], unique: true }] };
    expect(sql({ kind: "dropConstraint", table: "users", name: "ux", type: "unique" }, table)).toEqual(['DROP INDEX "ux"']);
  });
});

describe("SQLite compiler: errors", () => {
  it("names the op and the table when the table model is missing", () => {
    for (const op of [OPS.addUnique, OPS.dropColumn, OPS.dropConstraint]) {
      const error = (() => {
        try {
          sql(op);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(TidemarkError);
      expect((error as TidemarkError).code).toBe("table-model-missing");
      expect((error as TidemarkError).message).toContain(`SQLite cannot compile ${op.kind}`);
      expect((error as TidemarkError).message).toContain('without the current shape of table "users"');
    }
  });

  it("refuses autoIncrement outside a single-column primary key", () => {
    const op: Op = { kind: "createTable", table: "t", columns: [{ name: "n", type: "integer", autoIncrement: true }] };
    expect(() => sql(op)).toThrow('SQLite cannot compile createTable on table "t": column "n" is autoIncrement');
  });

  it("names missing columns and constraints, and refuses a used constraint name", () => {
    expect(() => sql({ kind: "alterColumn", table: "users", column: "zip", nullable: false }, users)).toThrow(
      'SQLite: alterColumn on table "users" alters column "zip", which table "users" does not have',
    );
    expect(() => sql({ kind: "dropConstraint", table: "users", name: "nope" }, users)).toThrow(
      'SQLite: dropConstraint "nope" on table "users" finds no constraint named "nope" on table "users" (its constraints and indexes are ix_email)',
    );
    expect(() => sql({ kind: "addUnique", table: "users", name: "IX_EMAIL", columns: ["email"] }, users)).toThrow(
      'uses the name "IX_EMAIL", which table "users" already has',
    );
  });

  it("refuses an alterColumn that changes nothing", () => {
    expect(() => sql({ kind: "alterColumn", table: "users", column: "email" }, users)).toThrow(
      'changes nothing on column "email": give type, nullable or default',
    );
  });
});
