import { describe, expect, it } from "vitest";
import { layoutGraph, renderGraph } from "../../../src/graph/graph-render.js";
import { historyOrder, newestFirst, type HistoryRange } from "../../../src/graph/history.js";
import { chain, graphMap, numbered, rev } from "./revisions.js";

const linear = graphMap(chain(["a", "b", "c", "d"]));
const branched = graphMap([...chain(["r0", "r1"]), rev("x1", "r1"), rev("x2", "x1"), rev("y1", "r1"), rev("y2", "y1")]);
const merged = graphMap([rev("a"), rev("b", "a"), rev("c", "a"), rev("m", ["b", "c"]), rev("n", "m")]);
const depends = graphMap([...chain(["a", "b", "c"]), rev("p", "a"), rev("q", "p", { dependsOn: ["c"] })]);
const twoRoots = graphMap([rev("q"), rev("p")]);
// Three-parent merge m over b, c, d; t merges m with z.
const octopus = graphMap([
  rev("a"),
  rev("b", "a"),
  rev("c", "a"),
  rev("d", "a"),
  rev("m", ["b", "c", "d"]),
  rev("z", "a"),
  rev("t", ["m", "z"]),
]);
// n merges m and y; m merges c and x; y and c both grow from b, x from a: y's line must cross x's.
const crossing = graphMap([
  rev("a"),
  rev("b", "a"),
  rev("c", "b"),
  rev("x", "a"),
  rev("m", ["c", "x"]),
  rev("y", "b"),
  rev("n", ["m", "y"]),
]);
const versions = graphMap(numbered(4), "numbered");
const maps = { linear, branched, merged, depends, twoRoots, octopus, crossing, versions };
type MapName = keyof typeof maps;

describe("historyOrder", () => {
  it.each<readonly [MapName, HistoryRange, string[]]>([
    ["linear", {}, ["d", "c", "b", "a"]],
    ["linear", { start: ["b"] }, ["d", "c", "b"]],
    ["linear", { end: ["c"] }, ["c", "b", "a"]],
    ["linear", { start: ["b"], end: ["c"] }, ["c", "b"]],
    ["linear", { start: ["c"], end: ["b"] }, []],
    ["linear", { start: ["b"], end: ["b"] }, ["b"]],
    ["branched", {}, ["x2", "x1", "y2", "y1", "r1", "r0"]],
    ["branched", { start: ["x1"] }, ["x2", "x1"]],
    ["branched", { end: ["x1", "y2"] }, ["x1", "y2", "y1", "r1", "r0"]],
    ["merged", {}, ["n", "m", "b", "c", "a"]],
    ["merged", { start: ["c"] }, ["n", "m", "c"]],
    ["depends", {}, ["q", "p", "c", "b", "a"]],
    ["depends", { end: ["q"] }, ["q", "p", "c", "b", "a"]],
    ["depends", { end: ["p"] }, ["p", "a"]],
    ["twoRoots", {}, ["p", "q"]],
    ["versions", {}, ["4", "3", "2", "1"]],
    ["versions", { start: ["2"] }, ["4", "3", "2"]],
  ])("%s %j", (name, range, expected) => {
    expect(historyOrder(maps[name], range)).toEqual(expected);
  });

  it("orders any subset newest first, children before parents", () => {
    expect(newestFirst(merged, ["a", "n", "c"])).toEqual(["n", "c", "a"]);
    expect(newestFirst(branched, ["r0", "y2", "x1"])).toEqual(["x1", "y2", "r0"]);
  });
});

describe("renderGraph", () => {
  it.each<readonly [MapName, string[]]>([
    ["linear", ["* d", "* c", "* b", "* a"]],
    ["versions", ["* 4", "* 3", "* 2", "* 1"]],
    ["branched", ["* x2", "* x1", "| * y2", "| * y1", "|/", "* r1", "* r0"]],
    ["merged", ["* n", "*   m", "|\\", "* | b", "| * c", "|/", "* a"]],
    // dependsOn is not drawn: q's lane simply ends at p, c's line starts on its own.
    ["depends", ["* q", "* p", "| * c", "| * b", "|/", "* a"]],
    ["twoRoots", ["* p", "* q"]],
    [
      "octopus",
      [
        "*   t",
        "|\\",
        "* |     m",
        "|\\ \\",
        "| |\\ \\",
        "* | | | b",
        "| * | | c",
        "|/ / /",
        "| * | d",
        "|/ /",
        "| * z",
        "|/",
        "* a",
      ],
    ],
    ["crossing", ["*   n", "|\\", "* |   m", "|\\ \\", "* | | c", "| * | x", "| | * y", "| |/", "|/|", "* | b", "|/", "* a"]],
  ])("%s", (name, lines) => {
    const map = maps[name];
    expect(renderGraph(map, historyOrder(map))).toEqual(lines);
  });

  it("ends lanes at revisions whose parents are outside the range", () => {
    expect(renderGraph(linear, historyOrder(linear, { start: ["c"] }))).toEqual(["* d", "* c"]);
    expect(renderGraph(merged, ["n", "m", "c"])).toEqual(["* n", "* m", "* c"]);
    expect(renderGraph(merged, ["m", "b", "c"])).toEqual(["*   m", "|\\", "* | b", " /", "* c"]);
  });

  it("describes each revision with the caller's text and exposes the rows", () => {
    expect(renderGraph(branched, ["x1", "y1", "r1"], (id) => `<${id}>`)).toEqual(["* <x1>", "| * <y1>", "|/", "* <r1>"]);
    expect(layoutGraph(merged, ["m", "b", "c", "a"])).toEqual([
      { id: "m", node: "*  ", after: ["|\\"] },
      { id: "b", node: "* |", after: [] },
      { id: "c", node: "| *", after: ["|/"] },
      { id: "a", node: "*", after: [] },
    ]);
  });
});
