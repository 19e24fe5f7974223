import { describe, expect, it } from "vitest";
import { branchwiseOrder } from "../../../src/graph/step-order.js";
import { chain, graphMap, rev } from "./revisions.js";

// Each expectation is what Alembic 1.8's topological sort gives for the same graph and tips.
describe("branchwiseOrder", () => {
  it("follows one line down until another line still needs the revision below", () => {
    const map = graphMap([rev("r"), rev("x1", "r"), rev("x2", "x1"), rev("y1", "r"), rev("y2", "y1")]);
    expect(branchwiseOrder(map, ["r", "x1", "x2", "y1", "y2"], ["x2", "y2"])).toEqual(["x2", "x1", "y2", "y1", "r"]);
    // Tips are taken in id order whatever order they come in.
    expect(branchwiseOrder(map, ["r", "x1", "x2", "y1", "y2"], ["y2", "x2"])).toEqual(["x2", "x1", "y2", "y1", "r"]);
  });

  it("walks a merge's first parent first, and a dependency after the parents", () => {
    const merged = graphMap([rev("a"), rev("b", "a"), rev("c", "a"), rev("m", ["b", "c"]), rev("n", "m")]);
    expect(branchwiseOrder(merged, ["a", "b", "c", "m", "n"], ["n"])).toEqual(["n", "m", "b", "c", "a"]);
    const depends = graphMap([rev("a1"), rev("a2", "a1"), rev("b1"), rev("b2", "b1", { dependsOn: ["a2"] })]);
    expect(branchwiseOrder(depends, ["a1", "a2", "b1", "b2"], ["b2"])).toEqual(["b2", "b1", "a2", "a1"]);
  });

  it("lists only the members, and ignores tips that are not members", () => {
    const map = graphMap(chain(["a", "b", "c", "d"]));
    expect(branchwiseOrder(map, ["b", "c"], ["c", "d"])).toEqual(["c", "b"]);
    expect(branchwiseOrder(map, [], ["d"])).toEqual([]);
  });
});
