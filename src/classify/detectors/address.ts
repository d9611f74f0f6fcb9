import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { isAsciiDigit, isAsciiUpper } from "../runs.js";
import { matchAt, stickyCopy } from "../sticky.js";

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
export const STREET_LAST = new RegExp(`(?<![\\p{L}\\p{N}])(?:\\p{Lu}[\\p{L}'’\\-]{0,24} ){0,2}${STREET_WORD} ?[0-9]{1,5}[A-Za-z]?(?![\\p{L}\\p{N}])`, "gu");
// The street words alone, cheap to search for: the full pattern above only runs around their occurrences.
const STREET_HINT = /[Ss]tra(?:ss|ß)e|[Ss]tr\.|[Gg]asse|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]ata|[Vv]ägen|[Vv]ej|[Vv]eien|[Vv]egur|[Kk]atu|[Tt]ie|[Ss]traat|[Ll]aan|[Gg]racht|[Uu]tca|[Uu]lica|[Uu]l\.|(?:Rue|Via|Viale|Calle|Avenida|Rua|Carrer|Plaza|Piazza|Corso|Boulevard|Chemin|Allée|Place|Largo|Travessa|Paseo) /g;
const UNIT = /(?<![\p{L}\p{N}])(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?) ?#?[0-9]{1,5}[A-Za-z]?(?![\p{L}\p{N}])/giu;
const PO_BOX = /(?<![\p{L}\p{N}])(?:P\.? ?O\.? ?Box|Post Office Box|PSC|Unit) [0-9]{1,6}(?:(?:, ?| )Box [0-9]{1,6})?(?:[, ]{1,2}(?:APO|FPO|DPO) (?:AA|AE|AP) [0-9]{5})?|(?<![\p{L}\p{N}])(?:APO|FPO|DPO) (?:AA|AE|AP) [0-9]{5}(?![\p{L}\p{N}])/giu;

const STREET_FIRST_AT = new RegExp(STREET_FIRST.source, "uy");
const UNIT_AT = stickyCopy(UNIT);
const PO_BOX_AT = stickyCopy(PO_BOX);
const PREFIX_STREET_WORDS = ["Rue", "Via", "Viale", "Calle", "Avenida", "Rua", "Carrer", "Plaza", "Piazza", "Corso", "Boulevard", "Chemin", "Allée", "Place", "Largo", "Travessa", "Paseo"];
// Street words that end the word right before the house number (`Augsburger Strasse 36`, `Koskikatu 25`), lowercase
// but for the first letter, which the patterns take in either case; by their last character.
const SUFFIX_STREET_WORDS = ["strasse", "straße", "str.", "gasse", "weg", "allee", "platz", "gatan", "gata", "vägen", "vej", "veien", "vegur", "katu", "tie", "straat", "laan", "gracht", "utca", "ulica", "ul."];
const SUFFIXES_BY_LAST = groupBy(SUFFIX_STREET_WORDS, (word) => word.charCodeAt(word.length - 1));
const PREFIXES_BY_FIRST = groupBy(PREFIX_STREET_WORDS.map((word) => `${word} `), (word) => word.charCodeAt(0));

/** Words by a character code of theirs (below 128), in an array indexed by that code. */
function groupBy(words: readonly string[], key: (word: string) => number): (readonly string[] | undefined)[] {
  const groups: (string[] | undefined)[] = new Array(128).fill(undefined);
  for (const word of words) (groups[key(word)] ??= []).push(word);
  return groups;
}

/**
 * Postal addresses: street lines in English (`number name suffix`) and continental (`name-strasse number`, `Rua name
 * number`) orders, unit designators and military or PO boxes. An address is reported as one span: a street line with
 * what follows it on the same line (a unit, a town, a postcode), a house number right before it, and the lines after
 * it that go on with the address; a unit with the street line before it, even one without a street word.
 *
 * Every form holds a house, unit or box number: the patterns run only where a digit run of the profile has what they
 * need right before or after it (a capitalised word after an English house number, a street word before a
 * continental one, `Apt`, `Box`, `PSC` before a unit or box number), and English street lines are matched at their
 * number. The matches are those of the patterns searched over the whole text.
 */
