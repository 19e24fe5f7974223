/**
 * `tidemark status` (issue 17): applied, pending with messages, blocked
 * (failed or running steps), phase positions and changed scripts, as text,
 * as --json and as the exit code (0 up to date, 3 pending or drifted, 1
 * blocked) — and `current` and `check` name a blocked repository too.
 */
import { afterAll, describe, expect, it } from "vitest";
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";

afterAll(removeProjects);

const A = "a1a1a1a1a1a1";
const B = "b2b2b2b2b2b2";

const PLAIN = {
  [`migrations/${A}_users.sql`]: sqlRevision(A, null, "CREATE TABLE users (id INTEGER);", "DROP TABLE users;", "create users"),
  [`migrations/${B}_posts.sql`]: sqlRevision(B, A, "CREATE TABLE posts (id INTEGER);", "DROP TABLE posts;", "add posts"),
};

interface StatusDocument {
  readonly ok: boolean;
  readonly code: number;
  readonly target: { readonly dialect: string; readonly path: string };
  readonly repositories: readonly {
    readonly repository: string;
    readonly state: string;
    readonly applied: readonly { phase: string; version: string; message: string }[];
    readonly pending: readonly { id: string; message: string; phases: string[] }[];
    readonly unfinished: readonly { revision: string; status: string; resumable: boolean; error: string | null }[];
    readonly drifted: readonly { revision: string; file: string }[];
  }[];
}

async function statusOf(dir: string): Promise<StatusDocument & { exit: number }> {
  const result = await runCli(["status", "--json"], { cwd: dir });
  expect(result.stderr).toBe("");
  return { ...(JSON.parse(result.stdout) as StatusDocument), exit: result.code };
}

describe("status of a plain repository", () => {
  it("lists pending revisions with their messages (exit 3) without creating the database", async () => {
    const dir = makeProject(PLAIN);
    const result = await runCli(["status"], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe(
      [
        `Database: SQLite ${join(dir, "tidemark.db")} (from the default, no URL configured)`,
        "The database does not exist yet: nothing is applied.",
        "core: pending, at base",
        `  pending  ${A} create users`,
        `  pending  ${B} add posts`,
        "Run `npx tidemark upgrade` to apply what is pending (add --dry-run to see it first).",
        "",
      ].join("\n"),
    );
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("shows what is applied and what is left; up to date is exit 0", async () => {
    const dir = makeProject(PLAIN);
    expect((await runCli(["upgrade", A], { cwd: dir })).code).toBe(0);
    const half = await statusOf(dir);
    expect(half.exit).toBe(3);
    expect(half.ok).toBe(false);
    expect(half.repositories).toEqual([
      {
        repository: "core",
        id: "core",
        rolling: false,
        scheme: "graph",
        state: "pending",
        applied: [{ phase: "", version: A, message: "create users" }],
        pending: [{ id: B, message: "add posts", phases: [""] }],
        unfinished: [],
        drifted: [],
      },
    ]);
    expect(half.target).toMatchObject({ dialect: "sqlite", path: join(dir, "tidemark.db") });
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    const done = await runCli(["status"], { cwd: dir });
    expect(done.code).toBe(0);
    expect(done.stdout.split("\n").slice(1)).toEqual([`core: up to date, at ${B} (add posts)`, ""]);
  });

  it("an applied script changed since it ran is drift: exit 3 naming the file", async () => {
    const dir = makeProject(PLAIN);
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    appendFileSync(join(dir, "migrations", `${A}_users.sql`), "-- edited after it ran\n");
    const report = await statusOf(dir);
    expect(report.exit).toBe(3);
    expect(report.repositories[0]?.state).toBe("drifted");
    expect(report.repositories[0]?.drifted).toEqual([
      expect.objectContaining({ revision: A, file: join(dir, "migrations", `${A}_users.sql`) }),
    ]);
    const text = await runCli(["status"], { cwd: dir });
    expect(text.stdout).toContain(`  changed  Revision ${A} of repository core was applied on `);
  });
});

describe("a blocked repository", () => {
  const FAILING = {
    [`migrations/${A}_users.sql`]: [
      `-- revision: ${A}`,
      "-- message: create users",
      "-- transactional: false",
      "-- +upgrade",
      "CREATE TABLE users (id INTEGER);",
      "INSERT INTO missing_table VALUES (1);",
      "",
    ].join("\n"),
  };

  it("status is exit 1 naming the step; current and check say so too; after repair it is pending again", async () => {
    const dir = makeProject(FAILING);
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(1);

    const report = await statusOf(dir);
    expect(report.exit).toBe(1);
    expect(report.repositories[0]?.state).toBe("blocked");
    expect(report.repositories[0]?.unfinished).toEqual([
      expect.objectContaining({ revision: A, status: "failed", resumable: false, error: "no such table: missing_table" }),
    ]);
    const text = await runCli(["status"], { cwd: dir });
    expect(text.stdout).toContain("core: BLOCKED, at base");
    expect(text.stdout).toContain(`  blocked  Repository core is blocked: step up of revision ${A} is 'failed'`);

    const current = await runCli(["current"], { cwd: dir });
    expect(current.code).toBe(0);
    expect(current.stdout).toContain(`core: BLOCKED Repository core is blocked: step up of revision ${A} is 'failed'`);
    expect(current.stdout).toContain("`tidemark repair`");

    const check = await runCli(["check", "--json"], { cwd: dir });
    expect(check.code).toBe(3);
    const checked = JSON.parse(check.stdout) as { ok: boolean; problems: { kind: string; repository: string }[] };
    expect(checked.ok).toBe(false);
    expect(checked.problems).toEqual([expect.objectContaining({ kind: "blocked", repository: "core" })]);

    expect((await runCli(["repair"], { cwd: dir })).code).toBe(0);
    const repaired = await statusOf(dir);
    expect([repaired.exit, repaired.repositories[0]?.state]).toEqual([3, "pending"]);
  });
});

describe("status of a rolling repository", () => {
  const ROLLING = {
    "migrations/001_items.sql":
      "-- +expand\nCREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER);\n-- +migrate\n-- +contract\n",
    "migrations/002_more.sql": "-- message: more items\n-- +expand\nCREATE TABLE more (id INTEGER);\n-- +migrate\n-- +contract\n",
  };

  it("shows each phase's position and the phases still pending per revision", async () => {
    const dir = makeProject(ROLLING);
    expect((await runCli(["sync", "--expand"], { cwd: dir })).code).toBe(0);
    expect((await runCli(["sync", "--migrate"], { cwd: dir })).code).toBe(0);
    const report = await statusOf(dir);
    expect(report.exit).toBe(3);
    expect(report.repositories[0]?.applied).toEqual([
      { phase: "expand", version: "2", message: "more items" },
      { phase: "migrate", version: "2", message: "more items" },
    ]);
    expect(report.repositories[0]?.pending).toEqual([
      { id: "1", message: "items", phases: ["contract"] },
      { id: "2", message: "more items", phases: ["contract"] },
    ]);
    const text = await runCli(["status"], { cwd: dir });
    expect(text.stdout).toContain("core (rolling): pending, at expand 2 (more items); migrate 2 (more items)");
    expect(text.stdout).toContain("  pending  1 [contract] items");
    expect(text.stdout).toContain("Run `npx tidemark sync`");
  });
});
