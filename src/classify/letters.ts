/**
 * Unicode general categories of the Basic Multilingual Plane, one byte per UTF-16 code unit, so hand-written matchers
 * can stand in for `\p{Lu}`, `\p{Ll}`, `\p{L}`, `\p{M}` and `\p{N}` patterns without a regular expression per word.
 * Surrogates are left uncategorised: text holding them goes through the patterns.
 */

export const UPPERCASE = 1;
export const LOWERCASE = 2;
/** Any letter (`\p{L}`), including the two above. */
export const LETTER = 4;
export const MARK = 8;
export const NUMBER = 16;

let table: Uint8Array | undefined;

/** The category table, built on first use (a few milliseconds, once per process) from the engine's own Unicode data. */
export function categories(): Uint8Array {
  if (table) return table;
  const built = new Uint8Array(65536);
  const patterns: [RegExp, number][] = [[/\p{Lu}+/gu, UPPERCASE], [/\p{Ll}+/gu, LOWERCASE], [/\p{L}+/gu, LETTER], [/\p{M}+/gu, MARK], [/\p{N}+/gu, NUMBER]];
  const units = new Uint16Array(4096);
  // One string per block of 4096 code units, scanned once per category for runs: far cheaper than a test per unit.
  for (let block = 0; block < 65536; block += 4096) {
    for (let i = 0; i < 4096; i++) units[i] = block + i >= 0xd800 && block + i <= 0xdfff ? 32 : block + i;
    const chunk = Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString("utf16le");
    for (const [pattern, bit] of patterns) {
      pattern.lastIndex = 0;
      for (let m = pattern.exec(chunk); m !== null; m = pattern.exec(chunk)) {
        for (let i = m.index; i < m.index + m[0].length; i++) built[block + i]! |= bit;
      }
    }
  }
  table = built;
  return built;
}