export function addressDetector(): Detector {
  const units = new UnitsOutsideLines();
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
      if (runs < 0) {
        CUED_STREET.lastIndex = 0;
        for (let m = CUED_STREET.exec(text); m !== null; m = CUED_STREET.exec(text)) reportCuedStreet(text, m, found);
      } else {
        // Where a house number of up to six digits is followed by another number or a capitalised word.
        let done = 0;
        for (let r = 0; r < runs; r++) {
          const start = profile.runStart[r]!;
          const end = profile.runEnd[r]!;
          // The cue's lookbehind is tried only where its last word (or `address`) is there to be found.
          if (start < done || end - start > 6 || !beforeStreetName(codes, text.length, end, true) || !mayFollowCue(text, start)) continue;
          const m = matchAt(CUED_STREET_AT, text, start);
          if (m === null) continue;
          done = start + m[0].length;
          reportCuedStreet(text, m, found);
        }
      }
      if (runs < 0 || mayHaveContinentalStreet(text, codes, profile)) {
        // Continental order: search the street words, then try the full line at the places up to 90 characters
        // before each that it can start, each place once (no line starts where one failed to, whatever word follows).
        STREET_HINT.lastIndex = 0;
        let done = 0;
        for (let h = STREET_HINT.exec(text); h !== null; h = STREET_HINT.exec(text)) {
          if (h.index < done) continue;
          const at = streetLineAround(text, codes, Math.max(done, h.index - 90), h.index);
          if (at < 0) {
            done = h.index + 1;
            continue;
          }
          const end = extend(text, STREET_LAST_AT.lastIndex);
          found.push({ class: "pii.address", start: at, end, detector: "rules:street", confidence: 0.75 });
          done = end;
          STREET_HINT.lastIndex = end;
        }
      }
      if (runs < 0) {
        PO_BOX.lastIndex = 0;
        for (let m = PO_BOX.exec(text); m !== null; m = PO_BOX.exec(text)) found.push(boxFound(m));
      } else scanBoxes(text, codes, profile, found);
      for (let i = 0; i < found.length; i++) found[i] = widenedToBlock(text, codes, found[i]!);
      // Cleared before, not after: a scan that threw half-way must not leave its lines to the next text.
      units.reset();
      if (runs < 0) {
        UNIT.lastIndex = 0;
        for (let m = UNIT.exec(text); m !== null; m = UNIT.exec(text)) units.add(m, found);
      } else scanUnits(text, codes, profile, found, units);
      for (const f of found) out.push(f.detector === "rules:unit" ? unitWithItsStreet(text, codes, f) : f);
    },
  };
}

const STREET_LAST_AT = stickyCopy(STREET_LAST);

/**
 * Where the first `STREET_LAST` match that starts in `[from, to]` begins, or -1; its end is then
 * `STREET_LAST_AT.lastIndex`. A match starts at a letter or `-` that no letter or digit precedes: the pattern is tried
 * at those places only (see sticky.ts), reading as far past them as it needs. A search from `from` would run on past
 * `to` to the next street line, once per street word: a long text with many street words and few addresses would
 * take time growing with the square of its length.
 */
export function streetLineAround(text: string, codes: Uint16Array, from: number, to: number): number {
  for (let at = from; at <= to; at++) {
    const c = codes[at]!;
    // Letters beyond ASCII are taken as they come (the pattern decides), but for the second half of a surrogate pair.
    if (!(isLetter(c) || c === 45 || (c >= 128 && (c < 0xdc00 || c > 0xdfff)))) continue;
    if (at > 0 && (isLetter(codes[at - 1]!) || (codes[at - 1]! >= 48 && codes[at - 1]! <= 57))) continue;
    if (matchAt(STREET_LAST_AT, text, at) !== null) return at;
  }
  return -1;
}

/**
 * After a house number: an optional letter, an optional comma, a space and a capital (or a letter beyond ASCII), or
 * with `orNumber` a digit (a second number: `846 31 Rue Al Imam`).
 */
