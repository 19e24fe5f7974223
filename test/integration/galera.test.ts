/**
 * tidemark on a real 3-node MariaDB Galera cluster (issue 16), started once
 * for this file by scripts/galera-cluster.sh and stopped at the end. Runners
 * are real CLI processes, each pointed at one node, as behind a load balancer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../helpers/cli.js";
import {
  createGaleraDatabase,
  galeraEnabled,
  queryNode,
  startGalera,
  type GaleraCluster,
  type GaleraDatabase,
} from "../helpers/galera.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const enabled = galeraEnabled();

/** `count` numbered migrations, each creating a table with a primary key and one row. */
function chain(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i += 1) {
    files[`migrations/${String(i).padStart(3, "0")}_t${i}.sql`] =
      `-- +upgrade\nCREATE TABLE t${i} (id INTEGER PRIMARY KEY);\nINSERT INTO t${i} VALUES (${i});\n-- +downgrade\nDROP TABLE t${i};\n`;
  }
  return files;
}

/** Every step applied exactly once, nothing left running or failed, every table holds its one row. */
async function expectAppliedOnce(url: string, count: number): Promise<void> {
  const done = await queryNode(url, "SELECT revision, COUNT(*) AS n FROM tidemark_log WHERE status = 'done' GROUP BY revision");
  expect(done).toHaveLength(count);
  for (const row of done) expect(Number(row.n), `revision ${String(row.revision)}`).toBe(1);
  expect(await queryNode(url, "SELECT status FROM tidemark_log WHERE status <> 'done'")).toEqual([]);
  expect(await queryNode(url, "SELECT version FROM tidemark_version")).toEqual([{ version: String(count) }]);
  for (let i = 1; i <= count; i += 1) expect(await queryNode(url, `SELECT id FROM t${i}`)).toEqual([{ id: i }]);
}

function spread(database: GaleraDatabase, dir: string, runners: number, args: readonly string[] = ["upgrade", "head"]): Promise<CliResult[]> {
  return Promise.all(
    Array.from({ length: runners }, (_, index) =>
      runCli([...args, "--url", database.urls[index % database.urls.length]!], { cwd: dir, timeoutMs: 180_000 }),
    ),
  );
}

describe.runIf(enabled)("on a 3-node Galera cluster", () => {
  let cluster: GaleraCluster;
  const databases: GaleraDatabase[] = [];

  beforeAll(async () => {
    cluster = await startGalera();
  }, 240_000);
  afterEach(async () => {
    for (const database of databases.splice(0)) await database.drop();
  });
  afterAll(async () => {
    removeProjects();
    await cluster?.stop();
  }, 60_000);

  async function freshDatabase(): Promise<GaleraDatabase> {
    const database = await createGaleraDatabase(cluster);
    databases.push(database);
    return database;
  }

  it("8 concurrent `upgrade head` runs over the three nodes apply 20 migrations exactly once, all exiting 0", async () => {
    const database = await freshDatabase();
    const dir = makeProject(chain(20));
    const runs = await spread(database, dir, 8);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    await expectAppliedOnce(database.urls[2]!, 20);
  }, 240_000);
});
