/**
 * The proof of the rolling-upgrade scheme, on every dialect: an "old
 * release" writer (knows only the old column) and a "new release" writer
 * (knows only the new ones) write continuously, on their own connections,
 * while the CLI — another process — runs expand, migrate and contract.
 * Afterwards: no writer error, every row readable by both releases in the
 * shape each expects, no lost or mangled row, and no trigger left.
 *
 * Issue 13's safe sequences — the table rename (the MariaDB case of D9), the
 * type change and the NOT NULL add — are proved the same way, on a seeded
 * table and with a bound on writer stalls, in rolling-proof-safe-ops.test.ts.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDialect } from "../../src/dialects/registry.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, Dialect, DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();

const BASE = `-- +expand
CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200));
`;

const RENAME = `export const message = "people.name -> people.full_name";
export async function expand(op) {
  await op.addColumn("people", "full_name", { type: "varchar(200)" });
  await op.syncColumns({ table: "people", from: "name", to: "full_name", forward: "NEW.name", backward: "NEW.full_name" });
}
export async function migrate(op) {
  await op.backfill({ table: "people", set: { full_name: "name" }, where: "full_name IS NULL AND name IS NOT NULL", batchSize: 50 });
}
export async function contract(op) {
  await op.dropSync({ table: "people", from: "name", to: "full_name" });
  await op.dropColumn("people", "name");
}
`;

const SPLIT = `export const message = "people.name -> first_name + last_name";
const first = { sqlite: (c) => "substr(" + c + ", 1, instr(" + c + ", ' ') - 1)", postgres: (c) => "split_part(" + c + ", ' ', 1)", mysql: (c) => "SUBSTRING_INDEX(" + c + ", ' ', 1)" };
const last = { sqlite: (c) => "substr(" + c + ", instr(" + c + ", ' ') + 1)", postgres: (c) => "split_part(" + c + ", ' ', 2)", mysql: (c) => "SUBSTRING_INDEX(" + c + ", ' ', -1)" };
const join = { sqlite: (a, b) => a + " || ' ' || " + b, postgres: (a, b) => a + " || ' ' || " + b, mysql: (a, b) => "CONCAT(" + a + ", ' ', " + b + ")" };
export async function expand(op) {
  await op.addColumn("people", "first_name", { type: "varchar(100)" });
  await op.addColumn("people", "last_name", { type: "varchar(100)" });
  await op.syncColumns({
    table: "people", from: "name", to: ["first_name", "last_name"],
    forward: { first_name: first[op.dialect]("NEW.name"), last_name: last[op.dialect]("NEW.name") },
    backward: join[op.dialect]("NEW.first_name", "NEW.last_name"),
  });
}
export async function migrate(op) {
  await op.backfill({
    table: "people", set: { first_name: first[op.dialect]("name"), last_name: last[op.dialect]("name") },
    where: "first_name IS NULL AND name IS NOT NULL", batchSize: 50,
  });
}
export async function contract(op) {
  await op.dropSync({ table: "people", from: "name", to: ["first_name", "last_name"] });
  await op.dropColumn("people", "name");
}
`;

interface Shape {
  readonly title: string;
  readonly script: string;
  /** What the new release writes for a full name, and reads back as one. */
  readonly newColumns: readonly string[];
  readonly toNew: (full: string) => readonly string[];
}

const SHAPES: readonly Shape[] = [
  { title: "column rename", script: RENAME, newColumns: ["full_name"], toNew: (full) => [full] },
  { title: "column split", script: SPLIT, newColumns: ["first_name", "last_name"], toNew: (full) => full.split(" ") },
];

interface Writer {
  readonly errors: string[];
  stop(): Promise<void>;
}

