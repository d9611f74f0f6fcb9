import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { englishLexicon, IN_LEXICON, MARKED, NAME, OTHER, PLACE, WordTable } from "../../src/classify/detectors/lexicon.js";

const codesOf = (word: string) => Uint16Array.from(word, (ch) => ch.charCodeAt(0));

describe("WordTable", () => {
  const lexicon = englishLexicon();
  const table = WordTable.fromLexicon(lexicon, ["the", "i'm", "zzmarked"]);

  it("finds every lexicon word by the span of its capitalised form, with what the lexicon says of it", () => {
    let checked = 0;
    for (const [word, info] of lexicon.entries!()) {
      if (!/^[\x00-\x7f]+$/.test(word) || word !== word.toLowerCase()) continue;
      const capitalised = word[0]!.toUpperCase() + word.slice(1);
      const index = table.find(codesOf(`(${capitalised})`), 1, capitalised.length + 1);
      const flags = table.flags(index);
      expect({ word, flags }).toEqual({ word, flags: (flags & MARKED) | IN_LEXICON | (info.name ? NAME : 0) | (info.other ? OTHER : 0) | (info.place ? PLACE : 0) });
      expect(table.info(index)).toBe(info);
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it("marks the words it was given, reads `’` as `'`, and finds nothing for other words", () => {
    expect(table.flags(table.find(codesOf("ZZMARKED"), 0, 8))).toBe(MARKED);
    expect(table.flags(table.find(codesOf("I’m"), 0, 3)) & MARKED).toBe(MARKED);
    expect(table.get("zzmarked")).toBe(table.find(codesOf("zzMarked"), 0, 8));
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,12}$/), (word) => {
        const known = lexicon.lookup(word) !== undefined || word === "the" || word === "zzmarked";
        expect(table.find(codesOf(word), 0, word.length) >= 0).toBe(known);
      }),
    );
  });

  it("refuses words that are not lowercase ASCII", () => {
    expect(() => new WordTable([["Ørsted", 0, undefined]])).toThrow(/not lowercase ASCII/);
  });
});
