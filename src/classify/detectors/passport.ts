import type { Detector, Match, ScanContext } from "../detector.js";
import { Char, type TextProfile } from "../profile.js";
import { isAsciiAlnum } from "../runs.js";
import { matchAt, matchesAfterCues, stickyCopy } from "../sticky.js";
import { before } from "../text.js";

export const TOKEN = /(?<![A-Za-z0-9])[A-Z0-9]{6,9}(?![A-Za-z0-9])/g;
const TOKEN_AT = stickyCopy(TOKEN);
const PASSPORT_CUE = /passport(?:[ -](?:no\.?|number|#|num))?[^a-z0-9]{0,6}(?:is[^a-z0-9]{0,3})?$/;
const LICENSE_CUE = /(?:driver'?s?|driving)[ -]licen[cs]e(?:[ -](?:no\.?|number|#))?[^a-z0-9]{0,6}(?:is[^a-z0-9]{0,3})?$|\bdl(?: ?#| no\.?)[^a-z0-9]{0,4}$/;
// ICAO 9303 machine-readable zone, line 2 of a passport (TD3): number, check digit, nationality, birth date, ...
export const MRZ = /(?<![A-Z0-9<])([A-Z0-9<]{9})([0-9])([A-Z<]{3})([0-9]{6})([0-9])([MF<])([0-9]{6})([0-9])[A-Z0-9<]{14}[0-9<][0-9](?![A-Z0-9<])/g;

const MRZ_AT = stickyCopy(MRZ);
/** An MRZ line 2 (TD3) is 44 characters of `[A-Z0-9<]`. */
const MRZ_LENGTH = 44;

const CUE = /passport|licen[cs]e|\bdl\b|<</i;
/**
 * The words one of the two cues needs in the 40 characters `before` reads, found by one search: a token is tried only
 * within `CUE_REACH` characters after one (40, and slack for a word the search skips inside another, `dlicence`).
 */
const CUE_WORDS = /passport|licen[cs]e|dl/gi;
const CUE_REACH = 48;

/** What a property name says to this family. */
export interface PassportKey {
  readonly passport: boolean;
  readonly license: boolean;
}

/** Whether some token of 6 to 9 capitals and digits, with a digit, stands alone (what `TOKEN` needs). */
function hasIdToken(profile: TextProfile): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  const { codes, runStart } = profile;
  let checked = -1;
  for (let r = 0; r < runs; r++) {
    if (runStart[r]! < checked) continue;
    let start = runStart[r]!;
    while (start > 0 && isAsciiAlnum(codes[start - 1]!)) start--;
    let end = runStart[r]!;
    let lower = false;
    for (let i = start; i < profile.length && isAsciiAlnum(codes[i]!); i++, end = i) if (codes[i]! >= 97) lower = true;
    checked = end;
    if (!lower && end - start >= 6 && end - start <= 9) return true;
  }
  return false;
}

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
export function passportDetector(): Detector<PassportKey> {
  return {
    family: "passport",
    forKey(words) {
      return { passport: words.includes("passport"), license: words.includes("license") || words.includes("licence") };
    },
    scan: function scanPassports(text: string, _context: ScanContext, out: Match[], profile: TextProfile, key: PassportKey) {
      const keyPassport = key.passport;
      const keyLicense = key.license;
      // Without a key, a finding needs a cue word and an id-shaped token or an MRZ line (`<`); `<<` alone opens the MRZ search.
      const angle = (profile.chars & Char.lessThan) !== 0;
      if (!keyPassport && !keyLicense && !(angle && text.includes("<<")) && !((angle || hasIdToken(profile)) && CUE.test(text))) return;
      if (keyPassport || keyLicense) {
        TOKEN.lastIndex = 0;
        for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) reportToken(text, m, keyPassport, keyLicense, out);
      } else {
        // Tokens are whole runs of letters and digits (the lookbehind and lookahead), so each is tried once, at a
        // capital or digit that no letter or digit precedes, within reach of a cue word (see sticky.ts).
        matchesAfterCues(text, profile.codes, CUE_WORDS, CUE_REACH, TOKEN_AT, tokenStart, reportCuedToken, out);
      }
      if (angle) scanMrz(text, profile, out);
    },
  };
}

/** A capital or digit that no letter or digit precedes: where a token can start. */
function tokenStart(codes: Uint16Array, at: number): boolean {
  const c = codes[at]!;
  return ((c >= 65 && c <= 90) || (c >= 48 && c <= 57)) && !isAsciiAlnum(codes[at - 1]!);
}

function reportCuedToken(text: string, m: RegExpExecArray, out: Match[]): void {
  reportToken(text, m, false, false, out);
}

/** Reports a `TOKEN` match with a digit that a key or a cue before it makes a passport or licence number. */
export function reportToken(text: string, m: RegExpExecArray, keyPassport: boolean, keyLicense: boolean, out: Match[]): void {
  if (!/[0-9]/.test(m[0])) return;
  const preceding = before(text, m.index, 40);
  if (keyPassport || PASSPORT_CUE.test(preceding)) out.push({ class: "pii.passport", start: m.index, end: m.index + m[0].length, detector: "cue:passport", confidence: 0.8 });
  else if (keyLicense || LICENSE_CUE.test(preceding)) out.push({ class: "pii.driver_license", start: m.index, end: m.index + m[0].length, detector: "cue:driver_license", confidence: 0.75 });
}

const isMrzCode = (c: number) => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 60;

/**
 * MRZ lines whose check digits verify. A match is a whole run of 44 `[A-Z0-9<]` (the lookbehind and lookahead) that
 * holds the six digits of a birth date, so it is tried only at the start of such a run around a digit run of six or
 * more; with the digit runs unknown, the pattern searches the text.
 */
function scanMrz(text: string, profile: TextProfile, out: Match[]): void {
  const runs = profile.digitRuns;
  if (runs < 0) {
    MRZ.lastIndex = 0;
    for (let m = MRZ.exec(text); m !== null; m = MRZ.exec(text)) reportMrz(m, out);
    return;
  }
  const { codes, runStart, runEnd } = profile;
  let done = 0;
  for (let r = 0; r < runs; r++) {
    if (runEnd[r]! - runStart[r]! < 6 || runStart[r]! < done) continue;
    let start = runStart[r]!;
    while (start > 0 && isMrzCode(codes[start - 1]!)) start--;
    let end = runEnd[r]!;
    while (end < profile.length && isMrzCode(codes[end]!)) end++;
    done = end;
    if (end - start !== MRZ_LENGTH) continue;
    const m = matchAt(MRZ_AT, text, start);
    if (m !== null) reportMrz(m, out);
  }
}

/** Reports an `MRZ` match whose three check digits verify. */
export function reportMrz(m: RegExpExecArray, out: Match[]): void {
  if (mrzCheck(m[1]!) === Number(m[2]) && mrzCheck(m[4]!) === Number(m[5]) && mrzCheck(m[7]!) === Number(m[8])) {
    out.push({ class: "pii.passport", start: m.index, end: m.index + 9, detector: "mrz:passport", confidence: 0.95 });
  }
}
