/**
 * Turns a target into the planned steps of one repository: which revision,
 * which phase, which direction, and how the version rows change after each
 * step. Plain repositories track phase ''; rolling repositories track the
 * three phases separately and never let migrate pass expand, nor contract
 * pass migrate.
 */
import type { RevisionMap } from "./revision-map.js";
import { NO_BODIES, PHASES, revisionFile, type Phase, type Revision } from "./revision.js";
import { appliedClosure, headsAfter, planDowngrade, planUpgrade, type Step } from "./planner.js";
import type { ResolvedTarget } from "./target.js";
import { PhaseOrderError, UsageError } from "../errors.js";

/** A version row as planning needs it: which phase, which applied head. */
export interface PhaseRow {
  readonly phase: string;
  readonly version: string;
}

export interface StepSketch {
  readonly revision: Revision;
  readonly phase: Phase | "";
  readonly direction: "up" | "down";
  readonly changes: readonly { readonly phase: string; readonly before: readonly string[]; readonly after: readonly string[] }[];
}

/** Version rows grouped by phase ('' for plain repositories). */
export type PhaseRows = ReadonlyMap<string, readonly string[]>;

export function groupRows(rows: readonly PhaseRow[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const row of rows) {
    const list = grouped.get(row.phase) ?? [];
    list.push(row.version);
    grouped.set(row.phase, list);
  }
  return grouped;
}

function targetIds(target: ResolvedTarget): readonly string[] {
  return target.kind === "base" ? [] : target.ids;
}

/** Plain steps in order, each with the version rows before and after it. */
function sketchPlain(map: RevisionMap, rows: PhaseRows, steps: readonly Step[]): StepSketch[] {
  let heads = rows.get("") ?? [];
  return steps.map((step) => {
    const after = headsAfter(map, heads, step);
    const sketch: StepSketch = {
      revision: map.get(step.revision)!,
      phase: "",
      direction: step.direction,
      changes: [{ phase: "", before: heads, after }],
    };
    heads = after;
    return sketch;
  });
}

export function sketchPlainUpgrade(map: RevisionMap, rows: PhaseRows, target: ResolvedTarget): StepSketch[] {
  return sketchPlain(map, rows, planUpgrade(map, rows.get("") ?? [], targetIds(target)));
}

export function sketchPlainDowngrade(map: RevisionMap, rows: PhaseRows, target: ResolvedTarget): StepSketch[] {
  return sketchPlain(map, rows, planDowngrade(map, rows.get("") ?? [], target));
}

/**
 * Rolling upgrade of the given phases up to the target: revision by
 * revision, expand then migrate then contract. A phase may only run for a
 * revision whose earlier phase has run (or runs earlier in this plan).
 */
export function sketchRollingUpgrade(
  map: RevisionMap,
  rows: PhaseRows,
  target: ResolvedTarget,
  phases: readonly Phase[] = PHASES,
): StepSketch[] {
  const ids = targetIds(target);
  const heads = new Map<Phase, readonly string[]>(PHASES.map((phase) => [phase, rows.get(phase) ?? []]));
  const perPhase = new Map<Phase, Set<string>>();
  for (const phase of phases) {
    perPhase.set(phase, new Set(planUpgrade(map, heads.get(phase)!, ids).map((step) => step.revision)));
  }
  const order = map.revisions;
  const done = new Map<Phase, Set<string>>(PHASES.map((phase) => [phase, appliedClosure(map, heads.get(phase)!)]));
  const sketches: StepSketch[] = [];
  for (const revision of order) {
    for (const phase of phases) {
      if (!perPhase.get(phase)!.has(revision.id)) continue;
      const previous = PHASES[PHASES.indexOf(phase) - 1];
      if (previous !== undefined && !done.get(previous)!.has(revision.id)) {
        throw new PhaseOrderError(
          `Cannot run ${phase} of revision ${revision.id} in repository ${map.repository}: its ${previous} phase has ` +
            `not run yet. Run \`tidemark sync --${previous}\` first (phases run in the order expand, migrate, contract).`,
          { fields: { revision: revision.id, phase, missing: previous } },
        );
      }
      const before = heads.get(phase)!;
      const after = headsAfter(map, before, { revision: revision.id, direction: "up" });
      sketches.push({ revision, phase, direction: "up", changes: [{ phase, before, after }] });
      heads.set(phase, after);
      done.get(phase)!.add(revision.id);
    }
  }
  return sketches;
}

