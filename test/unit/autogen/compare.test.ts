import { describe, expect, it } from "vitest";
import { sqlExpression } from "../../../src/ops/op.js";
import { compareSchemas } from "../../../src/autogen/compare.js";
import { declaredSchema } from "../../../src/autogen/declared-schema.js";
import { defineSchema, type SchemaDefinition } from "../../../src/autogen/schema-dsl.js";
import { downgradeOps, upgradeOps } from "../../../src/autogen/change.js";
import { postgresNormalizer as pg } from "../../../src/autogen/normalize-postgres.js";
import { mysqlNormalizer } from "../../../src/autogen/normalize-mysql.js";
import { sqliteNormalizer as sqlite } from "../../../src/autogen/normalize-sqlite.js";
import type { SchemaSpec, TableEntry } from "../../../src/autogen/schema-spec.js";
import type { Normalizer } from "../../../src/autogen/normalizer.js";
import { SchemaError } from "../../../src/errors.js";

const maria = mysqlNormalizer(true);

function live(...tables: Partial<TableEntry>[]): SchemaSpec {
  return {
    tables: tables.map((t) => ({
      origin: "database",
      columns: [],
      primaryKey: [],
      indexes: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
      name: "t",
      ...t,
    })),
    views: [],
  };
}

function col(name: string, type: string, extra: { nullable?: boolean; default?: string; autoIncrement?: boolean } = {}) {
  return {
    name,
    type,
    nullable: extra.nullable ?? true,
    default: extra.default === undefined ? undefined : sqlExpression(extra.default),
    autoIncrement: extra.autoIncrement ?? false,
  };
}

function diff(schema: SchemaDefinition, current: SchemaSpec, n: Normalizer) {
  return compareSchemas(declaredSchema(schema, "schema.ts"), current, n);
}

const users = defineSchema({
  tables: {
    users: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        email: { type: "varchar(255)", nullable: false },
        name: { type: "text", default: "x" },
      },
    },
  },
});

