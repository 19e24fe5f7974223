/**
 * `--fleet` on the command line: what is refused before any target runs
 * (exit 2, nothing created), `--fail-fast` and `--concurrency`, bad entries
 * and bad targets reported per target (exit 1, the rest go on, no password
 * shown), the table and the `--json` document, and the progress lines on a
 * terminal.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { refuseUnknownOptions } from "../../src/cli/commands/fleet.js";
import { BIN, runCli } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";
import { versions } from "./sqlite-state.js";

afterAll(removeProjects);

function project(fleets: Record<string, unknown>, extra: Record<string, string> = {}): string {
  return makeProject({
    "tidemark.config.json": JSON.stringify({ repositories: { core: { path: "migrations" } }, fleets }),
    "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
    "db/.keep": "",
    ...extra,
  });
}

const five = { tenants: { urls: ["sqlite:db/a.db", "sqlite:db/b.db", "sqlite:db/c.db", "sqlite:db/d.db", "sqlite:db/e.db"] } };

interface FleetJson {
  readonly ok: boolean;
  readonly summary: Record<string, number>;
  readonly targets: readonly {
    readonly name: string;
    readonly where: string;
    readonly status: string;
    readonly steps?: number;
    readonly error?: { readonly code: string; readonly exitCode: number; readonly message: string };
  }[];
}

describe("refused before any target runs (exit 2)", () => {
  const cases: [string, string[], string][] = [
    ["an unknown fleet", ["upgrade", "--fleet", "nope"], 'Unknown fleet "nope". Configured fleets: tenants.'],
    ["an unknown target revision", ["upgrade", "7", "--fleet", "tenants"], "7"],
    [
      "--concurrency 0",
      ["upgrade", "--fleet", "tenants", "--concurrency", "0"],
      '--concurrency must be a whole number of databases, 1 or more, not "0".',
    ],
    ["--sql", ["upgrade", "--sql", "--fleet", "tenants"], "upgrade --sql prints SQL without connecting to any database"],
    ["--url", ["upgrade", "--fleet", "tenants", "--url", "sqlite:x.db"], "Give either --url or --fleet"],
    ["diff --sql", ["diff", "--sql", "--fleet", "tenants"], "diff --sql is not available with --fleet yet"],
    ["a command without a database", ["history", "--fleet", "tenants"], "`history` does not use one"],
    ["--fail-fast without --fleet", ["upgrade", "--fail-fast"], "--fail-fast only makes sense with --fleet NAME."],
    [
      "--force-partial on upgrade",
      ["upgrade", "--fleet", "tenants", "--force-partial"],
      "--force-partial is for `sync --migrate` and `sync --contract`",
    ],
    ["a bad --delta", ["downgrade", "--delta", "0", "--fleet", "tenants"], "--delta must be a positive whole number"],
  ];
  it.each(cases)("%s", async (_label, args, message) => {
    const dir = project(five);
    const result = await runCli(args, { cwd: dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(message);
    expect(readdirSync(join(dir, "db"))).toEqual([".keep"]);
  });

  it("an option the fleet handler does not know yet (one added to the command later)", () => {
    expect(() => refuseUnknownOptions("upgrade", { delta: "1", dryRun: true })).toThrow(
      "upgrade --dry-run is not available with --fleet yet; run it on one database (--url).",
    );
    expect(() => refuseUnknownOptions("sync", { migrate: true, maxCount: "5" })).not.toThrow();
  });

  it("a missing fleet file, and a broken revision graph", async () => {
    const missing = project({ tenants: { file: "tenants.txt" } });
    const result = await runCli(["current", "--fleet", "tenants"], { cwd: missing });
    expect([result.code, result.stderr]).toEqual([
      2,
      `error: The file of fleet "tenants" (declared in ${join(missing, "tidemark.config.json")}), ${join(missing, "tenants.txt")}, does not exist.\n`,
    ]);
    const gap = project(five, { "migrations/004_four.sql": numberedSql("CREATE TABLE t4 (id INTEGER);") });
    const broken = await runCli(["upgrade", "--fleet", "tenants"], { cwd: gap });
    expect(broken.code).toBe(2);
    expect(readdirSync(join(gap, "db"))).toEqual([".keep"]);
  });
});

describe("per-target failures (exit 1, the rest go on)", () => {
  it("an unreachable server, a schema on SQLite, a failing catalog: reported per target, passwords never shown", async () => {
    const dir = project({
      mixed: {
        urls: [
          "sqlite:db/a.db",
          "postgres://tenant:Pw-Never-Shown-77@127.0.0.1:1/tenant_b",
          { url: "sqlite:db/c.db", schema: "tenant_c" },
          "sqlite:db/d.db",
        ],
      },
      cat: { catalog: { url: "sqlite:catalog.db", sql: "SELECT url FROM tenants" } },
    });
    const result = await runCli(["--json", "upgrade", "--fleet", "mixed"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain("Pw-Never-Shown-77");
    const document = JSON.parse(result.stdout) as FleetJson;
    expect(document.targets.map((t) => [t.name, t.status, t.error?.code])).toEqual([
      ["sqlite:db/a.db", "succeeded", undefined],
      ["postgres://tenant@127.0.0.1:1/tenant_b", "failed", "database"],
      ["sqlite:db/c.db#tenant_c", "failed", "config"],
      ["sqlite:db/d.db", "succeeded", undefined],
    ]);
    expect(document.targets[2]?.error?.message).toBe(
      'urls[2]: schema "tenant_c" given for a sqlite database, which has no schemas; list one database per target instead.',
    );
    expect(versions(join(dir, "db/a.db"))).toEqual(["2"]);
    expect(existsSync(join(dir, "db/c.db"))).toBe(false);

    writeFileSync(join(dir, "catalog.db"), "");
    const catalog = await runCli(["upgrade", "--fleet", "cat"], { cwd: dir });
    expect(catalog.code).toBe(1);
    expect(catalog.stdout).toMatch(
      /^TARGET +TIME +STATUS +ERROR\ncatalog sqlite:catalog.db +0 ms +FAILED +The catalog query of fleet "cat" failed, so its targets are unknown: no such table: tenants\n/,
    );
  });

  it("--fail-fast starts no target after the first failure; without it the others go on", async () => {
    const dir = project(five, { "db/b.db": "not a database, plain text here\n".repeat(4) });
    const fast = await runCli(["--json", "upgrade", "--fleet", "tenants", "--fail-fast", "--concurrency", "1"], { cwd: dir });
    expect(fast.code).toBe(1);
    const document = JSON.parse(fast.stdout) as FleetJson;
    expect(document.targets.map((t) => t.status)).toEqual(["succeeded", "failed", "not-started", "not-started", "not-started"]);
    expect(document.summary).toEqual({ targets: 5, succeeded: 1, failed: 1, notStarted: 3 });
    expect(readdirSync(join(dir, "db")).sort()).toEqual([".keep", "a.db", "b.db"]);
    const text = await runCli(["upgrade", "--fleet", "tenants", "--fail-fast", "--concurrency", "1"], { cwd: dir });
    expect(text.stdout).toMatch(/\nsqlite:db\/c.db +not started +stopped by --fail-fast\n/);
    expect(text.stdout).toMatch(/fleet tenants: 5 targets, 1 succeeded, 1 failed, 3 not started in /);

    const onward = await runCli(["--json", "upgrade", "--fleet", "tenants"], { cwd: dir });
    expect((JSON.parse(onward.stdout) as FleetJson).targets.map((t) => [t.status, t.steps])).toEqual([
      ["succeeded", 0],
      ["failed", undefined],
      ["succeeded", 2],
      ["succeeded", 2],
      ["succeeded", 2],
    ]);
  });
});

describe("output", () => {
  it("prints a table and a summary line", async () => {
    const dir = project(five);
    const first = await runCli(["upgrade", "1", "--fleet", "tenants"], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TARGET +FROM → TO +STEPS +TIME +STATUS$/);
    expect(lines.slice(1, 6).map((line) => line.replace(/ +\d+ ms /, " T ").replace(/ +/g, " "))).toEqual(
      ["a", "b", "c", "d", "e"].map((name) => `sqlite:db/${name}.db base → 1 1 T done`),
    );
    expect(lines[6]).toMatch(/^fleet tenants: 5 targets, 5 succeeded, 0 failed in \d+ ms$/);
  });

  it("draws a line per running target and an overall bar on a terminal, and erases them before the table", () => {
    const dir = project(five);
    // `script` gives the command a terminal; its transcript is what the terminal received.
    const run = spawnSync("script", ["-qec", `${process.execPath} ${BIN} upgrade --fleet tenants --concurrency 2`, "/dev/null"], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", COLUMNS: "120" },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[#*-*\] \d\/5 targets/);
    expect(run.stdout).toContain("\x1b[2K");
    expect(run.stdout).toMatch(/fleet tenants: 5 targets, 5 succeeded, 0 failed/);
  });
});
