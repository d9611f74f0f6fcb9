import type { Detector, Match, ScanContext } from "../detector.js";
import { labelledValues } from "../labels.js";
import type { TextProfile } from "../profile.js";
import { hasRunAtLeast, hasRunOf, isAsciiUpper, longestChain } from "../runs.js";
import { before, keyWords, luhnValid } from "../text.js";

const SSN_DASHED = /(?<![0-9A-Za-z\-])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9A-Za-z]|-[0-9])/g;
const SSN_PLAIN = /(?<![0-9A-Za-z\-])[0-9]{9}(?![0-9A-Za-z])/g;
const SSN_CUE = /ssn|social security|soc\.? sec|ss#|ss no|tax ?id|itin|tin\b/;
/** A cheap test that a text may name an SSN column somewhere (`ssn`, `Social Security`, `tax_id`, `ITIN`, `TIN`). */
const SSN_WORD = /ssn|social|tax|tin\b/i;
const NINO = /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([A-D])(?![A-Za-z0-9])/g;
const NINO_BAD_PREFIX = new Set(["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"]);
const DNI = /(?<![A-Za-z0-9])([XYZ]?)([0-9]{7,8})-?([A-Z])(?![A-Za-z0-9])/g;
const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
const SIN = /(?<![0-9A-Za-z\-])([0-9]{3})[- ]?([0-9]{3})[- ]?([0-9]{3})(?![0-9A-Za-z])/g;
const SIN_CUE = /social insurance|\bsin\b|nas\b/;
const AADHAAR = /(?<![0-9A-Za-z\-])([2-9][0-9]{3}) ?([0-9]{4}) ?([0-9]{4})(?![0-9A-Za-z])/g;
const AADHAAR_CUE = /aadhaa?r|uidai|\buid\b/;

/** SSA rules: area 001–899 except 666, group 01–99, serial 0001–9999; published example numbers are refused. */
export function validSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  const whole = `${area}${group}${serial}`;
  return whole !== "078051120" && whole !== "219099999" && whole !== "123456789";
}

/** What a property name says to this family: an SSN-like key lets nine bare digits count; `sin` and `aadhaar` too. */
export interface NationalIdKey {
  readonly ssn: boolean;
  readonly sin: boolean;
  readonly aadhaar: boolean;
}

/**
 * National identifiers with check rules: US SSN (area/group/serial rules; 9 bare digits only next to an SSN cue or in
 * an SSN-named column of a CSV or Markdown table),
 * UK National Insurance numbers, Spanish DNI/NIE (check letter), Canadian SIN (Luhn, with a cue) and Indian Aadhaar
 * (Verhoeff, with a cue). SSNs are `pii.ssn`; the others `pii.national_id`.
 *
 * Each pattern runs only when the digit runs of the text have its shape (three, two and four digits for a dashed SSN,
 * nine for a bare one, two letters before two digits for a NINO...).
 */
export function nationalIdDetector(): Detector<NationalIdKey> {
  return {
    family: "national-id",
    forKey(words) {
      return {
        ssn: words.some((word) => word === "ssn" || word === "social" || word === "sin" || word === "tin"),
        sin: words.includes("sin"),
        aadhaar: words.includes("aadhaar"),
      };
    },
    scan: function scanNationalIds(text: string, _context: ScanContext, out: Match[], profile: TextProfile, key: NationalIdKey) {
      if (!hasRunAtLeast(profile, 2)) return;
      const keyCue = key.ssn;
      if (hasDashedSsnShape(profile)) {
        SSN_DASHED.lastIndex = 0;
        for (let m = SSN_DASHED.exec(text); m !== null; m = SSN_DASHED.exec(text)) {
          if (!validSsn(m[1]!, m[3]!, m[4]!)) continue;
          const cue = keyCue || SSN_CUE.test(before(text, m.index, 40));
          const dashed = m[2] === "-";
          out.push({ class: "pii.ssn", start: m.index, end: m.index + m[0].length, detector: "rules:ssn", confidence: cue ? 0.95 : dashed ? 0.8 : 0.5 });
        }
      }
      if (hasRunOf(profile, NINE)) {
        SSN_PLAIN.lastIndex = 0;
        // Where SSN-named columns hold their values (`id,name,ssn` over its rows, `| Name | SSN |`), read once if needed.
        let columns: number[] | undefined;
        for (let m = SSN_PLAIN.exec(text); m !== null; m = SSN_PLAIN.exec(text)) {
          if (!(keyCue || SSN_CUE.test(before(text, m.index, 40)))) {
            columns ??= SSN_WORD.test(text) ? ssnColumnValues(text) : [];
            if (!within(columns, m.index, m.index + 9)) continue;
          }
          const v = m[0];
          if (validSsn(v.slice(0, 3), v.slice(3, 5), v.slice(5))) out.push({ class: "pii.ssn", start: m.index, end: m.index + 9, detector: "rules:ssn", confidence: 0.85 });
        }
      }
      if (hasNinoShape(profile)) {
        NINO.lastIndex = 0;
        for (let m = NINO.exec(text); m !== null; m = NINO.exec(text)) {
          if (NINO_BAD_PREFIX.has(m[1]!)) continue;
          out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: "rules:uk_nino", confidence: 0.85 });
        }
      }
      if (hasDniShape(profile)) {
        DNI.lastIndex = 0;
        for (let m = DNI.exec(text); m !== null; m = DNI.exec(text)) {
          const prefix = m[1] ?? "";
          const digits = m[2]!;
          if (prefix ? digits.length !== 7 : digits.length !== 8) continue;
          const number = Number(`${prefix ? "XYZ".indexOf(prefix) : ""}${digits}`);
          if (DNI_LETTERS[number % 23] === m[3]) out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: prefix ? "rules:es_nie" : "rules:es_dni", confidence: 0.85 });
        }
      }
      if (hasRunOf(profile, SIN_RUNS) && longestChain(profile, DASH_OR_SPACE) >= 9) {
        SIN.lastIndex = 0;
        for (let m = SIN.exec(text); m !== null; m = SIN.exec(text)) {
          if (!SIN_CUE.test(before(text, m.index, 40)) && !key.sin) continue;
          if (luhnValid(m[0])) out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: "rules:ca_sin", confidence: 0.85 });
        }
      }
      if (hasRunOf(profile, AADHAAR_RUNS) && longestChain(profile, SPACE) >= 12) {
        AADHAAR.lastIndex = 0;
        for (let m = AADHAAR.exec(text); m !== null; m = AADHAAR.exec(text)) {
          if (!AADHAAR_CUE.test(before(text, m.index, 40)) && !key.aadhaar) continue;
          if (verhoeffValid(m[0].replace(/ /g, ""))) out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: "rules:in_aadhaar", confidence: 0.9 });
        }
      }
    },
  };
}

