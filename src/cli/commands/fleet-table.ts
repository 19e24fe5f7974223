/**
 * The end of a fleet run: a table (target, from → to, steps, time, status,
 * first error line), a summary line, and each failure in full on stderr;
 * with `--json` one document whose `targets` holds one object per target.
 */
import type { FleetReport, FleetTargetReport, RepositoryPosition } from "../../api/fleet-types.js";
import type { CheckResult, CurrentEntry, RepairEntry, SyncCheckResult, VersionEntry } from "../../api/types.js";
import { isTerminal, type Output } from "../output.js";
import { writeErr } from "../write.js";
import { describeRows } from "../format.js";

export type FleetCommandName =
  | "upgrade"
  | "downgrade"
  | "stamp"
  | "sync"
  | "sync-check"
  | "current"
  | "version"
  | "check"
  | "validate"
  | "diff"
  | "repair";

const CHECK_MEANING: Readonly<Record<number, string>> = {
  0: "nothing to do",
  1: "out of order",
  2: "expand pending",
  3: "migrate pending",
  4: "contract pending",
};

/** On a terminal the error column is cut to the screen's width (the full text follows on stderr); in a pipe it is whole. */
function errorWidth(): number | undefined {
  return isTerminal(1) ? Math.max(30, process.stdout.columns || Number(process.env["COLUMNS"]) || 120) : undefined;
}

interface Row {
  readonly target: string;
  readonly position: string;
  readonly steps: string;
  readonly time: string;
  readonly status: string;
  readonly error: string;
}

