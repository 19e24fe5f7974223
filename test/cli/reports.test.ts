/** Reporting commands: current, history, heads, branches, show — text and `--json`. */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, removeProjects } from "../helpers/project.js";

afterAll(removeProjects);

const ROOT = "100000000000";
const LEFT = "200000000000";
const RIGHT = "300000000000";
const MERGE = "400000000000";
const AFTER = "500000000000";

function script(id: string, parents: readonly string[], message: string, labels?: string): string {
  return [
    `-- revision: ${id}`,
    ...(parents.length === 0 ? [] : [`-- revises: ${parents.join(", ")}`]),
    `-- message: ${message}`,
    ...(labels === undefined ? [] : [`-- branch-labels: ${labels}`]),
    "-- +upgrade",
    `CREATE TABLE t_${id} (id INTEGER);`,
    "-- +downgrade",
    `DROP TABLE t_${id};`,
    "",
  ].join("\n");
}

/** ROOT → LEFT (label left), ROOT → RIGHT: two heads over one branch point. */
function branched(): Record<string, string> {
  return {
    [`migrations/${ROOT}_root.sql`]: script(ROOT, [], "root"),
    [`migrations/${LEFT}_left.sql`]: script(LEFT, [ROOT], "left side", "left"),
    [`migrations/${RIGHT}_right.sql`]: script(RIGHT, [ROOT], "right side"),
  };
}

function merged(): Record<string, string> {
  return {
    ...branched(),
    [`migrations/${MERGE}_merge.sql`]: script(MERGE, [LEFT, RIGHT], "merge"),
    [`migrations/${AFTER}_after.sql`]: script(AFTER, [MERGE], "after"),
  };
}

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

async function json<T>(dir: string, ...args: string[]): Promise<T> {
  return JSON.parse(await ok(dir, "--json", ...args)) as T;
}

interface Info {
  id: string;
  parents: string[];
  children: string[];
  branchLabels: string[];
  message: string;
  file: string;
  head: boolean;
  branchPoint: boolean;
  mergePoint: boolean;
}

