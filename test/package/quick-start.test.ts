/**
 * The package as a new user gets it (issue 17): a fresh `npm pack` tarball
 * installed into an empty app runs the README's quick start on SQLite with
 * real `npx`, and nothing else to do; installed without optional
 * dependencies (a PostgreSQL-only app: no compiler needed) it works on
 * PostgreSQL and says `npm install better-sqlite3` when SQLite is asked for.
 *
 * Installing compiles better-sqlite3 where no prebuilt binary can be
 * fetched (~100 s on the CI machine), so this runs only with
 * TIDEMARK_PACK_TEST=1 (.ci/run sets it for this file).
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { replay, walkthrough } from "../helpers/readme.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const wanted = process.env["TIDEMARK_PACK_TEST"] === "1";

afterAll(removeProjects);

function npm(cwd: string, args: readonly string[]): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
    timeout: 600_000,
  });
}

function npx(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const { DATABASE_URL: _unset, ...rest } = process.env;
  return spawnSync("npx", ["tidemark", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...rest, NO_COLOR: "1", npm_config_update_notifier: "false", ...env },
    timeout: 120_000,
  });
}

describe.runIf(wanted)("the packed tarball in an empty app", () => {
  const packDir = makeProject();
  let tarball = "";
  let database: TestDatabase | undefined;
  afterAll(async () => database?.drop());

  it("packs", () => {
    npm(ROOT, ["pack", "--pack-destination", packDir]);
    const [name] = readdirSync(packDir).filter((file) => file.endsWith(".tgz"));
    expect(name).toMatch(/^tidemark-[\d.]+\.tgz$/);
    tarball = join(packDir, name as string);
  });

  it("runs the README's quick start on SQLite as written, with nothing else installed", { timeout: 900_000 }, () => {
    const app = makeProject();
    npm(app, ["init", "-y"]);
    // The README's install line, with the tarball for "tidemark".
    npm(app, ["install", "--save-dev", tarball]);
    expect(existsSync(join(app, "node_modules", "better-sqlite3"))).toBe(true);
    for (const result of replay(app, walkthrough("Quick start"))) {
      const what = `${result.step.line}\n${result.stdout}${result.stderr}`;
      expect(result.code, what).toBe(result.step.exit);
    }
    expect(existsSync(join(app, "tidemark.db"))).toBe(true);
    const status = npx(app, ["status"]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toContain("core: up to date, at ");
    // The library: `import { Tidemark } from "tidemark"` from the app.
    const library = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const { Tidemark } = await import("tidemark"); const t = await Tidemark.open(); console.log((await t.status()).code); await t.close();',
      ],
      { cwd: app, encoding: "utf8" },
    );
    expect(library.stderr).toBe("");
    expect(library.stdout).toBe("0\n");
  });

  it("installs without optional dependencies for PostgreSQL only, and asks for better-sqlite3 when SQLite is used", {
    timeout: 600_000,
  }, async () => {
    const app = makeProject();
    npm(app, ["init", "-y"]);
    npm(app, ["install", "--save-dev", "--omit=optional", tarball, "pg"]);
    expect(existsSync(join(app, "node_modules", "better-sqlite3"))).toBe(false);
    expect(npx(app, ["init"]).status).toBe(0);
    writeFileSync(
      join(app, "migrations", "a1a1a1a1a1a1_users.sql"),
      "-- revision: a1a1a1a1a1a1\n-- message: create users\n-- +upgrade\nCREATE TABLE users (id INTEGER);\n",
    );
    const onSqlite = npx(app, ["upgrade"]);
    expect(onSqlite.status).toBe(2);
    expect(onSqlite.stderr).toContain("Run: npm install better-sqlite3");
    database = await createTestDatabase("postgres");
    const onPostgres = npx(app, ["upgrade"], { DATABASE_URL: database.url });
    expect(onPostgres.status, onPostgres.stderr).toBe(0);
    expect(onPostgres.stderr).toContain(`Database: PostgreSQL database "${database.name}"`);
    expect(onPostgres.stdout).toContain("core: upgraded base -> a1a1a1a1a1a1 (1 step)");
  });
});
