/**
 * ASCII layout for `history --graph`, in the style of `git log --graph`:
 * `*` marks a revision, `|` a lane going on, `/` and `\` lanes joining
 * (a branch point) or splitting (a merge). Only parent edges are drawn;
 * dependsOn edges are an ordering constraint, not lineage.
 */
import { newestFirst } from "./history.js";
import type { RevisionMap } from "./revision-map.js";

export interface GraphRow {
  readonly id: string;
  /** The lanes on the revision's own line, padded to a constant width for this row. */
  readonly node: string;
  /** Connector lines to print after the revision's line (may be empty). */
  readonly after: readonly string[];
}

/** One edge between two consecutive lane states: from column `from` to column `to`. */
interface Edge {
  readonly from: number;
  readonly to: number;
}

/** Lays out `ids` (any subset of the graph), newest first. */
export function layoutGraph(map: RevisionMap, ids: Iterable<string>): GraphRow[] {
  const members = new Set(ids);
  const rows: { id: string; node: string; after: string[] }[] = [];
  // Each lane holds the id of the revision it leads down to.
  let lanes: string[] = [];
  for (const id of newestFirst(map, members)) {
    let col = lanes.indexOf(id);
    if (col < 0) {
      lanes.push(id);
      col = lanes.length - 1;
    } else if (lanes.indexOf(id, col + 1) >= 0) {
      // Lanes that could not join earlier without crossing others join now, before the revision.
      // `col` is the first lane bound for `id`, so it keeps its column.
      let kept = 0;
      const joining = lanes.map((key, i): Edge => ({ from: i, to: key === id && i !== col ? col : kept++ }));
      lanes = lanes.filter((key, i) => key !== id || i === col);
      rows[rows.length - 1]!.after.push(...connectors(joining));
    }
    const parents = unique(map.require(id).parents.filter((p) => members.has(p)));
    const keys: { key: string; from: number }[] = [];
    lanes.forEach((key, i) => {
      if (i !== col) keys.push({ key, from: i });
      else for (const p of parents) keys.push({ key: p, from: i });
    });
    // Neighbouring lanes bound for the same revision join at once; distant ones wait.
    const next: string[] = [];
    const edges: Edge[] = [];
    for (let k = 0; k < keys.length; k++) {
      if (k === 0 || keys[k]!.key !== keys[k - 1]!.key) next.push(keys[k]!.key);
      edges.push({ from: keys[k]!.from, to: next.length - 1 });
    }
    const width = 2 * Math.max(lanes.length, next.length) - 1;
    const node = lanes
      .map((_, i) => (i === col ? "*" : "|"))
      .join(" ")
      .padEnd(width);
    rows.push({ id, node, after: connectors(edges) });
    lanes = next;
  }
  return rows;
}

/** Flat lines: each revision's lanes followed by `describe(id)`, then its connector lines. */
export function renderGraph(map: RevisionMap, ids: Iterable<string>, describe: (id: string) => string = (id) => id): string[] {
  const lines: string[] = [];
  for (const row of layoutGraph(map, ids)) {
    lines.push(`${row.node} ${describe(row.id)}`);
    lines.push(...row.after);
  }
  return lines;
}

/**
 * Moves every edge one column per line toward its target until all are
 * there. Edges keep their order except where the graph itself crosses,
 * drawn as `X`.
 */
function connectors(edges: readonly Edge[]): string[] {
  const at = edges.map((e) => e.from);
  const lines: string[] = [];
  while (edges.some((e, k) => at[k] !== e.to)) {
    const cells: string[] = [];
    const put = (i: number, c: string): void => {
      while (cells.length <= i) cells.push(" ");
      cells[i] = cells[i] !== " " && cells[i] !== c ? "X" : c;
    };
    edges.forEach((e, k) => {
      const p = at[k]!;
      if (e.to > p) {
        put(2 * p + 1, "\\");
        at[k] = p + 1;
      } else if (e.to < p) {
        put(2 * p - 1, "/");
        at[k] = p - 1;
      } else {
        put(2 * p, "|");
      }
    });
    lines.push(cells.join("").trimEnd());
  }
  return lines;
}

function unique(values: readonly string[]): string[] {
  return values.length < 2 ? [...values] : [...new Set(values)];
}