function positions(list: readonly RepositoryPosition[] | undefined): string {
  if (list === undefined) return "?";
  if (list.length === 1) return describeRows(list[0]?.rows ?? []);
  return list.map((p) => `${p.repository} ${describeRows(p.rows)}`).join("; ");
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

/** What the position and status columns say for a target that ran. */
function describe(
  kind: FleetCommandName,
  target: FleetTargetReport<unknown>,
): { position: string; status: string; note: string } {
  const result = target.result;
  switch (kind) {
    case "current": {
      const entries = result as CurrentEntry[];
      return { position: positions(entries.map((e) => ({ repository: e.repository, rows: e.rows }))), status: "ok", note: "" };
    }
    case "version": {
      const entries = result as VersionEntry[];
      const text = entries
        .map((e) => e.phases.map((p) => `${p.phase === "" ? "" : `${p.phase} `}${p.versions.join(",")}`).join("; "))
        .join(" | ");
      return { position: text, status: "ok", note: "" };
    }
    case "sync-check": {
      const checked = result as SyncCheckResult;
      return { position: "", status: CHECK_MEANING[checked.code] ?? String(checked.code), note: "" };
    }
    case "check":
    case "validate": {
      const checked = result as CheckResult;
      if (checked.ok) return { position: "", status: "ok", note: checked.notes[0] ?? "" };
      const count = checked.problems.length;
      return { position: "", status: `${count} problem${count === 1 ? "" : "s"}`, note: checked.problems[0]?.message ?? "" };
    }
    case "diff": {
      const diff = target.result as { differs: boolean; changes: readonly unknown[]; warnings: readonly string[] };
      if (!diff.differs) return { position: "", status: "matches the schema", note: "" };
      const count = diff.changes.length;
      return { position: "", status: `${count} change${count === 1 ? "" : "s"}`, note: diff.warnings[0] ?? "" };
    }
    case "repair": {
      const cleared = (result as RepairEntry[]).reduce((sum, entry) => sum + entry.cleared, 0);
      return { position: "", status: cleared === 0 ? "nothing to repair" : `cleared ${cleared}`, note: "" };
    }
    default: {
      const steps = target.steps ?? 0;
      const status = kind === "stamp" ? "stamped" : steps === 0 ? "up to date" : "done";
      return { position: `${positions(target.before)} → ${positions(target.after)}`, status, note: "" };
    }
  }
}

function rowOf(kind: FleetCommandName, target: FleetTargetReport<unknown>): Row {
  const changing = ["upgrade", "downgrade", "stamp", "sync"].includes(kind);
  const base = { target: target.name, time: target.status === "not-started" ? "" : seconds(target.ms) };
  if (target.status === "not-started") {
    return { ...base, position: "", steps: "", status: "not started", error: "stopped by --fail-fast" };
  }
  if (target.status === "failed") {
    const position = changing && target.before !== undefined ? `${positions(target.before)} → ${positions(target.after)}` : "";
    return { ...base, position, steps: "", status: "FAILED", error: firstLine(target.error?.message ?? "") };
  }
  const { position, status, note } = describe(kind, target);
  return {
    ...base,
    position,
    steps: changing && kind !== "stamp" ? String(target.steps ?? 0) : "",
    status,
    error: firstLine(note),
  };
}

/** Prints the table; true when an error had to be cut to fit the screen. */
function table(out: Output, kind: FleetCommandName, rows: readonly Row[]): boolean {
  const changing = ["upgrade", "downgrade", "stamp", "sync"].includes(kind);
  const header: Row = {
    target: "TARGET",
    position: changing ? "FROM → TO" : kind === "current" || kind === "version" ? "CURRENT" : "",
    steps: changing && kind !== "stamp" ? "STEPS" : "",
    time: "TIME",
    status: "STATUS",
    error: "ERROR",
  };
  const always = ["target", "time", "status"];
  const columns = (["target", "position", "steps", "time", "status", "error"] as const).filter(
    (column) => always.includes(column) || rows.some((row) => row[column] !== ""),
  );
  const width = new Map(columns.map((column) => [column, Math.max(...[header, ...rows].map((row) => row[column].length))]));
  const screen = errorWidth();
  const before = columns.slice(0, -1).reduce((sum, column) => sum + (width.get(column) ?? 0) + 2, 0);
  let cut = false;
  const render = (row: Row, paint: (column: (typeof columns)[number], text: string) => string) =>
    columns
      .map((column, i) => {
        if (i < columns.length - 1) return paint(column, row[column].padEnd(width.get(column) ?? 0));
        const room = screen === undefined ? Number.POSITIVE_INFINITY : Math.max(20, screen - before - 1);
        if (row[column].length <= room) return paint(column, row[column]);
        cut = true;
        return paint(column, `${row[column].slice(0, room - 1)}…`);
      })
      .join("  ")
      .trimEnd();
  out.line(out.colors.bold(render(header, (_c, text) => text)));
  for (const row of rows) {
    out.line(
      render(row, (column, text) => {
        if (column !== "status") return text;
        if (row.status === "FAILED") return out.colors.red(text);
        if (row.status === "not started") return out.colors.yellow(text);
        return out.colors.green(text);
      }),
    );
  }
  return cut;
}

export function printFleetReport(out: Output, report: FleetReport<unknown>, kind: FleetCommandName, code?: number): void {
  const count = (status: string) => report.targets.filter((target) => target.status === status).length;
  const summary = {
    targets: report.targets.length,
    succeeded: count("succeeded"),
    failed: count("failed"),
    notStarted: count("not-started"),
  };
  out.json({
    ok: report.ok,
    fleet: report.fleet,
    command: kind,
    ...(code === undefined ? {} : { code }),
    ms: Math.round(report.ms),
    summary,
    targets: report.targets,
  });
  const cut = table(
    out,
    kind,
    report.targets.map((target) => rowOf(kind, target)),
  );
  const parts = [`${summary.succeeded} succeeded`, `${summary.failed} failed`];
  if (summary.notStarted > 0) parts.push(`${summary.notStarted} not started`);
  const codeText = code === undefined ? "" : `; sync --check: ${code} (${CHECK_MEANING[code] ?? ""})`;
  const line = `fleet ${report.fleet}: ${summary.targets} target${summary.targets === 1 ? "" : "s"}, ${parts.join(", ")} in ${seconds(report.ms)}${codeText}`;
  out.line(summary.failed > 0 ? out.colors.red(line) : out.colors.bold(line));
  // The errors the table had to cut, in full.
  if (out.options.json || !cut) return;
  for (const target of report.targets) {
    if (target.status !== "failed" || target.error === undefined) continue;
    const message = target.error.message;
    writeErr(`${out.colors.red("failed:")} ${message.startsWith(target.name) ? "" : `${target.name}: `}${message}\n`);
  }
}