function beforeStreetName(codes: Uint16Array, n: number, end: number, orNumber = false): boolean {
  let p = end;
  const c = codes[p];
  if (p < n && ((c! >= 65 && c! <= 90) || (c! >= 97 && c! <= 122))) p++;
  if (p < n && codes[p] === 44) p++;
  if (p + 1 >= n || codes[p] !== 32) return false;
  const next = codes[p + 1]!;
  return (next >= 65 && next <= 90) || next >= 128 || (orNumber && next >= 48 && next <= 57);
}

/** `word` matched in either case, for patterns that must keep `\p{Lu}` case-sensitive elsewhere (no `i` flag). */
const anyCase = (word: string) => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

// What says an address follows, right before it: `address`, `lives at`, `moved to`, `send it to`, `is at`, then a
// few spaces, a colon, one line break. A lookbehind, so that a street line is only ever tried where one can start.
const ADDRESS_CUE = `(?<=(?:(?<![A-Za-z])${anyCase("address")}(?:${anyCase("es")})?(?![A-Za-z])[^0-9\\n]{0,24}` +
  `|(?<![A-Za-z])(?:${["lives", "live", "living", "located", "resides", "reside", "residing", "based", "moved", "moving", "stays", "stay", "staying"].map(anyCase).join("|")}) (?:${anyCase("at")}|${anyCase("on")}|${anyCase("in")}|${anyCase("to")})` +
  `|(?<![A-Za-z])(?:${["ship", "send", "sent", "deliver", "delivered", "mail", "mailed", "return", "returned", "forward", "forwarded"].map(anyCase).join("|")})(?: [A-Za-z]+){0,2} ${anyCase("to")}` +
  `|(?<![A-Za-z])(?:${["off", "me", "us", "is", "are"].map(anyCase).join("|")}) ${anyCase("at")}|(?<![A-Za-z])(?:${anyCase("is")}|${anyCase("are")}) ${anyCase("on")})` +
  `[ \\t]{0,4}:?[ \\t]{0,4}(?:\\r?\\n[ \\t]{0,8})?)`;
// A street line without a street word where the text says an address follows: `lives at 5049 Harjukuja 54`,
// `Address: 5850 Jana Nerudy 894`, `drops you off at 87818 Dalmatinova 68`, `to 846 31 Rue Al Imam Al Bakri 7`.
// House numbers, capitalised words (short particles between them), a number.
const CUED_STREET_SHAPE = "(?<![\\p{L}\\p{N}])(?:[0-9]{1,6}[A-Za-z]?,? ){1,2}\\p{Lu}[\\p{L}'’\\-]{0,24}\\.?(?: (?:\\p{Lu}[\\p{L}'’\\-]{0,24}\\.?|\\p{Ll}{1,3}\\.?)){0,4} [0-9]{1,5}[A-Za-z]?(?![\\p{L}\\p{N}])";
const CUED_STREET = new RegExp(`${ADDRESS_CUE}${CUED_STREET_SHAPE}`, "gu");
const CUED_STREET_AT = stickyCopy(CUED_STREET);
/** How far before a cued street line its cue can start: `addresses`, 24 characters, the spaces, colon and line break. */
const CUE_REACH = 9 + 24 + 4 + 1 + 4 + 2 + 8;

/**
 * What `ADDRESS_CUE` needs, read without slicing: `at`, `on`, `in` or `to` as the word right before `start` (past
 * spaces, a colon and one line break), or `address` within `CUE_REACH` characters before it.
 */
function mayFollowCue(text: string, start: number): boolean {
  let p = start;
  while (p > 0 && (text.charCodeAt(p - 1) === 32 || text.charCodeAt(p - 1) === 9 || text.charCodeAt(p - 1) === 10 || text.charCodeAt(p - 1) === 13 || text.charCodeAt(p - 1) === 58)) p--;
  if (p >= 2) {
    const a = text.charCodeAt(p - 2) | 32;
    const b = text.charCodeAt(p - 1) | 32;
    if ((a === 97 && b === 116) || (a === 111 && b === 110) || (a === 105 && b === 110) || (a === 116 && b === 111)) return true;
  }
  for (let at = Math.max(0, start - CUE_REACH); at + 7 <= start; at++) {
    if ((text.charCodeAt(at) | 32) === 97 && (text.charCodeAt(at + 1) | 32) === 100 && text.slice(at, at + 7).toLowerCase() === "address") return true;
  }
  return false;
}

