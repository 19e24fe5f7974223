/**
 * Issue 15's repros, through the binary on SQLite: dependsOn, every `@`
 * target form, history ranges and step order behave as in Alembic 1.8
 * (each expectation below is what Alembic 1.8.1 does on the same graph;
 * the differential test in test/differential checks thousands more).
 * Every upgrade of revision X creates table m_X and its downgrade drops it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { versionRowsAfter } from "../helpers/offline-rows.js";
import { runCli } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";
import { bytes, tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

/** `id:parents|dependsOn|labels;…`, lists comma-separated, e.g. `a1:;b2:b1|a1|lab`. */
function project(spec: string): string {
  const files: Record<string, string> = {};
  for (const item of spec.split(";")) {
    const [id, rest = ""] = item.split(":") as [string, string?];
    const [parents = "", deps = "", labels = ""] = rest.split("|");
    files[`migrations/${id}_m.sql`] = [
      `-- revision: ${id}`,
      ...(parents === "" ? [] : [`-- revises: ${parents}`]),
      `-- message: make m_${id}`,
      ...(deps === "" ? [] : [`-- depends-on: ${deps}`]),
      ...(labels === "" ? [] : [`-- branch-labels: ${labels}`]),
      "-- +upgrade",
      `CREATE TABLE m_${id} (id INTEGER PRIMARY KEY);`,
      "-- +downgrade",
      `DROP TABLE m_${id};`,
      "",
    ].join("\n");
  }
  return makeProject(files);
}

