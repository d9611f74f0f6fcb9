import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonLiterals, literalAt, type LiteralTree } from "../../src/classify/json-literals.js";

/** Every string leaf of a parsed value with its path. */
function leaves(value: unknown, path: (string | number)[] = [], out: [(string | number)[], string][] = []): [(string | number)[], string][] {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((item, i) => leaves(item, [...path, i], out));
  else if (value !== null && typeof value === "object") for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], out);
  return out;
}

describe("jsonLiterals", () => {
  it("places each string value of a JSON text at its own literal, equal values included", () => {
    const text = '[{"id":"asthma"},{"diagnosis":"asthma"}, {"diagnosis" : "asthma"}]';
    const tree = jsonLiterals(text);
    const spans = [[0, "id"], [1, "diagnosis"], [2, "diagnosis"]].map((path) => literalAt(tree, path as (string | number)[])!);
    expect(spans.map(({ start, end }) => text.slice(start, end))).toEqual(['"asthma"', '"asthma"', '"asthma"']);
    expect(new Set(spans.map((span) => span.start)).size).toBe(3);
  });

  it("keeps the last of duplicate keys, as JSON.parse does, and reads escaped keys and strings", () => {
    const text = '{"a":"first","a":"last","k\\u0065y":"x\\"y","n":[1,true,null,"s"]}';
    const tree = jsonLiterals(text);
    const at = (...path: (string | number)[]) => {
      const span = literalAt(tree, path);
      return span && (JSON.parse(text.slice(span.start, span.end)) as string);
    };
    expect([at("a"), at("key"), at("n", 3)]).toEqual(["last", 'x"y', "s"]);
    expect([at("n", 0), at("n", 1), at("n", 9), at("missing")]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("finds every string leaf of any JSON value at a literal that parses to it (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, "\t"), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const tree: LiteralTree = jsonLiterals(text);
        for (const [path, leaf] of leaves(JSON.parse(text))) {
          const span = literalAt(tree, path);
          expect(span && JSON.parse(text.slice(span.start, span.end))).toBe(leaf);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("reads nesting of any depth without recursion", () => {
    const depth = 100_000;
    const text = `${"[".repeat(depth)}"deep"${"]".repeat(depth)}`;
    const span = literalAt(jsonLiterals(text), new Array<number>(depth).fill(0));
    expect(span && text.slice(span.start, span.end)).toBe('"deep"');
  });
});
