/**
 * Every database command with `--fleet`, on each dialect: upgrade (target
 * and --delta), downgrade, stamp, sync, sync --check, current, version,
 * check, validate and repair each do on every target what they do on one
 * database, and say so per target.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { testDialects } from "../helpers/databases.js";
import { makeTestFleet } from "../helpers/fleet-targets.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();
afterAll(removeProjects);

interface TargetJson {
  readonly status: string;
  readonly steps?: number;
  readonly before?: readonly { readonly rows: readonly { readonly version: string }[] }[];
  readonly after?: readonly { readonly rows: readonly { readonly version: string }[] }[];
  readonly result?: unknown;
}
interface FleetJson {
  readonly ok: boolean;
  readonly command: string;
  readonly code?: number;
  readonly targets: readonly TargetJson[];
}

async function versions(url: string): Promise<string[]> {
  return (await queryDatabase(url, "SELECT version FROM tidemark_version")).map((row) => String(row.version));
}

async function userTables(url: string, dialect: string): Promise<string[]> {
  const sql =
    dialect === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't_' ORDER BY name"
      : dialect === "postgres"
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 't_' ORDER BY 1"
        : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 't_' ORDER BY 1";
  return (await queryDatabase(url, sql)).map((row) => String(row.name));
}

describe.each(dialects)("database commands over a %s fleet", (dialect) => {
  it("upgrade, current, version, downgrade, stamp, sync, sync --check, validate, check and repair act on every target", async () => {
    const fleet = await makeTestFleet(dialect, 3, undefined);
    try {
      const dir = makeProject({
        "tidemark.config.json": JSON.stringify({
          repositories: { core: { path: "migrations" } },
          fleets: { f: { urls: fleet.urls } },
        }),
        "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
        "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
        "migrations/003_three.sql": numberedSql("CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
      });
      const run = async (...args: string[]) => {
        const result = await runCli(["--json", "--fleet", "f", ...args], { cwd: dir });
        return { code: result.code, stderr: result.stderr, document: JSON.parse(result.stdout) as FleetJson };
      };
      const each = async (check: (url: string) => Promise<void>) => {
        for (const url of fleet.urls) await check(url);
      };

      const up = await run("upgrade", "2");
      expect(up.code, up.stderr).toBe(0);
      expect(
        up.document.targets.map((t) => [t.status, t.steps, t.before?.[0]?.rows, t.after?.[0]?.rows.map((r) => r.version)]),
      ).toEqual(Array(3).fill(["succeeded", 2, [], ["2"]]));
      await each(async (url) => expect(await userTables(url, dialect)).toEqual(["t1", "t2"]));

      const current = await run("current");
      expect(
        current.document.targets.map((t) => (t.result as { rows: { version: string; head: boolean }[] }[])[0]?.rows),
      ).toEqual(Array(3).fill([{ phase: "", version: "2", message: "two", head: false }]));
      const version = await run("version");
      expect(version.document.targets.map((t) => t.result)).toEqual(
        Array(3).fill([{ repository: "core", scheme: "numbered", phases: [{ phase: "", versions: ["2"] }] }]),
      );
      expect((await run("sync", "--check")).code).toBe(2);

      expect((await run("upgrade", "--delta", "1")).document.targets.map((t) => t.steps)).toEqual([1, 1, 1]);
      await each(async (url) => expect(await versions(url)).toEqual(["3"]));
      expect((await run("sync", "--check")).document.code).toBe(0);

      const down = await run("downgrade", "1");
      expect(down.code, down.stderr).toBe(0);
      expect(down.document.targets.map((t) => t.steps)).toEqual([2, 2, 2]);
      await each(async (url) => expect(await userTables(url, dialect)).toEqual(["t1"]));

      const stamp = await run("stamp", "2");
      expect(stamp.code, stamp.stderr).toBe(0);
      await each(async (url) => {
        expect(await versions(url)).toEqual(["2"]);
        expect(await userTables(url, dialect)).toEqual(["t1"]);
      });

      const sync = await run("sync");
      expect(sync.document.targets.map((t) => [t.status, t.steps])).toEqual(Array(3).fill(["succeeded", 1]));
      await each(async (url) => expect(await userTables(url, dialect)).toEqual(["t1", "t3"]));

      expect((await run("validate")).code).toBe(0);
      expect((await run("repair")).document.targets.map((t) => t.result)).toEqual(
        Array(3).fill([{ repository: "core", cleared: 0 }]),
      );
      appendFileSync(join(dir, "migrations/003_three.sql"), "-- edited after it ran\n");
      const validate = await run("validate");
      expect(validate.code).toBe(3);
      expect(
        validate.document.targets.map((t) => (t.result as { problems: { kind: string }[] }).problems.map((p) => p.kind)),
      ).toEqual(Array(3).fill(["checksum"]));
      const check = await runCli(["--fleet", "f", "check"], { cwd: dir });
      expect(check.code).toBe(3);
      expect(check.stdout).toMatch(
        / +1 problem +Revision 3 of repository core was applied on .* from a script that has changed since/,
      );
    } finally {
      await fleet.drop();
    }
  });

  it("diff compares every target with the declared schema: exit 0 when all match, 3 naming the ones that differ", async () => {
    const fleet = await makeTestFleet(dialect, 2, undefined);
    try {
      const dir = makeProject({
        "tidemark.config.json": JSON.stringify({
          schema: "schema.js",
          repositories: { core: { path: "migrations" } },
          fleets: { f: { urls: fleet.urls } },
        }),
        "schema.js":
          'import { defineSchema } from "tidemark";\n' +
          'export default defineSchema({ tables: { t1: { columns: { id: { type: "integer" } } } } });\n',
        "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
      });
      const up = await runCli(["--fleet", "f", "upgrade"], { cwd: dir });
      expect(up.code, up.stderr).toBe(0);
      const same = await runCli(["--json", "--fleet", "f", "diff"], { cwd: dir });
      expect(same.code, same.stderr).toBe(0);
      expect((JSON.parse(same.stdout) as FleetJson).targets.map((t) => (t.result as { differs: boolean }).differs)).toEqual([
        false,
        false,
      ]);
      // Drift on one target only: it is named, the other matches, and nothing is changed.
      await queryDatabase(fleet.urls[1] as string, "CREATE TABLE extra (id INTEGER)");
      const drift = await runCli(["--fleet", "f", "diff"], { cwd: dir });
      expect(drift.code, drift.stderr).toBe(3);
      expect(drift.stdout).toMatch(/matches the schema/);
      expect(drift.stdout).toMatch(/1 change\b/);
      expect(await queryDatabase(fleet.urls[1] as string, "SELECT COUNT(*) AS n FROM extra")).toEqual([{ n: 0 }]);
      const withSql = await runCli(["--fleet", "f", "diff", "--sql"], { cwd: dir });
      expect(withSql.code).toBe(2);
      expect(withSql.stderr).toContain("diff --sql is not available with --fleet yet");
    } finally {
      await fleet.drop();
    }
  });
});
