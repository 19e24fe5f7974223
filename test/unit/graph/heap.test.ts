import { describe, expect, it } from "vitest";
import { MinHeap } from "../../../src/graph/heap.js";

describe("MinHeap", () => {
  it("pops in the caller's order, interleaved with pushes", () => {
    const heap = new MinHeap((a, b) => a < b);
    const values = Array.from({ length: 200 }, (_, i) => (i * 7919) % 211);
    const popped: number[] = [];
    values.forEach((v, i) => {
      heap.push(v);
      if (i % 3 === 2) popped.push(heap.pop()!);
    });
    expect(heap.size).toBe(200 - popped.length);
    while (heap.size > 0) popped.push(heap.pop()!);
    expect(heap.pop()).toBeUndefined();
    // Every pop after the pushes are done is in order; the full list is a permutation.
    expect([...popped].sort((a, b) => a - b)).toEqual([...values].sort((a, b) => a - b));
    const tail = popped.slice(66);
    expect(tail).toEqual([...tail].sort((a, b) => a - b));
  });

  it("honours a reversed order", () => {
    const heap = new MinHeap((a, b) => a > b);
    for (const v of [5, 1, 9, 3, 7, 2, 8]) heap.push(v);
    const out: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) out.push(v);
    expect(out).toEqual([9, 8, 7, 5, 3, 2, 1]);
  });
});
