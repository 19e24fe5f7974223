/**
 * Compressed adjacency lists (CSR): the neighbours of node i are
 * `list[start[i]] … list[start[i + 1] - 1]`. Two typed arrays per relation
 * instead of one array per revision keeps building a 20,000-revision graph
 * in a few milliseconds, mostly by not feeding the garbage collector.
 */
export interface Adjacency {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

export function degree(adj: Adjacency, node: number): number {
  return adj.start[node + 1] - adj.start[node];
}

export function neighbours(adj: Adjacency, node: number): number[] {
  return Array.from(adj.list.subarray(adj.start[node], adj.start[node + 1]));
}

/**
 * Builds an adjacency from `edges(node)`, resolving each name with `resolve`
 * and dropping repeats and names `skip` rejects (both rare, so checked by a
 * scan of the node's own short list).
 */
export function buildAdjacency(
  n: number,
  edges: (node: number) => readonly string[],
  resolve: (node: number, name: string) => number,
  skip?: (node: number, target: number) => boolean,
): Adjacency {
  let total = 0;
  for (let i = 0; i < n; i++) total += edges(i).length;
  if (total === 0) return empty(n);
  const start = new Int32Array(n + 1);
  const list = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) {
    start[i] = k;
    const names = edges(i);
    for (let e = 0; e < names.length; e++) {
      const target = resolve(i, names[e]);
      if (skip?.(i, target)) continue;
      let repeated = false;
      for (let j = start[i]; j < k; j++) if (list[j] === target) repeated = true;
      if (!repeated) list[k++] = target;
    }
  }
  start[n] = k;
  return { start, list };
}

/** The same relation over renumbered nodes: node `order[p]` becomes `p`. */
export function renumber(adj: Adjacency, order: Int32Array, positionOf: Int32Array): Adjacency {
  const n = order.length;
  if (adj.start[n] === 0) return empty(n);
  const start = new Int32Array(n + 1);
  const list = new Int32Array(adj.start[n]);
  let k = 0;
  for (let p = 0; p < n; p++) {
    start[p] = k;
    const node = order[p];
    for (let j = adj.start[node]; j < adj.start[node + 1]; j++) list[k++] = positionOf[adj.list[j]];
  }
  start[n] = k;
  return { start, list };
}

/** The reverse relation; each node's list is sorted by `compare` when one is given. */
export function invert(adj: Adjacency, n: number, compare?: (a: number, b: number) => number): Adjacency {
  const edges = adj.start[n];
  if (edges === 0) return empty(n);
  const start = new Int32Array(n + 1);
  for (let j = 0; j < edges; j++) start[adj.list[j] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const list = new Int32Array(edges);
  for (let node = 0; node < n; node++) {
    for (let j = adj.start[node]; j < adj.start[node + 1]; j++) list[fill[adj.list[j]]++] = node;
  }
  if (compare !== undefined) {
    for (let i = 0; i < n; i++) {
      if (start[i + 1] - start[i] > 1) list.subarray(start[i], start[i + 1]).sort(compare);
    }
  }
  return { start, list };
}

/** A relation with no edges: cold code is slow per loop pass, and most graphs have no dependsOn. */
function empty(n: number): Adjacency {
  return { start: new Int32Array(n + 1), list: new Int32Array(0) };
}
