/**
 * SPEC §9 on every dialect, through the real CLI: one runner at a time,
 * recovery after a runner is killed mid-step, and clear, password-free
 * errors for a wrong password or a closed port.
 */
import { spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/config/database-url.js";
import type { DialectName } from "../../src/dialects/dialect.js";
import { BIN, runCli } from "../helpers/cli.js";
import { createTestDatabase, testDialects, type TestDatabase } from "../helpers/databases.js";
import { queryDatabase as query } from "../helpers/query.js";
import { makeProject, removeProjects } from "../helpers/project.js";

const dialects = await testDialects();

function chain(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i += 1) {
    const id = `${String(i).padStart(3, "0")}`;
    files[`migrations/${id}_t${i}.sql`] =
      `-- +upgrade\nCREATE TABLE t${i} (id INTEGER);\nINSERT INTO t${i} VALUES (${i});\n-- +downgrade\nDROP TABLE t${i};\n`;
  }
  return files;
}

describe.each(dialects)("safety on %s", (dialect: DialectName) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });
  afterAll(() => removeProjects());

  it("lets 8 concurrent `upgrade head` runs apply every migration exactly once, all exiting 0", async () => {
    const dir = makeProject(chain(12));
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => runCli(["upgrade", "head", "--url", database.url], { cwd: dir, timeoutMs: 120_000 })),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const done = await query(
      database.url,
      "SELECT revision, COUNT(*) AS n FROM tidemark_log WHERE status = 'done' GROUP BY revision",
    );
    expect(done).toHaveLength(12);
    for (const row of done) expect(Number(row.n)).toBe(1);
    expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "12" }]);
    for (let i = 1; i <= 12; i += 1) {
      expect(await query(database.url, `SELECT id FROM t${i}`)).toEqual([{ id: i }]);
    }
  }, 180_000);

  it("recovers after a runner is killed with SIGKILL in the middle of a step", async () => {
    const dir = makeProject({
      "migrations/001_first.sql": "-- +upgrade\nCREATE TABLE first (id INTEGER);\n-- +downgrade\nDROP TABLE first;\n",
      "migrations/002_slow.mjs": [
        'export const message = "slow";',
        "export async function upgrade(op) {",
        '  await op.createTable("half", { id: { type: "integer" } });',
        "  await new Promise((resolve) => setTimeout(resolve, 30000));",
        "}",
        "",
      ].join("\n"),
    });
    const child = spawn(process.execPath, [BIN, "upgrade", "head", "--url", database.url], {
      cwd: dir,
      stdio: "ignore",
      env: { ...process.env, NO_COLOR: "1" },
    });
    // Wait until the slow step has started: its `half` table exists (committed or not, the log row says running).
    const deadline = Date.now() + 30_000;
    for (;;) {
      // MySQL commits the fenced `running` row, then the CREATE TABLE: wait for both.
      const running = await query(
        database.url,
        "SELECT (SELECT COUNT(*) FROM tidemark_log WHERE revision = '2') + (SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'half' AND table_schema = DATABASE()) AS n",
      ).catch(() => [{ n: 0 }]);
      if (Number(running[0]?.n) === 2 || dialect !== "mysql") {
        if (dialect !== "mysql") await new Promise((resolve) => setTimeout(resolve, 2500));
        break;
      }
      if (Date.now() > deadline) throw new Error("the slow step never started");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));

    if (dialect === "mysql") {
      const blocked = await runCli(["upgrade", "head", "--url", database.url], { cwd: dir });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toContain("revision 2");
      expect(blocked.stderr).toContain("tidemark repair");
      // The operator undoes the half-done step by hand, then clears the mark.
      await query(database.url, "DROP TABLE half");
      const repaired = await runCli(["repair", "--url", database.url], { cwd: dir });
      expect(repaired.code, repaired.stderr).toBe(0);
      expect(repaired.stdout).toContain("cleared 1");
    } else {
      // Transactional DDL: nothing of the killed step is left.
      const tables = await query(
        database.url,
        dialect === "sqlite"
          ? "SELECT name FROM sqlite_master WHERE name = 'half'"
          : "SELECT table_name FROM information_schema.tables WHERE table_name = 'half'",
      );
      expect(tables).toEqual([]);
      expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "1" }]);
    }
    // The killed runner's lock died with it: the next run does not wait for it.
    const fast = makeProject({
      "migrations/001_first.sql": "-- +upgrade\nCREATE TABLE first (id INTEGER);\n-- +downgrade\nDROP TABLE first;\n",
      "migrations/002_slow.mjs":
        'export const message = "slow";\nexport async function upgrade(op) {\n  await op.createTable("half", { id: { type: "integer" } });\n}\n',
    });
    const next = await runCli(["upgrade", "head", "--url", database.url, "--lock-timeout", "5"], { cwd: fast });
    expect(next.code, next.stderr).toBe(0);
    expect(await query(database.url, "SELECT version FROM tidemark_version")).toEqual([{ version: "2" }]);
  }, 120_000);
});

describe("unreachable or refusing servers", () => {
  let dir: string;
  beforeAll(() => {
    dir = makeProject(chain(1));
  });
  afterAll(() => removeProjects());

  it.each([
    ["postgres", "postgres://tidemark:s3cret-pw@127.0.0.1:1/nowhere"],
    ["mysql", "mysql://tidemark:s3cret-pw@127.0.0.1:1/nowhere"],
  ])("%s on a closed port: exit 1 within 10 s, naming the endpoint, never the password", async (_name, url) => {
    const started = Date.now();
    const run = await runCli(["upgrade", "head", "--url", url], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("127.0.0.1:1");
    expect(run.stderr + run.stdout).not.toContain("s3cret-pw");
  });

  it.runIf(dialects.includes("mysql"))("mysql with a wrong password: exit 1 within 10 s, never the password", async () => {
    const admin = parseDatabaseUrl(process.env["TIDEMARK_TEST_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/mysql");
    const url = `mysql://${admin.user ?? "root"}:wr0ng-pw-x@${admin.host ?? "127.0.0.1"}:${admin.port ?? 3306}/mysql`;
    const started = Date.now();
    const run = await runCli(["current", "--url", url, "--json"], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Access denied/i);
    expect(run.stderr + run.stdout).not.toContain("wr0ng-pw-x");
    const document = JSON.parse(run.stdout) as { ok: boolean; error: { code: string; exitCode: number } };
    expect(document.ok).toBe(false);
    expect(document.error.exitCode).toBe(1);
  });
});

describe("passwords stay out of --verbose output", () => {
  afterAll(() => removeProjects());

  it("a config module that throws with a URL in its message, and a refused login, print no password even with --verbose", async () => {
    const dir = makeProject({
      "tidemark.config.mjs": 'throw new Error("cannot reach postgres://app:hunter2-pw@db.example/app");\n',
      "migrations/001_t.sql": "-- +upgrade\nCREATE TABLE t (id INTEGER);\n",
    });
    const run = await runCli(["current", "--verbose"], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("postgres://app:***@db.example/app");
    expect(run.stderr + run.stdout).not.toContain("hunter2-pw");

    const plain = makeProject({ "migrations/001_t.sql": "-- +upgrade\nCREATE TABLE t (id INTEGER);\n" });
    const refused = await runCli(["upgrade", "--verbose", "--url", "postgres://app:hunter2-pw@127.0.0.1:1/app"], { cwd: plain });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("at ");
    expect(refused.stderr + refused.stdout).not.toContain("hunter2-pw");
  });
});
