/**
 * Backfill progress as a user sees it (issue 17): on a terminal (a real pty,
 * through script(1)) a bar with percentage, rate, ETA and elapsed time that
 * ends with its final frame and a newline; without a terminal a line when it
 * starts and when it ends; with --json one event per line as it happens and
 * the summary last; Ctrl-C stops after the current batch, says how to go on,
 * and the resumed step keeps its one log row. A second runner that waits
 * for the lock says so.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, runCli } from "../helpers/cli.js";
import { createTestDatabase, inCi, serverReachable, type TestDatabase } from "../helpers/databases.js";
import { makeProject, removeProjects, sqlRevision } from "../helpers/project.js";
import { queryDatabase } from "../helpers/query.js";
import { logRows, query } from "./sqlite-state.js";

afterAll(removeProjects);

function project(rows: number, batchSize: number): string {
  return makeProject({
    "migrations/001_items.sql": [
      "-- message: items",
      "-- +expand",
      "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);",
      "-- +migrate",
      `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${rows}) INSERT INTO items (id, n) SELECT x, x FROM c;`,
      "-- +contract",
      "",
    ].join("\n"),
    "migrations/002_twice.mjs": [
      'export const message = "items.twice";',
      'export async function expand(op) { await op.addColumn("items", "twice", { type: "integer" }); }',
      "export async function migrate(op) {",
      `  await op.backfill({ table: "items", set: { twice: "n * 2" }, where: "twice IS NULL", key: "id", batchSize: ${batchSize} });`,
      "}",
      "",
    ].join("\n"),
  });
}

/** A project whose backfill of revision 2 is the only thing left to run. */
async function readyToBackfill(rows: number, batchSize: number): Promise<string> {
  const dir = project(rows, batchSize);
  expect((await runCli(["sync", "--expand"], { cwd: dir })).code).toBe(0);
  expect((await runCli(["sync", "--migrate", "1"], { cwd: dir })).code).toBe(0);
  return dir;
}

const ESCAPES = new RegExp(String.raw`\u001b(?:\[[0-9;?]*[A-Za-z]|[78])`, "g");

