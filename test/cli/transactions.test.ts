/** SPEC §9 on SQLite: each step and its version row commit together; --single-transaction is all or nothing. */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, removeProjects, sqlRevision, tsRevision, writeFiles } from "../helpers/project.js";
import { dump, logRows, objects, query, tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const R1 = "111111111111";
const R2 = "222222222222";
const R3 = "333333333333";
const db = (dir: string) => join(dir, "tidemark.db");
const userTables = (dir: string) =>
  tableNames(db(dir)).filter((name) => !name.startsWith("tidemark_") && name !== "sqlite_sequence");

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

const BAD_STATEMENT = "INSERT INTO no_such_table (x) VALUES (1)";

/** R1, R2 fine; R3 creates a table, writes into t1, then fails on its third statement. */
function project(r3Up = `CREATE TABLE t3 (id INTEGER);\nINSERT INTO t1 (id) VALUES (3);\n${BAD_STATEMENT};`): string {
  return makeProject({
    [`migrations/${R1}_one.sql`]: sqlRevision(R1, null, "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    [`migrations/${R2}_two.sql`]: sqlRevision(
      R2,
      R1,
      "CREATE TABLE t2 (id INTEGER);\nINSERT INTO t1 (id) VALUES (2);",
      "DROP TABLE t2;",
    ),
    [`migrations/${R3}_three.sql`]: sqlRevision(R3, R2, r3Up, "DROP TABLE t3;"),
  });
}

describe("per-step transactions", () => {
  it("a failing third revision leaves revisions 1–2 applied and no trace of the third", async () => {
    const dir = project();
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`revision ${R3}`);
    expect(result.stderr).toContain(join(dir, "migrations", `${R3}_three.sql`));
    expect(result.stderr).toContain(BAD_STATEMENT);
    expect(result.stderr).toContain("(line 7)");
    expect(result.stderr).toContain("no such table: no_such_table");
    expect(result.stderr).toMatch(/rolled back/);

    expect(userTables(dir)).toEqual(["t1", "t2"]);
    expect(query(db(dir), "SELECT id FROM t1")).toEqual([{ id: 2 }]);
    expect(versions(db(dir))).toEqual([R2]);
    expect(logRows(db(dir)).map((row) => [row.revision, row.direction, row.status])).toEqual([
      [R1, "up", "done"],
      [R2, "up", "done"],
    ]);
  });

  it("after the script is fixed, upgrade continues with the third revision only", async () => {
    const dir = project();
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(1);
    writeFiles(dir, {
      [`migrations/${R3}_three.sql`]: sqlRevision(R3, R2, "CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
    });
    const out = await ok(dir, "upgrade");
    expect(out).toContain(`core: upgraded ${R2} -> ${R3} (1 step)`);
    expect(userTables(dir)).toEqual(["t1", "t2", "t3"]);
    expect(logRows(db(dir)).map((row) => row.revision)).toEqual([R1, R2, R3]);
  });

  it("a TypeScript body that throws rolls back the operations it already ran", async () => {
    const dir = makeProject({
      [`migrations/${R1}_one.ts`]: tsRevision(R1, null, '  await op.execute("CREATE TABLE t1 (id INTEGER)");'),
      [`migrations/${R2}_two.ts`]: tsRevision(
        R2,
        R1,
        [
          '  await op.createTable("t2", { id: { type: "integer" } });',
          '  await op.bulkInsert("t1", [{ id: 1 }]);',
          '  throw new Error("the data looks wrong");',
        ].join("\n"),
      ),
    });
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`revision ${R2}`);
    expect(result.stderr).toContain(join(dir, "migrations", `${R2}_two.ts`));
    expect(result.stderr).toContain("the data looks wrong");
    expect(userTables(dir)).toEqual(["t1"]);
    expect(query(db(dir), "SELECT count(*) AS n FROM t1")).toEqual([{ n: 0 }]);
    expect(versions(db(dir))).toEqual([R1]);
    expect(logRows(db(dir)).map((row) => row.revision)).toEqual([R1]);
  });

  it("a failing downgrade step keeps the steps before it and rolls itself back", async () => {
    const dir = makeProject({
      [`migrations/${R1}_one.sql`]: sqlRevision(R1, null, "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
      [`migrations/${R2}_two.sql`]: sqlRevision(R2, R1, "CREATE TABLE t2 (id INTEGER);", `DROP TABLE t2;\n${BAD_STATEMENT};`),
      [`migrations/${R3}_three.sql`]: sqlRevision(R3, R2, "CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
    });
    await ok(dir, "upgrade");
    const result = await runCli(["downgrade", "base"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`revision ${R2}`);
    expect(result.stderr).toContain(BAD_STATEMENT);
    expect(userTables(dir)).toEqual(["t1", "t2"]);
    expect(versions(db(dir))).toEqual([R2]);
    expect(logRows(db(dir)).map((row) => [row.revision, row.direction, row.status])).toEqual([
      [R1, "up", "done"],
      [R2, "up", "done"],
      [R3, "up", "done"],
      [R3, "down", "done"],
    ]);
  });
});

describe("--single-transaction", () => {
  it("all or nothing: on a new database nothing at all is left", async () => {
    const dir = project();
    const result = await runCli(["upgrade", "--single-transaction"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`revision ${R3}`);
    expect(result.stderr).toContain(BAD_STATEMENT);
    if (existsSync(db(dir))) expect(objects(db(dir))).toEqual([]);
  });

  it("all or nothing: an existing database is left exactly as it was", async () => {
    const dir = project();
    await ok(dir, "upgrade", R1);
    const before = dump(db(dir));
    const result = await runCli(["--single-transaction", "upgrade"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(dump(db(dir))).toBe(before);
    expect(versions(db(dir))).toEqual([R1]);
  });

  it("applies every step when all succeed, with one log row per step", async () => {
    const dir = project("CREATE TABLE t3 (id INTEGER);");
    await ok(dir, "upgrade", "--single-transaction");
    expect(userTables(dir)).toEqual(["t1", "t2", "t3"]);
    expect(versions(db(dir))).toEqual([R3]);
    expect(logRows(db(dir)).map((row) => [row.revision, row.status])).toEqual([
      [R1, "done"],
      [R2, "done"],
      [R3, "done"],
    ]);
    await ok(dir, "downgrade", "base", "--single-transaction");
    expect(userTables(dir)).toEqual([]);
  });

  it("refuses a non-transactional revision before running anything (exit 2)", async () => {
    const dir = makeProject({
      [`migrations/${R1}_one.sql`]: sqlRevision(R1, null, "CREATE TABLE t1 (id INTEGER);"),
      [`migrations/${R2}_two.sql`]: `-- transactional: false\n${sqlRevision(R2, R1, "CREATE TABLE t2 (id INTEGER);")}`,
    });
    const result = await runCli(["upgrade", "--single-transaction"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(R2);
    expect(result.stderr).toContain("transactional");
    // A refused command creates no database file (SPEC §6).
    expect(existsSync(db(dir))).toBe(false);
  });
});
