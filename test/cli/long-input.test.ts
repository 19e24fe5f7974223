/**
 * Long inputs finish (issue 12 item 4). Every message tidemark prints goes
 * through the password scrubber; it was a backtracking regex, quadratic on
 * long alphanumeric runs: `--verbose` on a migration with an 80,000-character
 * hex literal took seconds, and an ini line of 64 KB without `=` took 9.4 s to
 * be refused. The inputs here are larger (1 MB), so that the old code would
 * need many minutes: the child's deadline is a hang guard, generous enough
 * for a slow machine, not a speed measurement (that is bench/redact.mjs).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { makeProject, numberedSql, removeProjects } from "../helpers/project.js";
import { versions } from "./sqlite-state.js";

afterAll(removeProjects);

const GUARD_MS = 30_000;

describe("long inputs", () => {
  it("--verbose prints a statement with a 1 MB hex literal whole, and the step applies", async () => {
    const hex = "0123456789abcdef".repeat(64 * 1024);
    const dir = makeProject({
      "migrations/001_blob.sql": numberedSql(`CREATE TABLE blobs (b BLOB);\nINSERT INTO blobs VALUES (X'${hex}');`),
    });
    const result = await runCli(["upgrade", "--verbose"], { cwd: dir, timeoutMs: GUARD_MS });
    expect(result.code, result.stderr.slice(0, 500)).toBe(0);
    expect(result.stderr).toContain(`INSERT INTO blobs VALUES (X'${hex}')`);
    expect(versions(join(dir, "tidemark.db"))).toEqual(["1"]);
  }, 60_000);

  it("an ini line of 1 MB without '=' is refused at once (exit 2), the line shown shortened", async () => {
    const dir = makeProject({ "migrations/001_one.sql": numberedSql("CREATE TABLE t (id INTEGER);") });
    const line = "x".repeat(1024 * 1024);
    writeFileSync(join(dir, "big.ini"), `[database]\n${line}\n`);
    const result = await runCli(["current", "--config", "big.ini"], { cwd: dir, timeoutMs: GUARD_MS });
    expect(result.code, result.stderr.slice(0, 500)).toBe(2);
    expect(result.stderr).toContain(
      `big.ini:2: expected "key = value" or "key: value", found "${"x".repeat(60)}…" (1048576 characters)`,
    );
    expect(result.stderr.length).toBeLessThan(1000);
  }, 60_000);
});
