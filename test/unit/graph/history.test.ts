import { describe, expect, it } from "vitest";
import { layoutGraph, renderGraph } from "../../../src/graph/graph-render.js";
import { historyOrder, newestFirst, parseHistoryRange, type HistoryRange } from "../../../src/graph/history.js";
import { UsageError } from "../../../src/errors.js";
import { chain, graphMap, numbered, rev, thrown } from "./revisions.js";

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

  it("refuses a range that does not go up one line of history", () => {
    expect(thrown(() => historyOrder(linear, { start: ["c"], end: ["b"], text: "c:b" }), UsageError).message).toBe(
      "History range c:b of repository core does not go up one line of history: c is not below b.",
    );
    expect(() => historyOrder(branched, { start: ["x1"], end: ["y2"] })).toThrow(UsageError);
  });

  it("orders any subset newest first, children before parents", () => {
    expect(newestFirst(merged, ["a", "n", "c"])).toEqual(["n", "c", "a"]);
    expect(newestFirst(branched, ["r0", "y2", "x1"])).toEqual(["x1", "y2", "r0"]);
  });
});

describe("parseHistoryRange (-r START:END, as Alembic reads it)", () => {
  const run = (map: (typeof maps)[MapName], text: string, rows: readonly string[] = []) =>
    historyOrder(map, parseHistoryRange(map, text, rows));

  it.each<readonly [MapName, string, readonly string[], string[]]>([
    ["linear", "b:", [], ["d", "c", "b"]],
    ["linear", ":c", [], ["c", "b", "a"]],
    ["linear", "a:+2", [], ["c", "b", "a"]], // END counts from START
    ["linear", "c:+5", [], ["d", "c"]], // and stops at the head
    ["linear", "-2:", [], ["d", "c", "b"]], // START counts down from the heads
    ["linear", "-2:c", [], ["c", "b"]],
    ["linear", "-9:c", [], ["c", "b", "a"]], // past base from the head: from END instead, stopping at base
    ["linear", "current:", [], ["d", "c", "b", "a"]], // nothing applied: that end is open
    ["linear", ":current", [], ["d", "c", "b", "a"]],
    ["linear", "current:", ["b"], ["d", "c", "b"]],
    ["linear", ":current", ["b"], ["b", "a"]],
    ["branched", "r1:x2", [], ["x2", "x1", "r1"]],
    ["depends", "a:", [], ["q", "p", "c", "b", "a"]],
    ["depends", "c:", [], ["c"]], // q only depends on c, so it is not above c (Alembic fails an assertion here)
  ])("%s -r %s with rows %j", (name, text, rows, expected) => {
    expect(run(maps[name], text, rows)).toEqual(expected);
  });

  it.each<readonly [MapName, string, RegExp]>([
    ["linear", "c:a", /does not go up one line of history: c is not below a/],
    ["linear", "-4:", /reaches base/],
    ["linear", "+1:", /cannot start at \+1/],
    ["linear", "-1:+1", /both ends are relative/],
    ["linear", ":-1", /cannot count down/],
    ["linear", "a", /-r takes START:END/],
  ])("%s: refuses -r %s", (name, text, message) => {
    expect(() => run(maps[name], text)).toThrow(message);
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
