import { describe, expect, it } from "vitest";
import { renderGraph } from "../../../src/graph/graph-render.js";
import { historyOrder } from "../../../src/graph/history.js";
import { appliedClosure, headsAfter, planDowngrade, planUpgrade } from "../../../src/graph/planner.js";
import type { Revision } from "../../../src/graph/revision.js";
import { resolveTarget } from "../../../src/graph/target.js";
import { graphMap, numbered, rev } from "./revisions.js";

const N = 20_000;

/** 12-hex ids that do not sort in chain order, so the topological sort has real work to do. */
function hexId(i: number): string {
  return ((i * 2_654_435_761) % 2 ** 40).toString(16).padStart(12, "0");
}

// Everything here is iterative: a recursive walk would overflow the stack long before 20,000.
describe("a 20,000-revision chain", () => {
  const ids = Array.from({ length: N }, (_, i) => hexId(i));
  // Input newest first, the worst order for a naive builder.
  const revisions: Revision[] = ids.map((id, i) => rev(id, i === 0 ? null : ids[i - 1]!)).reverse();

  it("builds, finds the head and base, and resolves relative targets", () => {
    expect(new Set(ids).size).toBe(N);
    const map = graphMap(revisions);
    expect(map.size).toBe(N);
    expect(map.revisions.map((r) => r.id)).toEqual(ids);
    expect(map.heads()).toEqual([ids[N - 1]]);
    expect(map.bases()).toEqual([ids[0]]);
    expect(resolveTarget(map, "head", [])).toEqual({ kind: "revisions", ids: [ids[N - 1]] });
    expect(resolveTarget(map, `head-${N - 1}`, [])).toEqual({ kind: "revisions", ids: [ids[0]] });
    expect(resolveTarget(map, `head-${N}`, [])).toEqual({ kind: "base" });
    expect(resolveTarget(map, `+${N}`, [])).toEqual({ kind: "revisions", ids: [ids[N - 1]] });
    expect(resolveTarget(map, "-2", [ids[N - 1]!])).toEqual({ kind: "revisions", ids: [ids[N - 3]] });
    expect(resolveTarget(map, ids[12_345]!.slice(0, 10), [])).toEqual({ kind: "revisions", ids: [ids[12_345]] });
    expect(map.ancestors([ids[N - 1]!]).size).toBe(N - 1);
    expect(map.descendants([ids[0]!]).size).toBe(N - 1);
  });

  it("plans the full upgrade from base and the full downgrade back", () => {
    const map = graphMap(revisions);
    const steps = planUpgrade(map, [], map.heads());
    expect(steps.length).toBe(N);
    expect(steps.map((s) => s.revision)).toEqual(ids);
    expect(steps.every((s) => s.direction === "up")).toBe(true);
    let rows: string[] = [];
    for (const step of steps) rows = headsAfter(map, rows, step);
    expect(rows).toEqual([ids[N - 1]]);
    expect(appliedClosure(map, rows).size).toBe(N);

    const back = planDowngrade(map, rows, { kind: "base" });
    expect(back.map((s) => s.revision)).toEqual([...ids].reverse());
    for (const step of back) rows = headsAfter(map, rows, step);
    expect(rows).toEqual([]);
    expect(planDowngrade(map, [ids[N - 1]!], { kind: "revisions", ids: [ids[N - 2]!] })).toEqual([
      { revision: ids[N - 1], direction: "down" },
    ]);
  });

  it("lists and draws the whole history", () => {
    const map = graphMap(revisions);
    const order = historyOrder(map);
    expect(order).toEqual([...ids].reverse());
    const lines = renderGraph(map, order);
    expect(lines.length).toBe(N);
    expect(lines[0]).toBe(`* ${ids[N - 1]}`);
    expect(lines[N - 1]).toBe(`* ${ids[0]}`);
  });

  it("builds the same length in the numbered scheme", () => {
    const map = graphMap(numbered(N).reverse(), "numbered");
    expect(map.heads()).toEqual([String(N)]);
    expect(resolveTarget(map, "0", [])).toEqual({ kind: "base" });
    expect(resolveTarget(map, "-1", [String(N)])).toEqual({ kind: "revisions", ids: [String(N - 1)] });
    expect(planUpgrade(map, ["100"], [String(N)]).length).toBe(N - 100);
  });
});