/**
 * A column or label that names an SSN by its last words: `ssn`, `customer_ssn`, `Social Security Number`, `Tax ID`,
 * `ITIN`; not one about it (`ssn_verified_by`, `ssn_last4`).
 */
function ssnLabel(label: string): true | undefined {
  const words = keyWords(label);
  if (words.length > 5) return undefined;
  let last = words.length - 1;
  if (last > 0 && NUMBER_WORDS.has(words[last]!)) last--;
  const word = words[last];
  const previous = words[last - 1];
  const named = word === "ssn" || word === "itin" || word === "tin" || word === "taxid" || (word === "security" && previous === "social") || (word === "id" && previous === "tax");
  return named ? true : undefined;
}

const NUMBER_WORDS = new Set(["number", "no", "num", "nr", "nbr"]);

/** The places of the values in SSN-named columns and labelled fields, as start and end pairs in text order. */
function ssnColumnValues(text: string): number[] {
  const places: number[] = [];
  labelledValues(text, ssnLabel, (_kind, start, end) => places.push(start, end), { csv: true });
  return places;
}

/** Whether `[start, end)` lies within one of the pairs of `places` (apart and in text order: a binary search). */
function within(places: readonly number[], start: number, end: number): boolean {
  let low = 0;
  let high = places.length / 2 - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (places[2 * mid]! <= start) low = mid + 1;
    else high = mid - 1;
  }
  return high >= 0 && end <= places[2 * high + 1]!;
}

const NINE = [9];
// `123-456-789`, `123 456789`, `123456 789`, `123456789`; `2345 6789 0123`, `23456789 0123`, `2345 67890123`, `234567890123`.
const SIN_RUNS = [3, 6, 9];
const AADHAAR_RUNS = [4, 8, 12];
const DASH_OR_SPACE = [45, 32];
const SPACE = [32];

/** Three, two and four digits joined by the same `-` or space. */
function hasDashedSsnShape(profile: TextProfile): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  const { runStart, runEnd, codes } = profile;
  for (let r = 0; r + 2 < runs; r++) {
    if (runEnd[r]! - runStart[r]! !== 3 || runEnd[r + 1]! - runStart[r + 1]! !== 2 || runEnd[r + 2]! - runStart[r + 2]! !== 4) continue;
    const separator = codes[runEnd[r]!]!;
    if ((separator === 45 || separator === 32) && runStart[r + 1] === runEnd[r]! + 1 && runStart[r + 2] === runEnd[r + 1]! + 1 && codes[runEnd[r + 1]!] === separator) return true;
  }
  return false;
}

/** Two capitals (and an optional space) before a run of two, four or six digits. */
function hasNinoShape(profile: TextProfile): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  const { runStart, runEnd, codes } = profile;
  for (let r = 0; r < runs; r++) {
    const length = runEnd[r]! - runStart[r]!;
    if (length !== 2 && length !== 4 && length !== 6) continue;
    let p = runStart[r]!;
    if (p > 0 && codes[p - 1] === 32) p--;
    if (p >= 2 && isAsciiUpper(codes[p - 1]!) && isAsciiUpper(codes[p - 2]!)) return true;
  }
  return false;
}

/** Seven or eight digits, then an optional `-` and a capital. */
function hasDniShape(profile: TextProfile): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  const { runStart, runEnd, codes } = profile;
  for (let r = 0; r < runs; r++) {
    const length = runEnd[r]! - runStart[r]!;
    if (length !== 7 && length !== 8) continue;
    let p = runEnd[r]!;
    if (codes[p] === 45) p++;
    if (p < profile.length && isAsciiUpper(codes[p]!)) return true;
  }
  return false;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1], [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1], [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

export function verhoeffValid(digits: string): boolean {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![d]!]!;
  }
  return c === 0;
}
