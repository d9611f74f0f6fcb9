import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoTime } from "../../src/audit/iso-time.js";

describe("isoTime", () => {
  it("writes what Date#toISOString writes, for any time and in any order of calls", () => {
    const time = fc.oneof(
      fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
      fc.double({ min: 0, max: Date.UTC(9999, 11, 31), noNaN: true }),
      // Neighbours of one second, so the kept prefix is both reused and replaced.
      fc.integer({ min: -1500, max: 1500 }).map((offset) => Date.UTC(2026, 10, 24, 12, 0, 0) + offset),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
    );
    fc.assert(
      fc.property(fc.array(time, { minLength: 1, maxLength: 20 }), (times) => {
        for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 500 },
    );
  });

  it("throws on a time that is no date, as Date does", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});
