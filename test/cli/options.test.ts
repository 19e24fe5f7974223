/** Global options (SPEC §6): placement, config files, URL precedence, output switches. */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";
import { tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const SCRIPTS = {
  "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
  "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
};

const ANSI = /\u001b\[/;

describe("options before and after the command name", () => {
  const placements: [string, readonly string[]][] = [
    ["before", ["--json", "--url", "sqlite:placed.db", "upgrade", "1"]],
    ["after", ["upgrade", "1", "--json", "--url", "sqlite:placed.db"]],
    ["mixed", ["--json", "upgrade", "--url", "sqlite:placed.db", "1"]],
  ];
  it.each(placements)("%s", async (_name, args) => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(args, { cwd: dir });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { ok: boolean; repositories: { after: unknown[]; steps: unknown[] }[] };
    expect(document.ok).toBe(true);
    expect(document.repositories[0]?.after).toEqual([{ phase: "", version: "1" }]);
    expect(document.repositories[0]?.steps).toHaveLength(1);
    expect(versions(join(dir, "placed.db"))).toEqual(["1"]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("--json documents are one JSON value on stdout for every command", async () => {
    const dir = makeProject(SCRIPTS);
    for (const args of [
      ["upgrade"],
      ["current"],
      ["history"],
      ["heads"],
      ["branches"],
      ["show", "1"],
      ["check"],
      ["lint"],
      ["validate"],
      ["downgrade", "-1"],
      ["stamp", "2"],
      ["repair"],
    ]) {
      const result = await runCli([...args, "--json"], { cwd: dir });
      expect(result.code, args.join(" ")).toBe(0);
      expect(() => JSON.parse(result.stdout), `${args.join(" ")}: ${result.stdout}`).not.toThrow();
    }
  });

  it("--json errors are a JSON document too, with the exit code", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["upgrade", "7", "--json"], { cwd: dir });
    expect(result.code).toBe(2);
    const document = JSON.parse(result.stdout) as { ok: boolean; error: { code: string; exitCode: number; message: string } };
    expect(document.ok).toBe(false);
    expect(document.error.exitCode).toBe(2);
    expect(document.error.code).toBe("target");
    expect(document.error.message).toContain('"7"');
  });
});

describe("configuration sources", () => {
  it("--config FILE points at another config (its repository path and URL)", async () => {
    const dir = makeProject({
      "db/scripts/001_one.sql": numberedSql("CREATE TABLE from_config (id INTEGER);"),
      "conf/app.json": JSON.stringify({ url: "sqlite:app.db", repositories: { core: { path: "../db/scripts" } } }),
    });
    const result = await runCli(["upgrade", "--config", "conf/app.json"], { cwd: dir });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    // The repository path and the SQLite path are relative to the config file (SPEC §3).
    expect(tableNames(join(dir, "conf", "app.db"))).toContain("from_config");
    expect(existsSync(join(dir, "app.db"))).toBe(false);
  });

  it("--config is repeatable, later files override earlier ones; --config-file is an alias", async () => {
    const dir = makeProject({
      ...SCRIPTS,
      "base.json": JSON.stringify({ url: "sqlite:base.db" }),
      "local.json": JSON.stringify({ url: "sqlite:local.db" }),
    });
    expect((await runCli(["--config", "base.json", "--config", "local.json", "upgrade"], { cwd: dir })).code).toBe(0);
    expect(existsSync(join(dir, "base.db"))).toBe(false);
    expect(versions(join(dir, "local.db"))).toEqual(["2"]);
    expect((await runCli(["--config-file", "base.json", "upgrade", "1"], { cwd: dir })).code).toBe(0);
    expect(versions(join(dir, "base.db"))).toEqual(["1"]);
  });

  it("an ini config file (.ini) with [database] and [repository:NAME]", async () => {
    const dir = makeProject({
      "sql/001_one.sql": numberedSql("CREATE TABLE from_ini (id INTEGER);"),
      "tidemark.ini": "[database]\nconnection = sqlite:ini.db\n\n[repository:core]\npath = sql\n",
    });
    const result = await runCli(["--config", "tidemark.ini", "upgrade"], { cwd: dir });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    expect(tableNames(join(dir, "ini.db"))).toContain("from_ini");
  });

  it("a tidemark.config.ts in the working directory is found without --config", async () => {
    const dir = makeProject({
      "scripts/001_one.sql": numberedSql("CREATE TABLE from_ts_config (id INTEGER);"),
      "tidemark.config.ts": 'export default { url: "sqlite:ts.db", repositories: { core: { path: "scripts" } } };\n',
    });
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(besideTarget(result.stderr)).toBe("");
    expect(result.code).toBe(0);
    expect(tableNames(join(dir, "ts.db"))).toContain("from_ts_config");
  });

  it("a missing --config file is a configuration error (exit 2) naming it", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["current", "--config", "nowhere.json"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "nowhere.json"));
  });

  it("a config file with a syntax error is exit 2 naming the file", async () => {
    const dir = makeProject({ ...SCRIPTS, "tidemark.config.json": '{ "url": "sqlite:x.db", }' });
    const result = await runCli(["current"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "tidemark.config.json"));
    expect(existsSync(join(dir, "x.db"))).toBe(false);
  });
});

