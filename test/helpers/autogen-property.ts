/**
 * The autogenerate property (issue 14), run per dialect by the
 * autogen-property-*.test.ts files (one file each, so that the dialects run
 * in parallel). For a seeded chain of schemas S1 → S2, S1 → S2', …:
 *
 *   autogenerate base → S1, upgrade; then for each S2: autogenerate S1 → S2,
 *   upgrade; autogenerate says "no changes" and diff finds none; the
 *   introspected schema has S2's structure (checked against the generator's
 *   own model, not through the comparison); rows in columns both schemas
 *   keep survive; `downgrade -1` brings S1 back (diff against S1: none) with
 *   those rows. The S2 revision is then removed, and the next S2 starts from
 *   S1 again. One database per dialect, reset between chains.
 *
 * TIDEMARK_AUTOGEN_SEED=N reproduces a run (a failure prints the seed and
 * the chain); TIDEMARK_AUTOGEN_CHAIN=C runs that chain only;
 * TIDEMARK_AUTOGEN_PAIRS=N runs N pairs per dialect (default 200; the long
 * mode is simply a larger N, e.g. 5000).
 */
import { expect } from "vitest";
import { rmSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tidemark } from "../../src/api/tidemark.js";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection, Dialect, DialectName } from "../../src/dialects/dialect.js";
import type { SchemaModel, TableModel } from "../../src/dialects/schema-model.js";
import { loadDialect } from "../../src/dialects/registry.js";
import { createTestDatabase, type TestDatabase } from "./databases.js";
import { makeProject } from "./project.js";
import { Random, rowValue, SchemaGenerator, schemaModule, type GenSchema, type GenTable } from "./schema-generator.js";

export const DEFAULT_SEED = 14_2024;
const PROFILE = new Map<string, number>();
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    PROFILE.set(label, (PROFILE.get(label) ?? 0) + performance.now() - start);
  }
}
const CHAIN_LENGTH = 10;

export interface PropertySettings {
  readonly seed: number;
  readonly pairs: number;
  readonly chain?: number;
}

export function settings(): PropertySettings {
  const seed = Number(process.env["TIDEMARK_AUTOGEN_SEED"] ?? DEFAULT_SEED);
  const pairs = Number(process.env["TIDEMARK_AUTOGEN_PAIRS"] ?? 200);
  const chain = process.env["TIDEMARK_AUTOGEN_CHAIN"];
  return { seed, pairs, ...(chain === undefined ? {} : { chain: Number(chain) }) };
}

interface World {
  readonly dialectName: DialectName;
  readonly dialect: Dialect;
  readonly db: TestDatabase;
  readonly dir: string;
  connection: Connection;
  tidemark: Tidemark;
}

/** Runs the property on one dialect; returns how many pairs ran. */
export async function runProperty(name: DialectName, options: PropertySettings = settings()): Promise<number> {
  const db = await createTestDatabase(name);
  const dialect = await loadDialect(name);
  const dir = makeProject({ "migrations/.keep": "" });
  writeFileSync(join(dir, "tidemark.config.json"), JSON.stringify({ url: db.url, schema: "schema.ts" }));
  const world: World = {
    dialectName: name,
    dialect,
    db,
    dir,
    connection: await dialect.driver.connect(parseDatabaseUrl(db.url)),
    tidemark: await Tidemark.open({ cwd: dir, env: {} }),
  };
  let ran = 0;
  try {
    const chains = Math.ceil(options.pairs / CHAIN_LENGTH);
    for (let chain = 0; chain < chains; chain += 1) {
      if (options.chain !== undefined && chain !== options.chain) continue;
      const seed = (options.seed * 7919 + chain * 104_729 + name.length) >>> 0;
      const where = `${name}, TIDEMARK_AUTOGEN_SEED=${options.seed} TIDEMARK_AUTOGEN_CHAIN=${chain}`;
      try {
        ran += await timed("chain", () =>
          runChain(
            world,
            new SchemaGenerator(new Random(seed), name),
            Math.min(CHAIN_LENGTH, options.pairs - chain * CHAIN_LENGTH),
          ),
        );
      } catch (error) {
        if (error instanceof Error) error.message = `[${where}] ${error.message}`;
        throw error;
      }
    }
  } finally {
    await world.tidemark.close();
    await world.connection.close();
    await db.drop();
    if (process.env["TIDEMARK_AUTOGEN_PROFILE"] !== undefined) {
      process.stderr.write(`${[...PROFILE].map(([k, v]) => `${k} ${Math.round(v)}`).join("\n")}\n`);
    }
  }
  return ran;
}

