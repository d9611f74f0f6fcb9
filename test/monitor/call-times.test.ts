import { describe, expect, it } from "vitest";
import { CallTimes } from "../../src/monitor/call-times.js";

describe("CallTimes", () => {
  it("counts the times after a moment and forgets the old ones, across compactions", () => {
    const times = new CallTimes();
    const all: number[] = [];
    for (let t = 0; t < 5000; t += 3) {
      times.push(t);
      all.push(t);
      const horizon = t - 600;
      times.forgetUntil(horizon);
      const kept = all.filter((time) => time > horizon);
      expect(times.length).toBe(kept.length);
      const window = t - 100;
      expect(times.countAfter(window)).toBe(kept.filter((time) => time > window).length);
    }
  });

  it("counts equal times once each and none after the last", () => {
    const times = new CallTimes();
    for (const t of [5, 5, 5, 7]) times.push(t);
    expect(times.countAfter(4)).toBe(4);
    expect(times.countAfter(5)).toBe(1);
    expect(times.countAfter(7)).toBe(0);
    times.forgetUntil(5);
    expect(times.length).toBe(1);
  });
});
