import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";

const MONTHS = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
const DATE = new RegExp(
  `(?<![0-9A-Za-z])(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}[/.\\-][0-9]{1,2}[/.\\-](?:[0-9]{4}|[0-9]{2})|${MONTHS} [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}|[0-9]{1,2}(?:st|nd|rd|th)? (?:of )?${MONTHS},? [0-9]{4})(?![0-9A-Za-z])`,
  "gi",
);
const CUE = /(?:born|birth|dob|d\.o\.b|birthday|geboren|né|née|nacido)[^0-9a-z]{0,4}(?:[a-z]+ ){0,3}[^0-9a-z]{0,3}$/i;

const CUE_WORD = /born|birth|dob|d\.o\.b|geboren|né|nacido/i;

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
      if (!keyCue && !CUE_WORD.test(text)) return;
      DATE.lastIndex = 0;
      for (let m = DATE.exec(text); m !== null; m = DATE.exec(text)) {
        if (keyCue || CUE.test(text.slice(Math.max(0, m.index - 32), m.index))) {
          out.push({ class: "pii.dob", start: m.index, end: m.index + m[0].length, detector: keyCue ? "key:dob" : "cue:dob", confidence: 0.85 });
        }
      }
    },
  };
}
