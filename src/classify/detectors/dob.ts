import type { Detector, Match, ScanContext } from "../detector.js";

const MONTHS = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?";
const DATE = new RegExp(
  `(?<![0-9A-Za-z])(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}[/.\\-][0-9]{1,2}[/.\\-](?:[0-9]{4}|[0-9]{2})|${MONTHS} [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}|[0-9]{1,2}(?:st|nd|rd|th)? (?:of )?${MONTHS},? [0-9]{4})(?![0-9A-Za-z])`,
  "gi",
);
const CUE = /(?:born|birth|dob|d\.o\.b|birthday|geboren|né|née|nacido)[^0-9a-z]{0,4}(?:[a-z]+ ){0,3}[^0-9a-z]{0,3}$/i;

/** Dates of birth: a date right after a birth cue (`born on`, `DOB:`), or any date under a birth-named key. */
export function dobDetector(): Detector {
  return {
    family: "dob",
    scan: function scanDob(text: string, context: ScanContext, out: Match[]) {
      const words = context.keyWords;
      const keyCue = words.includes("dob") || words.includes("birthday") || words.includes("birthdate") || (words.includes("birth") && (words.includes("date") || words.includes("day")));
      if (!keyCue && !/born|birth|dob|d\.o\.b|geboren|né|nacido/i.test(text)) return;
      DATE.lastIndex = 0;
      for (let m = DATE.exec(text); m !== null; m = DATE.exec(text)) {
        if (keyCue || CUE.test(text.slice(Math.max(0, m.index - 32), m.index))) {
          out.push({ class: "pii.dob", start: m.index, end: m.index + m[0].length, detector: keyCue ? "key:dob" : "cue:dob", confidence: 0.85 });
        }
      }
    },
  };
}