/** Reports a `CUED_STREET` match (its cue precedes it), with what follows it on its line. */
function reportCuedStreet(text: string, m: RegExpExecArray, found: Match[]): void {
  found.push({ class: "pii.address", start: m.index, end: extend(text, m.index + m[0].length), detector: "rules:street", confidence: 0.7 });
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * The lowercase ASCII letter a character matches when case is ignored, or -1. Beyond ASCII, Unicode case folding
 * makes only two characters ASCII letters: `ſ` (an `s`) and the Kelvin sign `K` (a `k`).
 */
function foldedLetter(c: number): number {
  if (isLetter(c)) return c | 32;
  return c === 0x17f ? 115 : c === 0x212a ? 107 : -1;
}

/** Whether the characters right before `end` spell `word` (lowercase ASCII), ignoring case. */
function lettersEndWith(codes: Uint16Array, end: number, word: string): boolean {
  if (end < word.length) return false;
  const start = end - word.length;
  for (let i = 0; i < word.length; i++) if (foldedLetter(codes[start + i]!) !== word.charCodeAt(i)) return false;
  return true;
}

function boxFound(m: RegExpExecArray): Match {
  return { class: "pii.address", start: m.index, end: m.index + m[0].length, detector: "rules:po_box", confidence: 0.75 };
}

/**
 * PO, military and `PSC` boxes. Every match has a number right after a space and `Box`, `PSC`, `Unit` or (`APO AE
 * 09012`) `AA`, `AE`, `AP`, so the pattern is tried only where such a word puts the start: at a `P` up to 12
 * characters before `Box` (`P.O. Box`, `Post Office Box`), at `PSC` or `Unit`, three characters before `AE` (see
 * sticky.ts). Digit runs come in order and a box's start lies after the digits of any run before its own.
 */
function scanBoxes(text: string, codes: Uint16Array, profile: TextProfile, found: Match[]): void {
  let done = 0;
  for (let r = 0; r < profile.digitRuns; r++) {
    const at = profile.runStart[r]!;
    if (at === 0 || codes[at - 1] !== 32) continue;
    const end = at - 1;
    let m: RegExpExecArray | null = null;
    if (lettersEndWith(codes, end, "box")) {
      for (let p = Math.max(done, end - 15); p <= end - 5 && m === null; p++) if (foldedLetter(codes[p]!) === 112 /* p */) m = matchAt(PO_BOX_AT, text, p);
    } else if (lettersEndWith(codes, end, "psc")) m = end - 3 >= done ? matchAt(PO_BOX_AT, text, end - 3) : null;
    else if (lettersEndWith(codes, end, "unit")) m = end - 4 >= done ? matchAt(PO_BOX_AT, text, end - 4) : null;
    else if (end >= 6 && end - 6 >= done && codes[end - 3] === 32 && (lettersEndWith(codes, end, "aa") || lettersEndWith(codes, end, "ae") || lettersEndWith(codes, end, "ap"))) m = matchAt(PO_BOX_AT, text, end - 6);
    if (m === null) continue;
    found.push(boxFound(m));
    done = m.index + m[0].length;
  }
}

/**
 * Reports units that no street line or box found before covers. Units come in text order, so the lines are walked
 * once by their start, keeping the furthest end so far: a text of many units costs no more per unit.
 */
class UnitsOutsideLines {
  private lines: Match[] | undefined;
  private next = 0;
  private reach = -1;

  add(m: RegExpExecArray, found: Match[]): void {
    // The lines are those found before the first unit.
    const lines = (this.lines ??= found.slice().sort((a, b) => a.start - b.start));
    while (this.next < lines.length && lines[this.next]!.start <= m.index) this.reach = Math.max(this.reach, lines[this.next++]!.end);
    if (this.reach <= m.index) found.push({ class: "pii.address", start: m.index, end: m.index + m[0].length, detector: "rules:unit", confidence: 0.6 });
  }

  reset(): void {
    this.lines = undefined;
    this.next = 0;
    this.reach = -1;
  }
}

/** Unit words, longest first: where two end at the same place, the earlier start is tried first. */
const UNIT_WORDS = ["apartment", "floor", "suite", "flat", "unit", "apt", "ste", "fl"];

/**
 * Units (`Apt 5`, `Suite #210`, `Fl. 3`): a unit word, a `.`, a space and a `#` (each optional), then a number of up
 * to five digits, so the pattern is tried only where a unit word ends right before such a number (see sticky.ts).
 */
function scanUnits(text: string, codes: Uint16Array, profile: TextProfile, found: Match[], units: UnitsOutsideLines): void {
  let done = 0;
  for (let r = 0; r < profile.digitRuns; r++) {
    const start = profile.runStart[r]!;
    if (profile.runEnd[r]! - start > 5) continue;
    let p = start;
    if (p > 0 && codes[p - 1] === 35) p--;
    if (p > 0 && codes[p - 1] === 32) p--;
    if (p > 0 && codes[p - 1] === 46) p--;
    // Unit words end in `t`, `r`, `e` or `l`.
    const last = p === 0 ? -1 : foldedLetter(codes[p - 1]!);
    if (last !== 116 && last !== 114 && last !== 101 && last !== 108) continue;
    for (const word of UNIT_WORDS) {
      if (p - word.length < done || !lettersEndWith(codes, p, word)) continue;
      const m = matchAt(UNIT_AT, text, p - word.length);
      if (m === null) continue;
      done = m.index + m[0].length;
      units.add(m, found);
      break;
    }
  }
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

// A line that goes on with an address, after the line break and an optional comma: a unit (`Suite 680`), places and
// a postcode (`Kissousa`, `, CO`, `Cyprus 36903`, `APO AA 42323`, `London SW1A 2AA`) or a postcode alone; then the
// end of the line, a mark that ends the sentence (`Cyprus 36903? I am in…`) or the sentence going on in lowercase
// (`Netherlands 62971 in case of an issue`).
const POSTCODE = "(?:[0-9]{4,6}(?:-[0-9]{3,4})?|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})";
const PLACE = "\\p{Lu}[\\p{L}'’.\\-]{0,24}(?:,? \\p{Lu}[\\p{L}'’.\\-]{0,24}){0,3}(?: \\([\\p{L} ]{1,24}\\))?";
const NEXT_LINE = new RegExp(
  `[ \\t]*,?[ \\t]*\\r?\\n[ \\t]*,?[ \\t]*(?:(?:Apt\\.?|Apartment|Suite|Ste\\.?|Unit|Flat|Floor|Fl\\.?) ?#?[0-9]{1,5}[A-Za-z]?|${PLACE}(?:,? ?${POSTCODE})?|${POSTCODE})(?=[ \\t]*(?:\\r?\\n|$)|[?!.;:,](?:\\s|$)| \\p{Ll})`,
  "uy",
);
/** Lines an address block may run on for after its street or box line. */
const MAX_NEXT_LINES = 4;

/**
 * A street line or box widened to the postal address it begins: a house number right before it (`1987 74 Diakou
 * Street`, `6750 Koskikatu 25`), and the lines after it that go on with an address, through the last of them that
 * holds a number (a unit or a postcode: a town line alone may as well be a signature's next line). Redacting
 * `14 Crown Street` but leaving `Suite 321 / LONDON / United Kingdom 75419` would leave most of the address.
 */
function widenedToBlock(text: string, codes: Uint16Array, line: Match): Match {
  if (line.detector === "rules:unit") return line;
  return widened(text, line, withNumberBefore(codes, line.start));
}

/** `line` from `start`, through the lines after it that go on with an address and end in a number. */
function widened(text: string, line: Match, start: number): Match {
  let end = line.end;
  // Most lines go on with the sentence: the pattern runs only where spaces and a comma lead to a line break.
  let at = end;
  while (at < text.length && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9 || text.charCodeAt(at) === 44)) at++;
  if (at >= text.length || (text.charCodeAt(at) !== 10 && text.charCodeAt(at) !== 13)) return start === line.start ? line : { ...line, start };
  NEXT_LINE.lastIndex = line.end;
  for (let n = 0; n < MAX_NEXT_LINES; n++) {
    const m = NEXT_LINE.exec(text);
    if (m === null) break;
    if (/[0-9]/.test(m[0])) end = NEXT_LINE.lastIndex;
  }
  return start === line.start && end === line.end ? line : { ...line, start, end };
}

// A street line without a street word (`0645 Reyes Católicos 17`, `5100 Quadra 104`, `479 95 Avenue des Tuileries`):
// house numbers, capitalised words with short particles between them, a number; only ever taken right before a unit.
const STREET_BEFORE_UNIT = /(?:[0-9]{1,6}[A-Za-z]?,? ){0,2}\p{Lu}[\p{L}'’.\-]{0,24}(?: (?:\p{Lu}[\p{L}'’.\-]{0,24}|\p{Ll}{1,3}\.?)){0,4}(?: [0-9]{1,5}[A-Za-z]?\.?)?$/uy;
/** How far before a unit its street line may start. */
const STREET_REACH = 80;

