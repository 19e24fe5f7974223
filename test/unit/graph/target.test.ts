import { describe, expect, it } from "vitest";
import { TargetError } from "../../../src/errors.js";
import { resolveTarget, type ResolvedTarget } from "../../../src/graph/target.js";
import { chain, graphMap, numbered, rev, thrown } from "./revisions.js";

const FORMS = "targets are head, heads, base, an id, an id prefix, LABEL@head, +N, -N, head-N, ID+N or ID-N";
const NUMBERED = "targets are head, heads, base, 0, a version number, LABEL@head, +N, -N, head-N, N+M or N-M";

const linear = graphMap(chain(["0f00", "ae10", "b7c2", "b7d9", "c001"]));
// r0 ─ r1 ─ x1 ─ x2        labels: x on x2, y on y1
//        └─ y1 ─ y2
const branched = graphMap([
  ...chain(["r0", "r1"]),
  rev("x1", "r1"),
  rev("x2", "x1", { labels: ["x"] }),
  rev("y1", "r1", { labels: ["y"] }),
  rev("y2", "y1"),
]);
// a ─ b ─ m ─ n
//  └─ c ─┘
const merged = graphMap([rev("a"), rev("b", "a"), rev("c", "a"), rev("m", ["b", "c"]), rev("n", "m")]);
const twoRoots = graphMap([rev("p"), rev("q")]);
const versions = graphMap(numbered(5), "numbered");
const empty = graphMap([]);
const emptyNumbered = graphMap([], "numbered");
const maps = { linear, branched, merged, twoRoots, versions, empty, emptyNumbered };
type MapName = keyof typeof maps;

const base: ResolvedTarget = { kind: "base" };
const to = (...ids: string[]): ResolvedTarget => ({ kind: "revisions", ids });

type Case = readonly [MapName, string, readonly string[], ResolvedTarget];

describe("resolveTarget: forms that resolve", () => {
  it.each<Case>([
    ["linear", "head", [], to("c001")],
    ["linear", "heads", [], to("c001")],
    ["linear", "base", ["b7c2"], base],
    ["linear", "b7c2", [], to("b7c2")],
    ["linear", "b7c", [], to("b7c2")],
    ["linear", "0", [], to("0f00")], // in the graph scheme "0" is an id prefix
    ["linear", "c", [], to("c001")],
    ["linear", "+1", [], to("0f00")],
    ["linear", "+2", ["ae10"], to("b7d9")],
    ["linear", "+3", ["0f00"], to("b7d9")],
    ["linear", "-1", ["b7c2"], to("ae10")],
    ["linear", "-2", ["ae10"], base], // one step below the root is base
    ["linear", "head-1", [], to("b7d9")],
    ["linear", "head-4", [], to("0f00")],
    ["linear", "head-5", [], base],
    ["linear", "ae10+2", [], to("b7d9")],
    ["linear", "ae1+1", [], to("b7c2")],
    ["linear", "b7c2-2", ["c001"], to("0f00")],
    ["linear", "base+1", [], to("0f00")],
    ["linear", "base+5", [], to("c001")],
    ["linear", "ae10@head", [], to("c001")],
    ["linear", "b7c@head", [], to("c001")],
    ["linear", "+01", [], to("0f00")],
    ["branched", "heads", [], to("x2", "y2")],
    ["branched", "x@head", [], to("x2")],
    ["branched", "y@head", [], to("y2")],
    ["branched", "x1@head", [], to("x2")],
    ["branched", "x2-3", [], to("r0")],
    ["branched", "y-1", [], to("r1")],
    ["branched", "y+1", [], to("y2")],
    ["branched", "+1", ["x1"], to("x2")],
    ["branched", "-2", ["y2"], to("r1")],
    ["merged", "n-1", [], to("m")],
    ["merged", "b+1", [], to("m")],
    ["merged", "c+2", [], to("n")],
    ["merged", "-1", ["b"], to("a")],
    ["versions", "0", ["3"], base],
    ["versions", "000", [], base],
    ["versions", "3", [], to("3")],
    ["versions", "003", [], to("3")],
    ["versions", "head", [], to("5")],
    ["versions", "heads", [], to("5")],
    ["versions", "head-2", [], to("3")],
    ["versions", "3+1", [], to("4")],
    ["versions", "03+2", [], to("5")],
    ["versions", "3-3", [], base],
    ["versions", "0+1", [], to("1")],
    ["versions", "+2", [], to("2")],
    ["versions", "+2", ["2"], to("4")],
    ["versions", "-1", ["5"], to("4")],
    ["versions", "-5", ["5"], base],
    ["empty", "head", [], base],
    ["empty", "heads", [], base],
    ["empty", "base", [], base],
  ])("%s: %j from %j", (name, target, applied, expected) => {
    expect(resolveTarget(maps[name], target, applied)).toEqual(expected);
  });

  it("takes the scheme from the map unless given", () => {
    expect(resolveTarget(versions, "2", [], "numbered")).toEqual(to("2"));
    expect(resolveTarget(linear, "0", [], "graph")).toEqual(to("0f00"));
  });
});

