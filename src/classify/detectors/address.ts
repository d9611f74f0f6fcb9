import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";

const SUFFIX =
  "(?:Street|St\\.?|Avenue|Ave\\.?|Road|Rd\\.?|Boulevard|Blvd\\.?|Lane|Ln\\.?|Drive|Dr\\.?|Court|Ct\\.?|Way|Place|Pl\\.?|Terrace|Close|Crescent|Highway|Hwy\\.?|Parkway|Pkwy\\.?|Square|Sq\\.?|Crossroad|Gardens|Grove|Hill|Row|Walk|Circle|Cir\\.?|Trail|Alley|Heights|Mews|Rise|View|Plaza|Loop|Path|Pike|Route|Rte\\.?)";
// `1600 Pennsylvania Avenue NW`, `119 Countess Close`, `Apt. 120`.
const STREET_FIRST = new RegExp(
  `(?<![\\p{L}\\p{N}])[0-9]{1,6}[A-Za-z]?,? (?:\\p{Lu}[\\p{L}'’\\-]{1,24} ){1,4}${SUFFIX}(?: (?:N|S|E|W|NE|NW|SE|SW)\\.?)?(?![\\p{L}\\p{N}])`,
  "gu",
);
// European: `Augsburger Strasse 36`, `Koskikatu 25`, `Rua Augusta 12`, `Avenida Pedro Ulisses 888`.
const STREET_WORD =
  "(?:[\\p{L}\\-]{0,30}(?:[Ss]tra(?:ss|ß)e|[Ss]tr\\.|[Gg]asse|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]atan|[Gg]ata|[Vv]ägen|[Vv]ej|[Vv]eien|[Vv]egur|[Kk]atu|[Tt]ie|[Ss]traat|[Ll]aan|[Gg]racht|[Uu]tca|[Uu]lica|[Uu]l\\.)|(?:Rue|Via|Viale|Calle|Avenida|Rua|Carrer|Plaza|Piazza|Corso|Boulevard|Chemin|Allée|Place|Largo|Travessa|Paseo) (?:(?:de|del|de la|des|du|da|do|dos|das|di|della|dei) )?(?:\\p{Lu}[\\p{L}'’\\-]{1,24} ?){1,4})";
const STREET_LAST = new RegExp(`(?<![\\p{L}\\p{N}])(?:\\p{Lu}[\\p{L}'’\\-]{0,24} ){0,2}${STREET_WORD} ?[0-9]{1,5}[A-Za-z]?(?![\\p{L}\\p{N}])`, "gu");
// The street words alone, cheap to search for: the full pattern above only runs around their occurrences.
const STREET_HINT = /[Ss]tra(?:ss|ß)e|[Ss]tr\.|[Gg]asse|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]ata|[Vv]ägen|[Vv]ej|[Vv]eien|[Vv]egur|[Kk]atu|[Tt]ie|[Ss]traat|[Ll]aan|[Gg]racht|[Uu]tca|[Uu]lica|[Uu]l\.|(?:Rue|Via|Viale|Calle|Avenida|Rua|Carrer|Plaza|Piazza|Corso|Boulevard|Chemin|Allée|Place|Largo|Travessa|Paseo) /g;
const UNIT = /(?<![\p{L}\p{N}])(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?) ?#?[0-9]{1,5}[A-Za-z]?(?![\p{L}\p{N}])/giu;
const PO_BOX = /(?<![\p{L}\p{N}])(?:P\.? ?O\.? ?Box|Post Office Box|PSC|Unit) [0-9]{1,6}(?:, ?Box [0-9]{1,6})?(?:[, ]{1,2}(?:APO|FPO|DPO) (?:AA|AE|AP) [0-9]{5})?|(?<![\p{L}\p{N}])(?:APO|FPO|DPO) (?:AA|AE|AP) [0-9]{5}(?![\p{L}\p{N}])/giu;