describe("equal things compare equal", () => {
  it("PostgreSQL: int4, character varying and 'x'::text are what the schema says", () => {
    const current = live({
      name: "users",
      columns: [
        col("id", "integer", { nullable: false, autoIncrement: true }),
        col("email", "character varying(255)", { nullable: false }),
        col("name", "text", { default: "'x'::text" }),
      ],
      primaryKey: ["id"],
    });
    const result = diff(users, current, pg);
    expect(result.changes).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it("MariaDB: int(11), and an implicit json_valid check and FK index", () => {
    const schema = defineSchema({
      tables: {
        users: {
          columns: { id: { type: "integer", primaryKey: true }, doc: { type: "json" }, ok: { type: "boolean", default: true } },
        },
        posts: {
          columns: { id: { type: "integer", primaryKey: true }, user_id: { type: "integer" } },
          foreignKeys: [{ name: "fk_posts_user", columns: ["user_id"], refTable: "users", refColumns: ["id"] }],
        },
      },
    });
    const current = live(
      {
        name: "users",
        columns: [col("id", "int(11)", { nullable: false }), col("doc", "longtext"), col("ok", "tinyint(1)", { default: "1" })],
        primaryKey: ["id"],
        checks: [{ name: "doc", expression: "json_valid(`doc`)" }],
      },
      {
        name: "posts",
        columns: [col("id", "int(11)", { nullable: false }), col("user_id", "int(11)")],
        primaryKey: ["id"],
        indexes: [{ name: "fk_posts_user", columns: ["user_id"], unique: false }],
        foreignKeys: [
          {
            name: "fk_posts_user",
            columns: ["user_id"],
            refTable: "users",
            refColumns: ["id"],
            onDelete: "restrict",
            onUpdate: "restrict",
          },
        ],
      },
    );
    expect(diff(schema, current, maria).changes).toEqual([]);
  });

  it("SQLite: by affinity, and names in any case", () => {
    const current = live({
      name: "USERS",
      columns: [
        col("ID", "INTEGER", { nullable: false, autoIncrement: true }),
        col("email", "text", { nullable: false }),
        col("name", "TEXT", { default: "'x'" }),
      ],
      primaryKey: ["ID"],
    });
    expect(diff(users, current, sqlite).changes).toEqual([]);
  });
});

describe("tables", () => {
  it("creates parents before children and drops children before parents, with inverses", () => {
    const schema = defineSchema({
      tables: {
        posts: {
          columns: {
            id: { type: "integer", primaryKey: true },
            user_id: { type: "integer", references: { table: "users", column: "id", onDelete: "cascade" } },
          },
          indexes: [{ columns: ["user_id"] }],
        },
        users: { columns: { id: { type: "integer", primaryKey: true } } },
      },
    });
    const result = diff(schema, live(), pg);
    expect(upgradeOps(result.changes)).toEqual([
      { kind: "createTable", table: "users", columns: [{ name: "id", type: "integer", primaryKey: true }] },
      {
        kind: "createTable",
        table: "posts",
        columns: [
          { name: "id", type: "integer", primaryKey: true },
          { name: "user_id", type: "integer" },
        ],
        foreignKeys: [
          { name: "fk_posts_user_id_users", columns: ["user_id"], refTable: "users", refColumns: ["id"], onDelete: "cascade" },
        ],
      },
      { kind: "createIndex", table: "posts", name: "ix_posts_user_id", columns: ["user_id"] },
    ]);
    expect(downgradeOps(result.changes)).toEqual([
      { kind: "dropTable", table: "posts" },
      { kind: "dropTable", table: "users" },
    ]);

    const back = compareSchemas(
      { tables: [], views: [] },
      live(
        { name: "users", columns: [col("id", "integer", { nullable: false })], primaryKey: ["id"] },
        {
          name: "posts",
          columns: [col("id", "integer", { nullable: false }), col("user_id", "integer")],
          primaryKey: ["id"],
          foreignKeys: [
            {
              name: "fk_p",
              columns: ["user_id"],
              refTable: "users",
              refColumns: ["id"],
              onDelete: "cascade",
              onUpdate: "no action",
            },
          ],
        },
      ),
      pg,
    );
    expect(upgradeOps(back.changes)).toEqual([
      { kind: "dropTable", table: "posts" },
      { kind: "dropTable", table: "users" },
    ]);
    expect(back.changes.map((c) => c.destroys)).toEqual([
      "table posts and all its rows (columns id, user_id)",
      "table users and all its rows (columns id)",
    ]);
    expect(downgradeOps(back.changes)[1]).toEqual({
      kind: "createTable",
      table: "posts",
      columns: [
        { name: "id", type: "integer", primaryKey: true },
        { name: "user_id", type: "integer" },
      ],
      foreignKeys: [{ name: "fk_p", columns: ["user_id"], refTable: "users", refColumns: ["id"], onDelete: "cascade" }],
    });
  });

  it("breaks a cycle of new tables with a foreign key added afterwards", () => {
    const schema = defineSchema({
      tables: {
        a: {
          columns: {
            id: { type: "integer", primaryKey: true },
            b_id: { type: "integer", references: { table: "b", column: "id" } },
          },
        },
        b: {
          columns: {
            id: { type: "integer", primaryKey: true },
            a_id: { type: "integer", references: { table: "a", column: "id" } },
          },
        },
      },
    });
    const ops = upgradeOps(diff(schema, live(), pg).changes);
    expect(ops.map((op) => op.kind)).toEqual(["createTable", "createTable", "addForeignKey"]);
    expect(ops[0]).not.toHaveProperty("foreignKeys");
  });

  it("drops a cycle of tables by dropping a foreign key first, and restores it last", () => {
    const fk = (name: string, ref: string) => ({
      name,
      columns: ["r"],
      refTable: ref,
      refColumns: ["id"],
      onDelete: "no action" as const,
      onUpdate: "no action" as const,
    });
    const table = (name: string, ref: string) => ({
      name,
      columns: [col("id", "integer", { nullable: false }), col("r", "integer")],
      primaryKey: ["id"],
      foreignKeys: [fk(`fk_${name}`, ref)],
    });
    const result = compareSchemas({ tables: [], views: [] }, live(table("a", "b"), table("b", "c"), table("c", "a")), pg);
    expect(upgradeOps(result.changes)).toEqual([
      { kind: "dropConstraint", table: "c", name: "fk_c", type: "foreignKey" },
      { kind: "dropTable", table: "a" },
      { kind: "dropTable", table: "b" },
      { kind: "dropTable", table: "c" },
    ]);
    expect(downgradeOps(result.changes).at(-1)).toEqual({
      kind: "addForeignKey",
      table: "c",
      name: "fk_c",
      columns: ["r"],
      refTable: "a",
      refColumns: ["id"],
    });
  });

  it("renames a hinted table and compares it with what it was", () => {
    const schema = defineSchema({
      tables: {
        people: { renamedFrom: "users", columns: { id: { type: "integer", primaryKey: true }, email: { type: "text" } } },
      },
    });
    const result = diff(
      schema,
      live({
        name: "users",
        columns: [col("id", "integer", { nullable: false }), col("email", "character varying(10)")],
        primaryKey: ["id"],
      }),
      pg,
    );
    expect(upgradeOps(result.changes)).toEqual([
      { kind: "renameTable", table: "users", to: "people" },
      { kind: "alterColumn", table: "people", column: "email", type: "text" },
    ]);
    expect(downgradeOps(result.changes)).toEqual([
      { kind: "alterColumn", table: "people", column: "email", type: "character varying(10)" },
      { kind: "renameTable", table: "people", to: "users" },
    ]);
    expect(result.changes[1]!.destroys).toBeUndefined();
  });

  it("refuses a renamedFrom that names nothing, unless the database is empty", () => {
    const schema = defineSchema({ tables: { people: { renamedFrom: "usres", columns: { id: { type: "integer" } } } } });
    expect(() => diff(schema, live({ name: "users", columns: [col("id", "integer")] }), pg)).toThrow(SchemaError);
    expect(() => diff(schema, live({ name: "users", columns: [col("id", "integer")] }), pg)).toThrow(
      /neither "usres" nor "people"/,
    );
    expect(diff(schema, live(), pg).changes).toHaveLength(1);
  });
});

describe("columns", () => {
  const current = live({
    name: "users",
    columns: [col("id", "integer", { nullable: false }), col("nickname", "text"), col("age", "bigint", { default: "0" })],
    primaryKey: ["id"],
  });

  it("adds, drops and alters, and says what a drop and a narrowing destroy", () => {
    const schema = defineSchema({
      tables: {
        users: {
          columns: {
            id: { type: "integer", primaryKey: true },
            age: { type: "integer", nullable: false },
            bio: { type: "text" },
          },
        },
      },
    });
    const result = diff(schema, current, pg);
    expect(upgradeOps(result.changes)).toEqual([
      { kind: "addColumn", table: "users", column: { name: "bio", type: "text" } },
      { kind: "alterColumn", table: "users", column: "age", type: "integer", nullable: false, default: null },
      { kind: "dropColumn", table: "users", column: "nickname" },
    ]);
    expect(downgradeOps(result.changes)).toEqual([
      { kind: "addColumn", table: "users", column: { name: "nickname", type: "text" } },
      { kind: "alterColumn", table: "users", column: "age", type: "bigint", nullable: true, default: sqlExpression("0") },
      { kind: "dropColumn", table: "users", column: "bio" },
    ]);
    expect(result.changes.map((c) => c.destroys)).toEqual([
      undefined,
      "values of users.age that integer cannot hold (it was bigint): the change fails or cuts them",
      "the data in column users.nickname (text)",
    ]);
  });

  it("warns about an unhinted drop + add of one family, and writes the note on both", () => {
    const schema = defineSchema({
      tables: {
        users: {
          columns: {
            id: { type: "integer", primaryKey: true },
            handle: { type: "varchar(40)" },
            age: { type: "bigint", default: 0 },
          },
        },
      },
    });
    const result = diff(schema, current, pg);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'looks like a rename of users.nickname to users.handle: add `renamedFrom: "nickname"` to column handle in the schema (written as drop + add, which loses the data of nickname)',
    ]);
    expect(result.changes.every((c) => c.notes?.[0]?.startsWith("looks like a rename"))).toBe(true);
  });

  it("renames a hinted column", () => {
    const schema = defineSchema({
      tables: {
        users: {
          columns: {
            id: { type: "integer", primaryKey: true },
            handle: { type: "text", renamedFrom: "nickname" },
            age: { type: "bigint", default: 0 },
          },
        },
      },
    });
    const result = diff(schema, current, pg);
    expect(upgradeOps(result.changes)).toEqual([{ kind: "renameColumn", table: "users", column: "nickname", to: "handle" }]);
    expect(result.warnings).toEqual([]);
  });

  it("casts with USING when PostgreSQL has no assignment cast", () => {
    const schema = defineSchema({
      tables: {
        users: {
          columns: {
            id: { type: "integer", primaryKey: true },
            nickname: { type: "integer" },
            age: { type: "bigint", default: 0 },
          },
        },
      },
    });
    expect(upgradeOps(diff(schema, current, pg).changes)).toEqual([
      { kind: "alterColumn", table: "users", column: "nickname", type: "integer", using: '"nickname"::integer' },
    ]);
  });

  it("refuses a column renamedFrom naming nothing", () => {
    const schema = defineSchema({
      tables: {
        users: { columns: { id: { type: "integer", primaryKey: true }, handle: { type: "text", renamedFrom: "nick" } } },
      },
    });
    expect(() => diff(schema, current, pg)).toThrow(
      /"users.handle" says renamedFrom: "nick", but table "users" in the database has neither/,
    );
  });

  it("reports a primary key change as drift, with no op", () => {
    const schema = defineSchema({
      tables: {
        users: {
          primaryKey: ["id", "age"],
          columns: { id: { type: "integer" }, nickname: { type: "text" }, age: { type: "bigint", default: 0 } },
        },
      },
    });
    const notNull = live({
      ...current.tables[0]!,
      columns: current.tables[0]!.columns.map((c) => (c.name === "age" ? { ...c, nullable: false } : c)),
    });
    const result = diff(schema, notNull, pg);
    expect(result.changes).toEqual([]);
    expect(result.warnings).toEqual([
      { drift: true, message: expect.stringContaining("primary key of table users is (id) in the database but (id, age)") },
    ]);
  });
});