describe("on a terminal (script(1) gives the CLI a pty)", () => {
  it("draws a bar with percentage, rows/s, ETA and elapsed, and ends it with the final frame and a newline", async () => {
    const dir = await readyToBackfill(3000, 100);
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} sync --migrate`;
    const result = spawnSync("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", COLUMNS: "160" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status, result.stdout).toBe(0);
    // Each frame starts at column 1 (ESC[1G); the text between is what the terminal shows.
    const frames = result.stdout.split("\u001b[1G").map((frame) => frame.replace(ESCAPES, ""));
    const bar = frames.filter((frame) => frame.startsWith("backfill items ["));
    expect(bar.length).toBeGreaterThanOrEqual(2);
    expect(bar[0]).toMatch(/^backfill items \[[░█]+\] \d+% \| [\d,]+\/3,000 rows \| [\d,]+ rows\/s \| ETA \d+s \| elapsed \d+s/);
    const last = bar[bar.length - 1] as string;
    expect(last).toMatch(/^backfill items \[█+\] 100% \| 3,000\/3,000 rows \| [\d,]+ rows\/s \| ETA 0s \| elapsed \d+s\r?\n/);
    // The step's line comes on its own row after the final frame, then the summary.
    expect(last).toMatch(/\r?\n {2}core up migrate 2 items\.twice \d+ ms\r?\ncore: synced /);
  });
});

describe("without a terminal", () => {
  it("prints a line when the backfill starts and one when it ends, on stderr", async () => {
    const dir = await readyToBackfill(3000, 100);
    const result = await runCli(["sync", "--migrate"], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("backfill"));
    expect(lines[0]).toMatch(/^backfill items \(core 2\): 100\/3,000 rows \(3%\), [\d,]+ rows\/s, ETA \d+s, elapsed \d+s$/);
    expect(lines[lines.length - 1]).toMatch(/^backfill items \(core 2\): 3,000\/3,000 rows \(100%\) in \d+s, [\d,]+ rows\/s$/);
    expect(result.stdout).toMatch(
      /^ {2}core up migrate 2 items\.twice \d+ ms\ncore: synced expand 2; migrate 1 -> expand 2; migrate 2/,
    );
  });
});

interface Running {
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Starts the CLI and sends Ctrl-C (SIGINT) once `ready` sees the first progress on stdout or stderr. */
function interruptOnFirstProgress(dir: string, args: readonly string[], ready: RegExp): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  let sent = false;
  const check = () => {
    if (!sent && ready.test(stdout + stderr)) {
      sent = true;
      child.kill("SIGINT");
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  return {
    done: new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }))),
  };
}

describe("Ctrl-C", () => {
  it("stops after the current batch, says how to go on; the next run resumes and the step keeps one log row", async () => {
    const dir = await readyToBackfill(200_000, 500);
    const db = join(dir, "tidemark.db");
    const stopped = await interruptOnFirstProgress(dir, ["sync", "--migrate"], /^backfill items/m).done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain("Stopping after the current batch or step");
    expect(stopped.stdout).toContain(
      "core: stopped by Ctrl-C during the backfill of revision 2; run the same command again to continue from where it stopped",
    );
    const open = logRows(db).filter((row) => row.revision === "2" && row.phase === "migrate");
    expect(open).toHaveLength(1);
    expect(open[0]?.status).toBe("running");
    const doneRows = Number(open[0]?.progress);
    expect(doneRows).toBeGreaterThan(0);
    expect(doneRows).toBeLessThan(200_000);
    expect(query(db, "SELECT COUNT(*) AS n FROM items WHERE twice IS NOT NULL")).toEqual([{ n: doneRows }]);

    const status = await runCli(["status"], { cwd: dir });
    expect(status.code).toBe(3);
    expect(status.stdout).toContain(`resumable  The backfill of revision 2 stopped after key ${doneRows}`);

    const resumed = await runCli(["sync", "--migrate"], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`rows (100%)`);
    expect(query(db, "SELECT COUNT(*) AS n FROM items WHERE twice = n * 2")).toEqual([{ n: 200_000 }]);
    const after = logRows(db).filter((row) => row.revision === "2" && row.phase === "migrate");
    expect(after.map((row) => [row.status, row.progress])).toEqual([["done", "200000"]]);
  });

  it("with --json: each progress event is one line as it happens, the summary (interrupted) is the last line", async () => {
    const dir = await readyToBackfill(200_000, 500);
    copyFileSync(join(dir, "tidemark.db"), join(dir, "before.db"));
    const run = await interruptOnFirstProgress(dir, ["sync", "--migrate", "--json"], /^\{"type":"progress"/m).done;
    expect(run.code).toBe(130);
    const lines = run.stdout.trimEnd().split("\n");
    const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const events = documents.slice(0, -1);
    const summary = documents[documents.length - 1] as {
      ok: boolean;
      interrupted: boolean;
      progress: { rows: number; total: number }[];
      repositories: { steps: { revision: string; outcome: string }[] }[];
    };
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event).toMatchObject({ type: "progress", repository: "core", revision: "2", table: "items", total: 200_000 });
      expect(typeof event.elapsedMs).toBe("number");
    }
    expect(summary.ok).toBe(true);
    expect(summary.interrupted).toBe(true);
    expect(summary.repositories[0]?.steps).toEqual([expect.objectContaining({ revision: "2", outcome: "stopped" })]);
    expect(summary.progress).toEqual([events[events.length - 1]]);
    expect(summary.progress[0]?.rows).toBeLessThan(200_000);
  });
});

const pgWanted = inCi() || (await serverReachable("postgres"));

describe.runIf(pgWanted)("a second runner (PostgreSQL)", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => database?.drop());

  it("says that it waits for the lock, then finds the work done", async () => {
    database = await createTestDatabase("postgres");
    const dir = makeProject({
      "migrations/a1a1a1a1a1a1_slow.sql": sqlRevision("a1a1a1a1a1a1", null, "SELECT pg_sleep(3);", undefined, "a slow one"),
    });
    const env = { DATABASE_URL: database.url };
    const first = runCli(["upgrade"], { cwd: dir, env });
    // The first runner is inside its step (holding the lock) once its sleep shows in pg_stat_activity.
    for (let i = 0; i < 100; i += 1) {
      const sleeping = await queryDatabase(
        database.url,
        "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE '%SELECT pg_sleep(3)%'",
      );
      if (sleeping[0]?.n === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const second = await runCli(["upgrade"], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      "Waiting for another tidemark run on this database to finish (it holds the migration lock; giving up after 60 s, see --lock-timeout)…",
    );
    expect(second.stdout).toBe("core: already at a1a1a1a1a1a1; nothing to do\n");
    expect((await first).code).toBe(0);
  });
});