describe("resolveTarget: errors", () => {
  it.each<readonly [MapName, string, readonly string[], string]>([
    ["linear", "b7", [], 'Target "b7" for repository core is ambiguous: b7 is a prefix of b7c2, b7d9; give more characters.'],
    ["linear", "ff", [], `Target "ff" for repository core is unknown: no revision id is or starts with ff; ${FORMS}.`],
    [
      "linear",
      "add_users",
      [],
      `Target "add_users" for repository core is unknown: no revision id is or starts with add_users; ${FORMS}.`,
    ],
    ["linear", "", [], `Target "" for repository core is not a valid target; ${FORMS}.`],
    ["linear", "head -1", [], `Target "head -1" for repository core is not a valid target; ${FORMS}.`],
    [
      "linear",
      "+0",
      [],
      `Target "+0" for repository core is not a valid target (the step count N must be a whole number of at least 1); ${FORMS}.`,
    ],
    [
      "linear",
      "head-0",
      [],
      `Target "head-0" for repository core is not a valid target (the step count N must be a whole number of at least 1); ${FORMS}.`,
    ],
    [
      "linear",
      "+99999999999999999999",
      [],
      `Target "+99999999999999999999" for repository core is not a valid target (the step count N must be a whole number of at least 1); ${FORMS}.`,
    ],
    [
      "linear",
      "heads-1",
      [],
      `Target "heads-1" for repository core is not a valid target ("heads" cannot be combined with a step; use head-N or ID-N); ${FORMS}.`,
    ],
    [
      "linear",
      "ae10@base",
      [],
      `Target "ae10@base" for repository core is not a valid target (only LABEL@head is supported after "@"); ${FORMS}.`,
    ],
    [
      "linear",
      "base@head",
      [],
      `Target "base@head" for repository core is not a valid target ("@head" needs a branch label or a revision before it); ${FORMS}.`,
    ],
    ["linear", "-1", [], 'Target "-1" for repository core is out of range: it goes 1 step(s) below base (nothing is applied).'],
    ["linear", "-3", ["ae10"], 'Target "-3" for repository core is out of range: it goes 1 step(s) below base.'],
    ["linear", "head-7", [], 'Target "head-7" for repository core is out of range: it goes 2 step(s) below base.'],
    [
      "linear",
      "base-1",
      [],
      'Target "base-1" for repository core is out of range: it goes 1 step(s) below base (nothing is applied).',
    ],
    ["linear", "+1", ["c001"], 'Target "+1" for repository core is out of range: it goes 1 step(s) above head c001.'],
    ["linear", "b7d9+3", [], 'Target "b7d9+3" for repository core is out of range: it goes 2 step(s) above head c001.'],
    ["linear", "base+6", [], 'Target "base+6" for repository core is out of range: it goes 1 step(s) above head c001.'],
    [
      "linear",
      "+1",
      ["zz"],
      'Target "+1" for repository core cannot be resolved: the database records revision zz, which no script declares.',
    ],
    ["linear", "zz+1", [], `Target "zz+1" for repository core is unknown: no revision id is or starts with zz; ${FORMS}.`],
    [
      "branched",
      "head",
      [],
      'Target "head" for repository core is ambiguous: the repository has several heads (x2, y2); use "heads", name one of them, or merge them with `tidemark merge`.',
    ],
    [
      "branched",
      "head-1",
      [],
      'Target "head-1" for repository core is ambiguous: the repository has several heads (x2, y2); use "heads", name one of them, or merge them with `tidemark merge`.',
    ],
    [
      "branched",
      "r0@head",
      [],
      'Target "r0@head" for repository core is ambiguous: revision r0 leads to several heads (x2, y2); name one of them or merge them first.',
    ],
    ["branched", "z@head", [], `Target "z@head" for repository core is unknown: no revision id is or starts with z; ${FORMS}.`],
    [
      "branched",
      "x",
      [],
      `Target "x" for repository core is not a valid target (x is a branch label; write x@head for the head of its branch); ${FORMS}.`,
    ],
    [
      "branched",
      "+1",
      ["r1"],
      'Target "+1" for repository core is ambiguous: revision r1 is a branch point (x1, y1); name the branch to follow instead.',
    ],
    [
      "branched",
      "r0+2",
      [],
      'Target "r0+2" for repository core is ambiguous: revision r1 is a branch point (x1, y1); name the branch to follow instead.',
    ],
    [
      "branched",
      "-1",
      ["x2", "y2"],
      'Target "-1" for repository core is relative to the current revision, but several heads are applied (x2, y2); use ID+N or ID-N from one of them.',
    ],
    [
      "merged",
      "n-2",
      [],
      'Target "n-2" for repository core is ambiguous: revision m is a merge of b, c; name the parent to follow instead.',
    ],
    [
      "merged",
      "-1",
      ["n", "c"],
      'Target "-1" for repository core is relative to the current revision, but several heads are applied (c, n); use ID+N or ID-N from one of them.',
    ],
    [
      "merged",
      "a+1",
      [],
      'Target "a+1" for repository core is ambiguous: revision a is a branch point (b, c); name the branch to follow instead.',
    ],
    [
      "twoRoots",
      "+1",
      [],
      'Target "+1" for repository core is ambiguous: the repository has several bases (p, q); name the branch to follow instead.',
    ],
    [
      "versions",
      "6",
      [],
      'Target "6" for repository core is out of range: repository core has no version 6 (its versions are 1 to 5).',
    ],
    ["versions", "3+3", [], 'Target "3+3" for repository core is out of range: it goes 1 step(s) above head 5.'],
    ["versions", "3-4", [], 'Target "3-4" for repository core is out of range: it goes 1 step(s) below base.'],
    ["versions", "abc", [], `Target "abc" for repository core is not a valid target; ${NUMBERED}.`],
    ["versions", "-1", [], `Target "-1" for repository core is out of range: it goes 1 step(s) below base (nothing is applied).`],
    ["empty", "+1", [], 'Target "+1" for repository core is out of range: the repository has no revisions.'],
    ["empty", "1", [], `Target "1" for repository core is unknown: no revision id is or starts with 1; ${FORMS}.`],
    [
      "emptyNumbered",
      "1",
      [],
      'Target "1" for repository core is out of range: repository core has no version 1 (it has no versions yet).',
    ],
  ])("%s: %j from %j", (name, target, applied, message) => {
    const error = thrown(() => resolveTarget(maps[name], target, applied), TargetError);
    expect(error.message).toBe(message);
    expect(error.code).toBe("target");
  });

  it("gives the matches and heads as fields for --json", () => {
    expect(thrown(() => resolveTarget(linear, "b7", []), TargetError).fields).toEqual({
      repository: "core",
      target: "b7",
      matches: ["b7c2", "b7d9"],
    });
    expect(thrown(() => resolveTarget(branched, "head", []), TargetError).fields).toEqual({
      repository: "core",
      target: "head",
      heads: ["x2", "y2"],
    });
    expect(thrown(() => resolveTarget(merged, "n-2", []), TargetError).fields).toEqual({
      repository: "core",
      target: "n-2",
      at: "m",
      choices: ["b", "c"],
    });
  });

  it("prefers an exact id over a relative reading of the same text", () => {
    const map = graphMap([rev("v-1"), rev("v", "v-1"), rev("w", "v")]);
    expect(resolveTarget(map, "v-1", [])).toEqual(to("v-1"));
    expect(resolveTarget(map, "w-1", [])).toEqual(to("v"));
  });
});
