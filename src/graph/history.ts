/**
 * The order `history` lists revisions in: newest first, one line of history
 * at a time (like `git log --topo-order`), so branches are not interleaved
 * and `history --graph` can draw them as separate lanes.
 */
import type { Revision } from "./revision.js";
import type { RevisionMap } from "./revision-map.js";

/** `-r START:END` of Alembic, with the endpoints already resolved to ids; either side may be open. */
export interface HistoryRange {
  /** Oldest end, inclusive: only these and their descendants. */
  readonly start?: readonly string[];
  /** Newest end, inclusive: only these and their ancestors. */
  readonly end?: readonly string[];
}

/** Revisions in the range (all by default), newest first. */
export function historyOrder(map: RevisionMap, range: HistoryRange = {}): string[] {
  const from = range.start === undefined ? undefined : map.descendants(range.start, { inclusive: true });
  const to = range.end === undefined ? undefined : map.ancestors(range.end, { inclusive: true });
  if (from === undefined && to === undefined) return newestFirst(map);
  const ids: string[] = [];
  for (const revision of map.revisions) {
    if ((from === undefined || from.has(revision.id)) && (to === undefined || to.has(revision.id))) ids.push(revision.id);
  }
  return newestFirst(map, ids);
}

/**
 * Orders any subset of the graph newest first (`undefined`: all of it). The
 * whole graph is ordered (so ancestry is respected even across revisions
 * left out of the subset), then filtered. A revision is listed once
 * everything above it is listed; among those ready, the one that became
 * ready last goes first (a stack), which follows a line of history down
 * until it meets another, first parents before second ones.
 */
export function newestFirst(map: RevisionMap, ids?: Iterable<string>): string[] {
  const members = ids === undefined ? undefined : new Set(ids);
  const revisions = map.revisions;
  // By topological position, without an array per revision: 20,000 revisions in a few ms.
  const above = new Int32Array(revisions.length);
  for (const revision of revisions) forEachBelow(revision, (id) => above[map.positionOf(id)]!++);
  const stack = [...map.heads()].filter((id) => above[map.positionOf(id)] === 0).reverse();
  const order: string[] = [];
  const ready: string[] = [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (members === undefined || members.has(id)) order.push(id);
    ready.length = 0;
    forEachBelow(map.require(id), (p) => {
      if (--above[map.positionOf(p)]! === 0) ready.push(p);
    });
    for (let i = ready.length - 1; i >= 0; i--) stack.push(ready[i]!);
  }
  return order;
}

/** Each parent, then each dependsOn entry that is not a parent, once. */
function forEachBelow(revision: Revision, visit: (id: string) => void): void {
  const { parents, dependsOn } = revision;
  for (let i = 0; i < parents.length; i++) {
    if (parents.indexOf(parents[i]!) === i) visit(parents[i]!);
  }
  for (let i = 0; i < dependsOn.length; i++) {
    const id = dependsOn[i]!;
    if (!parents.includes(id) && dependsOn.indexOf(id) === i) visit(id);
  }
}
