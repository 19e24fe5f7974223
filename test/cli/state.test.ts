/** Commands about recorded state: stamp, check / check_migration, validate, repair. */
import { afterAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { join } from "node:path";
import { runCli, besideTarget } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects, sqlRevision, writeFiles } from "../helpers/project.js";
import { bytes, logRows, tableNames, versions } from "./sqlite-state.js";

afterAll(removeProjects);

const db = (dir: string) => join(dir, "tidemark.db");
const userTables = (dir: string) =>
  tableNames(db(dir)).filter((name) => !name.startsWith("tidemark_") && name !== "sqlite_sequence");

async function ok(dir: string, ...args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(besideTarget(result.stderr), `tidemark ${args.join(" ")}`).toBe("");
  expect(result.code, `tidemark ${args.join(" ")}`).toBe(0);
  return result.stdout;
}

function numbered(): string {
  return makeProject({
    "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    "migrations/002_two.sql": numberedSql("CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
    "migrations/003_three.sql": numberedSql("CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
  });
}

const ROOT = "aaaaaaaaaaaa";
const LEFT = "bbbbbbbbbbbb";
const RIGHT = "cccccccccccc";

function branched(): string {
  return makeProject({
    [`migrations/${ROOT}_root.sql`]: sqlRevision(ROOT, null, "CREATE TABLE r (id INTEGER);", "DROP TABLE r;"),
    [`migrations/${LEFT}_left.sql`]: sqlRevision(LEFT, ROOT, "CREATE TABLE l (id INTEGER);", "DROP TABLE l;"),
    [`migrations/${RIGHT}_right.sql`]: sqlRevision(RIGHT, ROOT, "CREATE TABLE rt (id INTEGER);", "DROP TABLE rt;"),
  });
}

describe("stamp", () => {
  it("sets the version row without running scripts, and logs a stamp step", async () => {
    const dir = numbered();
    expect(await ok(dir, "stamp", "2")).toBe("core: stamped base -> 2\n");
    expect(versions(db(dir))).toEqual(["2"]);
    expect(userTables(dir)).toEqual([]);
    expect(logRows(db(dir)).map((row) => [row.revision, row.direction, row.status])).toEqual([["2", "stamp", "done"]]);
    // The next upgrade starts after the stamped version.
    await ok(dir, "upgrade");
    expect(versions(db(dir))).toEqual(["3"]);
    expect(userTables(dir)).toEqual(["t3"]);
  });

  it("stamp base empties the rows; stamp heads records every head", async () => {
    const dir = branched();
    await ok(dir, "stamp", "heads");
    expect(versions(db(dir))).toEqual([LEFT, RIGHT]);
    const document = JSON.parse(await ok(dir, "--json", "stamp", "base")) as {
      ok: boolean;
      repositories: { repository: string; before: unknown[]; after: unknown[] }[];
    };
    expect(document.ok).toBe(true);
    expect(document.repositories[0]?.before).toEqual([
      { phase: "", version: LEFT },
      { phase: "", version: RIGHT },
    ]);
    expect(document.repositories[0]?.after).toEqual([]);
    expect(versions(db(dir))).toEqual([]);
    expect(userTables(dir)).toEqual([]);
  });

  it("a row naming an unknown revision is refused; --purge replaces every row", async () => {
    const dir = numbered();
    await ok(dir, "upgrade", "3");
    // Simulate a database written by another branch of the code: a version no script declares.
    const Database = (await import("better-sqlite3")).default;
    const handle = new Database(db(dir));
    handle.prepare("INSERT INTO tidemark_version (repository, phase, version) VALUES ('core', '', '99')").run();
    handle.close();
    const before = bytes(db(dir));
    const refused = await runCli(["stamp", "3"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("99");
    expect(refused.stderr).toContain("--purge");
    expect(bytes(db(dir))).toEqual(before);
    await ok(dir, "stamp", "3", "--purge");
    expect(versions(db(dir))).toEqual(["3"]);
    expect(userTables(dir)).toEqual(["t1", "t2", "t3"]);
  });

  it("an unknown target is refused before the database file is created", async () => {
    const dir = numbered();
    const result = await runCli(["stamp", "7"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("7");
    expect(existsSync(db(dir))).toBe(false);
  });
});

describe("check / check_migration", () => {
  it("passes on one head and creates no database", async () => {
    const dir = numbered();
    const out = await ok(dir, "check");
    expect(out).toMatch(/^OK/);
    expect(existsSync(db(dir))).toBe(false);
  });

  for (const command of ["check", "check_migration"]) {
    it(`${command}: two heads exit 3 naming both heads and the branch point`, async () => {
      const dir = branched();
      const result = await runCli([command], { cwd: dir });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(LEFT);
      expect(result.stderr).toContain(RIGHT);
      expect(result.stderr).toMatch(new RegExp(`branch point ${ROOT}`));
      expect(existsSync(db(dir))).toBe(false);
    });
  }

  it("--json reports the problem with its heads and branch points", async () => {
    const dir = branched();
    const result = await runCli(["check", "--json"], { cwd: dir });
    expect(result.code).toBe(3);
    const document = JSON.parse(result.stdout) as {
      ok: boolean;
      problems: { repository: string; kind: string; fields: { heads: string[]; branchPoints: string[] } }[];
    };
    expect(document.ok).toBe(false);
    expect(document.problems).toHaveLength(1);
    expect(document.problems[0]).toMatchObject({
      repository: "core",
      kind: "multiple-heads",
      fields: { heads: [LEFT, RIGHT], branchPoints: [ROOT] },
    });
  });

  it("passes again after a merge", async () => {
    const dir = branched();
    await ok(dir, "merge", "-m", "join");
    expect(await ok(dir, "check")).toMatch(/^OK/);
  });

  it("a broken numbered scheme (a gap) fails with exit 3 naming the missing version", async () => {
    const dir = makeProject({
      "migrations/001_one.sql": numberedSql("SELECT 1;"),
      "migrations/003_three.sql": numberedSql("SELECT 1;"),
    });
    const result = await runCli(["check"], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/version 2 is missing/);
  });

  it("an applied script that changed fails check with exit 3", async () => {
    const dir = numbered();
    await ok(dir, "upgrade");
    appendFileSync(join(dir, "migrations", "002_two.sql"), "-- an edit\n");
    const result = await runCli(["check_migration"], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(join(dir, "migrations", "002_two.sql"));
  });
});

describe("validate", () => {
  it("passes when every applied script is unchanged (and on a missing database)", async () => {
    const dir = numbered();
    const fresh = await runCli(["validate"], { cwd: dir });
    expect(fresh.code).toBe(0);
    expect(existsSync(db(dir))).toBe(false);
    await ok(dir, "upgrade", "2");
    expect(await ok(dir, "validate")).toMatch(/^OK/);
  });

  it("an edited applied script is exit 3 naming the revision and the file; an unapplied one is fine", async () => {
    const dir = numbered();
    await ok(dir, "upgrade", "2");
    appendFileSync(join(dir, "migrations", "003_three.sql"), "-- not applied yet: may change\n");
    expect(await ok(dir, "validate")).toMatch(/^OK/);
    appendFileSync(join(dir, "migrations", "001_one.sql"), "-- an edit after the fact\n");
    const before = bytes(db(dir));
    const result = await runCli(["validate"], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("Revision 1 ");
    expect(result.stderr).toContain(join(dir, "migrations", "001_one.sql"));
    expect(bytes(db(dir))).toEqual(before);
    const json = await runCli(["validate", "--json"], { cwd: dir });
    expect(json.code).toBe(3);
    const document = JSON.parse(json.stdout) as {
      ok: boolean;
      problems: { kind: string; fields: { revision: string; file: string } }[];
    };
    expect(document.ok).toBe(false);
    expect(document.problems.map((p) => [p.kind, p.fields.revision, p.fields.file])).toEqual([
      ["checksum", "1", join(dir, "migrations", "001_one.sql")],
    ]);
  });

  it("a UTF-8 BOM or CRLF line ends added to an applied script are not a change (an editor's save, a Windows checkout)", async () => {
    const dir = numbered();
    await ok(dir, "upgrade", "2");
    const one = join(dir, "migrations", "001_one.sql");
    const two = join(dir, "migrations", "002_two.sql");
    writeFileSync(one, `\uFEFF${readFileSync(one, "utf8")}`);
    writeFileSync(two, `\uFEFF${readFileSync(two, "utf8").replace(/\n/g, "\r\n")}`);
    expect(await ok(dir, "validate")).toMatch(/^OK/);
    expect(await ok(dir, "check")).toMatch(/^OK/);
  });

  it("a script applied with a BOM by an older tidemark (its checksum counted the BOM) still validates", async () => {
    const dir = numbered();
    const one = join(dir, "migrations", "001_one.sql");
    writeFileSync(one, `\uFEFF${readFileSync(one, "utf8")}`);
    await ok(dir, "upgrade", "1");
    // What the log held before checksums ignored the BOM: the sha256 of the text as read, BOM included.
    const legacy = createHash("sha256").update(readFileSync(one, "utf8")).digest("hex");
    const database = new Database(db(dir));
    database.prepare("UPDATE tidemark_log SET checksum = ?").run(legacy);
    database.close();
    expect(await ok(dir, "validate")).toMatch(/^OK/);
    appendFileSync(one, "-- a real edit\n");
    expect((await runCli(["validate"], { cwd: dir })).code).toBe(3);
  });
});

describe("repair", () => {
  it("clears a failed non-transactional step that blocks the repository", async () => {
    const dir = makeProject({
      "migrations/001_one.sql": numberedSql("CREATE TABLE t1 (id INTEGER);"),
      "migrations/002_two.sql": [
        "-- transactional: false",
        "-- +upgrade",
        "CREATE TABLE t2 (id INTEGER);",
        "INSERT INTO missing_table VALUES (1);",
        "",
      ].join("\n"),
    });
    const failed = await runCli(["upgrade"], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("revision 2");
    expect(failed.stderr).toContain("INSERT INTO missing_table VALUES (1)");
    expect(failed.stderr).toContain("tidemark repair");
    expect(versions(db(dir))).toEqual(["1"]);
    expect(logRows(db(dir)).map((row) => [row.revision, row.status])).toEqual([
      ["1", "done"],
      ["2", "failed"],
    ]);

    // Blocked until repaired, whatever the command asks for.
    const blocked = await runCli(["upgrade"], { cwd: dir });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/blocked.*revision 2.*failed/);
    expect(blocked.stderr).toContain("tidemark repair");

    // The user fixes the database and the script by hand, then repairs.
    writeFiles(dir, {
      "migrations/002_two.sql": "-- transactional: false\n-- +upgrade\nCREATE TABLE IF NOT EXISTS t2 (id INTEGER);\n",
    });
    const repaired = JSON.parse(await ok(dir, "--json", "repair")) as { ok: boolean; repositories: unknown[] };
    expect(repaired).toEqual({
      ok: true,
      target: expect.objectContaining({ dialect: "sqlite" }),
      repositories: [{ repository: "core", cleared: 1 }],
    });
    expect(logRows(db(dir)).map((row) => row.status)).toEqual(["done"]);
    expect(await ok(dir, "repair")).toBe("core: nothing to repair\n");
    await ok(dir, "upgrade");
    expect(versions(db(dir))).toEqual(["2"]);
    expect(userTables(dir)).toEqual(["t1", "t2"]);
  });

  it("on a project without a database does nothing and creates no file", async () => {
    const dir = numbered();
    expect(await ok(dir, "repair")).toBe("core: nothing to repair\n");
    expect(existsSync(db(dir))).toBe(false);
  });
});
