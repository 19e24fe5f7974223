/**
 * Runs the same command sequences through tidemark's API (in process, on a
 * SQLite file) and reports them in the driver's shape, so that the two can
 * be compared field by field. `history` and `current` go through the same
 * functions the CLI uses.
 */
import Database from "better-sqlite3";
import { existsSync, rmSync } from "node:fs";
import { Tidemark } from "../../src/api/tidemark.js";
import { Workspace } from "../../src/api/workspace.js";
import type { RevisionMap } from "../../src/graph/revision-map.js";
import { resolveTarget } from "../../src/graph/target.js";
import { TidemarkError } from "../../src/errors.js";
import type { RunResult } from "../../src/api/types.js";
import type { AlembicCommand } from "./alembic-env.js";
import { versionRowsAfter } from "../helpers/offline-rows.js";

export interface TidemarkResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly steps: readonly (readonly [string, string])[];
  readonly rows: readonly string[];
  readonly tables: readonly string[];
  readonly lines?: readonly string[];
}

function state(file: string): { rows: string[]; tables: string[] } {
  if (!existsSync(file)) return { rows: [], tables: [] };
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
    ).map((r) => r.name);
    const rows = tables.includes("tidemark_version")
      ? (db.prepare("SELECT version FROM tidemark_version ORDER BY version").all() as { version: string }[]).map((r) => r.version)
      : [];
    return { rows, tables: tables.filter((t) => t.startsWith("m_")) };
  } finally {
    db.close();
  }
}

function stepsOf(result: RunResult): [string, string][] {
  return (result.repositories[0]?.steps ?? []).map((step) => [step.revision, step.direction]);
}

async function _rowsOf(tidemark: Tidemark): Promise<string[]> {
  const [entry] = await tidemark.current();
  return (entry?.rows ?? []).filter((row) => row.carried !== true).map((row) => row.version);
}

/**
 * `--sql`: the steps from the log inserts of the rendered SQL, and the rows
 * the version table would hold at the end (START's rows, then each insert
 * and delete replayed), reported as `lines` so that they are compared with
 * Alembic's rows after its last offline step.
 */
async function runOffline(
  tidemark: Tidemark,
  map: RevisionMap,
  command: AlembicCommand,
): Promise<Omit<TidemarkResult, "rows" | "tables">> {
  const arg = command.arg ?? "";
  const sql = await tidemark.renderSql(command.op === "downgrade" ? "downgrade" : "upgrade", arg, { dialect: "sqlite" });
  const start = arg.includes(":") ? arg.split(":")[0]! : "";
  const resolved = start === "" ? undefined : resolveTarget(map, start, []);
  const steps: [string, string][] = [];
  for (const line of sql.split("\n")) {
    const logged = /^INSERT INTO "tidemark_log" .* VALUES \('core', '(\w+)', '', '(up|down)'/.exec(line);
    if (logged) steps.push([logged[1]!, logged[2]!]);
  }
  const rows = versionRowsAfter(sql, resolved === undefined || resolved.kind === "base" ? [] : resolved.ids);
  return { ok: true, steps, lines: [...rows].sort() };
}

async function runOne(
  tidemark: Tidemark,
  map: RevisionMap,
  command: AlembicCommand,
): Promise<Omit<TidemarkResult, "rows" | "tables">> {
  const arg = command.arg ?? "";
  if (command.sql === true) return runOffline(tidemark, map, command);
  switch (command.op) {
    case "upgrade":
      return { ok: true, steps: stepsOf(await tidemark.upgrade(arg)) };
    case "downgrade":
      return { ok: true, steps: stepsOf(await tidemark.downgrade(arg)) };
    case "stamp":
      await tidemark.stamp(arg);
      return { ok: true, steps: [] };
    case "history": {
      const [report] = await tidemark.history(arg === "" ? {} : { range: arg });
      return { ok: true, steps: [], lines: (report?.revisions ?? []).map((revision) => revision.id) };
    }
    case "current": {
      const [entry] = await tidemark.current();
      return { ok: true, steps: [], lines: (entry?.rows ?? []).map((row) => row.version).sort() };
    }
  }
}

/** Each sequence from an empty database at `file`. */
export async function runTidemark(
  dir: string,
  file: string,
  sequences: readonly (readonly AlembicCommand[])[],
): Promise<TidemarkResult[][]> {
  const report: TidemarkResult[][] = [];
  for (const sequence of sequences) {
    rmSync(file, { force: true });
    const tidemark = await Tidemark.open({ cwd: dir, url: `sqlite:${file}`, env: {} });
    // The graph itself, for reading where an offline range starts.
    const workspace = await Workspace.open({ cwd: dir, url: `sqlite:${file}`, env: {} });
    const map = workspace.project.selectForReport({})[0]!.map;
    const results: TidemarkResult[] = [];
    try {
      for (const command of sequence) {
        let outcome: Omit<TidemarkResult, "rows" | "tables">;
        try {
          outcome = await runOne(tidemark, map, command);
        } catch (error) {
          if (!(error instanceof TidemarkError)) throw error;
          outcome = { ok: false, error: error.message, steps: [] };
        }
        results.push({ ...outcome, ...state(file) });
      }
    } finally {
      await tidemark.close();
    }
    report.push(results);
  }
  rmSync(file, { force: true });
  return report;
}
