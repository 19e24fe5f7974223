/**
 * The order Alembic runs steps in, and lists history in: one line of
 * history at a time. Starting from the given tips (targets of an upgrade,
 * version rows of a downgrade), newest first, a line is followed down its
 * parents until the revision it reaches is still needed below another
 * pending line; then that line goes on first. Lines are taken in id order,
 * so an upgrade of several branches finishes one branch before it starts the
 * next (the last one by id first, since the upgrade runs the list backwards).
 *
 * Every result is a valid topological order: a revision is listed only when
 * no pending line still leads to it.
 */
import type { RevisionMap } from "./revision-map.js";

interface Line {
  tip: number;
  /** Everything at or below `tip` (dependsOn included), by position; computed when first needed. */
  below: Uint8Array | undefined;
}

/**
 * `members` newest first, walking down from `tips` (those not in `members`
 * are ignored). Upgrades run the result backwards; downgrades and history
 * use it as it is.
 */
export function branchwiseOrder(map: RevisionMap, members: Iterable<string>, tips: Iterable<string>): string[] {
  const n = map.size;
  const pending = new Uint8Array(n);
  let left = 0;
  for (const id of members) {
    const p = map.positionOf(id);
    if (!pending[p]) left++;
    pending[p] = 1;
  }
  const lines: Line[] = [];
  for (const id of map.sortById(new Set(tips))) {
    const p = map.positionOf(id);
    if (pending[p]) lines.push({ tip: p, below: undefined });
  }
  const out: number[] = [];
  const below = (line: Line): Uint8Array => (line.below ??= closureBelow(map, line.tip));
  let current = 0;
  while (lines.length > 0) {
    const line = lines[current]!;
    const tip = line.tip;
    // A revision still needed below another line waits for that line, which goes first.
    const waitFor = lines.findIndex((other, k) => k !== current && tip < other.tip && below(other)[tip] === 1);
    if (waitFor >= 0) {
      current = waitFor;
      continue;
    }
    if (pending[tip]) {
      out.push(tip);
      pending[tip] = 0;
      left--;
    }
    const down = map.downPositions(tip);
    const next = down.filter((p) => pending[p] && !lines.some((l) => l.tip === p));
    if (next.length === 0) {
      lines.splice(current, 1);
      current = Math.max(current - 1, 0);
      continue;
    }
    line.tip = next[0]!;
    if (down.length === 1) {
      // One parent and nothing else: what is below the new tip is what was below the old one, minus the old one.
      if (line.below !== undefined) line.below[tip] = 0;
    } else {
      line.below = undefined;
      for (const p of next.slice(1)) lines.push({ tip: p, below: undefined });
    }
  }
  // Unreachable from the tips (callers never ask for this): newest first by position.
  if (left > 0) for (let p = n - 1; p >= 0; p--) if (pending[p]) out.push(p);
  return out.map((p) => map.revisions[p]!.id);
}

function closureBelow(map: RevisionMap, start: number): Uint8Array {
  const seen = new Uint8Array(map.size);
  const stack = [start];
  seen[start] = 1;
  while (stack.length > 0) {
    map.forEachBelowAt(stack.pop()!, (q) => {
      if (!seen[q]) {
        seen[q] = 1;
        stack.push(q);
      }
    });
  }
  return seen;
}
