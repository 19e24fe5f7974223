import { describe, expect, it } from "vitest";
import { GraphError, TargetError } from "../../../src/errors.js";
import type { Revision } from "../../../src/graph/revision.js";
import type { RevisionMap } from "../../../src/graph/revision-map.js";
import { chain, graphMap, numbered, rev, thrown } from "./revisions.js";

function ids(map: RevisionMap): string[] {
  return map.revisions.map((r) => r.id);
}

function graphError(build: () => unknown): GraphError {
  return thrown(build, GraphError);
}

// a ─ b ─ c ─ m ─ n       (m merges c and e; d is a branch point: e and f)
//  └─ d ─ e ─┘
//      └─ f (label "feature")
const branched = (): Revision[] => [
  rev("n", "m"),
  rev("m", ["c", "e"]),
  rev("f", "d", { labels: ["feature"] }),
  rev("e", "d"),
  rev("d", "a"),
  rev("c", "b"),
  rev("b", "a"),
  rev("a"),
];

describe("RevisionMap structure", () => {
  it("orders a linear chain parents first whatever the input order", () => {
    const map = graphMap([rev("c", "b"), rev("a"), rev("b", "a")]);
    expect(ids(map)).toEqual(["a", "b", "c"]);
    expect(map.size).toBe(3);
    expect(map.heads()).toEqual(["c"]);
    expect(map.bases()).toEqual(["a"]);
    expect(map.positionOf("b")).toBe(1);
  });

  it("breaks topological ties by id in the graph scheme", () => {
    const map = graphMap(branched());
    // ready sets: {a} → {b, d} → b → {c, d} → c → d → {e, f} → e → {f, m} → f → m → n
    expect(ids(map)).toEqual(["a", "b", "c", "d", "e", "f", "m", "n"]);
  });

  it("orders many independent revisions by id whatever the input order", () => {
    const roots = ["f3", "0a", "c1", "9e", "a0", "07", "e2", "b5", "1d", "d4"];
    const map = graphMap([...roots.map((id) => rev(id)), rev("zz", roots)]);
    expect(ids(map)).toEqual([...[...roots].sort(), "zz"]);
    expect(map.bases()).toEqual([...roots].sort());
    expect(map.mergePoints()).toEqual(["zz"]);
  });

  it("breaks ties by number in the numbered scheme, not by string", () => {
    const map = graphMap(numbered(12).reverse(), "numbered");
    expect(ids(map)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]);
    expect(map.heads()).toEqual(["12"]);
  });

  it("puts dependsOn targets before their dependents", () => {
    // x and y are independent roots; a depends on y, so y must come first although "a" < "y".
    const map = graphMap([rev("a", null, { dependsOn: ["y"] }), rev("y"), rev("b", "a")]);
    expect(ids(map)).toEqual(["y", "a", "b"]);
    expect(map.heads()).toEqual(["b", "y"]);
    expect(map.bases()).toEqual(["a", "y"]);
    expect(map.dependents("y")).toEqual(["a"]);
    expect(map.children("y")).toEqual([]);
  });

  it.each([
    ["heads", (m: RevisionMap) => m.heads(), ["f", "n"]],
    ["bases", (m: RevisionMap) => m.bases(), ["a"]],
    ["branch points", (m: RevisionMap) => m.branchPoints(), ["a", "d"]],
    ["merge points", (m: RevisionMap) => m.mergePoints(), ["m"]],
    ["children of a", (m: RevisionMap) => m.children("a"), ["b", "d"]],
    ["children of d", (m: RevisionMap) => m.children("d"), ["e", "f"]],
    ["children of n", (m: RevisionMap) => m.children("n"), []],
    ["ancestors of m", (m: RevisionMap) => [...m.ancestors(["m"])].sort(), ["a", "b", "c", "d", "e"]],
    [
      "ancestors of m inclusive",
      (m: RevisionMap) => [...m.ancestors(["m"], { inclusive: true })].sort(),
      ["a", "b", "c", "d", "e", "m"],
    ],
    ["ancestors of f and c", (m: RevisionMap) => [...m.ancestors(["f", "c"])].sort(), ["a", "b", "d"]],
    ["descendants of d", (m: RevisionMap) => [...m.descendants(["d"])].sort(), ["e", "f", "m", "n"]],
    ["descendants of e inclusive", (m: RevisionMap) => [...m.descendants(["e"], { inclusive: true })].sort(), ["e", "m", "n"]],
    ["descendants of a head", (m: RevisionMap) => [...m.descendants(["n"])], []],
    ["labels", (m: RevisionMap) => [...m.labels], [["feature", "f"]]],
    ["sortTopological", (m: RevisionMap) => m.sortTopological(["n", "a", "e", "c"]), ["a", "c", "e", "n"]],
    ["sortById", (m: RevisionMap) => m.sortById(["n", "a", "e", "c"]), ["a", "c", "e", "n"]],
  ])("%s", (_name, query, expected) => {
    expect(query(graphMap(branched()))).toEqual(expected);
  });

  it("follows dependsOn in closures unless told not to", () => {
    // Two branches from a; q (on the second) depends on c (on the first).
    const map = graphMap([rev("a"), rev("b", "a"), rev("c", "b"), rev("p", "a"), rev("q", "p", { dependsOn: ["c"] })]);
    expect([...map.ancestors(["q"])].sort()).toEqual(["a", "b", "c", "p"]);
    expect([...map.ancestors(["q"], { dependencies: false })].sort()).toEqual(["a", "p"]);
    expect([...map.descendants(["b"])].sort()).toEqual(["c", "q"]);
    expect([...map.descendants(["b"], { dependencies: false })].sort()).toEqual(["c"]);
    // dependsOn does not make c a non-head.
    expect(map.heads()).toEqual(["c", "q"]);
    expect(ids(map)).toEqual(["a", "b", "c", "p", "q"]);
  });

  it("ignores a dependsOn that repeats a parent, and repeated entries", () => {
    const map = graphMap([rev("a"), rev("b", ["a", "a"], { dependsOn: ["a", "a"] })]);
    expect(ids(map)).toEqual(["a", "b"]);
    expect(map.children("a")).toEqual(["b"]);
    expect(map.dependents("a")).toEqual([]);
  });

  it("answers get, has and require", () => {
    const map = graphMap(branched());
    expect(map.get("e")?.parents).toEqual(["d"]);
    expect(map.get("zz")).toBeUndefined();
    expect(map.has("e")).toBe(true);
    expect(map.has("zz")).toBe(false);
    expect(map.require("e").id).toBe("e");
    expect(thrown(() => map.require("zz"), TargetError).message).toBe("Repository core has no revision zz.");
    expect(() => map.children("zz")).toThrow(TargetError);
    expect(() => map.ancestors(["zz"])).toThrow(TargetError);
    expect(map.fileOf("e")).toBe("e.ts");
  });

  it("builds an empty repository", () => {
    const map = graphMap([]);
    expect(map.size).toBe(0);
    expect(map.heads()).toEqual([]);
    expect(map.bases()).toEqual([]);
    expect(graphMap([], "numbered").size).toBe(0);
  });

  it("finds the head of a labelled branch", () => {
    const revisions = [
      ...chain(["a", "b"]),
      rev("c", "b", { labels: ["side"] }),
      rev("d", "c"),
      rev("e", "b", { labels: ["main"] }),
    ];
    const map = graphMap(revisions);
    expect(map.branchHead("side")).toBe("d");
    expect(map.branchHead("main")).toBe("e");
    expect(map.headAbove("c")).toBe("d");
    expect(thrown(() => map.branchHead("nope"), TargetError).message).toBe(
      'Repository core has no branch label "nope" (labels: main, side).',
    );
    const ambiguous = thrown(() => map.headAbove("a", "a@head"), TargetError);
    expect(ambiguous.message).toBe(
      'Target "a@head" for repository core is ambiguous: revision a leads to several heads (d, e); name one of them or merge them first.',
    );
    expect(ambiguous.fields).toEqual({ repository: "core", target: "a@head", heads: ["d", "e"] });
  });

  it("does not let a dependsOn edge make a branch head ambiguous", () => {
    const map = graphMap([rev("a", null, { labels: ["one"] }), rev("b", "a"), rev("x"), rev("y", "x", { dependsOn: ["a"] })]);
    expect(map.branchHead("one")).toBe("b");
  });

  it("accepts a merged branch label: its head is the merge's descendant head", () => {
    const map = graphMap([rev("a"), rev("b", "a", { labels: ["l"] }), rev("c", "a"), rev("m", ["b", "c"])]);
    expect(map.branchHead("l")).toBe("m");
  });
});

