/**
 * op.backfill on every dialect: batches by key, `sync --migrate --max-count`
 * stops after N rows and leaves the step open, the next run resumes after
 * the last finished batch, and `--json` carries the progress events.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DialectName } from "../../src/dialects/dialect.js";
import { runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { queryDatabase as query } from "../helpers/query.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();

const ROWS = 250;
const SEED = `-- +expand
CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
-- +migrate
${Array.from(
  { length: ROWS / 50 },
  (_, b) =>
    `INSERT INTO items (id, n) VALUES ${Array.from({ length: 50 }, (_, i) => `(${b * 50 + i + 1}, ${b * 50 + i + 1})`).join(", ")};`,
).join("\n")}
-- +contract
`;

const DOUBLE = `export const message = "items.twice";
export async function expand(op) {
  await op.addColumn("items", "twice", { type: "integer" });
}
export async function migrate(op) {
  await op.backfill({ table: "items", set: { twice: "n * 2" }, where: "twice IS NULL", key: "id", batchSize: 50 });
}
`;

describe.each(dialects)("backfill on %s", (dialectName: DialectName) => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase(dialectName);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  it("stops at --max-count, resumes where it stopped, and reports progress in --json", async () => {
    const dir = makeProject({ "migrations/001_items.sql": SEED, "migrations/002_twice.mjs": DOUBLE });
    const cli = (...args: string[]) => runCli([...args, "--url", database.url], { cwd: dir });
    expect((await cli("sync", "--expand")).code).toBe(0);

    const first = await cli("sync", "--migrate", "--max-count", "120", "--json");
    expect(first.code, first.stderr).toBe(0);
    // NDJSON: each progress event on its own line as it happens, the summary last.
    const lines = first.stdout.trimEnd().split("\n");
    const events = lines
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { type: string; rows: number; batches: number; total: number });
    const document = JSON.parse(lines[lines.length - 1] as string) as {
      repositories: { steps: { revision: string; outcome: string }[] }[];
      progress: { table: string; rows: number; batches: number; total: number }[];
    };
    expect(document.repositories[0]?.steps.map((step) => [step.revision, step.outcome])).toEqual([
      ["1", "done"],
      ["2", "stopped"],
    ]);
    expect(events.map((event) => [event.type, event.rows, event.batches])).toEqual([
      ["progress", 50, 1],
      ["progress", 100, 2],
      ["progress", 120, 3],
    ]);
    expect(events[0]?.total).toBe(ROWS);
    expect(document.progress).toEqual([events[2]]);
    expect(await query(database.url, "SELECT COUNT(*) AS n FROM items WHERE twice IS NOT NULL")).toEqual([{ n: 120 }]);
    const open = await query(
      database.url,
      "SELECT status, progress FROM tidemark_log WHERE revision = '2' AND phase = 'migrate'",
    );
    expect(open).toEqual([{ status: "running", progress: "120" }]);
    expect((await cli("sync", "--check")).code).toBe(3);

    const second = await cli("sync", "--migrate");
    expect(second.code, second.stderr).toBe(0);
    const rows = await query(database.url, "SELECT id, n, twice FROM items ORDER BY id");
    expect(rows).toHaveLength(ROWS);
    for (const row of rows) expect(Number(row.twice)).toBe(Number(row.n) * 2);
    const statuses = await query(database.url, "SELECT status FROM tidemark_log WHERE revision = '2' AND phase = 'migrate'");
    expect(statuses).toEqual([{ status: "done" }]);
    expect((await cli("sync", "--check")).code).toBe(4);
  });
});
