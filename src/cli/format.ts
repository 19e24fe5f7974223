/** Text shapes shared by several commands. */
import type { AppliedRow, DatabaseTarget, RunResult } from "../api/types.js";
import type { Output } from "./output.js";

export function describeRows(rows: readonly AppliedRow[]): string {
  if (rows.length === 0) return "base";
  const byPhase = new Map<string, string[]>();
  for (const row of rows) byPhase.set(row.phase, [...(byPhase.get(row.phase) ?? []), row.version]);
  return [...byPhase.entries()]
    .map(([phase, versions]) => (phase === "" ? versions.join(", ") : `${phase} ${versions.join(", ")}`))
    .join("; ");
}

export function printRun(
  out: Output,
  result: RunResult,
  verb: string,
  extra: { readonly target?: DatabaseTarget; readonly progress?: readonly unknown[]; readonly interrupted?: boolean } = {},
): void {
  const progress = extra.progress ?? [];
  const interrupted = extra.interrupted === true;
  out.json({
    ok: true,
    ...(extra.target === undefined ? {} : { target: extra.target }),
    ...(interrupted ? { interrupted: true } : {}),
    repositories: result.repositories,
    ...(progress.length === 0 ? {} : { progress }),
  });
  for (const run of result.repositories) {
    const done = run.steps.filter((step) => step.outcome === "done").length;
    const skipped = run.steps.filter((step) => step.outcome === "skipped").length;
    const stopped = run.steps.find((step) => step.outcome === "stopped");
    if (stopped !== undefined) {
      out.line(
        `${run.repository}: ${interrupted ? "stopped by Ctrl-C" : "--max-count reached"} during the backfill of revision ` +
          `${stopped.revision}; run the same command again to continue from where it stopped`,
      );
    }
    const from = describeRows(run.before);
    const to = describeRows(run.after);
    const stamping = verb === "stamped" || verb === "adopted";
    if (interrupted && stopped === undefined) {
      out.line(`${run.repository}: stopped by Ctrl-C; run the same command again to continue from where it stopped`);
    } else if (run.steps.length === 0 && !stamping) {
      out.line(`${run.repository}: already at ${to}; nothing to do`);
      continue;
    }
    const counts = stamping
      ? ""
      : ` (${done} step${done === 1 ? "" : "s"}${skipped > 0 ? `, ${skipped} already done by another runner` : ""})`;
    out.line(`${run.repository}: ${verb} ${from} -> ${to}${counts}`);
  }
}

export function parseDelta(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).replace(/^[+-]/, "");
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}