const db = (dir: string) => join(dir, "tidemark.db");
const tables = (dir: string) => tableNames(db(dir)).filter((name) => name.startsWith("m_"));

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  // A changing command names its database first; nothing else may go to stderr.
  expect(result.stderr.replace(/^Database: .*\n/, ""), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

/** The command is refused as a usage error, says `message`, and leaves the database as it was. */
async function refused(dir: string, message: RegExp, ...args: string[]): Promise<void> {
  const before = bytes(db(dir));
  const result = await runCli(args, { cwd: dir });
  expect(result.stderr).toMatch(message);
  expect(result.code).toBe(2);
  expect(bytes(db(dir))).toEqual(before);
}

/** Revision ids in the order `history` lists them. */
async function history(dir: string, ...args: string[]): Promise<string[]> {
  const out = await ok(dir, "history", ...args);
  return out
    .split("\n")
    .filter((line) => line.includes(" -> "))
    .map((line) => /-> (\w+)/.exec(line)![1]!);
}

/** The steps of the last run, from tidemark_log: [revision, direction]. */
async function upgradeSteps(dir: string, ...args: string[]): Promise<string[]> {
  const out = await ok(dir, "--json", ...args);
  const document = JSON.parse(out) as { repositories: { steps: { revision: string; direction: string }[] }[] };
  return document.repositories[0]!.steps.map((step) => `${step.direction} ${step.revision}`);
}

describe("1. a downgrade never reverts a revision that only depends on the target", () => {
  it("downgrade a reverts b (revises a) but not c (depends on a)", async () => {
    const dir = project("a:;b:a;c:|a");
    await ok(dir, "upgrade", "heads");
    expect(versions(db(dir))).toEqual(["b", "c"]);
    expect(await upgradeSteps(dir, "downgrade", "a")).toEqual(["down b"]);
    expect(tables(dir)).toEqual(["m_a", "m_c"]);
    expect(versions(db(dir))).toEqual(["c"]);
  });

  it("in a forest, downgrade of one root leaves the other root's line alone", async () => {
    const dir = project("a1:||one;b1:a1;a2:|a1|two;b2:a2");
    await ok(dir, "upgrade", "heads");
    expect(await upgradeSteps(dir, "downgrade", "a1")).toEqual(["down b1"]);
    expect(tables(dir)).toEqual(["m_a1", "m_a2", "m_b2"]);
    expect(versions(db(dir))).toEqual(["b2"]);
  });

  it("a revision applied only as a dependency is not a downgrade target", async () => {
    const dir = project("a1:;b1:;b2:b1|a1");
    await ok(dir, "upgrade", "b2");
    await refused(dir, /Revision a1 .*not a valid downgrade target: it is applied only as a dependency/, "downgrade", "a1");
  });
});

describe("2. a dependency's version row is absorbed by its dependent", () => {
  it("upgrade b2 leaves one row; downgrade -1 brings back b1 and a1; current shows both lines", async () => {
    const dir = project("a1:;b1:;b2:b1|a1");
    await ok(dir, "upgrade", "b2");
    expect(versions(db(dir))).toEqual(["b2"]);
    expect(await ok(dir, "current")).toMatch(/core: a1 .*\ncore: b2 \(head\)/);
    expect(await history(dir, "-r", "current:")).toEqual(["b2"]);
    expect(await upgradeSteps(dir, "downgrade", "-1")).toEqual(["down b2"]);
    expect(versions(db(dir))).toEqual(["a1", "b1"]);
    expect(tables(dir)).toEqual(["m_a1", "m_b1"]);
  });

  it("stamp b2 writes Alembic's one row", async () => {
    const dir = project("a1:;b1:;b2:b1|a1");
    await ok(dir, "stamp", "b2");
    expect(versions(db(dir))).toEqual(["b2"]);
    await ok(dir, "stamp", "a1");
    expect(versions(db(dir))).toEqual(["a1"]);
  });
});

describe("3. rows in Alembic's form keep their applied dependencies", () => {
  it("from the row b2 alone, downgrade -1 then upgrade heads re-runs only b2", async () => {
    const dir = project("a1:;b1:;b2:b1|a1");
    await ok(dir, "upgrade", "heads");
    expect(versions(db(dir))).toEqual(["b2"]);
    await ok(dir, "downgrade", "-1");
    expect(versions(db(dir))).toEqual(["a1", "b1"]);
    expect(await upgradeSteps(dir, "upgrade", "heads")).toEqual(["up b2"]);
    expect(versions(db(dir))).toEqual(["b2"]);
  });

  it("downgrade b3:b1 --sql brings back the row of the dependency a2", async () => {
    const dir = project("a1:;a2:a1;b1:;b2:b1|a2;b3:b2");
    const sql = await ok(dir, "downgrade", "b3:b1", "--sql");
    const rows = versionRowsAfter(sql, ["b3"]);
    expect([...rows].sort()).toEqual(["a2", "b1"]);
    expect([...sql.matchAll(/DROP TABLE (m_\w+)/g)].map((m) => m[1])).toEqual(["m_b3", "m_b2"]);
  });
});

describe("4. every @ form", () => {
  // a1 ─ b1 (label one)      a2 ─ b2 (label two)
  const forest = "a1:||one;b1:a1;a2:||two;b2:a2";

  it("downgrade two@base reverts the branch two only", async () => {
    const dir = project(forest);
    await ok(dir, "upgrade", "heads");
    expect(await upgradeSteps(dir, "downgrade", "two@base")).toEqual(["down b2", "down a2"]);
    expect(versions(db(dir))).toEqual(["b1"]);
  });

  it.each<[string, string[], string[], string[]]>([
    // [target, commands before, expected rows, expected tables]
    ["upgrade one@base+1", [], ["a1"], ["m_a1"]],
    ["upgrade two@+1", ["upgrade b1"], ["a2", "b1"], ["m_a1", "m_a2", "m_b1"]],
    ["upgrade two@head-1", [], ["a2"], ["m_a2"]],
    ["upgrade two@a2", ["upgrade b1"], ["a2", "b1"], ["m_a1", "m_a2", "m_b1"]],
    ["upgrade a2@head", [], ["b2"], ["m_a2", "m_b2"]],
    ["upgrade one@base", ["upgrade b2"], ["b2"], ["m_a2", "m_b2"]],
    ["downgrade one@-1", ["upgrade heads"], ["a1", "b2"], ["m_a1", "m_a2", "m_b2"]],
    ["downgrade two@head-1", ["upgrade heads"], ["a2", "b1"], ["m_a1", "m_a2", "m_b1"]],
    ["downgrade b2@base", ["upgrade heads"], ["b1"], ["m_a1", "m_b1"]],
    ["downgrade one@a1", ["upgrade heads"], ["a1", "b2"], ["m_a1", "m_a2", "m_b2"]],
    ["downgrade two@b2-2", ["upgrade heads"], ["b1"], ["m_a1", "m_b1"]],
    ["downgrade one@a1+1", ["upgrade heads"], ["b1", "b2"], ["m_a1", "m_a2", "m_b1", "m_b2"]],
  ])("%s", async (command, before, rows, expectedTables) => {
    const dir = project(forest);
    for (const step of before) await ok(dir, ...step.split(" "));
    await ok(dir, ...command.split(" "));
    expect(versions(db(dir))).toEqual(rows);
    expect(tables(dir)).toEqual(expectedTables);
  });

  it("refuses a revision that is not on the named branch", async () => {
    const dir = project(forest);
    await ok(dir, "upgrade", "b1");
    await refused(dir, /not on branch one/, "upgrade", "one@a2");
    await refused(dir, /nothing on branch two is applied/, "downgrade", "two@-1");
  });
});

describe("5. history -r", () => {
  const line = "a:;b:a;c:b;d:c";

  it("counts a relative end from the other end, and -N from the heads", async () => {
    const dir = project(line);
    expect(await history(dir, "-r", "a:+2")).toEqual(["c", "b", "a"]);
    expect(await history(dir, "-r", "-2:")).toEqual(["d", "c", "b"]);
    expect(await history(dir, "-r", "-2:c")).toEqual(["c", "b"]);
    expect(await history(dir, "-r", "c:+5")).toEqual(["d", "c"]);
  });

  it("-r X: leaves out revisions that only depend on X", async () => {
    const dir = project("a:;b:a;c:|a");
    expect(await history(dir, "-r", "a:")).toEqual(["b", "a"]);
  });

  it("-r current: on an empty database lists everything", async () => {
    const dir = project(line);
    expect(await history(dir, "-r", "current:")).toEqual(["d", "c", "b", "a"]);
    await ok(dir, "upgrade", "b");
    expect(await history(dir, "-r", "current:")).toEqual(["d", "c", "b"]);
    expect(await history(dir, "-r", ":current")).toEqual(["b", "a"]);
  });

  it("refuses an inverted or cross-branch range", async () => {
    const dir = project(line);
    const inverted = await runCli(["history", "-r", "c:a"], { cwd: dir });
    expect(inverted.code).toBe(2);
    expect(inverted.stderr).toMatch(/does not go up one line of history/);
    const crossing = await runCli(["history", "-r", "x1:y1"], { cwd: project("r:;x1:r;y1:r") });
    expect(crossing.code).toBe(2);
  });
});

describe("6. upgrade -1 is refused", () => {
  it("at head, and anywhere else", async () => {
    const dir = project("a:;b:a");
    await ok(dir, "upgrade", "head");
    await refused(dir, /"-1" .*goes down, and upgrade only goes up; use `downgrade -1`/, "upgrade", "-1");
    await refused(dir, /goes up, and downgrade only goes down/, "downgrade", "+1");
  });
});

describe("7. depends-on may name a branch label", () => {
  it("resolves the label in a script header and in revision --depends-on", async () => {
    const dir = project("c1:||c1lib;x1:|c1lib");
    expect(await upgradeSteps(dir, "upgrade", "x1")).toEqual(["up c1", "up x1"]);
    expect(versions(db(dir))).toEqual(["x1"]);
    await ok(dir, "revision", "-m", "uses the library", "--head", "x1", "--depends-on", "c1lib", "--sql");
    const written = readdirSync(join(dir, "migrations")).find((name) => name.endsWith("uses_the_library.sql"))!;
    expect(readFileSync(join(dir, "migrations", written), "utf8")).toContain("-- depends-on: c1lib");
  });
});

describe("8. step order: one branch after the other, as Alembic", () => {
  // r ─ x1 ─ x2
  //  └─ y1 ─ y2
  it("upgrade heads, downgrade base, history and the offline SQL", async () => {
    const dir = project("r:;x1:r;y1:r;x2:x1;y2:y1");
    const sql = await ok(dir, "upgrade", "heads", "--sql");
    expect([...sql.matchAll(/CREATE TABLE (m_\w+)/g)].map((m) => m[1])).toEqual(["m_r", "m_y1", "m_y2", "m_x1", "m_x2"]);
    expect(await upgradeSteps(dir, "upgrade", "heads")).toEqual(["up r", "up y1", "up y2", "up x1", "up x2"]);
    expect(await history(dir)).toEqual(["x2", "x1", "y2", "y1", "r"]);
    expect(await upgradeSteps(dir, "downgrade", "base")).toEqual(["down x2", "down x1", "down y2", "down y1", "down r"]);
  });
});
