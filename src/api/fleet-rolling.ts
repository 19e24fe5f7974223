/**
 * The rolling procedure over a fleet (keystone's expand → migrate →
 * contract, with the application rolled out in between): `sync --migrate`
 * starts only when every target has finished expand, and `sync --contract`
 * only when every target has finished migrate. A target that cannot be
 * read, or an entry that is not a usable target, has not been shown to
 * have finished, so it holds the fleet back too; `--force-partial` runs
 * the phase on the targets that are ready anyway.
 */
import { PhaseOrderError } from "../errors.js";
import { groupRows, sketchRollingUpgrade } from "../graph/phase-plan.js";
import type { Phase } from "../graph/revision.js";
import { resolveTarget } from "../graph/target.js";
import type { FleetEntry } from "./fleet-targets.js";
import type { FleetRunner } from "./fleet-runner.js";
import type { FleetRunOptions } from "./fleet-types.js";
import { headRowsPhase } from "./head-rows.js";
import type { SelectOptions } from "./types.js";
import type { Workspace } from "./workspace.js";

export interface UnfinishedTarget {
  readonly target: string;
  /** The earlier phase it has not finished, or why that is not known. */
  readonly reason: string;
}

/** The phases that must be finished everywhere before `phase` may run anywhere. */
function earlierPhases(phase: Phase): Phase[] {
  return phase === "contract" ? ["expand", "migrate"] : phase === "migrate" ? ["expand"] : [];
}

/** What one target still lacks before `phase` (empty: ready). */
async function lacking(workspace: Workspace, phase: Phase, version: string, selection: SelectOptions): Promise<string[]> {
  const session = await workspace.session();
  const lacks: string[] = [];
  for (const repository of workspace.selectForChange(selection)) {
    if (!repository.rolling) continue;
    const rows = groupRows(await session.versionRows(repository.config.versionTable, repository.config.id));
    const resolved = resolveTarget(repository.map, version, rows.get(headRowsPhase(repository)) ?? [], repository.scheme);
    for (const earlier of earlierPhases(phase)) {
      const pending = sketchRollingUpgrade(repository.map, rows, resolved, [earlier]).map((sketch) => sketch.revision.id);
      if (pending.length === 0) continue;
      lacks.push(`${repository.config.name}: ${earlier} not finished (pending ${pending.join(", ")})`);
      break;
    }
  }
  return lacks;
}

export async function unfinishedTargets(
  runner: FleetRunner,
  entries: readonly FleetEntry[],
  phase: Phase,
  version: string,
  options: SelectOptions & FleetRunOptions,
): Promise<UnfinishedTarget[]> {
  const unfinished: UnfinishedTarget[] = [];
  for (const entry of entries) {
    // A duplicate names a database that is listed (and checked) already.
    if (entry.kind === "unusable" && entry.error.fields["duplicateOf"] === undefined) {
      unfinished.push({ target: entry.info.name, reason: `not a usable target: ${entry.error.message}` });
    }
  }
  const probed = await runner.probe(entries, options, (workspace) => lacking(workspace, phase, version, options));
  for (const { target, value, error } of probed) {
    if (error !== undefined) unfinished.push({ target: target.name, reason: `could not be read: ${error.message}` });
    else if (value !== undefined && value.length > 0) unfinished.push({ target: target.name, reason: value.join("; ") });
  }
  return unfinished;
}

/** Refuses `sync --migrate|--contract` over a fleet while some target has not finished the phase before. */
export async function assertFleetReady(
  runner: FleetRunner,
  entries: readonly FleetEntry[],
  phase: Phase,
  version: string,
  options: SelectOptions & FleetRunOptions,
): Promise<void> {
  const before = earlierPhases(phase);
  if (before.length === 0) return;
  const unfinished = await unfinishedTargets(runner, entries, phase, version, options);
  if (unfinished.length === 0) return;
  const previous = before[before.length - 1] as Phase;
  const count = unfinished.length === 1 ? "1 target has" : `${unfinished.length} targets have`;
  throw new PhaseOrderError(
    `sync --${phase} over fleet ${runner.fleet.name} refused, nothing was run: ${count} not finished ${previous}: ` +
      `${unfinished.map((u) => `${u.target} (${u.reason})`).join("; ")}. ` +
      `Finish them first (\`tidemark sync --${previous} --fleet ${runner.fleet.name}\` runs only what is pending), ` +
      `or pass --force-partial to run ${phase} on the targets that are ready.`,
    { fields: { fleet: runner.fleet.name, phase, unfinished } },
  );
}
