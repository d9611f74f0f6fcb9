import { isValidIBAN } from "ibantools";
import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { isAsciiAlnum, isAsciiLetter } from "../runs.js";

// Compact (`DE89370400440532013000`) or printed in groups of four (`DE89 3704 0044 0532 0130 00`); either case.
const COMPACT = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]{11,30}(?![A-Za-z0-9])/g;
const GROUPED = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?(?![A-Za-z0-9])/g;

/** Some run of two or more digits right after two letters that begin a token: where both patterns start. */
function hasCountryAndCheck(profile: TextProfile): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  const codes = profile.codes;
  for (let r = 0; r < runs; r++) {
    const start = profile.runStart[r]!;
    if (profile.runEnd[r]! - start < 2 || start < 2) continue;
    if (isAsciiLetter(codes[start - 1]!) && isAsciiLetter(codes[start - 2]!) && (start === 2 || !isAsciiAlnum(codes[start - 3]!))) return true;
  }
  return false;
}

/** IBANs, validated by ibantools (ISO 13616 mod-97 and the country's length and BBAN format). */
export function ibanDetector(): Detector {
  return {
    family: "iban",
    scan: function scanIbans(text: string, _context: ScanContext, out: Match[], profile: TextProfile) {
      if (text.length < 15 || !hasCountryAndCheck(profile)) return;
      COMPACT.lastIndex = 0;
      for (let m = COMPACT.exec(text); m !== null; m = COMPACT.exec(text)) {
        if (isValidIBAN(m[0].toUpperCase())) out.push({ class: "financial.iban", start: m.index, end: m.index + m[0].length, detector: "mod97:iban", confidence: 0.95 });
      }
      GROUPED.lastIndex = 0;
      for (let m = GROUPED.exec(text); m !== null; m = GROUPED.exec(text)) {
        // The last group may belong to the next word: try the longest prefix of groups that validates.
        let candidate = m[0];
        while (candidate.length >= 15) {
          if (isValidIBAN(candidate.replace(/ /g, "").toUpperCase())) {
            out.push({ class: "financial.iban", start: m.index, end: m.index + candidate.length, detector: "mod97:iban", confidence: 0.95 });
            break;
          }
          const cut = candidate.lastIndexOf(" ");
          if (cut <= 4) break;
          candidate = candidate.slice(0, cut);
        }
      }
    },
  };
}
