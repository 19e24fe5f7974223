/**
 * `history [-r START:END]` as Alembic lists it: the revisions from START
 * (exclusive of what lies below it) up to END, newest first, in the same
 * branch-by-branch order as a downgrade (step-order.ts). A range must go up
 * one line of history: START must be below END.
 */
import { TargetError, UsageError } from "../errors.js";
import type { RevisionMap } from "./revision-map.js";
import { branchwiseOrder } from "./step-order.js";
import { resolveTarget, targetIds } from "./target.js";

/** `-r START:END` with both ends resolved to ids; either side may be open (base / all heads). */
export interface HistoryRange {
  /** Oldest end, inclusive: only these and what descends from them along parent edges. */
  readonly start?: readonly string[];
  /** Newest end, inclusive: only these and their ancestors (dependsOn included). */
  readonly end?: readonly string[];
  /** `BRANCH@…` at the start (a label or a revision): only the END revisions on that branch count. */
  readonly branch?: string;
  /** The range as written, for messages. */
  readonly text?: string;
}

/** Revisions in the range (all by default), newest first. */
export function historyOrder(map: RevisionMap, range: HistoryRange = {}): string[] {
  let tips = range.end ?? map.realHeads();
  if (range.branch !== undefined) {
    const members = branchMembers(map, range.branch);
    tips = tips.filter((id) => members.has(id));
  }
  const start = range.start ?? [];
  for (const ends of [tips, start]) assertNoOverlap(map, ends, range);
  const wanted = map.ancestors(tips, { inclusive: true });
  for (const id of start) {
    if (!wanted.has(id)) {
      const text = range.text ?? `${start.join(",")}:${range.end?.join(",") ?? ""}`;
      throw new UsageError(
        `History range ${text} of repository ${map.repository} does not go up one line of history: ${id} is not below ${range.end?.join(", ") ?? "the heads"}.`,
        { fields: { repository: map.repository, range: text, revision: id } },
      );
    }
  }
  let members = [...wanted];
  if (start.length > 0) {
    const below = map.ancestors(start);
    const above = map.descendants(start, { inclusive: true, dependencies: false });
    members = members.filter((id) => above.has(id) && !below.has(id));
  }
  return branchwiseOrder(map, members, tips);
}

/**
 * The revisions a branch label covers, as Alembic assigns them: the
 * declaring revision and everything above it along parent edges, and, when
 * that part is one straight line (no fork, no merge, nothing depending on
 * it from the side), the line below it down to the next fork or merge.
 * For a revision: the members of its one label, else its lineage.
 */
function branchMembers(map: RevisionMap, branch: string): Set<string> {
  const owner = map.labels.get(branch);
  if (owner === undefined) {
    const labels = [...map.labels.keys()].filter((label) => branchMembers(map, label).has(branch));
    return labels.length === 1 ? branchMembers(map, labels[0]!) : map.lineage(branch);
  }
  const forks = (id: string): boolean => map.childCount(id) + map.dependents(id).length > 1 || map.require(id).parents.length > 1;
  const members = map.descendants([owner], { inclusive: true, dependencies: false });
  if ([...members].some(forks)) return members;
  for (let at = map.require(owner).parents[0]; at !== undefined && !forks(at); at = map.require(at).parents[0]) members.add(at);
  return members;
}

/** An end of several revisions must not hold one below another (Alembic refuses that too). */
function assertNoOverlap(map: RevisionMap, ids: readonly string[], range: HistoryRange): void {
  if (ids.length < 2) return;
  for (const id of ids) {
    const below = map.ancestors([id]);
    const overlap = ids.find((other) => below.has(other));
    if (overlap !== undefined) {
      throw new UsageError(
        `History range ${range.text ?? ""} of repository ${map.repository} is ambiguous: one end holds both ${id} and ${overlap}, which lies below it.`,
        { fields: { repository: map.repository, revisions: [id, overlap] } },
      );
    }
  }
}

/**
 * Parses `-r START:END`. `current` stands for the version rows (`rows`; an
 * empty database leaves that end open). A relative END (`+N`,
 * `BRANCH@+N`) counts up from START (stopping at a head); a relative START
 * (`-N`) counts down from the heads, as in Alembic (see relativeStart).
 */
