/**
 * Numbers as text written beyond ASCII: grouped with no-break spaces (what `&nbsp;` becomes), narrow no-break spaces
 * (French formatting), non-breaking hyphens or dashes, in full-width or other decimal digits (`４１１１`, `٤١١١`).
 * The number families match ASCII digits, spaces and `-`; they read a folded copy of such a text instead, in which
 * each of those code units is replaced by its ASCII counterpart. One code unit for one, so the copy has the original's
 * length and every offset found in it is an offset of the original: redaction replaces the original characters.
 */

/** The ASCII code unit each code unit folds to, or 0 when it is left as it is. */
const FOLD = new Uint16Array(65536);

// Spaces used between digit groups: no-break, the typographic spaces (figure, thin, narrow no-break...), ideographic.
for (const c of [0x00a0, 0x202f, 0x205f, 0x3000]) FOLD[c] = 32;
for (let c = 0x2000; c <= 0x200a; c++) FOLD[c] = 32;
// Hyphens and dashes between digit groups: hyphen, non-breaking hyphen, figure dash, en dash, minus sign, small and
// full-width hyphen-minus. Not the em dash, which separates phrases.
for (const c of [0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xfe63]) FOLD[c] = 45;
// Full-width ASCII (`４`, `Ｆ`, `－`, `＋`): what NFKC folds it to.
for (let c = 0xff01; c <= 0xff5e; c++) FOLD[c] = c - 0xfee0;
foldDecimalDigits();

/**
 * Every decimal digit of the Basic Multilingual Plane (`\p{Nd}`) to its ASCII digit. Unicode encodes each script's
 * digits as one run of ten, zero to nine; a run of another length is left alone rather than guessed at.
 */
function foldDecimalDigits(): void {
  const units = new Uint16Array(4096);
  const digit = /\p{Nd}+/gu;
  for (let block = 0; block < 65536; block += 4096) {
    for (let i = 0; i < 4096; i++) units[i] = block + i >= 0xd800 && block + i <= 0xdfff ? 32 : block + i;
    const chunk = Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString("utf16le");
    digit.lastIndex = 0;
    for (let m = digit.exec(chunk); m !== null; m = digit.exec(chunk)) {
      if (m[0].length % 10 !== 0) continue;
      for (let i = 0; i < m[0].length; i++) if (block + m.index + i >= 128) FOLD[block + m.index + i] = 48 + (i % 10);
    }
  }
}

/** Whether the code unit `c` folds to another: the profile marks texts holding one. */
export function folds(c: number): boolean {
  return FOLD[c] !== 0;
}

/** The folded copy of the text whose code units are `codes[0..length)`. */
export function foldedText(codes: Uint16Array, length: number): string {
  const out = new Uint16Array(length);
  for (let i = 0; i < length; i++) {
    const c = codes[i]!;
    out[i] = c < 128 ? c : FOLD[c] || c;
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString("utf16le");
}
