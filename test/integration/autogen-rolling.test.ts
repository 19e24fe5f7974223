/**
 * Autogenerate in a rolling repository (SPEC §8, §11), on every dialect: the
 * revision it writes is phase-correct (`check` accepts it), a hinted column
 * rename becomes new column + sync triggers (expand), a batched copy
 * (migrate) and the old column's drop (contract); while expand is applied,
 * an old release writing the old column and a new one writing the new
 * column both see their writes in the other's column; after contract the
 * database is the declared schema.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tidemark } from "../../src/api/tidemark.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();
afterAll(removeProjects);

const V1 = `export default {
  tables: {
    people: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        name: { type: "varchar(100)", nullable: false },
        age: { type: "integer" },
      },
    },
  },
};`;

const V2 = `export default {
  tables: {
    people: {
      columns: {
        id: { type: "integer", primaryKey: true, autoIncrement: true },
        full_name: { type: "varchar(100)", nullable: false, renamedFrom: "name" },
        age: { type: "bigint" },
        email: { type: "varchar(200)" },
      },
      indexes: [{ columns: ["full_name"] }],
      uniques: [{ columns: ["email"] }],
    },
    pets: {
      columns: {
        id: { type: "integer", primaryKey: true },
        owner_id: { type: "integer", nullable: false, references: { table: "people", column: "id" } },
      },
    },
  },
};`;

/** Lint errors on the second revision's expand: the plain index (line 17) and the unique constraint (line 18). */
const EXPAND_INDEX_FINDINGS: Readonly<Record<string, readonly string[]>> = {
  sqlite: ["17 TM103", "18 TM502"],
  postgres: ["17 TM101", "18 TM104"],
  mysql: ["17 TM102", "18 TM102"],
};

describe.each(dialects)("%s", (name) => {
  let db: TestDatabase;
  let dir: string;
  let tidemark: Tidemark;
  let connection: Connection;

  beforeEach(async () => {
    db = await createTestDatabase(name);
    dir = makeProject({
      "tidemark.config.json": JSON.stringify({
        url: db.url,
        schema: "schema.js",
        repositories: { core: { path: "migrations", rolling: true } },
      }),
      "schema.js": V1,
      "migrations/.keep": "",
    });
    tidemark = await Tidemark.open({ cwd: dir, env: {} });
    connection = await (await loadDialect(name)).driver.connect(parseDatabaseUrl(db.url));
  });
  afterEach(async () => {
    await connection.close();
    await tidemark.close();
    await db.drop();
  });

  const reopen = async (): Promise<void> => {
    await tidemark.close();
    tidemark = await Tidemark.open({ cwd: dir, env: {} });
  };

  it("writes phase-correct revisions whose rename keeps both releases' writes", async () => {
    const first = await tidemark.autogenerate("people");
    expect(first.written).toBeDefined();
    await reopen();
    expect((await tidemark.check()).problems).toEqual([]);
    await tidemark.upgrade("head");
    await connection.execute("INSERT INTO people (name, age) VALUES ('Ann', 30)");

    writeFileSync(join(dir, "schema.js"), V2);
    await reopen();
    const second = await tidemark.autogenerate("rename name to full_name");
    expect(second.warnings).toEqual([]);
    const text = readFileSync(second.written!.file, "utf8");
    const body = (phase: string): string => text.slice(text.indexOf(`export async function ${phase}(`)).split("\n}\n")[0]!;
    expect(body("expand")).toContain('await op.addColumn("people", "full_name", { type: "varchar(100)" });');
    expect(body("expand")).toContain('await op.syncColumns({ table: "people", from: "name", to: "full_name"');
    expect(body("expand")).toContain('await op.createTable("pets"');
    expect(body("migrate")).toContain('await op.backfill({ table: "people", set: { full_name: "name" }, key: "id" });');
    expect(body("contract").split("\n").slice(1, 2)).toEqual([
      '  await op.dropSync({ table: "people", name: "people_name_full_name" });',
    ]);
    expect(body("contract")).toContain('await op.dropColumn("people", "name");');
    expect(body("contract")).toContain('await op.alterColumn("people", "full_name", { nullable: false });');
    // integer and bigint are one affinity in SQLite: nothing to change there.
    if (name !== "sqlite") expect(body("contract")).toContain('await op.alterColumn("people", "age", { type: "bigint" });');

    await reopen();
    // The phase rules hold. The lock lint (issue 13) flags the index builds autogenerate puts in
    // expand on an existing table — writers wait for them — and nothing else.
    const checked = await tidemark.check();
    expect(checked.problems.filter((problem) => problem.kind !== "lint")).toEqual([]);
    expect(checked.problems.map((problem) => `${problem.fields?.["line"]} ${problem.fields?.["rule"]}`)).toEqual(
      EXPAND_INDEX_FINDINGS[name],
    );
    await tidemark.sync("head", { phase: "expand" });
    // The old release writes name, the new one full_name: the triggers fill in the other.
    await connection.execute("INSERT INTO people (name, age) VALUES ('Old Writer', 40)");
    await connection.execute("INSERT INTO people (full_name, name, age) VALUES ('New Writer', 'New Writer', 50)");
    const seen = await connection.query("SELECT name, full_name FROM people WHERE age >= 40 ORDER BY age");
    expect(seen.map((row) => [row["name"], row["full_name"]])).toEqual([
      ["Old Writer", "Old Writer"],
      ["New Writer", "New Writer"],
    ]);
    await tidemark.sync("head", { phase: "migrate" });
    await tidemark.sync("head", { phase: "contract" });

    const diff = await tidemark.diff();
    expect([diff.changes, diff.warnings, diff.differs]).toEqual([[], [], false]);
    const rows = await connection.query("SELECT full_name FROM people ORDER BY id");
    expect(rows.map((row) => row["full_name"])).toEqual(["Ann", "Old Writer", "New Writer"]);
    expect((await tidemark.autogenerate("again")).written).toBeUndefined();
    expect(readdirSync(join(dir, "migrations")).filter((file) => !file.startsWith("."))).toHaveLength(2);

    // The downgrade (plain inverse) brings v1 back, with the names copied back.
    await tidemark.downgrade("-1");
    writeFileSync(join(dir, "schema.js"), V1);
    await reopen();
    expect((await tidemark.diff()).differs).toBe(false);
    const back = await connection.query("SELECT name FROM people ORDER BY id");
    expect(back.map((row) => row["name"])).toEqual(["Ann", "Old Writer", "New Writer"]);
  });
});