export function parseHistoryRange(map: RevisionMap, text: string, rows: readonly string[]): HistoryRange {
  const match = /^([^:]*):([^:]*)$/.exec(text.trim());
  if (match === null) throw new UsageError(`-r takes START:END (either side may be empty), not "${text}".`);
  const [startText, endText] = [match[1]!, match[2]!];
  const start = startText === "" || startText === "base" ? [] : startText === "current" ? [...rows] : undefined;
  const startIds = start ?? (isRelative(startText) ? undefined : ids(map, startText, []));
  let end: readonly string[] | undefined;
  if (endText === "" || endText === "heads" || (endText === "current" && rows.length === 0)) end = undefined;
  else if (endText === "current") end = [...rows];
  else if (/^-\d+$/.test(endText)) {
    throw new UsageError(`-r ${text}: the end of a range cannot count down (${endText}); write START:ID-N or -N:END.`);
  } else if (isRelative(endText) && startIds === undefined) {
    throw new UsageError(`-r ${text}: both ends are relative; give one end as a revision (START:+N or -N:END).`);
  } else end = isRelative(endText) ? clampedUp(map, endText, startIds ?? []) : ids(map, endText, startIds ?? [], "upgrade");
  const lower = startIds ?? relativeStart(map, startText, end);
  const branch = /^([^@]+)@/.exec(startText)?.[1];
  return {
    ...(lower.length === 0 ? {} : { start: lower }),
    ...(end === undefined ? {} : { end }),
    ...(branch === undefined || !isBranch(map, branch)
      ? {}
      : { branch: map.labels.has(branch) ? branch : branchId(map, branch) }),
    text,
  };
}

/** A relative END that would go past a head stops at the head, as Alembic's history does. */
function clampedUp(map: RevisionMap, text: string, start: readonly string[]): string[] {
  try {
    return ids(map, text, start, "upgrade");
  } catch (error) {
    const reached = error instanceof TargetError ? error.fields["reached"] : undefined;
    if (typeof reached !== "string") throw error;
    return reached === "base" ? [] : [reached];
  }
}

function isRelative(text: string): boolean {
  return /^(?:[^@]+@)?[+-]\d+$/.test(text);
}

function ids(map: RevisionMap, text: string, applied: readonly string[], purpose: "upgrade" | "any" = "any"): string[] {
  return targetIds(resolveTarget(map, text, applied, map.scheme, purpose));
}

/**
 * `-N` / `BRANCH@-N` as the start: N below every head (of the branch), as
 * Alembic counts it. When a head is too close to base for that, N below END
 * instead, stopping at base; a head exactly N above base makes the range
 * start at base on one line only, which Alembic refuses, and so do we.
 */
function relativeStart(map: RevisionMap, text: string, end: readonly string[] | undefined): string[] {
  const match = /^(?:([^@]+)@)?([+-])(\d+)$/.exec(text)!;
  if (match[2] === "+")
    throw new UsageError(`History range start ${text}: a range cannot start at ${text}; start at an id, base, current or -N.`);
  const branch = match[1];
  const steps = match[3]!;
  const members = branch === undefined ? undefined : branchMembers(map, branch);
  const onBranch = (id: string) => members === undefined || members.has(id);
  const heads = map.realHeads().filter(onBranch);
  const below = map.sortById(heads).map((head) => walkDown(map, head, steps));
  const tips = end ?? heads;
  const wanted = map.ancestors(tips, { inclusive: true });
  if (below.some((id) => id !== PAST_BASE && (id === AT_BASE || !wanted.has(id)))) {
    throw new UsageError(
      `History range start ${text} counts down from every head, and from one of them it reaches base or a revision that is not below the end of the range, so the range does not go up one line of history.`,
    );
  }
  if (below[0] === PAST_BASE) {
    // Alembic then counts from END instead, stopping at base.
    if (end === undefined || end.length !== 1) {
      const ends = end === undefined ? "is open" : `holds several revisions (${map.sortById(end).join(", ")})`;
      throw new UsageError(
        `History range start ${text} goes below base from a head, and the end of the range ${ends} to count from instead; give one revision.`,
      );
    }
    const fromEnd = walkDown(map, end[0]!, steps);
    return fromEnd === PAST_BASE || fromEnd === AT_BASE ? [] : [fromEnd];
  }
  if (below.includes(PAST_BASE)) throw new UsageError(`History range start ${text} goes below base from one of the heads.`);
  return [...new Set(below)];
}

const AT_BASE = "\u0000base";
const PAST_BASE = "\u0000past";

/** N parent links down from `id`: an id, AT_BASE, or PAST_BASE; a merge on the way is an error. */
function walkDown(map: RevisionMap, id: string, steps: string): string {
  try {
    return ids(map, `${id}-${steps}`, [])[0] ?? AT_BASE;
  } catch (error) {
    if (error instanceof TargetError && error.fields["reached"] !== undefined) return PAST_BASE;
    throw error;
  }
}

function isBranch(map: RevisionMap, text: string): boolean {
  return map.labels.has(text) || map.has(text);
}

function branchId(map: RevisionMap, text: string): string {
  return map.labels.get(text) ?? ids(map, text, [])[0] ?? text;
}

/**
 * Orders any subset of the graph newest first (`undefined`: all of it), for
 * `history --graph`. The whole graph is ordered (so ancestry is respected
 * even across revisions left out of the subset), then filtered. A revision
 * is listed once everything above it is listed; among those ready, the one
 * that became ready last goes first (a stack), which follows a line of
 * history down until it meets another, first parents before second ones.
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
