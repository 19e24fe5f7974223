/**
 * The revision graph of one repository, built from plain values and checked
 * once up front. Everything is iterative and index-based: repositories with
 * tens of thousands of revisions in one chain must build and answer in
 * milliseconds, and recursion would overflow the stack.
 */
import { TargetError } from "../errors.js";
import { type Adjacency, buildAdjacency, degree, invert, neighbours, renumber } from "./adjacency.js";
import { checkRevisions, collectLabels, describeCycle, fileOf, unknownReference } from "./graph-checks.js";
import { MinHeap } from "./heap.js";
import type { IdScheme, Revision } from "./revision.js";

export interface RevisionMapOptions {
  readonly scheme: IdScheme;
  readonly repository: string;
}

export interface ClosureOptions {
  /** Include the starting revisions themselves (default false). */
  readonly inclusive?: boolean;
  /** Follow dependsOn edges as well as parent edges (default true). */
  readonly dependencies?: boolean;
}

export class RevisionMap {
  readonly scheme: IdScheme;
  readonly repository: string;
  /** Every revision, parents and dependencies before children; ties by id (numbered: by number). */
  readonly revisions: readonly Revision[];
  /** Branch label → id of the revision that declares it. */
  readonly labels: ReadonlyMap<string, string>;

  /** Id → index in the constructor's input; `positionOfInput` turns that into the topological position. */
  private readonly inputIndex: ReadonlyMap<string, number>;
  private readonly positionOfInput: Int32Array;
  // All adjacency below is by topological position.
  private readonly parentEdges: Adjacency;
  private readonly dependencyEdges: Adjacency;
  private readonly childEdges: Adjacency;
  private readonly dependentEdges: Adjacency;
  /** Orders positions by id (graph) or by number (numbered). */
  private readonly compare: (a: number, b: number) => number;
  private readonly headList: readonly string[];
  private readonly baseList: readonly string[];

  constructor(revisions: readonly Revision[], options: RevisionMapOptions) {
    const { scheme, repository } = options;
    this.scheme = scheme;
    this.repository = repository;
    const index = checkRevisions(revisions, scheme, repository);
    this.inputIndex = index;
    const labelIndex = collectLabels(revisions, index, repository);

    const n = revisions.length;
    const resolver =
      (relation: "parent" | "dependsOn") =>
      (node: number, id: string): number => {
        const target = index.get(id);
        if (target === undefined) throw unknownReference(revisions[node]!, id, relation, repository);
        return target;
      };
    const parents = buildAdjacency(n, (i) => revisions[i]!.parents, resolver("parent"));
    // A dependsOn entry that repeats a parent adds nothing.
    const deps = buildAdjacency(
      n,
      (i) => revisions[i]!.dependsOn,
      resolver("dependsOn"),
      (i, target) => {
        for (let j = parents.start[i]!; j < parents.start[i + 1]!; j++) if (parents.list[j] === target) return true;
        return false;
      },
    );

    const inputCompare = comparator(revisions, scheme);
    const order = topologicalOrder(revisions, parents, deps, inputCompare, repository);
    const positionOf = new Int32Array(n);
    for (let p = 0; p < n; p++) positionOf[order[p]!] = p;
    this.positionOfInput = positionOf;
    const byPosition = new Array<Revision>(n);
    for (let p = 0; p < n; p++) byPosition[p] = revisions[order[p]!]!;
    this.revisions = byPosition;
    this.compare = (a, b) => inputCompare(order[a]!, order[b]!);
    this.parentEdges = renumber(parents, order, positionOf);
    this.dependencyEdges = renumber(deps, order, positionOf);
    this.childEdges = invert(this.parentEdges, n, this.compare);
    this.dependentEdges = invert(this.dependencyEdges, n, this.compare);

    const labels = new Map<string, string>();
    for (const [label, i] of labelIndex) labels.set(label, revisions[i]!.id);
    this.labels = labels;
    this.headList = this.idsWhere((pos) => degree(this.childEdges, pos) === 0);
    this.baseList = this.idsWhere((pos) => degree(this.parentEdges, pos) === 0);
  }

  get size(): number {
    return this.revisions.length;
  }

