import type { Detector, Match, ScanContext } from "../detector.js";
import { before, luhnValid } from "../text.js";

const SSN_DASHED = /(?<![0-9A-Za-z\-])([0-9]{3})([- ])([0-9]{2})\2([0-9]{4})(?![0-9A-Za-z]|-[0-9])/g;
const SSN_PLAIN = /(?<![0-9A-Za-z\-])[0-9]{9}(?![0-9A-Za-z])/g;
const SSN_CUE = /ssn|social security|soc\.? sec|ss#|ss no|tax ?id|itin|tin\b/;
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

/**
 * National identifiers with check rules: US SSN (area/group/serial rules; 9 bare digits only next to an SSN cue),
 * UK National Insurance numbers, Spanish DNI/NIE (check letter), Canadian SIN (Luhn, with a cue) and Indian Aadhaar
 * (Verhoeff, with a cue). SSNs are `pii.ssn`; the others `pii.national_id`.
 */
export function nationalIdDetector(): Detector {
  return {
    family: "national-id",
    scan: function scanNationalIds(text: string, context: ScanContext, out: Match[]) {
      if (!/[0-9]{2}/.test(text)) return;
      const keyCue = context.keyWords.some((word) => word === "ssn" || word === "social" || word === "sin" || word === "tin");
      SSN_DASHED.lastIndex = 0;
      for (let m = SSN_DASHED.exec(text); m !== null; m = SSN_DASHED.exec(text)) {
        if (!validSsn(m[1]!, m[3]!, m[4]!)) continue;
        const cue = keyCue || SSN_CUE.test(before(text, m.index, 40));
        const dashed = m[2] === "-";
        out.push({ class: "pii.ssn", start: m.index, end: m.index + m[0].length, detector: "rules:ssn", confidence: cue ? 0.95 : dashed ? 0.8 : 0.5 });
      }
      SSN_PLAIN.lastIndex = 0;
      for (let m = SSN_PLAIN.exec(text); m !== null; m = SSN_PLAIN.exec(text)) {
        if (!(keyCue || SSN_CUE.test(before(text, m.index, 40)))) continue;
        const v = m[0];
        if (validSsn(v.slice(0, 3), v.slice(3, 5), v.slice(5))) out.push({ class: "pii.ssn", start: m.index, end: m.index + 9, detector: "rules:ssn", confidence: 0.85 });
      }
      NINO.lastIndex = 0;
      for (let m = NINO.exec(text); m !== null; m = NINO.exec(text)) {
        if (NINO_BAD_PREFIX.has(m[1]!)) continue;
        out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: "rules:uk_nino", confidence: 0.85 });
      }
      DNI.lastIndex = 0;
      for (let m = DNI.exec(text); m !== null; m = DNI.exec(text)) {
        const prefix = m[1] ?? "";
        const digits = m[2]!;
        if (prefix ? digits.length !== 7 : digits.length !== 8) continue;
        const number = Number(`${prefix ? "XYZ".indexOf(prefix) : ""}${digits}`);
        if (DNI_LETTERS[number % 23] === m[3]) out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: prefix ? "rules:es_nie" : "rules:es_dni", confidence: 0.85 });
      }
      SIN.lastIndex = 0;
      for (let m = SIN.exec(text); m !== null; m = SIN.exec(text)) {
        if (!SIN_CUE.test(before(text, m.index, 40)) && !context.keyWords.includes("sin")) continue;
        if (luhnValid(m[0])) out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: "rules:ca_sin", confidence: 0.85 });
      }
      AADHAAR.lastIndex = 0;
      for (let m = AADHAAR.exec(text); m !== null; m = AADHAAR.exec(text)) {
        if (!AADHAAR_CUE.test(before(text, m.index, 40)) && !context.keyWords.includes("aadhaar")) continue;
        if (verhoeffValid(m[0].replace(/ /g, ""))) out.push({ class: "pii.national_id", start: m.index, end: m.index + m[0].length, detector: "rules:in_aadhaar", confidence: 0.9 });
      }
    },
  };
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
