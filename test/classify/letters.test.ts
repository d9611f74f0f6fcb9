import { describe, expect, it } from "vitest";
import { categories, LETTER, LOWERCASE, MARK, NUMBER, UPPERCASE } from "../../src/classify/letters.js";

describe("categories", () => {
  it("says for every code unit of the Basic Multilingual Plane what \\p{Lu}, \\p{Ll}, \\p{L}, \\p{M} and \\p{N} say", () => {
    const table = categories();
    const mismatches: number[] = [];
    for (let c = 0; c < 65536; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      const expected = (/\p{Lu}/u.test(ch) ? UPPERCASE : 0) | (/\p{Ll}/u.test(ch) ? LOWERCASE : 0) | (/\p{L}/u.test(ch) ? LETTER : 0) | (/\p{M}/u.test(ch) ? MARK : 0) | (/\p{N}/u.test(ch) ? NUMBER : 0);
      if (table[c] !== expected) mismatches.push(c);
    }
    expect(mismatches).toEqual([]);
  });
});
