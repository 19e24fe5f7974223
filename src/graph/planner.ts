/**
 * Plans upgrades and downgrades with Alembic's semantics, phase-agnostic:
 * a step is one revision in one direction; the runner composes phases on
 * top. Version rows are the applied heads via parent edges only, so the
 * target of a dependsOn edge keeps its own row, as in Alembic.
 */
import { TargetError } from "../errors.js";
import type { RevisionMap } from "./revision-map.js";
import type { ResolvedTarget } from "./target.js";

export type Direction = "up" | "down";

export interface Step {
  readonly revision: string;
  readonly direction: Direction;
}

/** Every revision applied, given the version rows: the rows and all their ancestors (dependsOn included). */
export function appliedClosure(map: RevisionMap, heads: readonly string[]): Set<string> {
  checkRows(map, heads);
  return map.ancestors(heads, { inclusive: true });
}

/** Everything the targets need that is not applied yet, oldest first. */
export function planUpgrade(map: RevisionMap, heads: readonly string[], targetIds: readonly string[]): Step[] {
  const applied = appliedClosure(map, heads);
  if (targetIds.length === 0) return [];
  const needed = map.ancestors(targetIds, { inclusive: true });
  const steps: Step[] = [];
  for (const revision of map.revisions) {
    if (needed.has(revision.id) && !applied.has(revision.id)) steps.push({ revision: revision.id, direction: "up" });
  }
  return steps;
}

/**
 * Every applied revision above the target (all of them for base), newest
 * first. Revisions the targets themselves need stay, so `heads` never
 * removes a head that another head depends on.
 */
export function planDowngrade(map: RevisionMap, heads: readonly string[], target: ResolvedTarget): Step[] {
  const applied = appliedClosure(map, heads);
  let remove: (id: string) => boolean;
  if (target.kind === "base") {
    remove = () => true;
  } else {
    for (const id of target.ids) {
      if (!applied.has(id)) {
        const current = heads.length === 0 ? "nothing is applied" : `the database is at ${map.sortById(heads).join(", ")}`;
        throw new TargetError(
          `Revision ${id} of repository ${map.repository} is not applied (${current}); downgrade only goes down, use upgrade to reach it.`,
          { fields: { repository: map.repository, revision: id, heads: [...heads] } },
        );
      }
    }
    const above = map.descendants(target.ids);
    const keep = map.ancestors(target.ids, { inclusive: true });
    remove = (id) => above.has(id) && !keep.has(id);
  }
  const steps: Step[] = [];
  for (let pos = map.revisions.length - 1; pos >= 0; pos--) {
    const id = map.revisions[pos]!.id;
    if (applied.has(id) && remove(id)) steps.push({ revision: id, direction: "down" });
  }
  return steps;
}

/**
 * The version rows after one step. Up R: R replaces its parents. Down R:
 * R goes, and each parent comes back unless another applied child still
 * covers it. Sorted by id.
 */
export function headsAfter(map: RevisionMap, heads: readonly string[], step: Step): string[] {
  const revision = map.require(step.revision);
  // The common case, a line of history: the only row is the parent the step replaces.
  if (step.direction === "up" && heads.length === 1 && revision.parents.length === 1 && heads[0] === revision.parents[0]) {
    return [revision.id];
  }
  const rows = new Set(heads);
  if (step.direction === "up") {
    for (const parent of revision.parents) rows.delete(parent);
    rows.add(revision.id);
    return map.sortById(rows);
  }
  rows.delete(revision.id);
  for (const parent of revision.parents) {
    if (rows.has(parent)) continue;
    const siblings = map.children(parent).filter((c) => c !== revision.id);
    const covered = siblings.some((child) => anyIn(map.descendants([child], { inclusive: true }), rows));
    if (!covered) rows.add(parent);
  }
  return map.sortById(rows);
}

/** The version rows that describe an applied set: applied revisions with no applied child. */
export function rowsFor(map: RevisionMap, applied: ReadonlySet<string>): string[] {
  const rows: string[] = [];
  for (const id of applied) {
    if (!map.children(id).some((child) => applied.has(child))) rows.push(id);
  }
  return map.sortById(rows);
}

/**
 * The version rows after `stamp TARGET` (no script runs). As in Alembic,
 * only the branches the target shares lineage with move: a row that is an
 * ancestor or descendant of a target is replaced by it, other rows stay.
 * `purge` drops every existing row first.
 */
export function stampRows(map: RevisionMap, heads: readonly string[], target: ResolvedTarget, purge = false): string[] {
  checkRows(map, heads);
  if (target.kind === "base") return [];
  const lineage = new Set([...map.ancestors(target.ids, { inclusive: true }), ...map.descendants(target.ids)]);
  const kept = purge ? [] : heads.filter((row) => !lineage.has(row));
  return rowsFor(map, map.ancestors([...kept, ...target.ids], { inclusive: true }));
}

function anyIn(candidates: ReadonlySet<string>, rows: ReadonlySet<string>): boolean {
  for (const row of rows) if (candidates.has(row)) return true;
  return false;
}

function checkRows(map: RevisionMap, heads: readonly string[]): void {
  for (const id of heads) {
    if (!map.has(id)) {
      throw new TargetError(
        `The database records revision ${id} for repository ${map.repository}, but no script declares it; restore the script, or reset the version rows with \`tidemark stamp TARGET --purge\`.`,
        { fields: { repository: map.repository, revision: id } },
      );
    }
  }
}