describe("indexes and constraints", () => {
  const base = {
    name: "users",
    columns: [col("id", "integer", { nullable: false }), col("email", "text"), col("org", "integer")],
    primaryKey: ["id"],
  };

  it("matches by what they do; a declared name must match too", () => {
    const schema = defineSchema({
      tables: {
        users: {
          columns: { id: { type: "integer", primaryKey: true }, email: { type: "text" }, org: { type: "integer" } },
          indexes: [
            { columns: ["email"], where: "email IS NOT NULL" },
            { name: "ix_org", columns: ["org"] },
          ],
          uniques: [{ columns: ["email", "org"] }],
          checks: [{ expression: "org > 0" }],
        },
      },
    });
    const current = live({
      ...base,
      indexes: [
        { name: "whatever", columns: ["email"], unique: false, where: "(email IS NOT NULL)" },
        { name: "ix_org_old", columns: ["org"], unique: false },
      ],
      uniques: [{ name: "users_email_org_key", columns: ["email", "org"] }],
      checks: [{ name: "users_org_check", expression: "(org > 1)" }],
    });
    const result = diff(schema, current, pg);
    expect(upgradeOps(result.changes)).toEqual([
      { kind: "dropIndex", table: "users", name: "ix_org_old" },
      { kind: "dropConstraint", table: "users", name: "users_org_check", type: "check" },
      { kind: "createIndex", table: "users", name: "ix_org", columns: ["org"] },
      { kind: "addCheck", table: "users", name: expect.stringMatching(/^ck_users_[0-9a-f]{8}$/), expression: "org > 0" },
    ]);
    expect(downgradeOps(result.changes)).toEqual([
      { kind: "dropConstraint", table: "users", name: expect.stringMatching(/^ck_users_/), type: "check" },
      { kind: "dropIndex", table: "users", name: "ix_org" },
      { kind: "addCheck", table: "users", name: "users_org_check", expression: "(org > 1)" },
      { kind: "createIndex", table: "users", name: "ix_org_old", columns: ["org"] },
    ]);
  });

  it("MySQL: a declared unique index is the unique constraint the database reports", () => {
    const base = {
      name: "users",
      columns: [col("id", "int(11)", { nullable: false }), col("email", "longtext"), col("org", "int(11)")],
      primaryKey: ["id"],
    };
    const schema = defineSchema({
      tables: {
        users: {
          columns: { id: { type: "integer", primaryKey: true }, email: { type: "text" }, org: { type: "integer" } },
          indexes: [{ columns: ["org"], unique: true }],
        },
      },
    });
    expect(diff(schema, live({ ...base, uniques: [{ name: "uq_users_org", columns: ["org"] }] }), maria).changes).toEqual([]);
    const created = diff(schema, live(base), maria);
    expect(upgradeOps(created.changes)).toEqual([
      { kind: "createIndex", table: "users", name: "ux_users_org", columns: ["org"], unique: true },
    ]);
  });

  it("MySQL: a new foreign key's downgrade also drops the index MySQL made for it", () => {
    const base = {
      name: "users",
      columns: [col("id", "int(11)", { nullable: false }), col("email", "longtext"), col("org", "int(11)")],
      primaryKey: ["id"],
    };
    const schema = defineSchema({
      tables: {
        users: {
          columns: {
            id: { type: "integer", primaryKey: true },
            email: { type: "text" },
            org: { type: "integer", references: { table: "users", column: "id" } },
          },
        },
      },
    });
    const result = diff(schema, live(base), maria);
    expect(downgradeOps(result.changes)).toEqual([
      { kind: "dropConstraint", table: "users", name: "fk_users_org_users", type: "foreignKey" },
      { kind: "dropIndex", table: "users", name: "fk_users_org_users" },
    ]);
  });

  it("SQLite: an unnamed constraint that must go is drift, not an op", () => {
    const result = diff(
      defineSchema({
        tables: {
          users: { columns: { id: { type: "integer", primaryKey: true }, email: { type: "text" }, org: { type: "integer" } } },
        },
      }),
      live({ ...base, uniques: [{ name: "", columns: ["email"] }] }),
      sqlite,
    );
    expect(result.changes).toEqual([]);
    expect(result.warnings[0]).toMatchObject({
      drift: true,
      message: expect.stringContaining("unnamed unique constraint (email)"),
    });
  });
});

describe("views", () => {
  it("creates, drops and replaces by canonical text", () => {
    const schema = defineSchema({ tables: {}, views: { a: "SELECT 1 AS x", b: "SELECT 2 AS y" } });
    const current: SchemaSpec = {
      tables: [],
      views: [
        { name: "a", sql: "SELECT 1 AS x;" },
        { name: "b", sql: "SELECT 3 AS y" },
        { name: "c", sql: "SELECT 4" },
      ],
    };
    const result = compareSchemas(declaredSchema(schema, "s"), current, pg);
    expect(upgradeOps(result.changes)).toEqual([
      { kind: "dropView", name: "b" },
      { kind: "dropView", name: "c" },
      { kind: "createView", name: "b", sql: "SELECT 2 AS y" },
    ]);
  });
});