describe("URL precedence: --url > DATABASE_URL > config > sqlite:tidemark.db", () => {
  it("DATABASE_URL is used when there is no config", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["upgrade"], { cwd: dir, env: { DATABASE_URL: "sqlite:env.db" } });
    expect(result.code).toBe(0);
    expect(versions(join(dir, "env.db"))).toEqual(["2"]);
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("the default is sqlite:tidemark.db in the working directory", async () => {
    const dir = makeProject(SCRIPTS);
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    expect(versions(join(dir, "tidemark.db"))).toEqual(["2"]);
  });

  it("DATABASE_URL wins over a config URL; --url wins over both", async () => {
    const dir = makeProject({ ...SCRIPTS, "tidemark.config.json": JSON.stringify({ url: "sqlite:config.db" }) });
    const env = { DATABASE_URL: "sqlite:env.db" };
    expect((await runCli(["upgrade", "1"], { cwd: dir, env })).code).toBe(0);
    expect(versions(join(dir, "env.db"))).toEqual(["1"]);
    expect(existsSync(join(dir, "config.db"))).toBe(false);
    expect((await runCli(["upgrade", "--url", "sqlite:flag.db"], { cwd: dir, env })).code).toBe(0);
    expect(versions(join(dir, "flag.db"))).toEqual(["2"]);
    expect(versions(join(dir, "env.db"))).toEqual(["1"]);
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    expect(versions(join(dir, "config.db"))).toEqual(["2"]);
  });

  it("sqlite:///relative and sqlite:////absolute URLs", async () => {
    const dir = makeProject(SCRIPTS);
    expect((await runCli(["upgrade", "--url", "sqlite:///rel.db"], { cwd: dir })).code).toBe(0);
    expect(versions(join(dir, "rel.db"))).toEqual(["2"]);
    const absolute = join(dir, "abs.db");
    expect((await runCli(["upgrade", "--url", `sqlite:///${absolute}`], { cwd: dir })).code).toBe(0);
    expect(versions(absolute)).toEqual(["2"]);
  });
});

describe("output switches", () => {
  it("--quiet prints nothing on success but still prints errors", async () => {
    const dir = makeProject(SCRIPTS);
    const quiet = await runCli(["upgrade", "--quiet"], { cwd: dir });
    expect(quiet).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(versions(join(dir, "tidemark.db"))).toEqual(["2"]);
    const failing = await runCli(["--quiet", "upgrade", "9"], { cwd: dir });
    expect(failing.code).toBe(2);
    expect(failing.stdout).toBe("");
    expect(failing.stderr).toContain('"9"');
  });

  it("colors when forced, none with --no-color or NO_COLOR", async () => {
    const dir = makeProject(SCRIPTS);
    await runCli(["upgrade"], { cwd: dir });
    const forced = { NO_COLOR: undefined, FORCE_COLOR: "1" };
    const colored = await runCli(["current"], { cwd: dir, env: forced });
    expect(colored.stdout).toMatch(ANSI);
    const flag = await runCli(["current", "--no-color"], { cwd: dir, env: forced });
    expect(flag.stdout).not.toMatch(ANSI);
    expect(flag.stdout).toBe("core: 2 (head) two\n");
    const env = await runCli(["current"], { cwd: dir, env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
    expect(env.stdout).not.toMatch(ANSI);
    const error = await runCli(["--no-color", "upgrade", "9"], { cwd: dir, env: forced });
    expect(error.stderr).not.toMatch(ANSI);
  });

  it("--version and --help exit 0", async () => {
    const dir = makeProject();
    const version = await runCli(["--version"], { cwd: dir });
    expect(version.code).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await runCli(["--help"], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("upgrade");
    expect(help.stdout).toContain("check");
    const commandHelp = await runCli(["upgrade", "--help"], { cwd: dir });
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toContain("--delta");
  });

  it("--verbose prints the statements run on stderr", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["upgrade", "--verbose"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("CREATE TABLE t1 (id INTEGER)");
    expect(result.stderr).toContain("CREATE TABLE t2 (id INTEGER)");
  });

  it("--repo names the repository; an unknown one is exit 2", async () => {
    const dir = makeProject(SCRIPTS);
    const result = await runCli(["upgrade", "--repo", "core"], { cwd: dir });
    expect(result.code).toBe(0);
    const unknown = await runCli(["upgrade", "--repo", "nope"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("nope");
  });
});
