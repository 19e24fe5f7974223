/**
 * Refused commands (SPEC §6): the right exit code, a message naming what is
 * wrong, and a database left byte-for-byte as it was — or, for a project that
 * has none yet, no database file at all.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, type CliResult } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects, sqlRevision, tsRevision, writeFiles } from "../helpers/project.js";
import { bytes, dump, logRows, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const R1 = "a0a0a0a0a0a1";
const R2 = "a0a0a0a0a0a2";
const R3 = "b0b0b0b0b0b3";
const db = (dir: string) => join(dir, "tidemark.db");
const file = (dir: string, name: string) => join(dir, "migrations", name);

function valid(): Record<string, string> {
  return {
    [`migrations/${R1}_one.sql`]: sqlRevision(R1, null, "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    [`migrations/${R2}_two.sql`]: sqlRevision(R2, R1, "CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
  };
}

/** A project whose database already has R1 applied. */
async function applied(): Promise<string> {
  const dir = makeProject(valid());
  const result = await runCli(["upgrade", R1], { cwd: dir });
  expect(result.code).toBe(0);
  return dir;
}

/** Runs a refused command twice: on a brand-new project (no file may appear) and on an applied one (no byte may change). */
async function refused(
  args: readonly string[],
  change: (dir: string) => void,
  expected: { readonly code: number; readonly messages: (dir: string) => readonly (string | RegExp)[] },
): Promise<void> {
  const check = (dir: string, result: CliResult) => {
    expect(result.code, result.stderr).toBe(expected.code);
    for (const message of expected.messages(dir)) {
      if (typeof message === "string") expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
    }
    expect(result.stderr.match(/error:/g) ?? [], "one error paragraph").toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  };

  const fresh = makeProject(valid());
  change(fresh);
  check(fresh, await runCli(args, { cwd: fresh }));
  expect(existsSync(db(fresh)), "a refused command must not create the database file").toBe(false);

  const existing = await applied();
  const before = bytes(db(existing));
  change(existing);
  check(existing, await runCli(args, { cwd: existing }));
  expect(bytes(db(existing)), "a refused command must leave the database byte-for-byte as it was").toEqual(before);
}

const nothing = () => undefined;

describe("bad targets", () => {
  it("an unknown target (exit 2)", async () => {
    await refused(["upgrade", "ffff0000ffff"], nothing, { code: 2, messages: () => ["ffff0000ffff", /unknown/] });
  });

  it("an ambiguous prefix lists the matches (exit 2)", async () => {
    await refused(["upgrade", "a0a0"], nothing, { code: 2, messages: () => [/ambiguous/, R1, R2] });
  });

  it("a relative target out of range (exit 2)", async () => {
    await refused(["upgrade", "+5"], nothing, { code: 2, messages: () => ['"+5"', /out of range/] });
  });

  it("upgrade START:END without --sql (exit 2)", async () => {
    await refused(["upgrade", `${R1}:${R2}`], nothing, { code: 2, messages: () => [`${R1}:${R2}`] });
  });

  it("downgrade START:END without --sql (exit 2)", async () => {
    await refused(["downgrade", `${R2}:${R1}`], nothing, { code: 2, messages: () => [`${R2}:${R1}`] });
  });
});

describe("broken revision graphs (exit 2)", () => {
  it("a cycle names the revisions in it", async () => {
    await refused(
      ["upgrade"],
      (dir) => {
        rmSync(file(dir, `${R1}_one.sql`));
        writeFiles(dir, { [`migrations/${R1}_one.sql`]: sqlRevision(R1, R2, "SELECT 1;") });
      },
      { code: 2, messages: () => [/cycle/, R1, R2] },
    );
  });

  it("a duplicate id names both files", async () => {
    await refused(["upgrade"], (dir) => writeFiles(dir, { [`migrations/${R2}_copy.sql`]: sqlRevision(R2, R1, "SELECT 1;") }), {
      code: 2,
      messages: (dir) => [R2, file(dir, `${R2}_two.sql`), file(dir, `${R2}_copy.sql`)],
    });
  });

  it("an unknown parent names the file and the parent", async () => {
    await refused(
      ["upgrade"],
      (dir) => writeFiles(dir, { [`migrations/${R3}_three.sql`]: sqlRevision(R3, "deadbeef0000", "SELECT 1;") }),
      { code: 2, messages: (dir) => ["deadbeef0000", R3] },
    );
  });

  it("mixed id schemes name a file of each", async () => {
    await refused(["upgrade"], (dir) => writeFiles(dir, { "migrations/003_numbered.sql": numberedSql("SELECT 1;") }), {
      code: 2,
      messages: (dir) => [/mixes id schemes/, file(dir, "003_numbered.sql")],
    });
  });

  it("a missing repository folder is a configuration error naming it", async () => {
    await refused(["upgrade"], (dir) => rmSync(join(dir, "migrations"), { recursive: true }), {
      code: 2,
      messages: (dir) => [join(dir, "migrations")],
    });
  });
});