  has(id: string): boolean {
    return this.inputIndex.has(id);
  }

  get(id: string): Revision | undefined {
    const input = this.inputIndex.get(id);
    return input === undefined ? undefined : this.revisions[this.positionOfInput[input]!];
  }

  /** Like get, but an unknown id is a TargetError. */
  require(id: string): Revision {
    return this.revisions[this.pos(id)]!;
  }

  /** Topological position of a revision (0 = oldest). */
  positionOf(id: string): number {
    return this.pos(id);
  }

  /** Revisions that no other revision revises (dependsOn does not count), sorted by id. */
  heads(): readonly string[] {
    return this.headList;
  }

  /** Revisions with no parents, sorted by id. */
  bases(): readonly string[] {
    return this.baseList;
  }

  /** Revisions that name `id` as a parent, sorted by id. */
  children(id: string): readonly string[] {
    return this.ids(neighbours(this.childEdges, this.pos(id)));
  }

  /** How many revisions name `id` as a parent (children(id).length, without building the list). */
  childCount(id: string): number {
    return degree(this.childEdges, this.pos(id));
  }

  /** Revisions that name `id` in dependsOn, sorted by id. */
  dependents(id: string): readonly string[] {
    return this.ids(neighbours(this.dependentEdges, this.pos(id)));
  }

  /** Revisions with more than one child. */
  branchPoints(): readonly string[] {
    return this.idsWhere((pos) => degree(this.childEdges, pos) > 1);
  }

  /** Revisions with more than one parent. */
  mergePoints(): readonly string[] {
    return this.idsWhere((pos) => degree(this.parentEdges, pos) > 1);
  }

  /**
   * Calls `visit` with the position of each revision directly below the one
   * at `position`: its parents in declared order, then its dependsOn entries
   * that are not parents. By position, for walks over the whole graph.
   */
  forEachBelowAt(position: number, visit: (position: number) => void): void {
    const parents = this.parentEdges;
    for (let j = parents.start[position]!; j < parents.start[position + 1]!; j++) visit(parents.list[j]!);
    const deps = this.dependencyEdges;
    for (let j = deps.start[position]!; j < deps.start[position + 1]!; j++) visit(deps.list[j]!);
  }

  /** Everything below `ids` via parents and (by default) dependsOn. */
  ancestors(ids: Iterable<string>, options: ClosureOptions = {}): Set<string> {
    return this.closure(ids, options, this.parentEdges, this.dependencyEdges);
  }

  /** Everything above `ids` via children and (by default) dependents. */
  descendants(ids: Iterable<string>, options: ClosureOptions = {}): Set<string> {
    return this.closure(ids, options, this.childEdges, this.dependentEdges);
  }

  /** The given ids in topological order (oldest first). */
  sortTopological(ids: Iterable<string>): string[] {
    return [...ids]
      .map((id) => this.pos(id))
      .sort((a, b) => a - b)
      .map((p) => this.revisions[p]!.id);
  }

  /** The unique head on the branch that carries `label`. */
  branchHead(label: string): string {
    const id = this.labels.get(label);
    if (id === undefined) {
      const known = [...this.labels.keys()].sort();
      throw new TargetError(
        `Repository ${this.repository} has no branch label "${label}"${known.length ? ` (labels: ${known.join(", ")})` : " (it declares no labels)"}.`,
        { fields: { repository: this.repository, label } },
      );
    }
    return this.headAbove(id, `${label}@head`);
  }

  /**
   * The unique head reachable upwards from `id` through parent edges.
   * dependsOn edges are not followed: a branch that merely depends on
   * another does not make it ambiguous.
   */
  headAbove(id: string, what: string = `${id}@head`): string {
    const heads = [...this.descendants([id], { inclusive: true, dependencies: false })].filter(
      (d) => degree(this.childEdges, this.pos(d)) === 0,
    );
    if (heads.length === 1) return heads[0]!;
    const sorted = this.sortById(heads);
    throw new TargetError(
      `Target "${what}" for repository ${this.repository} is ambiguous: revision ${id} leads to several heads (${sorted.join(", ")}); name one of them or merge them first.`,
      { fields: { repository: this.repository, target: what, heads: sorted } },
    );
  }

