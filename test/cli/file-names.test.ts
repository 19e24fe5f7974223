/**
 * File names that sort (issue 17): `init` chooses a date-prefixed template
 * for graph ids, so `ls migrations` lists revisions in the order they were
 * written; the template is a config option; files named the old way keep
 * working beside the new ones.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { versions } from "./sqlite-state.js";

afterAll(removeProjects);

interface Written {
  readonly revision: { readonly id: string; readonly file: string };
}

async function revision(dir: string, message: string): Promise<Written["revision"]> {
  const result = await runCli(["revision", "-m", message, "--sql", "--json"], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as Written).revision;
}

const scripts = (dir: string): string[] => readdirSync(join(dir, "migrations")).filter((name) => !name.startsWith("."));

describe("init's file name template", () => {
  it("is {date}_{time}_{id}_{slug} (UTC), so new files sort after older ones", async () => {
    const dir = makeProject();
    expect((await runCli(["init"], { cwd: dir })).code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, "tidemark.config.json"), "utf8")) as { fileTemplate: string };
    expect(config.fileTemplate).toBe("{date}_{time}_{id}_{slug}");
    // A revision written last year, by hand, in the same form.
    // No message header: the message comes from the slug after the id.
    writeFileSync(
      join(dir, "migrations", "20000101_0000_ffffffffffff_first.sql"),
      "-- revision: ffffffffffff\n-- +upgrade\nSELECT 1;\n",
    );
    const before = new Date();
    const second = await revision(dir, "Second one");
    const after = new Date();
    const name = second.file.slice(join(dir, "migrations").length + 1);
    const stamp = (date: Date) => date.toISOString().slice(0, 16).replace(/-/g, "").replace("T", "_").replace(":", "");
    expect([stamp(before), stamp(after)]).toContain(name.slice(0, 13));
    expect(name.slice(13)).toBe(`_${second.id}_second_one.sql`);
    expect(scripts(dir).sort()).toEqual(["20000101_0000_ffffffffffff_first.sql", name]);
    const history = await runCli(["history"], { cwd: dir });
    expect(history.stdout).toBe(`ffffffffffff -> ${second.id} (head), Second one\n<base> -> ffffffffffff, first\n`);
  });

  it("is not used for numbered repositories, whose names start with their number", async () => {
    const dir = makeProject();
    expect((await runCli(["init", "--scheme", "numbered"], { cwd: dir })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "tidemark.config.json"), "utf8"))).not.toHaveProperty("fileTemplate");
    const first = await revision(dir, "one");
    expect(first.file.endsWith("/migrations/001_one.sql")).toBe(true);
  });
});

describe("the fileTemplate option", () => {
  it("names files as configured (per repository over the top level); files named otherwise keep working", async () => {
    const dir = makeProject({
      "tidemark.config.json": JSON.stringify({
        fileTemplate: "{year}-{month}-{day}_{id}",
        repositories: { core: { path: "migrations", fileTemplate: "{date}{time}{second}-{id}-{slug}" } },
      }),
      "migrations/a1a1a1a1a1a1_old_style_name.sql": "-- revision: a1a1a1a1a1a1\n-- +upgrade\nCREATE TABLE t (id INTEGER);\n",
    });
    const written = await revision(dir, "new style");
    expect(written.file).toMatch(new RegExp(`/migrations/\\d{14}-${written.id}-new_style\\.sql$`));
    const up = await runCli(["upgrade"], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    expect(versions(join(dir, "tidemark.db"))).toEqual([written.id]);
    const history = await runCli(["history"], { cwd: dir });
    expect(history.stdout).toContain("<base> -> a1a1a1a1a1a1, old style name");
  });

  it("refuses a template without {id} or with an unknown placeholder (exit 2, naming it)", async () => {
    for (const [template, problem] of [
      ["{date}_{slug}", "it must contain {id}"],
      ["{id}_{when}", "unknown placeholder {when}"],
      ["{id}.ts", "the extension is added by tidemark: leave out the dot"],
    ] as const) {
      const dir = makeProject({ "tidemark.config.json": JSON.stringify({ fileTemplate: template }), "migrations/.keep": "" });
      const result = await runCli(["revision", "-m", "x"], { cwd: dir });
      expect(result.code, template).toBe(2);
      expect(result.stderr).toContain(`"fileTemplate" ${JSON.stringify(template)} cannot name revision files: ${problem}`);
      expect(scripts(dir)).toEqual([]);
    }
  });
});
