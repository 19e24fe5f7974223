import { describe, expect, it } from "vitest";
import { TargetError } from "../../../src/errors.js";
import {
  appliedClosure,
  headsAfter,
  planDowngrade,
  planUpgrade,
  rowsFor,
  stampRows,
  type Step,
} from "../../../src/graph/planner.js";
import type { RevisionMap } from "../../../src/graph/revision-map.js";
import type { ResolvedTarget } from "../../../src/graph/target.js";
import { chain, graphMap, numbered, rev, thrown } from "./revisions.js";

const linear = graphMap(chain(["a", "b", "c", "d"]));
// r0 ─ r1 ─ x1 ─ x2
//        └─ y1 ─ y2
const branched = graphMap([...chain(["r0", "r1"]), rev("x1", "r1"), rev("x2", "x1"), rev("y1", "r1"), rev("y2", "y1")]);
// a ─ b ─ m ─ n
//  └─ c ─┘
const merged = graphMap([rev("a"), rev("b", "a"), rev("c", "a"), rev("m", ["b", "c"]), rev("n", "m")]);
// a ─ b ─ c
//  └─ p ─ q   (q depends on c)
const depends = graphMap([...chain(["a", "b", "c"]), rev("p", "a"), rev("q", "p", { dependsOn: ["c"] })]);
const versions = graphMap(numbered(4), "numbered");
const maps = { linear, branched, merged, depends, versions };
type MapName = keyof typeof maps;

const base: ResolvedTarget = { kind: "base" };
const to = (...ids: string[]): ResolvedTarget => ({ kind: "revisions", ids });
const up = (...ids: string[]): Step[] => ids.map((revision) => ({ revision, direction: "up" }));
const down = (...ids: string[]): Step[] => ids.map((revision) => ({ revision, direction: "down" }));

/** Applies steps to version rows one by one, checking each result against the canonical rows of the applied set. */
function run(map: RevisionMap, heads: readonly string[], steps: readonly Step[]): string[] {
  let rows = [...heads];
  for (const step of steps) {
    const applied = appliedClosure(map, rows);
    if (step.direction === "up") applied.add(step.revision);
    else applied.delete(step.revision);
    rows = headsAfter(map, rows, step);
    expect(rows).toEqual(rowsFor(map, applied));
    expect(appliedClosure(map, rows)).toEqual(applied);
  }
  return rows;
}

describe("planUpgrade", () => {
  it.each<readonly [MapName, readonly string[], readonly string[], Step[], string[]]>([
    ["linear", [], ["d"], up("a", "b", "c", "d"), ["d"]],
    ["linear", ["b"], ["d"], up("c", "d"), ["d"]],
    ["linear", ["b"], ["c"], up("c"), ["c"]],
    ["linear", ["d"], ["b"], [], ["d"]],
    ["linear", ["b"], [], [], ["b"]],
    ["branched", [], ["x2", "y2"], up("r0", "r1", "x1", "x2", "y1", "y2"), ["x2", "y2"]],
    ["branched", ["x2"], ["y2"], up("y1", "y2"), ["x2", "y2"]],
    ["branched", ["r1"], ["y1"], up("y1"), ["y1"]],
    ["branched", ["x1", "y1"], ["x2", "y2"], up("x2", "y2"), ["x2", "y2"]],
    ["merged", [], ["n"], up("a", "b", "c", "m", "n"), ["n"]],
    ["merged", ["b"], ["n"], up("c", "m", "n"), ["n"]],
    ["merged", ["b", "c"], ["m"], up("m"), ["m"]],
    ["depends", [], ["q"], up("a", "b", "c", "p", "q"), ["c", "q"]],
    ["depends", [], ["p"], up("a", "p"), ["p"]],
    ["depends", ["p"], ["q"], up("b", "c", "q"), ["c", "q"]],
    ["depends", ["c"], ["c", "q"], up("p", "q"), ["c", "q"]],
    ["versions", [], ["4"], up("1", "2", "3", "4"), ["4"]],
    ["versions", ["2"], ["3"], up("3"), ["3"]],
  ])("%s: from %j to %j", (name, heads, targets, steps, after) => {
    const map = maps[name];
    expect(planUpgrade(map, heads, targets)).toEqual(steps);
    expect(run(map, heads, steps)).toEqual(after);
  });
});

