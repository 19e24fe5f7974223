/** `tidemark status`: the state of every repository, for people and for scripts (exit code, --json). */
import type { PendingRevision, RepositoryStatus } from "../../api/types.js";
import type { CommandContext } from "../context.js";
import type { Output } from "../output.js";
import { describeTarget } from "./target.js";

const STATE_TEXT: Readonly<Record<RepositoryStatus["state"], string>> = {
  "up-to-date": "up to date",
  pending: "pending",
  drifted: "applied scripts changed",
  blocked: "BLOCKED",
};

function phasesOf(pending: PendingRevision): string {
  const phases = pending.phases.filter((phase) => phase !== "");
  return phases.length === 0 ? "" : ` [${phases.join(" ")}]`;
}

/** `base`, or each applied head with its message (per phase for rolling repositories). */
function position(report: RepositoryStatus): string {
  if (report.applied.length === 0) return report.scheme === "numbered" ? "0 (base)" : "base";
  return report.applied.map((row) => `${row.phase === "" ? "" : `${row.phase} `}${row.version} (${row.message})`).join("; ");
}

function printRepository(out: Output, report: RepositoryStatus): void {
  const { colors } = out;
  const state =
    report.state === "up-to-date"
      ? colors.green(STATE_TEXT[report.state])
      : report.state === "blocked"
        ? colors.red(STATE_TEXT[report.state])
        : colors.yellow(STATE_TEXT[report.state]);
  const kind = report.rolling ? " (rolling)" : "";
  out.line(`${colors.bold(report.repository)}${kind}: ${state}, at ${position(report)}`);
  for (const step of report.unfinished) out.line(`  ${step.resumable ? "resumable" : colors.red("blocked")}  ${step.message}`);
  for (const script of report.drifted) out.line(`  ${colors.yellow("changed")}  ${script.message}`);
  for (const pending of report.pending) out.line(`  pending  ${pending.id}${phasesOf(pending)} ${pending.message}`);
}

export async function run(context: CommandContext): Promise<number> {
  const tidemark = await context.tidemark();
  const target = tidemark.target;
  const report = await tidemark.status(context.selection);
  const { out } = context;
  out.json({ ok: report.code === 0, code: report.code, target, repositories: report.repositories, notes: report.notes });
  out.line(`Database: ${describeTarget(target)}`);
  for (const note of report.notes) out.line(note);
  for (const repository of report.repositories) printRepository(out, repository);
  if (report.code === 3) {
    const pending = report.repositories.filter((r) => r.pending.length > 0);
    if (pending.length > 0) {
      const command = pending.some((r) => r.rolling) ? "sync" : "upgrade";
      const all = pending.some((r) => r !== report.repositories[0]) ? " --all" : "";
      out.line(`Run \`npx tidemark ${command}${all}\` to apply what is pending (add --dry-run to see it first).`);
    }
  }
  return report.code;
}