describe("RevisionMap validation", () => {
  it.each<[string, () => unknown, string]>([
    [
      "duplicate ids",
      () => graphMap([rev("a", null, { file: "v/a_one.ts" }), rev("b", "a"), rev("a", "b", { file: "v/a_two.sql" })]),
      "Repository core: revision id a is declared twice, in v/a_one.ts and in v/a_two.sql; every revision needs its own id.",
    ],
    [
      "an unknown parent",
      () => graphMap([rev("a"), rev("b", "zz", { file: "v/b.ts" })]),
      "Repository core: v/b.ts (revision b) revises zz, which is not a revision in this repository.",
    ],
    [
      "an unknown dependsOn",
      () => graphMap([rev("a"), rev("b", "a", { dependsOn: ["qq"] })]),
      "Repository core: b.ts (revision b) depends on qq, which is not a revision in this repository.",
    ],
    [
      "a two-revision cycle",
      () => graphMap([rev("r"), rev("a", "b"), rev("b", "a")]),
      "Repository core: the revisions form a cycle, a -> b -> a (each revises or depends on the next), in a.ts, b.ts; a revision cannot come before itself.",
    ],
    [
      "a cycle through dependsOn",
      () => graphMap([rev("a", "c"), rev("b", "a"), rev("c", null, { dependsOn: ["b"] })]),
      "Repository core: the revisions form a cycle, a -> c -> b -> a (each revises or depends on the next), in a.ts, c.ts, b.ts; a revision cannot come before itself.",
    ],
    [
      "a cycle, naming only the revisions on it",
      () => graphMap([rev("d", "a"), rev("a", "b"), rev("b", "a"), rev("r")]),
      "Repository core: the revisions form a cycle, a -> b -> a (each revises or depends on the next), in a.ts, b.ts; a revision cannot come before itself.",
    ],
    [
      "a revision that revises itself",
      () => graphMap([rev("a", "a")]),
      "Repository core: the revisions form a cycle, a -> a (each revises or depends on the next), in a.ts; a revision cannot come before itself.",
    ],
    [
      "a branch label used twice",
      () => graphMap([rev("a", null, { labels: ["x"] }), rev("b", "a", { labels: ["x"] })]),
      'Repository core: branch label "x" is used by both a.ts and b.ts; a label names one branch.',
    ],
    [
      "a branch label that is an id",
      () => graphMap([rev("a"), rev("b", "a", { labels: ["a"] })]),
      'Repository core: b.ts declares branch label "a", which is also the id of the revision in a.ts; labels and ids must differ.',
    ],
    ["an empty id", () => graphMap([rev("")]), "Repository core: .ts declares an empty revision id."],
  ])("refuses %s", (_name, build, message) => {
    expect(graphError(build).message).toBe(message);
  });

  it.each(["head", "base", "with space", "a@b", "12", "x:y", "p+q", ""])("refuses the branch label %j", (label) => {
    const error = graphError(() => graphMap([rev("a", null, { labels: [label] })]));
    expect(error.message).toContain(`a.ts declares branch label "${label}", which cannot be used as a target`);
  });

  it("names the cycle's files and ids in the error fields", () => {
    const error = graphError(() => graphMap([rev("a", "b", { file: "x/a.ts" }), rev("b", "a", { file: "x/b.ts" })]));
    expect(error.fields).toEqual({ repository: "core", cycle: ["a", "b", "a"], files: ["x/a.ts", "x/b.ts"] });
  });

  it("uses a phase file when a keystone revision has no main file", () => {
    const phased: Revision = {
      ...rev("1", null, { number: 1 }),
      files: { expand: "expand_repo/001_expand_x.py", contract: "contract_repo/001_contract_x.py" },
    };
    const error = graphError(() =>
      graphMap([phased, { ...rev("1", null, { number: 1 }), files: { expand: "expand_repo/001_expand_y.py" } }], "numbered"),
    );
    expect(error.message).toBe(
      "Repository core: version 1 is used by both expand_repo/001_expand_x.py and expand_repo/001_expand_y.py; each number may appear once.",
    );
  });
});

