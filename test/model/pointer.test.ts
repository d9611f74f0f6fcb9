import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapePointer, pointerSegments, stringAt, valueAt } from "../../src/model/pointer.js";

describe("JSON pointers", () => {
  it("read back every property name they escape, `~` and `/` included", () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom("a", "~", "/", "0", "1", "é") }), { maxLength: 5 }), (keys) => {
      expect(pointerSegments(keys.map((key) => `/${escapePointer(key)}`).join(""))).toEqual(keys);
    }));
  });

  it("name values, keys and numbers inside a JSON value, and nothing where the path leads nowhere", () => {
    const value = { "a/b": [{ "m~n": "text", count: 12 }] };
    expect(valueAt(value, "/a~1b/0/m~0n")).toBe("text");
    expect(stringAt(value, "/a~1b/0/count", false)).toBe("12");
    expect(stringAt(value, "/a~1b/0/m~0n", true)).toBe("m~n");
    expect(stringAt(value, "/a~1b/0/missing", true)).toBeUndefined();
    expect(stringAt(value, "/a~1b/0/m~0n/deeper", false)).toBeUndefined();
    expect(stringAt("root", "", false)).toBe("root");
  });
});