describe("broken numbered repositories (exit 2)", () => {
  async function numberedRefused(
    extra: Record<string, string>,
    remove: readonly string[],
    messages: (dir: string) => (string | RegExp)[],
  ) {
    const fresh = makeProject({
      "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);"),
      "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);"),
    });
    const ok = await runCli(["upgrade", "1"], { cwd: fresh });
    expect(ok.code).toBe(0);
    const before = bytes(db(fresh));
    for (const name of remove) rmSync(file(fresh, name));
    writeFiles(fresh, extra);
    const result = await runCli(["upgrade"], { cwd: fresh });
    expect(result.code).toBe(2);
    for (const message of messages(fresh)) {
      if (typeof message === "string") expect(result.stderr).toContain(message);
      else expect(result.stderr).toMatch(message);
    }
    expect(bytes(db(fresh))).toEqual(before);
  }

  it("a gap names the missing version", async () => {
    await numberedRefused({ "migrations/004_four.sql": numberedSql("SELECT 1;") }, [], (dir) => [
      /version 3 is missing/,
      file(dir, "004_four.sql"),
    ]);
  });

  it("a duplicate number names both files", async () => {
    await numberedRefused({ "migrations/002_again.sql": numberedSql("SELECT 1;") }, [], (dir) => [
      file(dir, "002_two.sql"),
      file(dir, "002_again.sql"),
    ]);
  });

  it("a sequence that does not start at 1", async () => {
    await numberedRefused({ "migrations/000_zero.sql": numberedSql("SELECT 1;") }, [], (dir) => [file(dir, "000_zero.sql")]);
  });
});

