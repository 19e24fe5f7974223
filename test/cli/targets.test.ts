/** SPEC §5: every target form, for upgrade and downgrade, on real SQLite through the binary. */
import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";
import { bytes, tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const A = "a1a1a1a1a1a1";
const B = "b2b2b2b2b2b2";
const C = "c3c3c3c3c3c3";
const D = "c3d4d4d4d4d4";
const TABLE: Record<string, string> = { [A]: "t_a", [B]: "t_b", [C]: "t_c", [D]: "t_d" };

function script(id: string, parent: string | null, labels = ""): string {
  return [
    `-- revision: ${id}`,
    ...(parent === null ? [] : [`-- revises: ${parent}`]),
    `-- message: make ${TABLE[id]}`,
    ...(labels === "" ? [] : [`-- branch-labels: ${labels}`]),
    "-- +upgrade",
    `CREATE TABLE ${TABLE[id]} (id INTEGER PRIMARY KEY);`,
    "-- +downgrade",
    `DROP TABLE ${TABLE[id]};`,
    "",
  ].join("\n");
}

/** A line A → B → C → D; A carries the branch label `main`; "c3" is a prefix of C and D. */
function lineProject(): string {
  return makeProject({
    [`migrations/${A}_a.sql`]: script(A, null, "main"),
    [`migrations/${B}_b.sql`]: script(B, A),
    [`migrations/${C}_c.sql`]: script(C, B),
    [`migrations/${D}_d.sql`]: script(D, C),
  });
}

function numberedProject(): string {
  return makeProject({
    "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
    "migrations/003_three.sql": numberedSql("CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
  });
}

const db = (dir: string) => join(dir, "tidemark.db");

/** The user tables of the revisions applied up to `id` (in line order). */
function tablesUpTo(id: string | null): string[] {
  const order = [A, B, C, D];
  const upTo = id === null ? 0 : order.indexOf(id) + 1;
  return order.slice(0, upTo).map((rev) => TABLE[rev] as string);
}

function userTables(dir: string): string[] {
  return tableNames(db(dir)).filter((name) => !name.startsWith("tidemark_"));
}

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

describe("upgrade TARGET (graph scheme)", () => {
  const cases: [string, readonly string[], string][] = [
    ["no target (head)", [], D],
    ["head", ["head"], D],
    ["heads", ["heads"], D],
    ["a full id", [B], B],
    ["a unique prefix", ["b2b"], B],
    ["a prefix that is a full id's start (c3d)", ["c3d"], D],
    ["LABEL@head", ["main@head"], D],
    ["+N from base", ["+2"], B],
    ["head-N", ["head-2"], B],
    ["ID+N", [`${B}+1`], C],
    ["ID-N", [`${D}-2`], B],
    ["PREFIX-N", ["b2b-1"], A],
    ["base+N", ["base+1"], A],
    ["--delta N", ["--delta", "3"], C],
  ];
  it.each(cases)("%s", async (_name, args, expected) => {
    const dir = lineProject();
    await ok(dir, "upgrade", ...args);
    expect(versions(db(dir))).toEqual([expected]);
    expect(userTables(dir)).toEqual(tablesUpTo(expected).sort());
  });

  it("+N and --delta N count from the applied revision", async () => {
    const dir = lineProject();
    await ok(dir, "upgrade", A);
    await ok(dir, "upgrade", "+1");
    expect(versions(db(dir))).toEqual([B]);
    await ok(dir, "upgrade", "--delta", "2");
    expect(versions(db(dir))).toEqual([D]);
    expect(userTables(dir)).toEqual(["t_a", "t_b", "t_c", "t_d"]);
  });

  it("upgrade to the applied revision does nothing and says so", async () => {
    const dir = lineProject();
    await ok(dir, "upgrade", B);
    const out = await ok(dir, "upgrade", B);
    expect(out).toContain("nothing to do");
    expect(versions(db(dir))).toEqual([B]);
  });
});

describe("downgrade TARGET (graph scheme)", () => {
  const cases: [string, readonly string[], string | null][] = [
    ["base", ["base"], null],
    ["-1", ["-1"], C],
    ["-3", ["-3"], A],
    ["--delta N", ["--delta", "2"], B],
    ["a full id", [B], B],
    ["a unique prefix", ["a1a"], A],
    ["head-N", ["head-3"], A],
    ["ID-N", [`${C}-1`], B],
    ["ID+N", [`${A}+2`], C],
  ];
  it.each(cases)("%s", async (_name, args, expected) => {
    const dir = lineProject();
    await ok(dir, "upgrade", "head");
    await ok(dir, "downgrade", ...args);
    expect(versions(db(dir))).toEqual(expected === null ? [] : [expected]);
    expect(userTables(dir)).toEqual(tablesUpTo(expected).sort());
  });

  it("without TARGET or --delta is a usage error (exit 2) and changes nothing", async () => {
    const dir = lineProject();
    await ok(dir, "upgrade", "head");
    const before = bytes(db(dir));
    const result = await runCli(["downgrade"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TARGET|--delta/);
    expect(bytes(db(dir))).toEqual(before);
  });
});

describe("bad targets are usage errors (exit 2) and change nothing", () => {
  const cases: [string, readonly string[], RegExp][] = [
    ["an ambiguous prefix lists the matches", ["upgrade", "c3"], new RegExp(`ambiguous.*${C}.*${D}`)],
    ["an unknown id", ["upgrade", "ffff0000ffff"], /ffff0000ffff.*unknown|unknown.*ffff0000ffff/],
    ["an unknown label", ["upgrade", "nolabel@head"], /nolabel/],
    ["+N above head", ["upgrade", "+3"], /\+3.*out of range/],
    ["-N below base", ["downgrade", "-3"], /-3.*out of range/],
    ["head-N below base", ["upgrade", "head-9"], /head-9.*out of range/],
    ["ID+N above head", ["upgrade", `${C}+2`], /out of range/],
    ["--delta 0", ["upgrade", "--delta", "0"], /--delta/],
    ["--delta x", ["downgrade", "--delta", "x"], /--delta/],
  ];
  it.each(cases)("%s", async (_name, args, message) => {
    const dir = lineProject();
    await ok(dir, "upgrade", B);
    const before = bytes(db(dir));
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
    expect(bytes(db(dir))).toEqual(before);
    expect(versions(db(dir))).toEqual([B]);
  });

  it("an ambiguous prefix in --json names the matches as fields", async () => {
    const dir = lineProject();
    const result = await runCli(["--json", "upgrade", "c3"], { cwd: dir });
    expect(result.code).toBe(2);
    const document = JSON.parse(result.stdout) as { ok: boolean; error: { code: string; exitCode: number; matches: string[] } };
    expect(document.ok).toBe(false);
    expect(document.error.code).toBe("target");
    expect(document.error.exitCode).toBe(2);
    expect(document.error.matches).toEqual([C, D]);
  });
});

describe("numbered scheme targets", () => {
  it("a number, 0, N+M and N-M", async () => {
    const dir = numberedProject();
    await ok(dir, "upgrade", "2");
    expect(versions(db(dir))).toEqual(["2"]);
    expect(userTables(dir)).toEqual(["t1", "t2"]);
    await ok(dir, "upgrade", "2+1");
    expect(versions(db(dir))).toEqual(["3"]);
    await ok(dir, "downgrade", "3-2");
    expect(versions(db(dir))).toEqual(["1"]);
    expect(userTables(dir)).toEqual(["t1"]);
    await ok(dir, "upgrade", "head");
    await ok(dir, "downgrade", "0");
    expect(versions(db(dir))).toEqual([]);
    expect(userTables(dir)).toEqual([]);
  });

  it("003 (leading zeros) is version 3; -1 and +1 step one version", async () => {
    const dir = numberedProject();
    await ok(dir, "upgrade", "003");
    expect(versions(db(dir))).toEqual(["3"]);
    await ok(dir, "downgrade", "-1");
    expect(versions(db(dir))).toEqual(["2"]);
    await ok(dir, "upgrade", "+1");
    expect(versions(db(dir))).toEqual(["3"]);
  });

  it("a version beyond the last one is out of range (exit 2) and changes nothing", async () => {
    const dir = numberedProject();
    await ok(dir, "upgrade", "1");
    const before = bytes(db(dir));
    const result = await runCli(["upgrade", "9"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"9".*out of range.*1 to 3/);
    expect(bytes(db(dir))).toEqual(before);
  });
});
