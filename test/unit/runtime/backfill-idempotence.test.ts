/**
 * Issue 19: a backfill's progress may lag behind its batches (written
 * outside them) only when re-running a batch cannot change its result:
 * no `set` expression reads a column the backfill writes, nor calls a
 * function whose answer changes from call to call.
 */
import { describe, expect, it } from "vitest";
import { backfillIsIdempotent } from "../../../src/runtime/backfill-idempotence.js";

describe("backfillIsIdempotent", () => {
  it.each([
    [{ full_name: "first || ' ' || last" }, true],
    [{ twice: "n * 2" }, true],
    [{ a: "b", c: "d + 1" }, true],
    [{ n: "n + 1" }, false],
    [{ total: '"Total" * 2' }, false],
    [{ a: "b", b: "a" }, false],
    [{ token: "random()" }, false],
    [{ stamp: "now()" }, false],
    [{ stamp: "CURRENT_TIMESTAMP" }, false],
    [{ id2: "nextval('s')" }, false],
  ])("%j → %s", (set, expected) => {
    expect(backfillIsIdempotent(set, "postgres")).toBe(expected);
  });
});
