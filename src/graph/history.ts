/**
 * The order `history` lists revisions in: newest first, one line of history
 * at a time (like `git log --topo-order`), so branches are not interleaved
 * and `history --graph` can draw them as separate lanes.
 */
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
  // By topological position with typed arrays: 20,000 revisions in a few ms.
  const above = new Int32Array(revisions.length);
  for (let p = 0; p < revisions.length; p++) map.forEachBelowAt(p, (q) => above[q]!++);
  const stack: number[] = [];
  const heads = map.heads();
  for (let i = heads.length - 1; i >= 0; i--) {
    const p = map.positionOf(heads[i]!);
    if (above[p] === 0) stack.push(p);
  }
  const order: string[] = [];
  const ready: number[] = [];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const id = revisions[p]!.id;
    if (members === undefined || members.has(id)) order.push(id);
    ready.length = 0;
    map.forEachBelowAt(p, (q) => {
      if (--above[q]! === 0) ready.push(q);
    });
    for (let i = ready.length - 1; i >= 0; i--) stack.push(ready[i]!);
  }
  return order;
}
