/**
 * The rolling procedure over a fleet, on each dialect: `sync --expand`,
 * then `--migrate` refuses (naming the laggards, changing nothing) while any
 * target has not finished expand, `--contract` likewise for migrate, unless
 * `--force-partial`; `sync --check --fleet` exits with the most urgent code.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { testDialects } from "../helpers/databases.js";
import { makeTestFleet } from "../helpers/fleet-targets.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";

const dialects = await testDialects();
afterAll(removeProjects);

const SCRIPTS = {
  "migrations/001_items.mjs": [
    'export async function expand(op) { await op.createTable("items", { id: { type: "integer", primaryKey: true }, name: { type: "varchar(50)" } }); }',
    "export async function migrate(op) { await op.execute(\"INSERT INTO items (id, name) VALUES (1, 'one'), (2, 'two')\"); }",
    "",
  ].join("\n"),
  "migrations/002_label.mjs": [
    'export async function expand(op) { await op.addColumn("items", "label", { type: "varchar(50)" }); }',
    'export async function migrate(op) { await op.execute("UPDATE items SET label = name"); }',
    'export async function contract(op) { await op.dropColumn("items", "name"); }',
    "",
  ].join("\n"),
};

interface FleetJson {
  readonly code?: number;
  readonly targets: readonly { readonly name: string; readonly status: string; readonly steps?: number }[];
  readonly error?: { readonly code: string; readonly message: string; readonly unfinished?: readonly { target: string }[] };
}

async function phases(url: string): Promise<Record<string, string>> {
  const rows = await queryDatabase(url, "SELECT phase, version FROM tidemark_version ORDER BY phase");
  return Object.fromEntries(rows.map((row) => [String(row.phase), String(row.version)]));
}

describe.each(dialects)("rolling across a %s fleet", (dialect) => {
  it("expand everywhere, then migrate, then contract; laggards hold the fleet back unless --force-partial", async () => {
    const fleet = await makeTestFleet(dialect, 4, 3);
    try {
      const dir = makeProject({
        ...SCRIPTS,
        "tidemark.config.json": JSON.stringify({
          repositories: { core: { path: "migrations" } },
          fleets: { all: { urls: fleet.urls } },
        }),
      });
      const run = async (...args: string[]) => {
        const result = await runCli(["--json", ...args, "--fleet", "all"], { cwd: dir });
        return { ...result, document: JSON.parse(result.stdout) as FleetJson };
      };
      const [a, b, c, laggard] = fleet.urls as [string, string, string, string];
      const laggardName = (await run("current")).document.targets[3]?.name as string;

      const expand = await run("sync", "--expand");
      expect(expand.code, expand.stderr).toBe(1);
      expect(expand.document.targets.map((t) => t.status)).toEqual(["succeeded", "succeeded", "succeeded", "failed"]);
      expect(await phases(a)).toEqual({ expand: "2" });
      // An unreadable target is an error: the most urgent code.
      expect((await run("sync", "--check")).code).toBe(1);

      const refused = await run("sync", "--migrate");
      expect(refused.code).toBe(1);
      expect(refused.document.error?.code).toBe("phase-order");
      expect(refused.document.error?.unfinished?.map((u) => u.target)).toEqual([laggardName]);
      expect(refused.stderr).toContain(
        `sync --migrate over fleet all refused, nothing was run: 1 target has not finished expand: ${laggardName} (could not be read: `,
      );
      for (const url of [a, b, c]) expect(await phases(url)).toEqual({ expand: "2" });

      const partial = await run("sync", "--migrate", "--force-partial");
      expect(partial.code).toBe(1);
      expect(partial.document.targets.map((t) => [t.status, t.steps])).toEqual([
        ["succeeded", 2],
        ["succeeded", 2],
        ["succeeded", 2],
        ["failed", undefined],
      ]);
      expect(await phases(b)).toEqual({ expand: "2", migrate: "2" });

      await fleet.fix();
      expect((await run("sync", "--check")).document.code).toBe(2);
      const early = await run("sync", "--contract");
      expect(early.code).toBe(1);
      expect(early.document.error?.message).toContain(
        `1 target has not finished migrate: ${laggardName} (core: expand not finished (pending 1, 2))`,
      );
      expect(await phases(c)).toEqual({ expand: "2", migrate: "2" });

      const catchUp = await run("sync", "--expand");
      expect(catchUp.code, catchUp.stderr).toBe(0);
      expect(catchUp.document.targets.map((t) => t.steps)).toEqual([0, 0, 0, 2]);
      expect(await phases(laggard)).toEqual({ expand: "2" });
      expect((await run("sync", "--check")).document.code).toBe(3);
      const stillEarly = await run("sync", "--contract");
      expect(stillEarly.document.error?.message).toContain(`${laggardName} (core: migrate not finished (pending 1, 2))`);

      expect((await run("sync", "--migrate")).document.targets.map((t) => t.steps)).toEqual([0, 0, 0, 2]);
      expect((await run("sync", "--check")).document.code).toBe(4);
      const contract = await run("sync", "--contract");
      expect(contract.code, contract.stderr).toBe(0);
      // Revision 1 has no contract body: its (empty) contract step is recorded all the same.
      expect(contract.document.targets.map((t) => t.steps)).toEqual([2, 2, 2, 2]);
      const check = await run("sync", "--check");
      expect([check.code, check.document.code]).toEqual([0, 0]);
      for (const url of fleet.urls) {
        expect(await phases(url)).toEqual({ contract: "2", expand: "2", migrate: "2" });
        expect(await queryDatabase(url, "SELECT id, label FROM items ORDER BY id")).toEqual([
          { id: 1, label: "one" },
          { id: 2, label: "two" },
        ]);
      }
    } finally {
      await fleet.drop();
    }
  });
});
