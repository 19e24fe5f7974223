/**
 * Differential test: generated revision graphs (branches, merges, several
 * roots, dependsOn on ids and labels, branch labels) and random command
 * sequences run through Debian's Alembic 1.8 and through tidemark. For
 * every command both must refuse, or both must succeed with the same steps
 * in the same order, the same version rows, the same tables, and (history,
 * current) the same lines in the same order.
 *
 * Where tidemark deliberately refuses what Alembic accepts (README,
 * "Targets"), the sequence stops there and is counted, not failed.
 *
 * TIDEMARK_PARITY_GRAPHS (default 30) and TIDEMARK_PARITY_SEQUENCES (per
 * graph, default 6) make the run longer; TIDEMARK_PARITY_SEED moves it.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeProjects, makeProject } from "../helpers/project.js";
import { type AlembicCommand, type AlembicResult, runAlembic, writeGraph } from "./alembic-env.js";
import { ancestorsOf, scenario, type Scenario } from "./scenarios.js";
import { runTidemark, type TidemarkResult } from "./tidemark-side.js";

const GRAPHS = Number(process.env["TIDEMARK_PARITY_GRAPHS"] ?? 30);
const SEQUENCES = Number(process.env["TIDEMARK_PARITY_SEQUENCES"] ?? 6);
const FIRST_SEED = Number(process.env["TIDEMARK_PARITY_SEED"] ?? 1);
// tmpfs when there is one: both tools commit after every command, and fsync would dominate the run.
const SCRATCH = existsSync("/dev/shm")
  ? mkdtempSync("/dev/shm/tidemark-parity-")
  : mkdtempSync(join(tmpdir(), "tidemark-parity-"));

afterAll(() => {
  removeProjects();
  rmSync(SCRATCH, { recursive: true, force: true });
});

/** START of an offline range as Alembic writes it into its version table: the full id. */
function resolveStart(s: Scenario, start: string): string {
  return s.revisions.find((r) => r.id === start)?.id ?? start;
}

/** Does one version row lie below another? Alembic leaves such rows after a downgrade through a redundant dependsOn. */
function overlapping(s: Scenario, rows: readonly string[]): boolean {
  return rows.some((row) => rows.some((other) => other !== row && ancestorsOf(s.revisions, [other]).has(row)));
}

/** Why tidemark's answer differs from Alembic's on purpose, or undefined. */
function deliberate(
  s: Scenario,
  command: AlembicCommand,
  alembic: AlembicResult,
  tidemark: TidemarkResult,
  before: readonly string[],
): string | undefined {
  const error = tidemark.error ?? "";
  if ((command.op === "history" || command.op === "current") && overlapping(s, before)) {
    return "current and history -r current show the newest revision of each line when a row lies below another";
  }
  if (!tidemark.ok && alembic.ok) {
    if (command.sql === true && /is not an ancestor of .*range must go (up|down)/.test(error))
      return "an inverted --sql range is refused";
    if (/several heads are applied|the end of the range holds several revisions/.test(error))
      return "-N/+N with several applied heads is refused";
    if (command.op === "downgrade" && /is not on branch/.test(error))
      return "downgrade BRANCH@ID with ID off the branch is refused";
  }
  if (
    tidemark.ok &&
    alembic.ok &&
    command.op === "stamp" &&
    command.arg === "heads" &&
    alembic.rows.every((row) => tidemark.rows.includes(row))
  ) {
    return "Alembic's stamp of several heads folds rows of other branches into the first head";
  }
  if (tidemark.ok && !alembic.ok) {
    if (command.arg === "current:current") return "history -r current:current lists the current revisions";
    if (/^(KeyError|AssertionError|TypeError|AttributeError)/.test(alembic.error ?? "")) {
      return "Alembic fails with an internal error";
    }
    if (/overlaps with other requested revisions/.test(alembic.error ?? "") && command.op !== "history") {
      return "Alembic refuses to plan from version rows where one lies below another (which its own downgrades leave)";
    }
    if (command.op === "downgrade" && /@head$/.test(command.arg ?? "") && /Multiple head/.test(alembic.error ?? "")) {
      return "downgrade BRANCH@head means the branch's head, not the repository's";
    }
  }
  return undefined;
}