const STREET_FIRST_AT = new RegExp(STREET_FIRST.source, "uy");
const PREFIX_STREET_WORDS = ["Rue", "Via", "Viale", "Calle", "Avenida", "Rua", "Carrer", "Plaza", "Piazza", "Corso", "Boulevard", "Chemin", "Allée", "Place", "Largo", "Travessa", "Paseo"];
// Street words that end the word right before the house number (`Augsburger Strasse 36`, `Koskikatu 25`), lowercase
// but for the first letter, which the patterns take in either case; by their last character.
const SUFFIX_STREET_WORDS = ["strasse", "straße", "str.", "gasse", "weg", "allee", "platz", "gatan", "gata", "vägen", "vej", "veien", "vegur", "katu", "tie", "straat", "laan", "gracht", "utca", "ulica", "ul."];
const SUFFIXES_BY_LAST = groupBy(SUFFIX_STREET_WORDS, (word) => word.charCodeAt(word.length - 1));
const PREFIXES_BY_FIRST = groupBy(PREFIX_STREET_WORDS.map((word) => `${word} `), (word) => word.charCodeAt(0));
const UNIT_WORDS_BY_LAST = groupBy(["apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl"], (word) => word.charCodeAt(word.length - 1));
const BOX_ENDINGS = ["box", "psc", "unit", "aa", "ae", "ap"];

/** Words by a character code of theirs (below 128), in an array indexed by that code. */
function groupBy(words: readonly string[], key: (word: string) => number): (readonly string[] | undefined)[] {
  const groups: (string[] | undefined)[] = new Array(128).fill(undefined);
  for (const word of words) (groups[key(word)] ??= []).push(word);
  return groups;
}

/**
 * Postal addresses: street lines in English (`number name suffix`) and continental (`name-strasse number`, `Rua name
 * number`) orders, unit designators and military or PO boxes. A street line followed on the same line by a unit, a
 * town and a postcode is reported as one span.
 *
 * Every form holds a house, unit or box number: the patterns run only where a digit run of the profile has what they
 * need right before or after it (a capitalised word after an English house number, a street word before a
 * continental one, `Apt`, `Box`, `PSC` before a unit or box number), and English street lines are matched at their
 * number. The matches are those of the patterns searched over the whole text.
 */
export function addressDetector(): Detector {
  return {
    family: "address",
    scan: function scanAddresses(text: string, _context: ScanContext, out: Match[], profile: TextProfile) {
      if (text.length < 6 || profile.digits === 0) return;
      const runs = profile.digitRuns;
      const codes = profile.codes;
      const found: Match[] = [];
      if (runs < 0) {
        STREET_FIRST.lastIndex = 0;
        for (let m = STREET_FIRST.exec(text); m !== null; m = STREET_FIRST.exec(text)) {
          found.push({ class: "pii.address", start: m.index, end: extend(text, m.index + m[0].length), detector: "rules:street", confidence: 0.75 });
        }
      } else {
        // An English street line starts at a house number of up to six digits followed by a capitalised word.
        let done = 0;
        for (let r = 0; r < runs; r++) {
          const start = profile.runStart[r]!;
          const end = profile.runEnd[r]!;
          if (start < done || end - start > 6 || !beforeStreetName(codes, text.length, end)) continue;
          STREET_FIRST_AT.lastIndex = start;
          const m = STREET_FIRST_AT.exec(text);
          if (!m) continue;
          done = start + m[0].length;
          found.push({ class: "pii.address", start, end: extend(text, done), detector: "rules:street", confidence: 0.75 });
        }
      }
      if (runs < 0 || mayHaveContinentalStreet(text, codes, profile)) {
        // Continental order: search the street words, then match the full line in a window that ends at the number.
        STREET_HINT.lastIndex = 0;
        let done = 0;
        for (let h = STREET_HINT.exec(text); h !== null; h = STREET_HINT.exec(text)) {
          if (h.index < done) continue;
          const at = streetLineAround(text, Math.max(done, h.index - 90), h.index);
          if (at < 0) continue;
          const end = extend(text, STREET_LAST.lastIndex);
          found.push({ class: "pii.address", start: at, end, detector: "rules:street", confidence: 0.75 });
          done = end;
          STREET_HINT.lastIndex = end;
        }
      }
      // Box and unit words are matched ignoring case, which beyond ASCII folds more than letters (`ſ` is an `s`).
      if (runs < 0 || !profile.ascii || someRun(codes, profile, afterBoxWord)) {
        PO_BOX.lastIndex = 0;
        for (let m = PO_BOX.exec(text); m !== null; m = PO_BOX.exec(text)) found.push({ class: "pii.address", start: m.index, end: m.index + m[0].length, detector: "rules:po_box", confidence: 0.75 });
      }
      if (runs < 0 || !profile.ascii || someRun(codes, profile, afterUnitWord)) {
        // A unit inside a street line (or box) found above is part of it. Units come in text order, so the lines are
        // walked once by their start, keeping the furthest end so far: a text of many units costs no more per unit.
        const lines = found.length === 0 ? found : found.slice().sort((a, b) => a.start - b.start);
        let next = 0;
        let reach = -1;
        UNIT.lastIndex = 0;
        for (let m = UNIT.exec(text); m !== null; m = UNIT.exec(text)) {
          while (next < lines.length && lines[next]!.start <= m.index) reach = Math.max(reach, lines[next++]!.end);
          if (reach <= m.index) found.push({ class: "pii.address", start: m.index, end: m.index + m[0].length, detector: "rules:unit", confidence: 0.6 });
        }
      }
      for (const f of found) out.push(f);
    },
  };
}