/**
 * A unit (`Apt. 209`) that no street line covers, widened to the line before it on the same line or the one above
 * (`0645 Reyes Católicos 17 Apt. 209`, `5100 Quadra 104\n Suite 845`) when that line reads as a street with a
 * number, and to the lines after it. The earliest start that reaches the unit wins.
 */
function unitWithItsStreet(text: string, codes: Uint16Array, unit: Match): Match {
  // Back over the separator: spaces, a comma, one line break.
  let lineEnd = unit.start;
  while (lineEnd > 0 && (codes[lineEnd - 1] === 32 || codes[lineEnd - 1] === 9)) lineEnd--;
  if (lineEnd > 0 && codes[lineEnd - 1] === 10) {
    lineEnd--;
    if (lineEnd > 0 && codes[lineEnd - 1] === 13) lineEnd--;
    while (lineEnd > 0 && (codes[lineEnd - 1] === 32 || codes[lineEnd - 1] === 9)) lineEnd--;
  }
  if (lineEnd > 0 && codes[lineEnd - 1] === 44) lineEnd--;
  const from = Math.max(0, lineEnd - STREET_REACH);
  // The line alone, so that the pattern's `$` is the line's end; a street line holds a number.
  const line = text.slice(from, lineEnd);
  if (!/[0-9]/.test(line)) return widened(text, unit, unit.start);
  for (let at = from; at < lineEnd; at++) {
    // The line starts with a number or a capital (or a letter beyond ASCII) that follows a space or punctuation.
    const c = codes[at]!;
    if (!(isAsciiDigit(c) || isAsciiUpper(c) || c >= 128) || (at > 0 && !OPENERS.has(codes[at - 1]!))) continue;
    const m = matchAt(STREET_BEFORE_UNIT, line, at - from);
    if (m === null || !/[0-9]/.test(m[0])) continue;
    // With its street line the unit is an address line like any other.
    return widened(text, { ...unit, detector: "rules:street", confidence: 0.75 }, withNumberBefore(codes, at));
  }
  return widened(text, unit, unit.start);
}

/** Where a line starts with the number of up to six digits that stands right before it, after a space, if one does. */
function withNumberBefore(codes: Uint16Array, start: number): number {
  if (start < 2 || codes[start - 1] !== 32) return start;
  let at = start - 1;
  while (at > 0 && isAsciiDigit(codes[at - 1]!)) at--;
  const digits = start - 1 - at;
  if (digits === 0 || digits > 6) return start;
  // The number is a word of its own: what precedes it is a space, a line break or punctuation that opens a value.
  if (at > 0 && !OPENERS.has(codes[at - 1]!)) return start;
  return at;
}

/** Space, tab, line breaks, `:`, `,`, `(`, `"`, `'`. */
const OPENERS: ReadonlySet<number> = new Set([32, 9, 10, 13, 58, 44, 40, 34, 39]);