/**
 * Rolling downgrade: a revision's `downgrade` undoes all of its phases that
 * ran, so each step removes the revision from every phase's rows.
 */
export function sketchRollingDowngrade(map: RevisionMap, rows: PhaseRows, target: ResolvedTarget): StepSketch[] {
  const heads = new Map<Phase, readonly string[]>(PHASES.map((phase) => [phase, rows.get(phase) ?? []]));
  const furthest = heads.get("expand")!;
  return planDowngrade(map, furthest, target).map((step) => {
    const changes = [];
    for (const phase of PHASES) {
      const before = heads.get(phase)!;
      if (!appliedClosure(map, before).has(step.revision)) continue;
      const after = headsAfter(map, before, step);
      changes.push({ phase, before, after });
      heads.set(phase, after);
    }
    return { revision: map.get(step.revision)!, phase: "", direction: "down", changes };
  });
}

/** Refuses a downgrade through a revision that has no downgrade body, before anything runs. */
export function assertDowngradable(sketches: readonly StepSketch[], repository: string): void {
  const missing = sketches.filter((sketch) => sketch.direction === "down" && !sketch.revision.bodies.downgrade);
  const first = missing[0];
  if (first === undefined) return;
  const file = revisionFile(first.revision) ?? "";
  throw new UsageError(
    `Cannot downgrade repository ${repository} through revision ${first.revision.id} (${file}): it has no ` +
      `downgrade body. Nothing was run.` +
      (missing.length > 1
        ? ` Also without downgrade: ${missing
            .slice(1)
            .map((s) => s.revision.id)
            .join(", ")}.`
        : ""),
    { fields: { revisions: missing.map((s) => s.revision.id) } },
  );
}

/** Stands in for "no revision" where a step needs one (stamping to base). */
export function placeholderRevision(id: string): Revision {
  return {
    id,
    parents: [],
    dependsOn: [],
    branchLabels: [],
    message: "",
    bodies: NO_BODIES,
    transactional: true,
    files: {},
  };
}

/** Is the target strictly below what is applied (so reaching it means going down)? */
export function isBelow(map: RevisionMap, heads: readonly string[], target: ResolvedTarget): boolean {
  const applied = appliedClosure(map, heads);
  if (target.kind === "base") return applied.size > 0;
  const needed = map.ancestors(target.ids, { inclusive: true });
  for (const id of needed) if (!applied.has(id)) return false;
  return needed.size < applied.size;
}

/**
 * keystone's db_sync: up or down to the target; for rolling repositories
 * one phase when `phase` is given (phases only go up), else all three.
 */
export function sketchSync(
  map: RevisionMap,
  rolling: boolean,
  rows: PhaseRows,
  target: ResolvedTarget,
  phase: Phase | undefined,
): StepSketch[] {
  if (!rolling) {
    if (phase !== undefined) {
      throw new UsageError(
        `sync --${phase} is for rolling repositories, and ${map.repository} is a plain one: run \`tidemark sync\` without a phase.`,
      );
    }
    return isBelow(map, rows.get("") ?? [], target)
      ? sketchPlainDowngrade(map, rows, target)
      : sketchPlainUpgrade(map, rows, target);
  }
  if (phase !== undefined) return sketchRollingUpgrade(map, rows, target, [phase]);
  return isBelow(map, rows.get("expand") ?? [], target)
    ? sketchRollingDowngrade(map, rows, target)
    : sketchRollingUpgrade(map, rows, target);
}

export type SyncCheckCode = 0 | 1 | 2 | 3 | 4;

/** `sync --check` (keystone's codes): 0 nothing to do, 2/3/4 expand/migrate/contract pending, 1 out of order. */
export function syncCheckCode(map: RevisionMap, rolling: boolean, rows: PhaseRows, underControl: boolean): SyncCheckCode {
  const heads = [...map.heads()];
  if (!underControl) return map.size === 0 ? 0 : 2;
  if (!rolling) return planUpgrade(map, rows.get("") ?? [], heads).length > 0 ? 2 : 0;
  const closure = (phase: Phase) => appliedClosure(map, rows.get(phase) ?? []);
  const [expand, migrate, contract] = [closure("expand"), closure("migrate"), closure("contract")];
  const within = (inner: Set<string>, outer: Set<string>) => [...inner].every((id) => outer.has(id));
  if (!within(migrate, expand) || !within(contract, migrate)) return 1;
  if (heads.some((id) => !expand.has(id))) return 2;
  if (migrate.size < expand.size) return 3;
  if (contract.size < migrate.size) return 4;
  return 0;
}