describe("planDowngrade", () => {
  it.each<readonly [MapName, readonly string[], ResolvedTarget, Step[], string[]]>([
    ["linear", ["d"], base, down("d", "c", "b", "a"), []],
    ["linear", ["d"], to("b"), down("d", "c"), ["b"]],
    ["linear", ["d"], to("d"), [], ["d"]],
    ["linear", [], base, [], []],
    ["branched", ["x2", "y2"], to("r1"), down("y2", "y1", "x2", "x1"), ["r1"]],
    ["branched", ["x2", "y2"], to("x1"), down("x2"), ["x1", "y2"]],
    ["branched", ["x2", "y2"], base, down("y2", "y1", "x2", "x1", "r1", "r0"), []],
    ["branched", ["x2", "y2"], to("x2", "y2"), [], ["x2", "y2"]],
    ["merged", ["n"], to("b"), down("n", "m"), ["b", "c"]],
    ["merged", ["n"], to("a"), down("n", "m", "c", "b"), ["a"]],
    ["merged", ["n"], base, down("n", "m", "c", "b", "a"), []],
    ["depends", ["c", "q"], to("b"), down("q", "c"), ["b", "p"]],
    ["depends", ["c", "q"], to("p"), down("q"), ["c", "p"]],
    ["depends", ["c", "q"], to("c", "q"), [], ["c", "q"]],
    ["depends", ["c", "q"], to("a"), down("q", "p", "c", "b"), ["a"]],
    ["versions", ["4"], to("1"), down("4", "3", "2"), ["1"]],
    ["versions", ["4"], base, down("4", "3", "2", "1"), []],
  ])("%s: from %j to %j", (name, heads, target, steps, after) => {
    const map = maps[name];
    expect(planDowngrade(map, heads, target)).toEqual(steps);
    expect(run(map, heads, steps)).toEqual(after);
  });

  it.each<readonly [MapName, readonly string[], ResolvedTarget, string]>([
    [
      "linear",
      ["b"],
      to("d"),
      "Revision d of repository core is not applied (the database is at b); downgrade only goes down, use upgrade to reach it.",
    ],
    [
      "linear",
      [],
      to("a"),
      "Revision a of repository core is not applied (nothing is applied); downgrade only goes down, use upgrade to reach it.",
    ],
    [
      "branched",
      ["y2", "x1"],
      to("x2"),
      "Revision x2 of repository core is not applied (the database is at x1, y2); downgrade only goes down, use upgrade to reach it.",
    ],
    [
      "depends",
      ["c"],
      to("p"),
      "Revision p of repository core is not applied (the database is at c); downgrade only goes down, use upgrade to reach it.",
    ],
  ])("%s: refuses to go from %j to %j", (name, heads, target, message) => {
    const error = thrown(() => planDowngrade(maps[name], heads, target), TargetError);
    expect(error.message).toBe(message);
  });
});

describe("stampRows", () => {
  it.each<readonly [MapName, readonly string[], ResolvedTarget, boolean, string[]]>([
    ["linear", [], to("c"), false, ["c"]],
    ["linear", ["d"], to("b"), false, ["b"]],
    ["linear", ["b"], to("d"), false, ["d"]],
    ["linear", ["d"], base, false, []],
    ["branched", ["x2", "y2"], to("x1"), false, ["x1", "y2"]],
    ["branched", ["x2"], to("y1"), false, ["x2", "y1"]],
    ["branched", ["x2"], to("y1"), true, ["y1"]],
    ["branched", ["x2", "y1"], to("r0"), false, ["r0"]],
    ["branched", [], to("x2", "y2"), false, ["x2", "y2"]],
    ["merged", ["b", "c"], to("n"), false, ["n"]],
    ["merged", ["n"], to("c"), false, ["c"]],
    ["depends", [], to("q"), false, ["c", "q"]],
    ["depends", ["c", "q"], to("p"), false, ["c", "p"]],
    ["depends", ["c", "q"], to("a"), false, ["a"]],
  ])("%s: from %j to %j (purge %s)", (name, heads, target, purge, rows) => {
    expect(stampRows(maps[name], heads, target, purge)).toEqual(rows);
  });

  it("refuses unknown version rows", () => {
    expect(thrown(() => stampRows(linear, ["zz"], to("a")), TargetError).message).toContain("The database records revision zz");
  });
});

describe("version rows", () => {
  it("refuses version rows no script declares", () => {
    const message =
      "The database records revision zz for repository core, but no script declares it; restore the script, or reset the version rows with `tidemark stamp TARGET --purge`.";
    expect(thrown(() => appliedClosure(linear, ["b", "zz"]), TargetError).message).toBe(message);
    expect(thrown(() => planUpgrade(linear, ["zz"], ["d"]), TargetError).message).toBe(message);
    expect(thrown(() => planDowngrade(linear, ["zz"], base), TargetError).message).toBe(message);
  });

  it("computes the applied closure through dependsOn", () => {
    expect([...appliedClosure(depends, ["q"])].sort()).toEqual(["a", "b", "c", "p", "q"]);
    expect([...appliedClosure(depends, [])]).toEqual([]);
    expect(rowsFor(depends, appliedClosure(depends, ["q"]))).toEqual(["c", "q"]);
  });

  it("keeps a dependsOn target as its own row when its dependent is applied", () => {
    expect(headsAfter(depends, ["c", "p"], up("q")[0]!)).toEqual(["c", "q"]);
    expect(headsAfter(depends, ["c", "q"], down("q")[0]!)).toEqual(["c", "p"]);
  });

  it("does not add back a parent another applied branch still covers", () => {
    expect(headsAfter(branched, ["x2", "y1"], down("y1")[0]!)).toEqual(["x2"]);
    expect(headsAfter(branched, ["x1", "y1"], down("y1")[0]!)).toEqual(["x1"]);
    expect(headsAfter(branched, ["y1"], down("y1")[0]!)).toEqual(["r1"]);
  });

  // Every upgrade to any revision, then every downgrade to any applied one, keeps
  // headsAfter equal to the canonical rows of the applied set (checked inside run).
  it.each(Object.keys(maps) as MapName[])("round trips in %s through every target", (name) => {
    const map = maps[name];
    for (const revision of map.revisions) {
      const rows = run(map, [], planUpgrade(map, [], [revision.id]));
      expect(appliedClosure(map, rows)).toEqual(map.ancestors([revision.id], { inclusive: true }));
      for (const lower of appliedClosure(map, rows)) {
        const after = run(map, rows, planDowngrade(map, rows, to(lower)));
        expect(after).toContain(lower);
        for (const id of appliedClosure(map, after))
          expect(map.descendants([lower]).has(id) && !map.ancestors([lower]).has(id)).toBe(false);
      }
      expect(run(map, rows, planDowngrade(map, rows, base))).toEqual([]);
    }
  });
});
