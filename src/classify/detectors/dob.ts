import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { isAsciiAlnum } from "../runs.js";
import { matchesAfterCues, stickyCopy } from "../sticky.js";

const MONTHS = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
export const DATE = new RegExp(
  `(?<![0-9A-Za-z])(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}[/.\\-][0-9]{1,2}[/.\\-](?:[0-9]{4}|[0-9]{2})|${MONTHS} [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}|[0-9]{1,2}(?:st|nd|rd|th)? (?:of )?${MONTHS},? [0-9]{4})(?![0-9A-Za-z])`,
  "gi",
);
const DATE_AT = stickyCopy(DATE);
const CUE = /(?:born|birth|dob|d\.o\.b|birthday|geboren|né|née|nacido)[^0-9a-z]{0,4}(?:[a-z]+ ){0,3}[^0-9a-z]{0,3}$/i;

const CUE_WORD = /born|birth|dob|d\.o\.b|geboren|né|nacido/i;
const CUE_WORDS = new RegExp(CUE_WORD.source, "gi");
/**
 * How far after a cue word's start a cued date can start. `CUE` reads the 32 characters before the date; the search
 * for cue words skips one inside another (`né` in `bornée`), whose start is at most 6 later: 40 keeps every date.
 */
const CUE_REACH = 40;

/**
 * Every date form holds a year of four digits (`1984-07-02`, `March 3, 1980`) or a day or month of one or two digits
 * followed by `/`, `.` or `-` (`10/5/71`).
 */
function mayHoldDate(profile: TextProfile): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  const { runStart, runEnd, codes } = profile;
  for (let r = 0; r < runs; r++) {
    const length = runEnd[r]! - runStart[r]!;
    if (length === 4) return true;
    const next = codes[runEnd[r]!];
    if (length <= 2 && runEnd[r]! < profile.length && (next === 47 || next === 46 || next === 45)) return true;
  }
  return false;
}

/** Dates of birth: a date right after a birth cue (`born on`, `DOB:`), or any date under a birth-named key. */
export function dobDetector(): Detector<boolean> {
  return {
    family: "dob",
    forKey(words) {
      return words.includes("dob") || words.includes("birthday") || words.includes("birthdate") || (words.includes("birth") && (words.includes("date") || words.includes("day")));
    },
    scan: function scanDob(text: string, _context: ScanContext, out: Match[], profile: TextProfile, keyCue: boolean) {
      if (!mayHoldDate(profile)) return;
      if (keyCue) {
        DATE.lastIndex = 0;
        for (let m = DATE.exec(text); m !== null; m = DATE.exec(text)) out.push({ class: "pii.dob", start: m.index, end: m.index + m[0].length, detector: "key:dob", confidence: 0.85 });
        return;
      }
      if (!CUE_WORD.test(text)) return;
      // A cued date starts within `CUE_REACH` characters after a cue word, at a letter or digit that none precedes
      // (the lookbehind): only those places are tried (see sticky.ts). No date holds a cue word, so no date that
      // starts before a cue reaches past it.
      matchesAfterCues(text, profile.codes, CUE_WORDS, CUE_REACH, DATE_AT, wordStart, reportCuedDate, out);
    },
  };
}

/** A letter or digit that no letter or digit precedes: where a date can start. */
function wordStart(codes: Uint16Array, at: number): boolean {
  return isAsciiAlnum(codes[at]!) && !isAsciiAlnum(codes[at - 1]!);
}

/** Reports a `DATE` match that a birth cue precedes (in the 32 characters before it). */
export function reportCuedDate(text: string, m: RegExpExecArray, out: Match[]): void {
  if (CUE.test(text.slice(Math.max(0, m.index - 32), m.index))) out.push({ class: "pii.dob", start: m.index, end: m.index + m[0].length, detector: "cue:dob", confidence: 0.85 });
}
