import { describe, expect, it } from "vitest";
import { sketchPlainUpgrade, sketchRollingUpgrade, withCarriedRevisions } from "../../../src/graph/phase-plan.js";
import { graphMap, rev } from "../graph/revisions.js";

// r ─ x1 ─ x2
//  └─ y1 ─ y2
const branched = graphMap([rev("r"), rev("x1", "r"), rev("x2", "x1"), rev("y1", "r"), rev("y2", "y1")]);
const heads = { kind: "revisions", ids: ["x2", "y2"] } as const;

describe("step sketches follow Alembic's branch-by-branch order", () => {
  it("plain upgrade", () => {
    expect(sketchPlainUpgrade(branched, new Map(), heads).map((s) => s.revision.id)).toEqual(["r", "y1", "y2", "x1", "x2"]);
  });

  it("rolling upgrade: each revision's phases in turn, branches one after the other", () => {
    const rows = new Map([
      ["expand", ["x1"]],
      ["migrate", ["r"]],
      ["contract", []],
    ]);
    expect(sketchRollingUpgrade(branched, rows, heads).map((s) => `${s.revision.id}:${s.phase}`)).toEqual([
      "r:contract",
      "y1:expand",
      "y1:migrate",
      "y1:contract",
      "y2:expand",
      "y2:migrate",
      "y2:contract",
      "x1:migrate",
      "x1:contract",
      "x2:expand",
      "x2:migrate",
      "x2:contract",
    ]);
  });
});

describe("withCarriedRevisions", () => {
  it("adds the revisions a row carries through dependsOn, marked", () => {
    const map = graphMap([rev("a1"), rev("b1"), rev("b2", "b1", { dependsOn: ["a1"] })]);
    expect(withCarriedRevisions(map, [{ phase: "", version: "b2" }])).toEqual([
      { phase: "", version: "a1", carried: true },
      { phase: "", version: "b2" },
    ]);
    expect(withCarriedRevisions(map, [{ phase: "", version: "zz" }])).toEqual([{ phase: "", version: "zz" }]);
  });
});