/** Inserts and updates continuously as one release would; remembers what each row must hold. */
function startWriter(
  connection: Connection,
  dialect: Dialect,
  release: "old" | "new",
  shape: Shape,
  expected: Map<number, string>,
  ids: { next: number },
): Writer {
  const errors: string[] = [];
  const columns = release === "old" ? ["name"] : shape.newColumns;
  const quoted = columns.map((column) => dialect.compiler.quoteIdentifier(column));
  let running = true;
  let count = 0;
  const loop = (async () => {
    while (running) {
      count += 1;
      const full = `${release}${count} x${count}`;
      const values = release === "old" ? [full] : shape.toNew(full);
      try {
        if (count % 3 === 0 && expected.size > 0) {
          // Update a row written by either release.
          const keys = [...expected.keys()];
          const id = keys[(count * 7) % keys.length] as number;
          await connection.execute(`UPDATE people SET ${quoted.map((q) => `${q} = ?`).join(", ")} WHERE id = ?`, [...values, id]);
          expected.set(id, full);
        } else {
          const id = ids.next++;
          await connection.execute(
            `INSERT INTO people (id, ${quoted.join(", ")}) VALUES (?, ${quoted.map(() => "?").join(", ")})`,
            [id, ...values],
          );
          expected.set(id, full);
        }
      } catch (error) {
        errors.push(`${release} writer: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  })();
  return {
    errors,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe.each(dialects)("rolling upgrade with two releases writing, on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialectName);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  it.each(SHAPES)(
    "$title: no writer errors, every row readable by both releases, no trigger left",
    async (shape) => {
      const dir = makeProject({ "migrations/001_people.sql": BASE, "migrations/002_change.mjs": shape.script });
      const cli = async (...args: string[]) => {
        const run = await runCli([...args, "--url", database.url], { cwd: dir, timeoutMs: 120_000 });
        expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
      };
      await cli("sync", "1");
      const parsed = parseDatabaseUrl(database.url);
      const dialect = await loadDialect(parsed.dialect);
      const oldConnection = await dialect.driver.connect(parsed);
      const newConnection = await dialect.driver.connect(parsed);
      const reader = await dialect.driver.connect(parsed);
      const expected = new Map<number, string>();
      const ids = { next: 1 };
      try {
        const oldWriter = startWriter(oldConnection, dialect, "old", shape, expected, ids);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await cli("sync", "--expand");
        // The new release is deployed next to the old one.
        const newWriter = startWriter(newConnection, dialect, "new", shape, expected, ids);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await cli("sync", "--migrate");
        await new Promise((resolve) => setTimeout(resolve, 300));

        // While both releases write, every row is whole in both shapes.
        const both = await reader.query(`SELECT id, name, ${shape.newColumns.join(", ")} FROM people ORDER BY id`);
        for (const row of both) {
          const full = String(row.name);
          expect(
            shape.newColumns.map((column) => String(row[column])),
            `row ${String(row.id)}`,
          ).toEqual(shape.toNew(full));
        }

        // The old release is retired before contract.
        await oldWriter.stop();
        await cli("sync", "--contract");
        await new Promise((resolve) => setTimeout(resolve, 200));
        await newWriter.stop();

        expect([...oldWriter.errors, ...newWriter.errors]).toEqual([]);
        const rows = await reader.query(`SELECT id, ${shape.newColumns.join(", ")} FROM people ORDER BY id`);
        expect(rows.length).toBe(expected.size);
        expect(rows.length).toBeGreaterThan(20);
        for (const row of rows) {
          expect(
            shape.newColumns.map((column) => String(row[column])),
            `row ${String(row.id)}`,
          ).toEqual(shape.toNew(expected.get(Number(row.id)) as string));
        }
        const schema = await dialect.introspector.introspect(reader);
        expect(schema.triggers).toEqual([]);
        expect(schema.tables.find((table) => table.name === "people")?.columns.map((column) => column.name)).toEqual([
          "id",
          ...shape.newColumns,
        ]);
        const check = await runCli(["sync", "--check", "--url", database.url], { cwd: dir });
        expect(check.code).toBe(0);
      } finally {
        await oldConnection.close();
        await newConnection.close();
        await reader.close();
      }
    },
    180_000,
  );
});
