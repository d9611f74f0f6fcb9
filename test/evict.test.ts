import { describe, expect, it } from "vitest";
import { evictOldest } from "../src/evict.js";

describe("evictOldest", () => {
  it("leaves a collection within its bound alone", () => {
    const set = new Set([1, 2, 3]);
    evictOldest(set, 3);
    expect([...set]).toEqual([1, 2, 3]);
  });

  it("deletes the oldest entries, an eighth of the bound below it, and reports each deleted one of a map", () => {
    const map = new Map(Array.from({ length: 17 }, (_, i) => [`k${i}`, i] as const));
    const evicted: number[] = [];
    evictOldest(map, 16, (_, value) => evicted.push(value));
    expect(evicted).toEqual([0, 1, 2]);
    expect([...map.keys()][0]).toBe("k3");
    expect(map.size).toBe(14);
  });

  // One deletion at a time re-walks the holes earlier deletions left at the front of V8's table: a million
  // insertions under a bound of 50,000 took 21 s so, and time out here.
  it("keeps a million insertions under a bound of 50,000 linear", { timeout: 20_000 }, () => {
    const set = new Set<number>();
    for (let i = 0; i < 1_000_000; i++) {
      set.add(i);
      evictOldest(set, 50_000);
    }
    expect(set.size).toBeLessThanOrEqual(50_000);
    expect(set.has(999_999)).toBe(true);
  });
});
