/**
 * Plans upgrades and downgrades with Alembic's semantics, phase-agnostic:
 * a step is one revision in one direction; the runner composes phases on
 * top.
 *
 * Version rows are Alembic's: one row per applied head, where a revision
 * that another applied revision depends on is carried by the dependent's
 * row (absorbed) instead of keeping its own. What is applied is always the
 * rows and everything below them, dependsOn included.
 */
import { TargetError } from "../errors.js";
import type { RevisionMap } from "./revision-map.js";
import { branchwiseOrder } from "./step-order.js";
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

/**
 * Everything the targets need that is not applied yet. The order is
 * Alembic's: one branch finished before the next (see step-order.ts).
 */
export function planUpgrade(map: RevisionMap, heads: readonly string[], targetIds: readonly string[]): Step[] {
  const applied = appliedClosure(map, heads);
  if (targetIds.length === 0) return [];
  const needed = [...map.ancestors(targetIds, { inclusive: true })].filter((id) => !applied.has(id));
  return branchwiseOrder(map, needed, targetIds)
    .reverse()
    .map((revision) => ({ revision, direction: "up" }));
}

/**
 * What a downgrade to the target reverts, newest first: everything applied
 * above the target's children along parent edges (all roots for base),
 * together with whatever depends on those. A revision that merely depends on
 * the target stays. When the target has several children and the target
 * names a branch (`LABEL@…`, or `-N` from the applied revision), only the
 * children on that branch go.
 */
export function planDowngrade(map: RevisionMap, heads: readonly string[], target: ResolvedTarget): Step[] {
  const applied = appliedClosure(map, heads);
  const to = target.kind === "base" ? undefined : target.ids;
  if (to !== undefined && to.length !== 1) {
    throw new TargetError(
      `A downgrade needs one target revision in repository ${map.repository}, not ${to.length} (${to.join(", ")}); name one.`,
      { fields: { repository: map.repository, revisions: [...to] } },
    );
  }
  const what = to?.[0];
  let roots = what === undefined ? [...map.bases()] : [...map.children(what)];
  if (target.scope !== undefined && roots.length > 1) {
    const branch = map.ancestors([target.scope], { inclusive: true, dependencies: false });
    roots = roots.filter((id) => branch.has(id));
    if (roots.length === 0) {
      throw new TargetError(
        `Target ${what ?? "base"} is not on the branch of ${target.scope} in repository ${map.repository}; nothing there to downgrade.`,
        { fields: { repository: map.repository, revision: what ?? "base", branch: target.scope } },
      );
    }
  }
  const remove = [...map.descendants(roots, { inclusive: true })].filter((id) => applied.has(id));
  if (what !== undefined && remove.length === 0 && !heads.includes(what)) {
    const current = heads.length === 0 ? "nothing is applied" : `the database is at ${map.sortById(heads).join(", ")}`;
    const why = applied.has(what)
      ? `it is applied only as a dependency of ${carriers(map, what, heads).join(", ")}, and nothing above it is applied`
      : "it is not applied";
    throw new TargetError(
      `Revision ${what} of repository ${map.repository} is not a valid downgrade target: ${why} (${current}). ` +
        "downgrade only goes down to a revision below the applied ones; use upgrade to reach it.",
      { fields: { repository: map.repository, revision: what, heads: [...heads] } },
    );
  }
  return branchwiseOrder(map, remove, heads).map((revision) => ({ revision, direction: "down" }));
}

/**
 * The version rows after one step, as Alembic's head maintainer moves them.
 * Up R: R replaces the rows directly below it (its parents and its own
 * dependsOn). Down R: R goes, and each revision directly below it comes back
 * unless another remaining row still carries it. Sorted by id.
 */
export function headsAfter(map: RevisionMap, heads: readonly string[], step: Step): string[] {
  const revision = map.require(step.revision);
  const position = map.positionOf(step.revision);
  const down = map.downPositions(position);
  // The common case, a line of history: the only row is the parent the step replaces.
  if (step.direction === "up" && heads.length === 1 && down.length === 1 && heads[0] === revision.parents[0]) {
    return [revision.id];
  }
  const rows = new Set(heads);
  if (step.direction === "up") {
    for (const p of down) rows.delete(map.revisions[p]!.id);
    rows.add(revision.id);
    return map.sortById(rows);
  }
  rows.delete(revision.id);
  const carriers = [...rows].map((id) => map.positionOf(id));
  for (const p of down) {
    if (!carriedBy(map, p, carriers, position)) rows.add(map.revisions[p]!.id);
  }
  return map.sortById(rows);
}

/**
 * Is the revision at `position` at or below one of the rows at `carriers`?
 * Searches upwards, never through `skip` (the revision being reverted) and
 * never above the newest row, so that reverting a long line costs little.
 */
function carriedBy(map: RevisionMap, position: number, carriers: readonly number[], skip: number): boolean {
  if (carriers.length === 0) return false;
  const rows = new Set(carriers);
  const top = Math.max(...carriers);
  const seen = new Set<number>([position]);
  const stack = [position];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (rows.has(p)) return true;
    map.forEachAboveAt(p, (q) => {
      if (q !== skip && q <= top && !seen.has(q)) {
        seen.add(q);
        stack.push(q);
      }
    });
  }
  return false;
}

/**
 * The version rows that describe an applied set: applied revisions that no
 * other applied revision revises or depends on. Sorted by id.
 */
export function rowsFor(map: RevisionMap, applied: ReadonlySet<string>): string[] {
  const rows: string[] = [];
  for (const id of applied) {
    let covered = false;
    map.forEachAboveAt(map.positionOf(id), (q) => {
      if (applied.has(map.revisions[q]!.id)) covered = true;
    });
    if (!covered) rows.push(id);
  }
  return map.sortById(rows);
}

/**
 * What `current` shows (Alembic's "all current"): for each line of history,
 * the newest applied revision, so that a revision carried by another's row
 * because of dependsOn is shown as well. Sorted by id.
 */
export function currentRevisions(map: RevisionMap, heads: readonly string[]): string[] {
  const applied = appliedClosure(map, heads);
  return map.sortById([...applied].filter((id) => !map.children(id).some((child) => applied.has(child))));
}

/**
 * The version rows after `stamp TARGET` (no script runs). As in Alembic,
 * only the branches the target shares lineage with move: a row that is an
 * ancestor or descendant of a target (dependsOn included) is replaced by
 * it, other rows stay. `LABEL@base` removes the rows of that branch only.
 * `purge` drops every existing row first.
 */
export function stampRows(map: RevisionMap, heads: readonly string[], target: ResolvedTarget, purge = false): string[] {
  checkRows(map, heads);
  const current = purge ? [] : heads;
  if (target.kind === "base") {
    if (target.scope === undefined) return [];
    const lineage = new Set([...map.ancestors([target.scope], { inclusive: true }), ...map.descendants([target.scope])]);
    return map.sortById(current.filter((row) => !lineage.has(row)));
  }
  // Stamping what the rows already hold changes nothing (Alembic leaves even redundant rows as they are).
  if (target.ids.every((id) => current.includes(id))) return map.sortById(current);
  const lineage = new Set([...map.ancestors(target.ids, { inclusive: true }), ...map.descendants(target.ids)]);
  const kept = current.filter((row) => !lineage.has(row));
  return rowsFor(map, map.ancestors([...kept, ...target.ids], { inclusive: true }));
}

/** The version rows whose revisions have `id` below them. */
function carriers(map: RevisionMap, id: string, heads: readonly string[]): string[] {
  return map.sortById(heads.filter((row) => map.ancestors([row]).has(id)));
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
