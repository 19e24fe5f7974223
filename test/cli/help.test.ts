/**
 * Help and version as a new user meets them (issue 17): bare `tidemark`
 * prints the help, every command's help has examples, the global options
 * and (where a target is taken) the target forms; `--version`, `-v` and
 * `-V` print tidemark's version; step lines carry the revision's message.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";

afterAll(removeProjects);

const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

const COMMANDS = [
  "init",
  "revision",
  "upgrade",
  "downgrade",
  "stamp",
  "current",
  "status",
  "history",
  "heads",
  "branches",
  "show",
  "merge",
  "sync",
  "version",
  "diff",
  "check",
  "lint",
  "validate",
  "repair",
];
const TAKES_TARGET = new Set(["upgrade", "downgrade", "stamp", "sync", "show", "history", "revision"]);

describe("bare tidemark", () => {
  it("prints the help on stdout and exits 0 (also with --json)", async () => {
    const dir = makeProject();
    for (const args of [[], ["--json"]]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("Usage: tidemark [options] [command]");
      expect(result.stdout).toContain("Examples:\n  npx tidemark init\n");
      expect(result.stdout).not.toContain("outputHelp");
      for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`\\n  ${command}[ |]`));
    }
  });
});

describe("each command's --help", () => {
  it.each(COMMANDS)("%s: an example, the global options, and the target forms where it takes one", async (command) => {
    const result = await runCli([command, "--help"], { cwd: makeProject() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: tidemark ${command}`);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n  npx tidemark (db_)?${command}`));
    expect(result.stdout).toContain("Global Options:");
    for (const option of ["--url <url>", "--config <file>", "--repo <name>", "--json", "--verbose", "--lock-timeout"]) {
      expect(result.stdout).toContain(option);
    }
    if (TAKES_TARGET.has(command)) {
      expect(result.stdout).toContain("Targets:\n  head ");
      expect(result.stdout).toContain("LABEL@head");
    } else {
      expect(result.stdout).not.toContain("Targets:");
    }
  });
});

describe("version", () => {
  it("--version, -v and -V print tidemark's version; the version command's help says which is which", async () => {
    const dir = makeProject();
    for (const flag of ["--version", "-v", "-V"]) {
      expect(await runCli([flag], { cwd: dir }), flag).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
    }
    const help = await runCli(["version", "--help"], { cwd: dir });
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "print the database's applied version number (numbered) or id; tidemark's own: --version",
    );
  });
});

describe("step lines", () => {
  it("name the revision's message, not only its id", async () => {
    const dir = makeProject({
      "migrations/a1a1a1a1a1a1_users.sql": sqlRevision(
        "a1a1a1a1a1a1",
        null,
        "CREATE TABLE users (id INTEGER);",
        "DROP TABLE users;",
        "create users",
      ),
    });
    const up = await runCli(["upgrade"], { cwd: dir });
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^ {2}core up a1a1a1a1a1a1 create users \d+ ms\n/);
    const down = await runCli(["downgrade", "base"], { cwd: dir });
    expect(down.stdout).toMatch(/^ {2}core down a1a1a1a1a1a1 create users \d+ ms\n/);
  });
});