async function reopen(world: World): Promise<void> {
  await world.tidemark.close();
  world.tidemark = await Tidemark.open({ cwd: world.dir, env: {} });
}

async function reset(world: World): Promise<void> {
  await world.tidemark.close();
  for (const file of readdirSync(join(world.dir, "migrations")))
    if (!file.startsWith(".")) unlinkSync(join(world.dir, "migrations", file));
  if (world.dialectName === "sqlite") {
    await world.connection.close();
    rmSync(world.db.name, { force: true });
    world.connection = await world.dialect.driver.connect(parseDatabaseUrl(world.db.url));
  } else if (world.dialectName === "postgres") {
    await world.connection.execute("DROP SCHEMA public CASCADE");
    await world.connection.execute("CREATE SCHEMA public");
  } else {
    const objects = await world.connection.query(
      "SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    );
    await world.connection.execute("SET FOREIGN_KEY_CHECKS = 0");
    for (const row of objects)
      await world.connection.execute(`DROP ${row["t"] === "VIEW" ? "VIEW" : "TABLE"} \`${String(row["n"])}\``);
    await world.connection.execute("SET FOREIGN_KEY_CHECKS = 1");
  }
  world.tidemark = await Tidemark.open({ cwd: world.dir, env: {} });
}

function writeSchema(world: World, schema: GenSchema): void {
  writeFileSync(join(world.dir, "schema.ts"), schemaModule(schema));
}

async function introspect(world: World): Promise<SchemaModel> {
  return world.dialect.introspector.introspect(world.connection);
}

/** Autogenerates and upgrades; the revision's file, or undefined when nothing differed. */
async function step(world: World, message: string): Promise<string | undefined> {
  const result = await timed("autogenerate", () => world.tidemark.autogenerate(message));
  expect(
    result.warnings.filter((warning) => !warning.startsWith("looks like a rename")),
    "warnings",
  ).toEqual([]);
  if (result.written === undefined) return undefined;
  // The project reads the repository's scripts once: open it again to see the new one.
  await timed("reopen", () => reopen(world));
  await timed("upgrade", () => world.tidemark.upgrade("head"));
  return result.written.file;
}

/**
 * Right after an upgrade: autogenerate says "no changes" — and so `diff`
 * finds none, since both report the one comparison (`differs` is what diff's
 * exit code is made of; CLI tests check that mapping).
 */
async function expectNoChanges(world: World, what: string): Promise<void> {
  const again = await timed("autogenerate-again", () => world.tidemark.autogenerate("idempotence"));
  expect(
    [again.changes, again.warnings, again.differs],
    `${what}: autogenerate right after the upgrade wants\n${again.script}\n`,
  ).toEqual([[], [], false]);
  expect(again.written).toBeUndefined();
}

async function runChain(world: World, generator: SchemaGenerator, pairs: number): Promise<number> {
  await timed("reset", () => reset(world));
  const s1 = generator.first();
  writeSchema(world, s1);
  expect(await step(world, "s1"), "base → S1 writes a revision").toBeDefined();
  await expectNoChanges(world, "S1");
  expectStructure(await introspect(world), s1, world.dialectName);
  await insertRows(world, s1);
  let original = await snapshot(world, s1);

  let ran = 0;
  for (let pair = 0; pair < pairs; pair += 1) {
    const s2 = generator.next(s1);
    writeSchema(world, s2);
    const file = await step(world, `pair ${pair}`);
    ran += 1;
    if (file === undefined) continue; // the mutation changed nothing the database stores
    await expectNoChanges(world, `S2 of pair ${pair}`);
    expectStructure(await timed("introspect", () => introspect(world)), s2, world.dialectName);
    expectKept(
      await timed("snapshot", () => snapshot(world, s2)),
      original,
      s1,
      s2,
      `pair ${pair}: rows after the upgrade`,
      "s2",
    );

    await timed("downgrade", () => world.tidemark.downgrade("-1"));
    writeSchema(world, s1);
    const back = await timed("diff-back", () => world.tidemark.diff());
    expect([back.differs, back.changes, back.warnings], `pair ${pair}: diff against S1 after downgrade -1`).toEqual([
      false,
      [],
      [],
    ]);
    expectKept(await snapshot(world, s1), original, s1, s2, `pair ${pair}: rows after the downgrade`, "s1");
    // A column S2 dropped came back empty (or all one default): the next pair starts from fresh rows.
    await timed("rows", () => insertRows(world, s1, true));
    original = await snapshot(world, s1);
    unlinkSync(file);
    // The project reads the repository's scripts once: open it again to forget the removed one.
    await timed("reopen", () => reopen(world));
  }
  return ran;
}

// ---- rows -------------------------------------------------------------------

async function insertRows(world: World, schema: GenSchema, replace = false): Promise<void> {
  const q = (name: string) => world.dialect.compiler.quoteIdentifier(name);
  // Foreign key columns are NULL in every row, so rows can go in any order.
  if (replace) for (const table of schema.tables) await world.connection.execute(`DELETE FROM ${q(table.name)}`);
  for (const table of schema.tables) {
    const columns = table.columns.filter((column) => !column.fk);
    for (let row = 0; row < 3; row += 1) {
      const values = columns.map((column) =>
        table.primaryKey.includes(column.name) && column.type === "integer"
          ? row + 1
          : rowValue(column.type, row, world.dialectName),
      );
      await world.connection.execute(
        `INSERT INTO ${q(table.name)} (${columns.map((c) => q(c.name)).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
        values,
      );
    }
  }
}

type Snapshot = Map<string, string[][]>;

/** Every column's values as text, by table, rows in key order. */
async function snapshot(world: World, schema: GenSchema): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const q = (name: string) => world.dialect.compiler.quoteIdentifier(name);
  for (const table of schema.tables) {
    const text = (column: GenTable["columns"][number]): string => {
      const name = q(column.name);
      if (column.type === "blob") return world.dialectName === "postgres" ? `encode(${name}, 'hex')` : `hex(${name})`;
      if (world.dialectName === "postgres") return `CAST(${name} AS text)`;
      if (world.dialectName === "mysql") return `CAST(${name} AS CHAR)`;
      return name;
    };
    const rows = await world.connection.query(
      `SELECT ${table.columns.map((column, i) => `${text(column)} AS v${i}`).join(", ")} FROM ${q(table.name)} ORDER BY ${table.primaryKey.map(q).join(", ")}`,
    );
    out.set(
      table.name,
      rows.map((row) => table.columns.map((_, i) => normal(row[`v${i}`]))),
    );
  }
  return out;
}

function normal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Buffer.isBuffer(value)) return value.toString("hex");
  return String(value).toLowerCase();
}

/** Values of the columns S1 and S2 share (through renames) are what S1's rows held. `now` was taken with S1's or S2's names. */
function expectKept(now: Snapshot, original: Snapshot, s1: GenSchema, s2: GenSchema, what: string, takenWith: "s1" | "s2"): void {
  for (const old of s1.tables) {
    const next = s2.tables.find((table) => (table.renamedFrom ?? table.name) === old.name);
    if (next === undefined) continue;
    const table = takenWith === "s1" ? old : next;
    const nowRows = now.get(table.name)!;
    const before = original.get(old.name)!;
    expect(nowRows.length, `${what}: rows of ${old.name}`).toBe(before.length);
    old.columns.forEach((column, i) => {
      const kept = next.columns.find((c) => (c.renamedFrom ?? c.name) === column.name);
      if (kept === undefined || column.fk === true) return;
      const at = table.columns.findIndex((c) => c.name === (takenWith === "s1" ? column.name : kept.name));
      if (at === -1) return;
      expect(
        nowRows.map((row) => row[at]),
        `${what}: ${old.name}.${column.name}`,
      ).toEqual(before.map((row) => row[i]));
    });
  }
}

// ---- structure ----------------------------------------------------------------

function sorted(items: readonly string[]): string[] {
  return [...items].sort();
}

/** The database has the generator's tables, columns, keys, indexes and views: checked without the comparison code. */
function expectStructure(model: SchemaModel, schema: GenSchema, dialect: DialectName): void {
  const key = (name: string) => name.toLowerCase();
  expect(sorted(model.tables.map((t) => key(t.name))), "tables").toEqual(sorted(schema.tables.map((t) => key(t.name))));
  expect(sorted(model.views.map((v) => key(v.name))), "views").toEqual(sorted(schema.views.map((v) => key(v.name))));
  const action = (a: string) => (dialect === "mysql" && a === "restrict" ? "no action" : a);
  for (const table of schema.tables) {
    const found = model.tables.find((t) => key(t.name) === key(table.name)) as TableModel;
    const where = `table ${table.name}`;
    expect(sorted(found.columns.map((c) => `${key(c.name)}:${c.nullable}`)), `${where} columns`).toEqual(
      sorted(table.columns.map((c) => `${key(c.name)}:${table.primaryKey.includes(c.name) ? false : c.nullable}`)),
    );
    expect(found.primaryKey.map(key), `${where} primary key`).toEqual(table.primaryKey.map(key));
    expect(
      sorted(
        found.foreignKeys.map(
          (fk) => `${fk.columns.map(key)}>${key(fk.refTable)}(${fk.refColumns.map(key)}):${action(fk.onDelete)}`,
        ),
      ),
      `${where} foreign keys`,
    ).toEqual(
      sorted(
        table.foreignKeys.map(
          (fk) => `${fk.columns.map(key)}>${key(fk.refTable)}(${fk.refColumns.map(key)}):${action(fk.onDelete)}`,
        ),
      ),
    );
    const uniqueIndexes = dialect === "mysql" ? table.indexes.filter((i) => i.unique && i.where === undefined) : [];
    // tidemark leaves a unique constraint on the primary key's columns alone (PostgreSQL does not create one).
    const pkUnique = (columns: readonly string[]) => columns.map(key).join(",") === table.primaryKey.map(key).join(",");
    expect(
      sorted(found.uniques.filter((u) => !pkUnique(u.columns)).map((u) => u.columns.map(key).join(","))),
      `${where} uniques`,
    ).toEqual(
      sorted(
        [...table.uniques, ...uniqueIndexes.map((i) => i.columns)]
          .filter((columns) => !pkUnique(columns))
          .map((columns) => columns.map(key).join(",")),
      ),
    );
    // MySQL's own index behind a foreign key counts only where the schema declares one on those columns (it serves as that).
    const fkNames = new Set(found.foreignKeys.map((fk) => fk.name));
    const declaredColumns = new Set(table.indexes.map((i) => i.columns.map(key).join(",")));
    const indexes = found.indexes.filter(
      (i) => !(dialect === "mysql" && fkNames.has(i.name) && !declaredColumns.has(i.columns.map(key).join(","))),
    );
    expect(
      sorted(indexes.map((i) => `${i.columns.map(key).join(",")}|${i.unique}|${i.where !== undefined}`)),
      `${where} indexes`,
    ).toEqual(
      sorted(
        table.indexes
          .filter((i) => !uniqueIndexes.includes(i))
          .map((i) => `${i.columns.map(key).join(",")}|${i.unique}|${i.where !== undefined}`),
      ),
    );
    const checks = found.checks.filter((c) => !/^json_valid\(/i.test(c.expression.replace(/`/g, "")));
    expect(checks.length, `${where} checks`).toBe(table.checks.length);
  }
}