describe("numbered scheme validation", () => {
  const n = (v: number, parent: number | null = v - 1): Revision =>
    rev(String(v), parent === null || parent === 0 ? null : String(parent), {
      number: v,
      file: `${String(v).padStart(3, "0")}_v.ts`,
    });

  it.each<[string, Revision[], string]>([
    [
      "a gap",
      [n(1), n(2), n(4, 2)],
      "Repository core: version 3 is missing (between 002_v.ts and 004_v.ts); numbered versions start at 1 and have no gaps.",
    ],
    [
      "several missing",
      [n(1), n(5, 1)],
      "Repository core: versions 2 to 4 are missing (between 001_v.ts and 005_v.ts); numbered versions start at 1 and have no gaps.",
    ],
    [
      "not starting at 1",
      [n(2, null), n(3)],
      "Repository core: version 1 is missing (before 002_v.ts); numbered versions start at 1 and have no gaps.",
    ],
    [
      "a duplicate",
      [n(1), n(2), { ...n(2), files: { main: "002_again.ts" } }],
      "Repository core: version 2 is used by both 002_v.ts and 002_again.ts; each number may appear once.",
    ],
    [
      "version 0",
      [rev("0", null, { number: 0, file: "000_x.ts" })],
      "Repository core: 000_x.ts has no valid version number (id 0); numbered scripts are named NNN_slug with NNN from 1 upwards.",
    ],
    [
      "an id that is not the number",
      [rev("001", null, { number: 1, file: "001_x.ts" })],
      "Repository core: 001_x.ts has no valid version number (id 001); numbered scripts are named NNN_slug with NNN from 1 upwards.",
    ],
    [
      "a wrong parent",
      [n(1), n(2), n(3, 1)],
      "Repository core: 003_v.ts (version 3) revises 1, but a numbered version revises version 2.",
    ],
    [
      "a parent on version 1",
      [rev("1", "1", { number: 1, file: "001_v.ts" })],
      "Repository core: 001_v.ts (version 1) revises 1, but a numbered version revises nothing.",
    ],
  ])("refuses %s", (_name, revisions, message) => {
    expect(graphError(() => graphMap(revisions, "numbered")).message).toBe(message);
  });

  it("takes the number from the id when Revision.number is absent", () => {
    const revisions = [rev("1"), rev("2", "1")];
    expect(graphMap(revisions, "numbered").heads()).toEqual(["2"]);
  });
});
