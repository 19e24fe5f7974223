/**
 * Fault suite (issue 12): a seeded fuzz of targets, database URLs, config
 * files and script headers — 1,000 inputs through the library in-process
 * (10,000 with TIDEMARK_FAULT_LONG=1), a sample of them through the CLI.
 * Every input ends in a result or a TidemarkError (never "a bug in
 * tidemark"), within 10 s, with no stack trace in what it prints, and the
 * database at head is left byte for byte as it was. The seed is printed;
 * TIDEMARK_FAULT_SEED replays a run.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Tidemark } from "../../src/api/tidemark.js";
import { TidemarkError, messageOf } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { MYSQL_ADMIN_URL, PG_ADMIN_URL, testDialects } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";
import { Random, SIZE, faultSeed } from "./fault-harness.js";
import { type FuzzInput, IDS, nextInput } from "./fuzz-inputs.js";

const dialects = await testDialects();
const seed = faultSeed("fuzz");
const HANG_MS = 10_000;
/**
 * A silent peer (a MySQL client on PostgreSQL's port waits for a greeting
 * that never comes) is bounded by the connect timeout, 10 s by default: the
 * one wait allowed to reach the hang limit, if it ends with that error soon.
 */
const CONNECT_TIMEOUT_SLACK_MS = 2_000;
const CONNECT_TIMED_OUT = /^Cannot connect to .*: no answer within 10 s/;

afterAll(removeProjects);

/** A graph-scheme project at head on SQLite: three revisions, applied. */
async function projectAtHead(): Promise<{ dir: string; db: string; url: string }> {
  const dir = makeProject({
    [`migrations/${IDS[0]}_one.sql`]: sqlRevision(IDS[0], null, "CREATE TABLE t1 (id INTEGER);", "DROP TABLE t1;"),
    [`migrations/${IDS[1]}_two.sql`]: sqlRevision(IDS[1], IDS[0], "CREATE TABLE t2 (id INTEGER);", "DROP TABLE t2;"),
    [`migrations/${IDS[2]}_three.sql`]: sqlRevision(IDS[2], IDS[1], "CREATE TABLE t3 (id INTEGER);", "DROP TABLE t3;"),
  });
  const db = join(dir, "tidemark.db");
  const url = `sqlite:${db}`;
  const tidemark = await Tidemark.open({ cwd: dir, url, env: {} });
  try {
    await tidemark.upgrade("head");
  } finally {
    await tidemark.close();
  }
  return { dir, db, url };
}

/** Runs one input in-process: a result or a TidemarkError, in time, without a stack in its message. */
async function runInProcess(input: FuzzInput): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => {
    timer = setTimeout(() => resolve("hang"), HANG_MS + CONNECT_TIMEOUT_SLACK_MS);
  });
  const started = performance.now();
  try {
    const outcome = await Promise.race([
      input.run().then(
        () => "ok" as const,
        (error: unknown) => error,
      ),
      hang,
    ]);
    const late = performance.now() - started > HANG_MS;
    if (outcome === "hang") return `did not finish within ${HANG_MS / 1000} s`;
    if (late && !(outcome instanceof TidemarkError && CONNECT_TIMED_OUT.test(outcome.message))) {
      return `took ${Math.round(performance.now() - started)} ms`;
    }
    if (outcome === "ok") return undefined;
    if (!(outcome instanceof TidemarkError)) return `not a TidemarkError (a bug in tidemark): ${String(outcome)}`;
    if (/\n\s+at /.test(outcome.message)) return `a stack trace in the message: ${outcome.message}`;
    if (![1, 2, 3].includes(outcome.exitCode)) return `exit code ${outcome.exitCode}: ${messageOf(outcome)}`;
    return undefined;
  } finally {
    clearTimeout(timer);
    input.restore?.();
  }
}

describe("seeded fuzz of targets, URLs, configs and headers", () => {
  it(`${SIZE.fuzzInProcess} inputs in-process and ${SIZE.fuzzCli} through the CLI: no stack, no hang over 10 s, the database unchanged`, async () => {
    const random = new Random(seed);
    const { dir, db, url } = await projectAtHead();
    const servers = [
      ...(dialects.includes("postgres") ? [new URL(PG_ADMIN_URL)] : []),
      ...(dialects.includes("mysql") ? [new URL(MYSQL_ADMIN_URL)] : []),
    ];
    const before = readFileSync(db);
    const failures: string[] = [];
    const counts = new Map<string, number>();
    const sampleEvery = Math.max(1, Math.floor(SIZE.fuzzInProcess / SIZE.fuzzCli));
    let cliRuns = 0;
    for (let n = 0; n < SIZE.fuzzInProcess; n += 1) {
      const input = nextInput(random, { dir, url, servers }, n);
      counts.set(input.family, (counts.get(input.family) ?? 0) + 1);
      // A command line cannot hold a NUL character: such inputs are for the library only.
      const cliable = input.cli.every((arg) => !arg.includes("\u0000"));
      if (cliable && cliRuns < SIZE.fuzzCli && cliRuns * sampleEvery <= n) {
        cliRuns += 1;
        // The same input through the CLI, before the library run restores a rewritten header.
        const result = await runCli(input.cli, {
          cwd: dir,
          env: { DATABASE_URL: undefined },
          timeoutMs: HANG_MS + CONNECT_TIMEOUT_SLACK_MS,
        });
        if (![0, 1, 2, 3].includes(result.code)) failures.push(`#${n} CLI exit ${result.code}: ${input.shown}\n${result.stderr}`);
        if (/\n\s+at |This is a bug in tidemark/.test(result.stderr))
          failures.push(`#${n} CLI stack: ${input.shown}\n${result.stderr}`);
      }
      const problem = await runInProcess(input);
      if (problem !== undefined) failures.push(`#${n} ${input.family}: ${input.shown} → ${problem}`);
      if (!readFileSync(db).equals(before)) {
        failures.push(`#${n} ${input.family}: ${input.shown} → the database changed`);
        break;
      }
      if (failures.length >= 10) break;
    }
    console.warn(
      `fuzz (seed ${seed}): ${[...counts].map(([family, count]) => `${count} ${family}`).join(", ")}; ${cliRuns} through the CLI`,
    );
    expect(failures, `seed ${seed}`).toEqual([]);
  }, 600_000);
});
