/**
 * Generated revision graphs and command sequences for the Alembic parity
 * tests. Seeded, so that a failure names a graph that can be rebuilt.
 *
 * Ids are four characters (Alembic matches id prefixes only against ids
 * longer than three) of equal length, so that sorting file names sorts ids:
 * the driver sorts Alembic's directory listing, tidemark sorts by id, and
 * both then break ties the same way.
 */
import type { AlembicCommand, GraphRevision } from "./alembic-env.js";

/** A small deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

export interface Scenario {
  readonly seed: number;
  readonly revisions: readonly GraphRevision[];
  readonly sequences: readonly (readonly AlembicCommand[])[];
}

/** A graph of 3–9 revisions: roots, branches, merges of heads, dependsOn (on ids and labels), labels. */
export function generateGraph(next: () => number): GraphRevision[] {
  const size = 3 + Math.floor(next() * 7);
  const revisions: { id: string; parents: string[]; dependsOn: string[]; labels: string[] }[] = [];
  const letters = "abcdefghij";
  let labelCount = 0;
  for (let i = 0; i < size; i++) {
    // Shared first letters make prefixes ambiguous sometimes.
    const id = `${letters[Math.floor(next() * 3)]}${letters[i]}${String(i).padStart(2, "0")}`;
    const heads = revisions.filter((r) => !revisions.some((o) => o.parents.includes(r.id))).map((r) => r.id);
    const roll = next();
    let parents: string[] = [];
    if (revisions.length === 0 || roll < 0.15) parents = [];
    else if (roll < 0.3 && heads.length >= 2) {
      const first = pick(next, heads);
      const second = pick(
        next,
        heads.filter((h) => h !== first),
      );
      parents = [first, second];
    } else if (roll < 0.55) parents = [pick(next, revisions).id];
    else parents = [pick(next, heads)];
    const dependsOn: string[] = [];
    if (revisions.length > 1 && next() < 0.3) {
      // Mostly a revision on another line: a dependency already below a parent trips Alembic's head maintainer.
      const below = ancestorsOf(revisions, parents);
      const candidates = revisions.filter((r) => !parents.includes(r.id) && (next() < 0.15 || !below.has(r.id)));
      if (candidates.length > 0) {
        const target = pick(next, candidates);
        dependsOn.push(target.labels.length > 0 && next() < 0.4 ? target.labels[0]! : target.id);
      }
    }
    const labels = next() < 0.25 ? [`lab${++labelCount}`] : [];
    revisions.push({ id, parents, dependsOn, labels });
  }
  return revisions;
}

/** `ids` and everything below them (parents and dependsOn, labels resolved). */
export function ancestorsOf(revisions: readonly GraphRevision[], ids: readonly string[]): Set<string> {
  const byLabel = new Map(revisions.flatMap((r) => (r.labels ?? []).map((label) => [label, r.id] as const)));
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const revision = revisions.find((r) => r.id === id);
    if (revision !== undefined) stack.push(...revision.parents, ...(revision.dependsOn ?? []).map((d) => byLabel.get(d) ?? d));
  }
  return seen;
}

/** Target texts worth trying on this graph, for each command. */
function vocabulary(revisions: readonly GraphRevision[]): Record<"upgrade" | "downgrade" | "stamp" | "history", string[]> {
  const ids = revisions.map((r) => r.id);
  const labels = revisions.flatMap((r) => r.labels ?? []);
  const prefixes = ids.map((id) => id.slice(0, 2));
  const branches = [...labels, ...ids.slice(0, 3)];
  const onBranch = branches.flatMap((b) => [`${b}@head`, `${b}@base`, `${b}@+1`, `${b}@-1`, `${b}@head-1`, `${b}@base+1`]);
  const branchIds = labels.flatMap((l) => ids.slice(0, 4).map((id) => `${l}@${id}`));
  return {
    upgrade: [
      "head",
      "heads",
      ...ids,
      ...prefixes,
      "+1",
      "+2",
      "-1",
      ...ids.map((id) => `${id}+1`),
      ...ids.map((id) => `${id}-1`),
      "base+1",
      "head-1",
      ...onBranch,
      ...branchIds,
    ],
    downgrade: [
      "base",
      ...ids,
      "-1",
      "-2",
      "+1",
      ...ids.map((id) => `${id}-1`),
      ...ids.map((id) => `${id}+1`),
      "head-1",
      ...onBranch,
      ...branchIds,
    ],
    stamp: ["heads", "base", ...ids, ...labels.flatMap((l) => [`${l}@base`, `${l}@head`])],
    history: ["", "base", "current", "-1", "-2", ...ids, ...labels.map((l) => `${l}@base`), "+2"],
  };
}

/** Random sequences: mostly upgrades and downgrades, some stamps, history ranges and `current`. */
export function generateSequences(
  next: () => number,
  revisions: readonly GraphRevision[],
  count: number,
  length: number,
): AlembicCommand[][] {
  const words = vocabulary(revisions);
  const sequences: AlembicCommand[][] = [];
  for (let s = 0; s < count; s++) {
    const sequence: AlembicCommand[] = [];
    // Start from a populated database most of the time.
    if (next() < 0.7) sequence.push({ op: "upgrade", arg: "heads" });
    for (let i = 0; i < length; i++) {
      const roll = next();
      if (roll < 0.35) sequence.push({ op: "upgrade", arg: pick(next, words.upgrade) });
      else if (roll < 0.7) sequence.push({ op: "downgrade", arg: pick(next, words.downgrade) });
      else if (roll < 0.8) sequence.push({ op: "stamp", arg: pick(next, words.stamp) });
      else if (roll < 0.93) {
        const start = pick(
          next,
          words.history.filter((w) => w !== "+2"),
        );
        const end = pick(next, ["", "heads", "current", "+2", ...revisions.map((r) => r.id)]);
        sequence.push({ op: "history", arg: `${start}:${end}` });
      } else sequence.push({ op: "current" });
    }
    sequences.push(sequence);
  }
  return sequences;
}

/** Offline ranges (`--sql START:END`), one command per sequence: they change no database. */
export function generateOffline(next: () => number, revisions: readonly GraphRevision[], count: number): AlembicCommand[][] {
  const ids = revisions.map((r) => r.id);
  const labels = revisions.flatMap((r) => r.labels ?? []);
  const ups = ["heads", "head", "+1", "+2", ...ids, ...labels.map((l) => `${l}@head`)];
  const downs = ["base", "-1", "-2", ...ids, ...labels.map((l) => `${l}@base`)];
  const sequences: AlembicCommand[][] = [];
  for (let i = 0; i < count; i++) {
    sequences.push(
      next() < 0.5
        ? [{ op: "upgrade", arg: `${pick(next, ["base", ...ids])}:${pick(next, ups)}`, sql: true }]
        : [{ op: "downgrade", arg: `${pick(next, ids)}:${pick(next, downs)}`, sql: true }],
    );
  }
  return sequences;
}

export function scenario(seed: number, sequenceCount: number, length: number): Scenario {
  const next = random(seed);
  const revisions = generateGraph(next);
  const sequences = [
    ...generateSequences(next, revisions, sequenceCount, length),
    ...generateOffline(next, revisions, sequenceCount),
  ];
  return { seed, revisions, sequences };
}