  /** Sorts ids by id (numbered: by number), the order every list of this class uses. */
  sortById(ids: Iterable<string>): string[] {
    return this.ids([...ids].map((id) => this.pos(id)).sort(this.compare));
  }

  /** The file to name in messages about `id`. */
  fileOf(id: string): string {
    return fileOf(this.require(id));
  }

  private pos(id: string): number {
    const input = this.inputIndex.get(id);
    if (input === undefined) {
      throw new TargetError(`Repository ${this.repository} has no revision ${id}.`, {
        fields: { repository: this.repository, revision: id },
      });
    }
    return this.positionOfInput[input]!;
  }

  private ids(positions: readonly number[]): string[] {
    return positions.map((p) => this.revisions[p]!.id);
  }

  private idsWhere(test: (pos: number) => boolean): string[] {
    const found: number[] = [];
    for (let pos = 0; pos < this.revisions.length; pos++) if (test(pos)) found.push(pos);
    return this.ids(found.sort(this.compare));
  }

  private closure(ids: Iterable<string>, options: ClosureOptions, primary: Adjacency, secondary: Adjacency): Set<string> {
    const followSecondary = options.dependencies ?? true;
    const seen = new Uint8Array(this.revisions.length);
    const stack: number[] = [];
    const starts: number[] = [];
    const push = (adj: Adjacency, pos: number): void => {
      for (let j = adj.start[pos]!; j < adj.start[pos + 1]!; j++) if (!seen[adj.list[j]!]) stack.push(adj.list[j]!);
    };
    for (const id of ids) starts.push(this.pos(id));
    for (const start of starts) {
      push(primary, start);
      if (followSecondary) push(secondary, start);
    }
    while (stack.length > 0) {
      const pos = stack.pop()!;
      if (seen[pos]) continue;
      seen[pos] = 1;
      push(primary, pos);
      if (followSecondary) push(secondary, pos);
    }
    if (options.inclusive) for (const start of starts) seen[start] = 1;
    const result = new Set<string>();
    for (let pos = 0; pos < seen.length; pos++) if (seen[pos]) result.add(this.revisions[pos]!.id);
    return result;
  }
}

/** Orders input indexes by number (numbered) or by id in code-unit order (graph). */
function comparator(revisions: readonly Revision[], scheme: IdScheme): (a: number, b: number) => number {
  if (scheme === "numbered") {
    const numbers = Float64Array.from(revisions, (r) => Number(r.id));
    return (a, b) => numbers[a]! - numbers[b]!;
  }
  return (a, b) => {
    const x = revisions[a]!.id;
    const y = revisions[b]!.id;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/** Kahn's algorithm; among the revisions ready at once, the lowest id (number) goes first. */
function topologicalOrder(
  revisions: readonly Revision[],
  parents: Adjacency,
  deps: Adjacency,
  compare: (a: number, b: number) => number,
  repository: string,
): Int32Array {
  const n = revisions.length;
  const waiting = new Int32Array(n);
  for (let i = 0; i < n; i++) waiting[i] = parents.start[i + 1]! - parents.start[i]! + deps.start[i + 1]! - deps.start[i]!;
  const children = invert(parents, n);
  const dependents = invert(deps, n);
  const ready = new MinHeap((a, b) => compare(a, b) < 0);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  const order = new Int32Array(n);
  let count = 0;
  // Plain indexed loops: this runs once per revision, mostly before the JIT has warmed up.
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order[count++] = i;
    for (let j = children.start[i]!; j < children.start[i + 1]!; j++) {
      const c = children.list[j]!;
      if (--waiting[c]! === 0) ready.push(c);
    }
    for (let j = dependents.start[i]!; j < dependents.start[i + 1]!; j++) {
      const d = dependents.list[j]!;
      if (--waiting[d]! === 0) ready.push(d);
    }
  }
  if (count < n) {
    const preds = (node: number): number[] => [...neighbours(parents, node), ...neighbours(deps, node)];
    throw describeCycle(revisions, preds, (node) => waiting[node]! > 0, repository);
  }
  return order;
}