function describeCommand(command: AlembicCommand): string {
  return `${command.op}${command.arg === undefined ? "" : ` ${command.arg}`}`;
}

interface Tally {
  compared: number;
  deliberate: Map<string, number>;
  mismatches: string[];
}

function compare(s: Scenario, alembic: AlembicResult[][], tidemark: TidemarkResult[][], tally: Tally): void {
  s.sequences.forEach((sequence, index) => {
    for (let i = 0; i < sequence.length; i++) {
      const command = sequence[i]!;
      let a = alembic[index]![i]!;
      const t = tidemark[index]![i]!;
      const why = deliberate(s, command, a, t, i === 0 ? [] : alembic[index]![i - 1]!.rows);
      if (why !== undefined) {
        tally.deliberate.set(why, (tally.deliberate.get(why) ?? 0) + 1);
        return;
      }
      tally.compared++;
      // A failed command reports no steps from tidemark (it throws); the state after it is compared.
      if (command.sql === true) {
        // Offline: Alembic's rows are those after its last step (or START's, with no step).
        const last = a.steps[a.steps.length - 1];
        const start = command.arg!.split(":")[0]!;
        const lines = last === undefined ? (start === "base" ? [] : [resolveStart(s, start)]) : [...last[2]].sort();
        a = { ...a, rows: [], tables: [], ...(a.ok ? { lines } : {}) };
      }
      const expected = {
        ok: a.ok,
        steps: command.op === "stamp" || !a.ok ? [] : a.steps.map(([revision, direction]) => [revision, direction]),
        rows: a.rows,
        tables: a.tables,
        ...(a.lines === undefined ? {} : { lines: a.lines }),
      };
      const actual = {
        ok: t.ok,
        steps: t.steps,
        rows: t.rows,
        tables: t.tables,
        ...(t.lines === undefined || !t.ok ? {} : { lines: t.lines }),
      };
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        tally.mismatches.push(
          [
            `seed ${s.seed}, graph ${JSON.stringify(s.revisions)}`,
            `  sequence: ${sequence
              .slice(0, i + 1)
              .map(describeCommand)
              .join(" ; ")}`,
            `  alembic:  ${JSON.stringify(expected)}${a.error === undefined ? "" : ` (${a.error.slice(0, 160)})`}`,
            `  tidemark: ${JSON.stringify(actual)}${t.error === undefined ? "" : ` (${t.error.slice(0, 160)})`}`,
          ].join("\n"),
        );
        return;
      }
    }
  });
}

describe("Alembic 1.8 parity on generated graphs", () => {
  it(`agrees on ${GRAPHS} graphs × ${SEQUENCES} sequences`, async () => {
    const tally: Tally = { compared: 0, deliberate: new Map(), mismatches: [] };
    for (let seed = FIRST_SEED; seed < FIRST_SEED + GRAPHS; seed++) {
      const s = scenario(seed, SEQUENCES, 7);
      const dir = makeProject();
      const { alembicDir } = writeGraph(dir, s.revisions);
      const alembic = await runAlembic(alembicDir, `sqlite:///${join(SCRATCH, `alembic-${seed}.db`)}`, s.sequences);
      const tidemark = await runTidemark(dir, join(SCRATCH, `tidemark-${seed}.db`), s.sequences);
      compare(s, alembic, tidemark, tally);
    }
    const _deliberate = [...tally.deliberate].map(([why, n]) => `${n} × ${why}`).join("; ");
    expect(tally.mismatches.slice(0, 5).join("\n\n")).toBe("");
    expect(tally.compared).toBeGreaterThan(GRAPHS * SEQUENCES * 3);
  }, 600_000);
});