/**
 * The furthest a `STREET_LAST` match reaches past its street word, in UTF-16 units, with room to spare: up to four
 * name words of 26 characters (two units each beyond the BMP), the longest article and the house number.
 */
const STREET_LAST_REACH = 512;

/**
 * Where the first `STREET_LAST` match that starts in `[from, to]` begins, or -1; its end is `STREET_LAST.lastIndex`.
 * The pattern searches a window around the street word, not the rest of the text: a search that failed near the word
 * would otherwise run on to the next street line, once per street word, and a long text with many street words and
 * few addresses would take time growing with the square of its length.
 */
function streetLineAround(text: string, from: number, to: number): number {
  // Two units before `from` for the lookbehind (one code point, which may be a surrogate pair).
  const context = Math.max(0, from - 2);
  const windowEnd = to + STREET_LAST_REACH;
  if (windowEnd >= text.length) {
    STREET_LAST.lastIndex = from;
    const m = STREET_LAST.exec(text);
    return m === null || m.index > to ? -1 : m.index;
  }
  const window = text.slice(context, windowEnd);
  STREET_LAST.lastIndex = from - context;
  const m = STREET_LAST.exec(window);
  if (m === null || m.index + context > to) return -1;
  const end = m.index + m[0].length;
  // A match that reaches the window's end could read on in the text: decide it there (the reach makes this moot).
  if (end >= window.length - 1) {
    STREET_LAST.lastIndex = from;
    const full = STREET_LAST.exec(text);
    return full === null || full.index > to ? -1 : full.index;
  }
  STREET_LAST.lastIndex = end + context;
  return m.index + context;
}

/** After a house number: an optional letter, an optional comma, a space and a capital (or a letter beyond ASCII). */
function beforeStreetName(codes: Uint16Array, n: number, end: number): boolean {
  let p = end;
  const c = codes[p];
  if (p < n && ((c! >= 65 && c! <= 90) || (c! >= 97 && c! <= 122))) p++;
  if (p < n && codes[p] === 44) p++;
  if (p + 1 >= n || codes[p] !== 32) return false;
  const next = codes[p + 1]!;
  return (next >= 65 && next <= 90) || next >= 128;
}

