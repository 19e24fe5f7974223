/**
 * The introspectors, on every dialect: one suite reads the same kind of
 * schema (hostile names, composite and foreign keys with actions, partial
 * indexes, a view, triggers) from SQLite, the real PostgreSQL and the real
 * MariaDB. Each dialect's schema and expected models are in
 * ./introspectors/<dialect>.ts, with the cases only that dialect has.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { createTestDatabase, type TestDatabase, testDialects } from "../helpers/databases.js";
import type { Introspected, IntrospectorCase } from "./introspectors/case.js";
import { mysqlCase } from "./introspectors/mysql.js";
import { postgresCase } from "./introspectors/postgres.js";
import { sqliteCase } from "./introspectors/sqlite.js";

const dialects = await testDialects();

const CASES: Record<DialectName, IntrospectorCase> = { sqlite: sqliteCase, postgres: postgresCase, mysql: mysqlCase };

describe.each(dialects)("the %s introspector", (name) => {
  const { introspector, ...expected } = CASES[name];
  let db: TestDatabase;
  let live: Introspected;

  beforeAll(async () => {
    db = await createTestDatabase(name);
    const conn = await (await loadDialect(name)).driver.connect(parseDatabaseUrl(db.url));
    for (const sql of expected.schema) await conn.execute(sql);
    live = { conn, model: await introspector.introspect(conn) };
  });
  afterAll(async () => {
    await live?.conn.close();
    await db?.drop();
  });

  it("reports the tables by name, leaving out tidemark's", () => {
    expect(live.model.tables.map((t) => t.name)).toEqual(expected.tables);
  });

  it("reads columns, keys, uniques and checks of a table with hostile names", () => {
    expect(live.model.tables.find((t) => t.name === 'Users "x"')).toEqual(expected.users);
  });

  it("reads composite keys, foreign keys with their actions, and indexes with their predicates", () => {
    expect(live.model.tables.find((t) => t.name === "posts")).toEqual(expected.posts);
  });

  it("reads views (their SELECT) and triggers, leaving out triggers on excluded tables", () => {
    expect(live.model.views).toEqual(expected.views);
    expect(live.model.triggers).toEqual([{ name: "trg_posts", table: "posts" }]);
  });

  it("honours an explicit exclude list", async () => {
    const all = await introspector.introspect(live.conn, { exclude: ["posts"] });
    expect(all.tables.map((t) => t.name)).toEqual(expected.withoutPosts);
    expect(all.triggers).toEqual([{ name: "trg_log", table: "tidemark_log" }]);
  });

  it("answers tableExists from the catalog", async () => {
    for (const [table, schema, exists] of expected.exists) {
      expect([table, schema, await introspector.tableExists(live.conn, table, schema)]).toEqual([table, schema, exists]);
    }
  });

  describe(`${name} only`, () => expected.only(() => live));
});