describe("current", () => {
  it("on a project with no database says base and creates no database file", async () => {
    const dir = makeProject(branched());
    const out = await ok(dir, "current");
    expect(out).toBe("core: base (nothing applied)\n");
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
    const document = await json<{ ok: boolean; repositories: { repository: string; rows: unknown[] }[] }>(dir, "current");
    expect(document).toEqual({ ok: true, repositories: [{ repository: "core", id: "core", rolling: false, rows: [] }] });
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("lists every applied head with its message, and marks heads", async () => {
    const dir = makeProject(merged());
    await ok(dir, "upgrade", "heads");
    await ok(dir, "downgrade", MERGE);
    const out = await ok(dir, "current");
    expect(out).toBe(`core: ${MERGE} merge\n`);
    // As in Alembic, downgrading to LEFT removes what is above LEFT (the merge); RIGHT stays applied.
    await ok(dir, "downgrade", LEFT);
    const document = await json<{
      repositories: { rows: { phase: string; version: string; message: string; head: boolean }[] }[];
    }>(dir, "current");
    expect(document.repositories[0]?.rows).toEqual([
      { phase: "", version: LEFT, message: "left side", head: false },
      { phase: "", version: RIGHT, message: "right side", head: false },
    ]);
    // -1 from a merge is ambiguous (which parent?): exit 2.
    await ok(dir, "upgrade", MERGE);
    const ambiguous = await runCli(["downgrade", "-1"], { cwd: dir });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/ambiguous.*merge/);
  });

  it("with two branches applied shows both rows", async () => {
    const dir = makeProject(branched());
    await ok(dir, "upgrade", "heads");
    const out = await ok(dir, "current");
    expect(out.split("\n").filter(Boolean).sort()).toEqual([
      `core: ${LEFT} (head) left side`,
      `core: ${RIGHT} (head) right side`,
    ]);
  });
});

describe("history", () => {
  it("lists revisions newest first with parents, marks and messages", async () => {
    const dir = makeProject(merged());
    const lines = (await ok(dir, "history")).split("\n").filter(Boolean);
    expect(lines[0]).toBe(`${MERGE} -> ${AFTER} (head), after`);
    expect(lines[1]).toBe(`${LEFT}, ${RIGHT} -> ${MERGE} (mergepoint), merge`);
    expect(lines.slice(2, 4).sort()).toEqual([`${ROOT} -> ${LEFT}, left side`, `${ROOT} -> ${RIGHT}, right side`]);
    expect(lines[4]).toBe(`<base> -> ${ROOT} (branchpoint), root`);
    expect(lines).toHaveLength(5);
  });

  it("-r START:END limits the range (either side may be empty, `current` allowed)", async () => {
    const dir = makeProject(merged());
    const ids = async (range: string) =>
      (await json<{ repositories: { revisions: Info[] }[] }>(dir, "history", "-r", range)).repositories[0]?.revisions.map(
        (r) => r.id,
      );
    expect(await ids(`${MERGE}:${AFTER}`)).toEqual([AFTER, MERGE]);
    expect(await ids(`:${LEFT}`)).toEqual([LEFT, ROOT]);
    expect(await ids(`${MERGE}:`)).toEqual([AFTER, MERGE]);
    expect(await ids(`${ROOT.slice(0, 4)}:${LEFT.slice(0, 4)}`)).toEqual([LEFT, ROOT]);
    await ok(dir, "upgrade", MERGE);
    expect(await ids("current:")).toEqual([AFTER, MERGE]);
    // The long option name works too.
    const long = await json<{ repositories: { revisions: Info[] }[] }>(dir, "history", "--rev-range", `${MERGE}:${MERGE}`);
    expect(long.repositories[0]?.revisions.map((r) => r.id)).toEqual([MERGE]);
  });

  it("-r with a bad range or an unknown revision is a usage error", async () => {
    const dir = makeProject(merged());
    const bad = await runCli(["history", "-r", "nocolon"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("START:END");
    const unknown = await runCli(["history", "-r", "abcdefabcdef:"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("abcdefabcdef");
  });

  it("--graph draws the branch and the merge", async () => {
    const dir = makeProject(merged());
    const lines = (await ok(dir, "history", "--graph")).split("\n").filter(Boolean);
    expect(lines).toEqual([
      `* ${MERGE} -> ${AFTER} (head), after`,
      `*   ${LEFT}, ${RIGHT} -> ${MERGE} (mergepoint), merge`,
      "|\\",
      `* | ${ROOT} -> ${LEFT}, left side`,
      `| * ${ROOT} -> ${RIGHT}, right side`,
      "|/",
      `* <base> -> ${ROOT} (branchpoint), root`,
    ]);
  });

  it("--graph with two open heads", async () => {
    const dir = makeProject(branched());
    const lines = (await ok(dir, "history", "--graph")).split("\n").filter(Boolean);
    expect(lines).toEqual([
      `* ${ROOT} -> ${LEFT} (head), left side`,
      `| * ${ROOT} -> ${RIGHT} (head), right side`,
      "|/",
      `* <base> -> ${ROOT} (branchpoint), root`,
    ]);
  });

  it("--json documents every revision", async () => {
    const dir = makeProject(merged());
    const document = await json<{ ok: boolean; repositories: { repository: string; revisions: Info[] }[] }>(dir, "history");
    expect(document.ok).toBe(true);
    const revisions = document.repositories[0]?.revisions ?? [];
    expect(revisions.map((r) => r.id)).toHaveLength(5);
    const merge = revisions.find((r) => r.id === MERGE);
    expect(merge).toMatchObject({
      parents: [LEFT, RIGHT],
      children: [AFTER],
      message: "merge",
      mergePoint: true,
      head: false,
      file: join(dir, "migrations", `${MERGE}_merge.sql`),
    });
    expect(revisions.find((r) => r.id === ROOT)).toMatchObject({ branchPoint: true, parents: [] });
  });
});

describe("heads and branches", () => {
  it("heads lists every head with its branch labels", async () => {
    const dir = makeProject(branched());
    const lines = (await ok(dir, "heads")).split("\n").filter(Boolean).sort();
    expect(lines).toEqual([`core: ${LEFT} (left) (head) left side`, `core: ${RIGHT} (head) right side`]);
    const document = await json<{ repositories: { repository: string; heads: Info[] }[] }>(dir, "heads");
    expect(document.repositories[0]?.heads.map((h) => h.id).sort()).toEqual([LEFT, RIGHT]);
    expect(document.repositories[0]?.heads.find((h) => h.id === LEFT)?.branchLabels).toEqual(["left"]);
  });

  it("branches lists each branch point and its children", async () => {
    const dir = makeProject(branched());
    const out = await ok(dir, "branches");
    expect(out).toBe(`core: ${ROOT} (branchpoint) root\n  -> ${LEFT}\n  -> ${RIGHT}\n`);
    const document = await json<{ repositories: { branchPoints: Info[] }[] }>(dir, "branches");
    expect(document.repositories[0]?.branchPoints.map((b) => [b.id, b.children])).toEqual([[ROOT, [LEFT, RIGHT]]]);
  });

  it("a line has no branches", async () => {
    const dir = makeProject({ [`migrations/${ROOT}_root.sql`]: script(ROOT, [], "root") });
    expect(await ok(dir, "branches")).toBe("core: no branches\n");
  });
});

describe("show", () => {
  it("prints one revision (by prefix) with its neighbours", async () => {
    const dir = makeProject(merged());
    const out = await ok(dir, "show", MERGE.slice(0, 3));
    expect(out).toContain(`Revision ID:   ${MERGE} (mergepoint)`);
    expect(out).toContain(`Revises:       ${LEFT}, ${RIGHT}`);
    expect(out).toContain(`Revised by:    ${AFTER}`);
    expect(out).toContain(`Path:          ${join(dir, "migrations", `${MERGE}_merge.sql`)}`);
    expect(out).toMatch(/\n {4}merge\n$/);
  });

  it("--json, and LABEL@head", async () => {
    const dir = makeProject(branched());
    const document = await json<{ ok: boolean; revision: Info }>(dir, "show", "left@head");
    expect(document.ok).toBe(true);
    expect(document.revision).toMatchObject({ id: LEFT, branchLabels: ["left"], head: true, parents: [ROOT] });
  });

  it("an unknown or ambiguous revision is a usage error", async () => {
    const dir = makeProject(branched());
    const unknown = await runCli(["show", "fedcba"], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("fedcba");
    const heads = await runCli(["show", "heads"], { cwd: dir });
    expect(heads.code).toBe(2);
    const missing = await runCli(["show"], { cwd: dir });
    expect(missing.code).toBe(2);
  });
});