describe("broken scripts", () => {
  it("a .ts script with a syntax error names the file and the line (exit 2), before anything runs", async () => {
    await refused(
      ["upgrade"],
      (dir) =>
        writeFiles(dir, {
          [`migrations/${R3}_three.ts`]: tsRevision(R3, R2, "  const x = = 1;\n  await op.execute('SELECT 1');"),
        }),
      // tsRevision: the body's first line is line 6 of the file.
      { code: 2, messages: (dir) => [`${file(dir, `${R3}_three.ts`)}:6`] },
    );
  });

  it("a failing SQL statement names the revision and the statement (exit 1); its effects are rolled back", async () => {
    const dir = await applied();
    writeFiles(dir, {
      [`migrations/${R2}_two.sql`]: sqlRevision(R2, R1, "CREATE TABLE t2 (id INTEGER);\nINSERT INTO t1 (nope) VALUES (1);"),
    });
    const before = dump(db(dir));
    const result = await runCli(["upgrade"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`revision ${R2}`);
    expect(result.stderr).toContain("INSERT INTO t1 (nope) VALUES (1)");
    expect(result.stderr).toContain("table t1 has no column named nope");
    expect(dump(db(dir))).toBe(before);
    expect(logRows(db(dir)).map((row) => row.revision)).toEqual([R1]);
  });

  it("downgrade through a revision without a downgrade body is refused before anything runs (exit 2)", async () => {
    const dir = makeProject({
      ...valid(),
      [`migrations/${R2}_two.ts`]: tsRevision(R2, R1, '  await op.execute("CREATE TABLE t2 (id INTEGER)");'),
      [`migrations/${R3}_three.sql`]: sqlRevision(R3, R2, "CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
    });
    rmSync(file(dir, `${R2}_two.sql`));
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    const before = bytes(db(dir));
    const result = await runCli(["downgrade", "base"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(R2);
    expect(result.stderr).toContain(file(dir, `${R2}_two.ts`));
    expect(result.stderr).toMatch(/no downgrade/);
    expect(bytes(db(dir))).toEqual(before);
    expect(versions(db(dir))).toEqual([R3]);
    // Down to R2 does not pass through R2's downgrade: allowed.
    expect((await runCli(["downgrade", R2], { cwd: dir })).code).toBe(0);
  });

  it("a SQL script without a -- +downgrade section cannot be downgraded", async () => {
    const dir = makeProject({ "migrations/001_one.sql": "-- +upgrade\nCREATE TABLE t1 (id INTEGER);\n" });
    expect((await runCli(["upgrade"], { cwd: dir })).code).toBe(0);
    const before = bytes(db(dir));
    const result = await runCli(["downgrade", "-1"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file(dir, "001_one.sql"));
    expect(bytes(db(dir))).toEqual(before);
  });
});

describe("bad database URLs", () => {
  it("an unwritable path (/proc) is a database error (exit 1) naming the path", async () => {
    const dir = makeProject(valid());
    const result = await runCli(["upgrade", "--url", "sqlite:/proc/tidemark-test.db"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("/proc/tidemark-test.db");
    expect(result.stderr.match(/error:/g)).toHaveLength(1);
  });

  it("a path under a regular file is a database error (exit 1) naming it", async () => {
    const dir = makeProject(valid());
    writeFileSync(join(dir, "plain.txt"), "not a folder\n");
    const result = await runCli(["upgrade", "--url", "sqlite:plain.txt/app.db"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("plain.txt");
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
  });

  it("a path in a missing folder is not created behind the user's back (exit 1)", async () => {
    const dir = makeProject(valid());
    const result = await runCli(["upgrade", "--url", "sqlite:missing/dir/app.db"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing");
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("an unknown URL scheme is a configuration error (exit 2) that never shows the password", async () => {
    const dir = makeProject(valid());
    const result = await runCli(["upgrade", "--url", "oracle://scott:tiger-s3cret@db.example.com/orcl"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("oracle");
    expect(result.stderr).not.toContain("tiger-s3cret");
    expect(result.stdout).not.toContain("tiger-s3cret");
    expect(existsSync(join(dir, "tidemark.db"))).toBe(false);
    const fromEnv = await runCli(["current", "--json"], { cwd: dir, env: { DATABASE_URL: "mongodb://u:hunter2-pw@h/db" } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stdout + fromEnv.stderr).not.toContain("hunter2-pw");
  });
});

describe("config modules that throw (exit 2)", () => {
  it("a .ts config whose getter throws is a configuration error, not a bug in tidemark", async () => {
    await refused(
      ["upgrade"],
      (dir) =>
        writeFileSync(
          join(dir, "tidemark.config.ts"),
          "export default {\n  get url(): string {\n    throw new Error('DATABASE_HOST is not set');\n  },\n};\n",
        ),
      {
        code: 2,
        messages: (dir) => [`${join(dir, "tidemark.config.ts")}: reading "url" of the config threw: DATABASE_HOST is not set`],
      },
    );
  });
});

describe("bad command lines (exit 2)", () => {
  it("an unknown flag is named once", async () => {
    await refused(["upgrade", "--bogus"], nothing, { code: 2, messages: () => ["--bogus"] });
  });

  it("an unknown command", async () => {
    await refused(["upgrayedd"], nothing, { code: 2, messages: () => ["upgrayedd"] });
  });

  it("a flag without its value", async () => {
    await refused(["upgrade", "--delta"], nothing, { code: 2, messages: () => ["--delta"] });
  });

  it("--lock-timeout that is not a number", async () => {
    await refused(["upgrade", "--lock-timeout", "soon"], nothing, { code: 2, messages: () => ["--lock-timeout", "soon"] });
  });

  it("--repo and --all together", async () => {
    await refused(["upgrade", "--repo", "core", "--all"], nothing, { code: 2, messages: () => ["--all"] });
  });

  it("an unknown flag in --json mode is a JSON error document", async () => {
    const dir = makeProject(valid());
    const result = await runCli(["--json", "upgrade", "--bogus"], { cwd: dir });
    expect(result.code).toBe(2);
    const document = JSON.parse(result.stdout) as { ok: boolean; error: { exitCode: number; message: string } };
    expect(document.ok).toBe(false);
    expect(document.error.exitCode).toBe(2);
    expect(document.error.message).toContain("--bogus");
  });
});

describe("a working directory that is not a project", () => {
  it("reporting commands on an empty folder refuse with exit 2 and write nothing", async () => {
    const dir = makeProject();
    mkdirSync(join(dir, "empty"));
    const result = await runCli(["heads"], { cwd: join(dir, "empty") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, "empty", "migrations"));
    expect(existsSync(join(dir, "empty", "tidemark.db"))).toBe(false);
  });
});