function someRun(codes: Uint16Array, profile: TextProfile, test: (codes: Uint16Array, start: number, end: number) => boolean): boolean {
  for (let r = 0; r < profile.digitRuns; r++) if (test(codes, profile.runStart[r]!, profile.runEnd[r]!)) return true;
  return false;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Whether the ASCII letters right before `end` spell `word` (lowercase), ignoring case. */
function lettersEndWith(codes: Uint16Array, end: number, word: string): boolean {
  if (end < word.length) return false;
  const start = end - word.length;
  for (let i = 0; i < word.length; i++) {
    const c = codes[start + i]!;
    if (!isLetter(c) || (c | 32) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** `Box 12`, `PSC 3`, `Unit 4`, `APO AE 09012`: a space and a word ending in one of those before the number. */
function afterBoxWord(codes: Uint16Array, start: number): boolean {
  if (start < 3 || codes[start - 1] !== 32) return false;
  for (const ending of BOX_ENDINGS) if (lettersEndWith(codes, start - 1, ending)) return true;
  return false;
}

/** `Apt 5`, `Suite #210`, `Fl. 3`: a unit word, then an optional space and `#`, before a number of up to five digits. */
function afterUnitWord(codes: Uint16Array, start: number, end: number): boolean {
  if (end - start > 5) return false;
  let p = start;
  if (p > 0 && codes[p - 1] === 35) p--;
  if (p > 0 && codes[p - 1] === 32) p--;
  if (p > 0 && codes[p - 1] === 46) p--;
  if (p === 0 || !isLetter(codes[p - 1]!)) return false;
  const words = UNIT_WORDS_BY_LAST[codes[p - 1]! | 32];
  if (words === undefined) return false;
  for (const word of words) {
    // The whole word: no letter before it.
    if (lettersEndWith(codes, p, word) && (p === word.length || !isLetter(codes[p - word.length - 1]!))) return true;
  }
  return false;
}

/**
 * Whether a continental street line may end at some number: a street word right before a number of up to five digits
 * (`Strasse 36`, `Koskikatu 25`), or a street word that begins a line (`Rua`, `Via`, `Calle`) at a capital that no
 * letter or digit precedes.
 */
function mayHaveContinentalStreet(text: string, codes: Uint16Array, profile: TextProfile): boolean {
  let numbered = false;
  for (let r = 0; r < profile.digitRuns; r++) {
    const start = profile.runStart[r]!;
    if (profile.runEnd[r]! - start > 5) continue;
    numbered = true;
    const end = start > 0 && codes[start - 1] === 32 ? start - 1 : start;
    if (end === 0) continue;
    const last = codes[end - 1]!;
    const words = last < 128 ? SUFFIXES_BY_LAST[last] : undefined;
    if (words === undefined) continue;
    for (const word of words) {
      if (end < word.length) continue;
      const at = end - word.length;
      if ((codes[at]! | 32) === word.charCodeAt(0) && text.startsWith(word.slice(1), at + 1)) return true;
    }
  }
  if (!numbered) return false;
  const capitals = profile.capitals;
  if (capitals < 0) return true;
  for (let c = 0; c < capitals; c++) {
    const at = profile.capitalAt[c]!;
    if (at > 0 && (isLetter(codes[at - 1]!) || (codes[at - 1]! >= 48 && codes[at - 1]! <= 57))) continue;
    const words = PREFIXES_BY_FIRST[codes[at]!];
    if (words !== undefined) for (const word of words) if (text.startsWith(word, at)) return true;
  }
  return false;
}

// After a street: `, Apt. 652`, ` Suite 568`, `, Tallinn, Estonia 02151`, `, 28014 Madrid` while on the same line.
const TAIL = /^(?:,? (?:Apt\.?|Suite|Unit|Ste\.?|#) ?[0-9]{1,5}[A-Za-z]?){0,3}(?:, ?[0-9]{4,5} \p{Lu}[\p{L}'’\-]{1,24}(?: \p{Lu}[\p{L}'’\-]{1,24}){0,2})?(?:, ?\p{Lu}[\p{L}'’\-]{1,24}(?: \p{Lu}[\p{L}'’\-]{1,24}){0,2}){0,3}(?:,? [0-9]{4,5}(?:-[0-9]{3,4})?)?/u;

function extend(text: string, end: number): number {
  const m = TAIL.exec(text.slice(end, end + 120));
  return m ? end + m[0].length : end;
}
