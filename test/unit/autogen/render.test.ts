import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { sqlExpression, type Op } from "../../../src/ops/op.js";
import { createOpBuilder } from "../../../src/ops/builder.js";
import { loadModule } from "../../../src/util/module-loader.js";
import { renderOpCall } from "../../../src/autogen/render-ts.js";
import { renderTsBody, SqlBodyRenderer } from "../../../src/autogen/render-body.js";
import { plainBodies } from "../../../src/autogen/script-steps.js";
import { compareSchemas } from "../../../src/autogen/compare.js";
import { declaredSchema } from "../../../src/autogen/declared-schema.js";
import { defineSchema } from "../../../src/autogen/schema-dsl.js";
import { sqliteNormalizer } from "../../../src/autogen/normalize-sqlite.js";
import { postgresNormalizer } from "../../../src/autogen/normalize-postgres.js";
import { sqliteDialect } from "../../../src/dialects/sqlite/sqlite-dialect.js";
import { postgresDialect } from "../../../src/dialects/postgres/postgres-dialect.js";
import { makeProject, removeProjects } from "../../helpers/project.js";

afterAll(removeProjects);

const EVERY_OP: Op[] = [
  {
    kind: "createTable",
    table: "users",
    columns: [
      { name: "id", type: "integer", primaryKey: true, autoIncrement: true },
      { name: "e-mail", type: "varchar(255)", nullable: false, default: "it's" },
      { name: "at", type: "timestamp", default: sqlExpression("CURRENT_TIMESTAMP") },
    ],
    uniques: [{ name: "uq_users_email", columns: ["e-mail"] }],
    checks: [{ name: "ck", expression: "id > 0" }],
  },
  {
    kind: "createTable",
    table: "m",
    columns: [
      { name: "a", type: "integer" },
      { name: "b", type: "integer" },
    ],
    primaryKey: ["a", "b"],
  },
  { kind: "dropTable", table: "old" },
  { kind: "renameTable", table: "a", to: "b" },
  { kind: "addColumn", table: "users", column: { name: "n", type: "integer", nullable: false, default: 0 } },
  { kind: "dropColumn", table: "users", column: "n" },
  { kind: "alterColumn", table: "users", column: "n", type: "bigint", nullable: true, default: null, using: '"n"::bigint' },
  { kind: "renameColumn", table: "users", column: "n", to: "m" },
  { kind: "createIndex", table: "users", name: "ix", columns: ["m", "id"], unique: true, where: "m > 0" },
  { kind: "dropIndex", table: "users", name: "ix" },
  { kind: "addForeignKey", table: "p", name: "fk", columns: ["u"], refTable: "users", refColumns: ["id"], onDelete: "set null" },
  { kind: "addUnique", table: "users", name: "uq", columns: ["m"] },
  { kind: "addCheck", table: "users", name: "ck2", expression: "m <> 'x'" },
  { kind: "dropConstraint", table: "users", name: "uq", type: "unique" },
  { kind: "createView", name: "v", sql: "SELECT 1", orReplace: true },
  { kind: "dropView", name: "v" },
  {
    kind: "syncColumns",
    table: "users",
    name: "users_n_m",
    from: ["n"],
    to: ["m"],
    forward: { m: "NEW.n" },
    backward: { n: "NEW.m" },
  },
  { kind: "dropSync", table: "users", name: "users_n_m" },
];

async function runBody(body: string): Promise<Op[]> {
  const dir = makeProject();
  const file = join(dir, "script.ts");
  writeFileSync(file, `import type { Op } from "tidemark";\nexport async function upgrade(op: Op) {\n${body}\n}\n`);
  const recorded: Op[] = [];
  const builder = createOpBuilder({
    offline: true,
    dialect: "postgres",
    run: async (op) => void recorded.push(op),
    query: async () => [],
    backfill: async () => ({ rows: 0, batches: 0, stopped: false }),
  });
  await ((await loadModule(file))["upgrade"] as (op: unknown) => Promise<void>)(builder);
  await builder.drain();
  return recorded;
}

