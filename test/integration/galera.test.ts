/**
 * tidemark on a real 3-node MariaDB Galera cluster (issue 16), started once
 * for this file by scripts/galera-cluster.sh and stopped at the end. Runners
 * are real CLI processes, each pointed at one node, as behind a load
 * balancer. The tests that stop a node come last.
 *
 * TIDEMARK_TEST_GALERA_ROUNDS sets the rounds of the 16-runner proof
 * (default 2; TIDEMARK_TEST_GALERA_LONG=1 makes it 10).
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { Connection } from "../../src/dialects/dialect.js";
import { takeGaleraLease } from "../../src/dialects/mysql/galera-lease-lock.js";
import { galeraNodeOf } from "../../src/dialects/mysql/galera-session.js";
import { mysqlDialect } from "../../src/dialects/mysql/mysql-dialect.js";
import { lockMysql } from "../../src/dialects/mysql/mysql-lock.js";
import { LockLostError, LockTimeoutError } from "../../src/errors.js";
import { BIN, runCli, type CliResult } from "../helpers/cli.js";
import { createTestDatabase, MYSQL_ADMIN_URL } from "../helpers/databases.js";
import {
  connectNode,
  createGaleraDatabase,
  galeraEnabled,
  queryNode,
  startGalera,
  writeOnNode,
  type GaleraCluster,
  type GaleraDatabase,
} from "../helpers/galera.js";
import {
  appliedOnce,
  expectedOnce,
  FIRST_STEP,
  FORBID,
  numberedChain,
  parityProject,
  PEOPLE,
  RENAME,
  SLOW_STEP,
  snapshotDatabase,
  startWriter,
  type WriterShared,
} from "../helpers/galera-fixtures.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const enabled = galeraEnabled();
const ROUNDS = Number(process.env["TIDEMARK_TEST_GALERA_ROUNDS"] ?? (process.env["TIDEMARK_TEST_GALERA_LONG"] === "1" ? 10 : 2));
/** A short lease where a test kills a runner, so the next one does not wait the default 20 s. */
const SHORT_LEASE = { TIDEMARK_GALERA_LEASE_SECONDS: "3" };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

  /** `runners` CLI runs at once, runner i on node i mod 3. */
  function spread(
    database: GaleraDatabase,
    dir: string,
    runners: number,
    args: readonly string[] = ["upgrade", "head"],
  ): Promise<CliResult[]> {
    return Promise.all(
      Array.from({ length: runners }, (_, index) =>
        runCli([...args, "--url", database.urls[index % database.urls.length]!], { cwd: dir, timeoutMs: 180_000 }),
      ),
    );
  }

  it("8 concurrent `upgrade head` runs over the three nodes apply 20 migrations exactly once, all exiting 0", async () => {
    const database = await freshDatabase();
    const dir = makeProject(numberedChain(20));
    const runs = await spread(database, dir, 8);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(await appliedOnce(database.urls[2]!, 20)).toEqual(expectedOnce(20));
    // The lease table is tidemark's own: `diff` and autogenerate do not see it.
    const connection = await connectNode(database.urls[0]!);
    try {
      const tables = (await mysqlDialect.introspector.introspect(connection)).tables.map((table) => table.name);
      expect(tables).toHaveLength(20);
      expect(tables).not.toContain("tidemark_lock");
    } finally {
      await connection.close();
    }
  }, 240_000);

  it("tidemark's connections to a node read causally; those to a plain server are left as they are", async () => {
    const node = await mysqlDialect.driver.connect(parseDatabaseUrl(cluster.urls[1]!));
    const plain = await mysqlDialect.driver.connect(parseDatabaseUrl(MYSQL_ADMIN_URL));
    try {
      expect(await node.query("SELECT @@SESSION.wsrep_sync_wait AS wait")).toEqual([{ wait: 1 }]);
      expect(galeraNodeOf(node)).toEqual({
        name: "node2",
        cluster: expect.stringMatching(/^tidemark-/),
        endpoint: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      });
      expect(galeraNodeOf(plain)).toBeUndefined();
    } finally {
      await node.close();
      await plain.close();
    }
  });

  describe("the lease lock", () => {
    let database: GaleraDatabase;
    const open: Connection[] = [];
    const connect = async (node: number) => {
      const connection = await connectNode(database.urls[node - 1]!);
      open.push(connection);
      return connection;
    };
    beforeAll(async () => {
      database = await createGaleraDatabase(cluster);
    });
    afterAll(async () => {
      for (const connection of open) await connection.close().catch(() => undefined);
      await database?.drop();
    });

    it("excludes a runner on another node, names the holder and its node, and hands over on release", async () => {
      const a = await connect(1);
      const b = await connect(2);
      expect(galeraNodeOf(a)?.name).toBe("node1");
      const held = await lockMysql(a, "tidemark:core", 1000);
      const [row] = await queryNode(database.urls[2]!, "SELECT holder, node, token IS NOT NULL AS held FROM tidemark_lock");
      expect(row).toEqual({
        holder: expect.stringContaining(`pid ${process.pid}`),
        node: expect.stringContaining('Galera node "node1"'),
        held: 1,
      });

      const error = await rejection(lockMysql(b, "tidemark:core", 400));
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect(error.message).toContain('migration lock "tidemark:core"');
      expect(error.message).toContain(`it is held by ${String(row?.holder)} through Galera node "node1" at 127.0.0.1:`);
      expect(error.message).toContain("raise --lock-timeout");

      const waiting = lockMysql(b, "tidemark:core", 10_000);
      setTimeout(() => void held.release(), 300);
      const next = await waiting;
      await next.release();
      await held.release();
    });

    it("frees the lease of a holder that stopped renewing, and that holder's verify() then fails", async () => {
      const a = await connect(1);
      const b = await connect(3);
      const first = await takeGaleraLease(a, galeraNodeOf(a)!, "tidemark:expiry", 1000, { leaseMs: 1500, holder: "first" });
      await first.verify();
      // The holder's connection dies: no more renewals, as when a runner is killed.
      await a.close();
      const second = await takeGaleraLease(b, galeraNodeOf(b)!, "tidemark:expiry", 15_000, { leaseMs: 1500, holder: "second" });
      const [row] = await queryNode(database.urls[1]!, "SELECT holder FROM tidemark_lock WHERE name = 'tidemark:expiry'");
      expect(row).toEqual({ holder: "second" });
      const lost = await rejection(first.verify());
      expect(lost).toBeInstanceOf(LockLostError);
      expect(lost.message).toContain('The migration lock "tidemark:expiry" (its Galera lease in tidemark_lock) was lost');
      await second.verify();
      await second.release();
      expect(await queryNode(database.urls[0]!, "SELECT token FROM tidemark_lock WHERE name = 'tidemark:expiry'")).toEqual([
        { token: null },
      ]);
    });
  });

  it(`16 concurrent runners over the three nodes, ${ROUNDS} rounds on fresh databases: every step once, all exit 0`, async () => {
    const dir = makeProject(numberedChain(10));
    for (let round = 1; round <= ROUNDS; round += 1) {
      const database = await freshDatabase();
      const runs = await spread(database, dir, 16);
      for (const run of runs) expect(run.code, `round ${round}: ${run.stderr}`).toBe(0);
      expect(await appliedOnce(database.urls[round % 3]!, 10), `round ${round}`).toEqual(expectedOnce(10));
      await database.drop();
    }
  }, 600_000);

  it("a runner killed mid-step: its lease runs out, the next runner on another node names the half-done step", async () => {
    const database = await freshDatabase();
    const dir = makeProject({ "migrations/001_first.sql": FIRST_STEP, "migrations/002_slow.mjs": SLOW_STEP });
    const child = spawn(process.execPath, [BIN, "upgrade", "head", "--url", database.urls[1]!], {
      cwd: dir,
      stdio: "ignore",
      env: { ...process.env, NO_COLOR: "1", ...SHORT_LEASE },
    });
    await until(
      "the slow step to start",
      async () => (await queryNode(database.urls[0]!, "SELECT 1 FROM tidemark_log WHERE revision = '2'")).length > 0,
    );
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));

    const blocked = await runCli(["upgrade", "head", "--url", database.urls[2]!, "--lock-timeout", "30"], {
      cwd: dir,
      env: SHORT_LEASE,
    });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("step up of revision 2 is 'running'");
    expect(blocked.stderr).toContain("tidemark repair");
    // The operator undoes the half-done step by hand, through any node, then clears the mark.
    await queryNode(database.urls[0]!, "DROP TABLE half");
    const repaired = await runCli(["repair", "--url", database.urls[1]!], { cwd: dir });
    expect(repaired.code, repaired.stderr).toBe(0);
    const fast = makeProject({
      "migrations/001_first.sql": FIRST_STEP,
      "migrations/002_slow.mjs":
        'export async function upgrade(op) {\n  await op.createTable("half", { id: { type: "integer", primaryKey: true } });\n}\n',
    });
    const next = await runCli(["upgrade", "head", "--url", database.urls[2]!], { cwd: fast });
    expect(next.code, next.stderr).toBe(0);
    expect(await queryNode(database.urls[0]!, "SELECT version FROM tidemark_version")).toEqual([{ version: "2" }]);
  }, 120_000);

  it("rolling rename: old release writing on node 1, new release on node 2, the CLI on node 3; no lost rows, no trigger left", async () => {
    const database = await freshDatabase();
    const dir = makeProject({ "migrations/001_people.sql": PEOPLE, "migrations/002_rename.mjs": RENAME });
    const cli = async (...args: string[]) => {
      const run = await runCli([...args, "--url", database.urls[2]!], { cwd: dir, timeoutMs: 120_000 });
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(0);
    };
    await cli("sync", "1");
    const oldConnection = await connectNode(database.urls[0]!);
    const newConnection = await connectNode(database.urls[1]!);
    const shared: WriterShared = { expected: new Map(), ids: { next: 1 }, busy: new Set() };
    try {
      const oldWriter = startWriter(oldConnection, "old", shared);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await cli("sync", "--expand");
      const newWriter = startWriter(newConnection, "new", shared);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await cli("sync", "--migrate");
      await new Promise((resolve) => setTimeout(resolve, 500));
      // While both releases write, every row is whole in both shapes, on every node.
      for (const url of database.urls) {
        for (const row of await queryNode(url, "SELECT id, name, full_name FROM people ORDER BY id")) {
          expect(row.full_name, `row ${String(row.id)} on ${url}`).toBe(row.name);
        }
      }
      await oldWriter.stop();
      await cli("sync", "--contract");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await newWriter.stop();

      expect([...oldWriter.errors, ...newWriter.errors]).toEqual([]);
      const rows = await queryNode(database.urls[2]!, "SELECT id, full_name FROM people ORDER BY id");
      expect(rows.length).toBe(shared.expected.size);
      expect(rows.length).toBeGreaterThan(20);
      for (const row of rows) expect(row.full_name, `row ${String(row.id)}`).toBe(shared.expected.get(Number(row.id)));
      for (const url of database.urls) {
        expect(
          await queryNode(url, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"),
        ).toEqual([]);
      }
      expect((await runCli(["sync", "--check", "--url", database.urls[0]!], { cwd: dir })).code).toBe(0);
    } finally {
      await oldConnection.close();
      await newConnection.close();
    }
  }, 240_000);

  it("forbidWrites refuses writes on every node between expand and contract", async () => {
    const database = await freshDatabase();
    const dir = makeProject({ "migrations/001_people.sql": PEOPLE, "migrations/002_forbid.mjs": FORBID });
    const cli = (...args: string[]) => runCli([...args, "--url", database.urls[0]!], { cwd: dir });
    expect((await cli("sync", "1")).code).toBe(0);
    expect((await cli("sync", "--expand")).code).toBe(0);
    for (const [index, url] of database.urls.entries()) {
      const refused = await rejection(queryNode(url, "INSERT INTO people (id, name) VALUES (?, 'x')", [index + 1]));
      expect(refused.message).toContain("writes to people");
    }
    expect((await cli("sync", "--migrate")).code).toBe(0);
    expect((await cli("sync", "--contract")).code).toBe(0);
    for (const [index, url] of database.urls.entries())
      await writeOnNode(url, "INSERT INTO people (id, name) VALUES (?, 'x')", [index + 1]);
    expect(await queryNode(database.urls[1]!, "SELECT COUNT(*) AS n FROM people")).toEqual([{ n: 3 }]);
  }, 120_000);

  it("keystone's extension procedure through alternating nodes leaves what it leaves on a single server", async () => {
    const galera = await freshDatabase();
    const single = await createTestDatabase("mysql");
    try {
      const dir = makeProject(parityProject());
      const steps = [
        ["db_sync", "--extension", "example"],
        ["db_sync", "--extension", "example", "1"],
        ["upgrade", "head"],
        ["db_sync", "--extension", "example"],
        ["db_sync", "--extension", "example", "0"],
      ];
      for (const [index, args] of steps.entries()) {
        const onNode = await runCli([...args, "--url", galera.urls[index % 3]!], { cwd: dir });
        expect(onNode.code, onNode.stderr).toBe(0);
        const onServer = await runCli([...args, "--url", single.url], { cwd: dir });
        expect(onServer.code, onServer.stderr).toBe(0);
        expect(await snapshotDatabase(galera.urls[(index + 1) % 3]!), args.join(" ")).toEqual(await snapshotDatabase(single.url));
      }
      const version = await runCli(["db_version", "--extension", "example", "--url", galera.urls[1]!], { cwd: dir });
      expect(version.stdout).toBe("0\n");
    } finally {
      await single.drop();
    }
  }, 180_000);

  it("offline `--sql` output applied through a node leaves what it leaves on a single server", async () => {
    const galera = await freshDatabase();
    const single = await createTestDatabase("mysql");
    try {
      const dir = makeProject(parityProject());
      const rendered = await runCli(["upgrade", "head", "--sql", "--dialect", "mariadb"], { cwd: dir });
      expect(rendered.code, rendered.stderr).toBe(0);
      const file = join(dir, "offline.sql");
      writeFileSync(file, rendered.stdout);
      for (const url of [galera.urls[1]!, single.url]) {
        const target = parseDatabaseUrl(url);
        const applied = spawnSync("mariadb", ["-h", target.host!, "-P", String(target.port), "-u", "root", target.database!], {
          input: rendered.stdout,
          encoding: "utf8",
        });
        expect(`${applied.stdout}${applied.stderr}`).toBe("");
        expect(applied.status).toBe(0);
      }
      const onNode = await snapshotDatabase(galera.urls[2]!);
      expect(onNode).toEqual(await snapshotDatabase(single.url));
      expect(onNode.data).toContain(JSON.stringify([1, "first; one", 1]));
    } finally {
      await single.drop();
    }
  }, 120_000);

  describe.runIf(process.env["TIDEMARK_TEST_GALERA_URLS"] === undefined)("when a node leaves", () => {
    afterEach(async () => {
      // Whatever a test stopped rejoins, so the cluster is whole for the next one.
      for (const node of [1, 2, 3]) {
        const up = await queryNode(cluster.urls[node - 1]!, "SELECT 1").then(
          () => true,
          () => false,
        );
        if (!up) await cluster.startNode(node);
      }
    }, 180_000);

    it("a runner waiting on the leaving node fails naming it; the holder on node 1 finishes; a rerun on node 3 finishes", async () => {
      const database = await freshDatabase();
      const dir = makeProject(numberedChain(8, { steps: [1, 2, 3, 4], seconds: 2 }));
      const holder = runCli(["upgrade", "4", "--url", database.urls[0]!], { cwd: dir, timeoutMs: 120_000 });
      await until(
        "the first step to start",
        async () => (await queryNode(database.urls[2]!, "SELECT 1 FROM tidemark_log")).length > 0,
      );
      const waiter = runCli(["upgrade", "head", "--url", database.urls[1]!, "--lock-timeout", "60"], {
        cwd: dir,
        timeoutMs: 120_000,
      });
      await until("the second runner to wait on node 2", async () => {
        const sessions = await queryNode(
          cluster.urls[1]!,
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?",
          [database.name],
        );
        return Number(sessions[0]?.n) > 0;
      });
      // The holder is still in its steps when node 2 goes.
      expect((await queryNode(database.urls[0]!, "SELECT revision FROM tidemark_log WHERE status = 'done'")).length).toBeLessThan(
        4,
      );
      await cluster.stopNode(2);
      const [held, waited] = await Promise.all([holder, waiter]);
      expect(held.code, held.stderr).toBe(0);
      expect(waited.code).toBe(1);
      expect(waited.stderr).toMatch(/Galera node "node2" at 127\.0\.0\.1:\d+ .*went away or left the cluster/);
      expect(waited.stderr).toContain("run the command again against a surviving node");
      const rerun = await runCli(["upgrade", "head", "--url", database.urls[2]!], { cwd: dir });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await appliedOnce(database.urls[0]!, 8)).toEqual(expectedOnce(8));
    }, 180_000);

    it("the holder's own node leaves mid-step: a clear error naming the node; the rerun on node 3 names the cut step, then finishes", async () => {
      const database = await freshDatabase();
      const slow = {
        "migrations/002_t2.sql":
          "-- +upgrade\nCREATE TABLE t2 (id INTEGER PRIMARY KEY);\nSELECT SLEEP(60);\nINSERT INTO t2 VALUES (2);\n",
      };
      const dir = makeProject({ ...numberedChain(4), ...slow });
      const runner = runCli(["upgrade", "head", "--url", database.urls[1]!], { cwd: dir, env: SHORT_LEASE, timeoutMs: 120_000 });
      // t2 exists: the step is in its SLEEP (a failing query means not yet).
      await until(
        "step 2 to start",
        async () => (await queryNode(database.urls[0]!, "SELECT COUNT(*) AS n FROM t2")).length === 1,
      );
      await cluster.stopNode(2);
      const cut = await runner;
      expect(cut.code).toBe(1);
      expect(cut.stderr).toContain("revision 2");
      expect(cut.stderr).toMatch(/Galera node "node2" at 127\.0\.0\.1:\d+ .*went away or left the cluster/);

      const rerun = await runCli(["upgrade", "head", "--url", database.urls[2]!], { cwd: dir, env: SHORT_LEASE });
      expect(rerun.code).toBe(1);
      expect(rerun.stderr).toContain("step up of revision 2 is 'running'");
      // The operator finishes the cut step by hand, records it, and clears the mark.
      await queryNode(database.urls[0]!, "INSERT INTO t2 VALUES (2)");
      expect((await runCli(["repair", "--url", database.urls[2]!], { cwd: dir })).code).toBe(0);
      expect((await runCli(["stamp", "2", "--url", database.urls[2]!], { cwd: dir })).code).toBe(0);
      const finished = await runCli(["upgrade", "head", "--url", database.urls[2]!], { cwd: dir });
      expect(finished.code, finished.stderr).toBe(0);
      expect((await appliedOnce(database.urls[0]!, 4)).rows).toEqual([1, 2, 3, 4]);
      expect(await queryNode(database.urls[0]!, "SELECT version FROM tidemark_version")).toEqual([{ version: "4" }]);
    }, 180_000);
  });
});
