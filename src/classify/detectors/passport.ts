import type { Detector, Match, ScanContext } from "../detector.js";
import { before } from "../text.js";

const TOKEN = /(?<![A-Za-z0-9])[A-Z0-9]{6,9}(?![A-Za-z0-9])/g;
const PASSPORT_CUE = /passport(?:[ -](?:no\.?|number|#|num))?[^a-z0-9]{0,6}(?:is[^a-z0-9]{0,3})?$/;
const LICENSE_CUE = /(?:driver'?s?|driving)[ -]licen[cs]e(?:[ -](?:no\.?|number|#))?[^a-z0-9]{0,6}(?:is[^a-z0-9]{0,3})?$|\bdl(?: ?#| no\.?)[^a-z0-9]{0,4}$/;
// ICAO 9303 machine-readable zone, line 2 of a passport (TD3): number, check digit, nationality, birth date, ...
const MRZ = /(?<![A-Z0-9<])([A-Z0-9<]{9})([0-9])([A-Z<]{3})([0-9]{6})([0-9])([MF<])([0-9]{6})([0-9])[A-Z0-9<]{14}[0-9<][0-9](?![A-Z0-9<])/g;

/** ICAO 9303 check digit: weights 7, 3, 1 over digits, letters (A=10) and `<` (0). */
export function mrzCheck(field: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    const value = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : 0;
    sum += value * weights[i % 3]!;
  }
  return sum % 10;
}

/**
 * Passport and driver's-licence numbers: an id-shaped token (6–9 letters and digits, at least one digit) right
 * after a cue or under a passport-named key, and passport MRZ lines whose check digits verify.
 */
export function passportDetector(): Detector {
  return {
    family: "passport",
    scan: function scanPassports(text: string, context: ScanContext, out: Match[]) {
      const keyPassport = context.keyWords.includes("passport");
      const keyLicense = context.keyWords.includes("license") || context.keyWords.includes("licence");
      if (!keyPassport && !keyLicense && !/passport|licen[cs]e|\bdl\b|<</i.test(text)) return;
      TOKEN.lastIndex = 0;
      for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
        if (!/[0-9]/.test(m[0])) continue;
        const preceding = before(text, m.index, 40);
        if (keyPassport || PASSPORT_CUE.test(preceding)) out.push({ class: "pii.passport", start: m.index, end: m.index + m[0].length, detector: "cue:passport", confidence: 0.8 });
        else if (keyLicense || LICENSE_CUE.test(preceding)) out.push({ class: "pii.driver_license", start: m.index, end: m.index + m[0].length, detector: "cue:driver_license", confidence: 0.75 });
      }
      if (text.includes("<")) {
        MRZ.lastIndex = 0;
        for (let m = MRZ.exec(text); m !== null; m = MRZ.exec(text)) {
          if (mrzCheck(m[1]!) === Number(m[2]) && mrzCheck(m[4]!) === Number(m[5]) && mrzCheck(m[7]!) === Number(m[8])) {
            out.push({ class: "pii.passport", start: m.index, end: m.index + 9, detector: "mrz:passport", confidence: 0.95 });
          }
        }
      }
    },
  };
}
