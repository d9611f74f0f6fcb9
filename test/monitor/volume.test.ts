import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonLength, measureResult } from "../../src/monitor/volume.js";

describe("jsonLength", () => {
  it("equals the length of JSON.stringify on any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => jsonLength(value) === JSON.stringify(value).length), { numRuns: 2000 });
  });

  it("equals the length of JSON.stringify on strings with escapes, controls, lone surrogates and emoji", () => {
    const strings = fc.string({ unit: fc.constantFrom("a", "\"", "\\", "\n", "\u0001", "\u2028", "é", "\ud800", "\udc00", "😀", "/") });
    fc.assert(fc.property(strings, (value) => jsonLength(value) === JSON.stringify(value).length), { numRuns: 2000 });
  });

  it("leaves out what JSON leaves out and hands dates and class instances to JSON", () => {
    class Point {
      constructor(readonly x: number, readonly y: number) {}
    }
    const value = {
      at: new Date(0),
      point: new Point(1, 2),
      gone: undefined,
      fn: () => 1,
      list: [undefined, () => 1, Number.NaN, -0, 1e21, null],
      nested: Object.assign(Object.create(null) as object, { a: "b" }),
      boxed: new String("x"),
    };
    expect(jsonLength(value)).toBe(JSON.stringify(value).length);
  });
});

describe("measureResult", () => {
  it("counts the bytes of an MCP result as its JSON and its content items as records", () => {
    const result = { content: [{ type: "text", text: "Echo: \"quoted\"\nline" }, { type: "text", text: "two" }], isError: false };
    const volume = measureResult(result, []);
    expect(volume.bytes).toBe(JSON.stringify(result).length);
    expect(volume.records).toBe(2);
  });
});
