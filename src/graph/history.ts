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
  const ids: string[] = [];
  for (const revision of map.revisions) {
    if ((from === undefined || from.has(revision.id)) && (to === undefined || to.has(revision.id))) ids.push(revision.id);
  }
  return newestFirst(map, ids);
}

/**
 * Orders any subset of the graph newest first. The whole graph is ordered
 * (so ancestry is respected even across revisions left out of the subset),
 * then filtered. A revision is listed once everything above it is listed;
 * among those ready, the one that became ready last goes first (a stack),
 * which follows a line of history down until it meets another, first
 * parents before second ones.
 */
export function newestFirst(map: RevisionMap, ids: Iterable<string>): string[] {
  const members = new Set(ids);
  const above = new Map<string, number>();
  const below = (id: string): string[] => {
    const revision = map.require(id);
    const preds = [...revision.parents, ...revision.dependsOn];
    return preds.length < 2 ? preds : [...new Set(preds)];
  };
  for (const revision of map.revisions) {
    for (const p of below(revision.id)) above.set(p, (above.get(p) ?? 0) + 1);
  }
  const stack = [...map.heads()].filter((id) => !above.has(id)).reverse();
  const order: string[] = [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (members.has(id)) order.push(id);
    const ready: string[] = [];
    for (const p of below(id)) {
      const left = above.get(p)! - 1;
      above.set(p, left);
      if (left === 0) ready.push(p);
    }
    for (let i = ready.length - 1; i >= 0; i--) stack.push(ready[i]!);
  }
  return order;
}