describe("TypeScript rendering", () => {
  it("writes each op as the builder call that makes it again", async () => {
    const body = EVERY_OP.map(renderOpCall).join("\n");
    expect(await runBody(body)).toEqual(EVERY_OP);
  });

  it("reads like a hand-written script", () => {
    expect(renderOpCall(EVERY_OP[0]!)).toBe(
      [
        'await op.createTable("users", {',
        '  id: { type: "integer", primaryKey: true, autoIncrement: true },',
        '  "e-mail": { type: "varchar(255)", nullable: false, default: "it\'s" },',
        '  at: { type: "timestamp", default: op.sql("CURRENT_TIMESTAMP") },',
        '}, { uniques: [{ name: "uq_users_email", columns: ["e-mail"] }], checks: [{ name: "ck", expression: "id > 0" }] });',
      ].join("\n"),
    );
    expect(renderOpCall(EVERY_OP[6]!)).toBe(
      'await op.alterColumn("users", "n", { type: "bigint", nullable: true, default: null, using: "\\"n\\"::bigint" });',
    );
  });

  it("comments what a destructive change destroys, above it", () => {
    const changes = compareSchemas(
      declaredSchema(defineSchema({ tables: {} }), "s"),
      {
        tables: [
          {
            name: "old",
            origin: "database",
            columns: [{ name: "id", type: "integer", nullable: true, default: undefined, autoIncrement: false }],
            primaryKey: [],
            indexes: [],
            uniques: [],
            foreignKeys: [],
            checks: [],
          },
        ],
        views: [],
      },
      postgresNormalizer,
    ).changes;
    const bodies = plainBodies(changes);
    expect(renderTsBody(bodies.upgrade!)).toBe('// destroys table old and all its rows (columns id)\nawait op.dropTable("old");');
    expect(renderTsBody(bodies.downgrade!)).toBe('await op.createTable("old", {\n  id: { type: "integer" },\n});');
  });
});

describe("SQL rendering", () => {
  it("compiles against the introspected tables (SQLite's rebuild restates the table)", () => {
    const renderer = new SqlBodyRenderer(sqliteDialect, [
      {
        name: "t",
        columns: [
          { name: "id", type: "integer", nullable: false, default: null, autoIncrement: false },
          { name: "a", type: "text", nullable: true, default: null, autoIncrement: false },
        ],
        primaryKey: ["id"],
        indexes: [],
        uniques: [],
        foreignKeys: [],
        checks: [],
      },
    ]);
    const sql = renderer.body([
      { kind: "op", op: { kind: "alterColumn", table: "t", column: "a", nullable: false }, comments: ["tightens"] },
    ]);
    expect(sql.split("\n")[0]).toBe("-- tightens");
    expect(sql).toContain('CREATE TABLE "_tidemark_new_t"');
    expect(sql).toContain('"a" text NOT NULL');
  });

  it("PostgreSQL: one statement per op, in the schema when one is set", () => {
    const changes = compareSchemas(
      declaredSchema(defineSchema({ tables: { t: { columns: { id: { type: "integer", primaryKey: true } } } } }), "s"),
      { tables: [], views: [] },
      postgresNormalizer,
    ).changes;
    const sql = new SqlBodyRenderer(postgresDialect, [], "app").body(plainBodies(changes).upgrade!);
    expect(sql).toBe('CREATE TABLE "app"."t" (\n  "id" integer NOT NULL PRIMARY KEY\n);');
  });

  it("SQLite end to end: a declared schema renders to SQL that creates it", () => {
    const changes = compareSchemas(
      declaredSchema(
        defineSchema({
          tables: { t: { columns: { id: { type: "integer", primaryKey: true }, b: { type: "boolean", default: true } } } },
        }),
        "s",
      ),
      { tables: [], views: [] },
      sqliteNormalizer,
    ).changes;
    expect(new SqlBodyRenderer(sqliteDialect, []).body(plainBodies(changes).upgrade!)).toBe(
      'CREATE TABLE "t" (\n  "id" integer NOT NULL PRIMARY KEY,\n  "b" integer DEFAULT 1\n);',
    );
  });
});
