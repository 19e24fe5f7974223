/**
 * `status`: per repository, what is applied, what is pending (with
 * messages), what blocks it (steps left running or failed) and which
 * applied scripts changed since — the one view a user needs before and
 * after a deploy. Read-only: no lock, no table, no database file created.
 */
import { groupRows, sketchPlainUpgrade, sketchRollingUpgrade } from "../graph/phase-plan.js";
import { resolveTarget } from "../graph/target.js";
import { checksumProblems } from "./check.js";
import { headRowsPhase } from "./head-rows.js";
import type { RepositoryHandle } from "./project.js";
import type { Session } from "./session.js";
import { unfinishedSteps } from "./unfinished.js";
import type { DriftedScript, PendingRevision, RepositoryState, RepositoryStatus, SelectOptions, StatusReport } from "./types.js";
import type { Workspace } from "./workspace.js";

export async function status(workspace: Workspace, options: SelectOptions): Promise<StatusReport> {
  const repositories = workspace.project.selectForReport(options);
  const session = await workspace.session();
  const notes = session.databaseExists() ? [] : ["The database does not exist yet: nothing is applied."];
  const drift = await checksumProblems(workspace, repositories);
  const reports: RepositoryStatus[] = [];
  for (const repository of repositories) {
    const drifted: DriftedScript[] = drift
      .filter((problem) => problem.repository === repository.config.name)
      .map((problem) => {
        const fields = problem.fields as { revision: string; phase: string; file: string; appliedAt: string };
        return {
          revision: fields.revision,
          phase: fields.phase,
          file: fields.file,
          appliedAt: fields.appliedAt,
          message: problem.message,
        };
      });
    reports.push(await repositoryStatus(session, repository, drifted));
  }
  const code = reports.some((r) => r.state === "blocked") ? 1 : reports.some((r) => r.state !== "up-to-date") ? 3 : 0;
  return { code, repositories: reports, notes };
}

async function repositoryStatus(
  session: Session,
  repository: RepositoryHandle,
  drifted: readonly DriftedScript[],
): Promise<RepositoryStatus> {
  const { config, map } = repository;
  const rows = await session.versionRows(config.versionTable, config.id);
  const unfinished = await unfinishedSteps(session, config);
  const grouped = groupRows(rows);
  const target = resolveTarget(map, "heads", grouped.get(headRowsPhase(repository)) ?? [], repository.scheme);
  const sketches = repository.rolling ? sketchRollingUpgrade(map, grouped, target) : sketchPlainUpgrade(map, grouped, target);
  const pending = new Map<string, { id: string; message: string; phases: string[] }>();
  for (const sketch of sketches) {
    const entry = pending.get(sketch.revision.id) ?? { id: sketch.revision.id, message: sketch.revision.message, phases: [] };
    entry.phases.push(sketch.phase);
    pending.set(sketch.revision.id, entry);
  }
  const state: RepositoryState = unfinished.some((step) => !step.resumable)
    ? "blocked"
    : drifted.length > 0
      ? "drifted"
      : pending.size > 0 || unfinished.length > 0
        ? "pending"
        : "up-to-date";
  return {
    repository: config.name,
    id: config.id,
    rolling: repository.rolling,
    scheme: repository.scheme,
    state,
    applied: rows.map((row) => ({ ...row, message: map.get(row.version)?.message ?? "(unknown revision)" })),
    pending: [...pending.values()] as PendingRevision[],
    unfinished,
    drifted,
  };
}
