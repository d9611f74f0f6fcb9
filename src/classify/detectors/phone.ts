import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import type { Detector, Match, ScanContext } from "../detector.js";
import { before } from "../text.js";

// A run of digit groups with the separators people type: `+1 (415) 555-0100`, `0490 75 40 81`, `03.93.92.16.85`,
// `345-899-3560x4587`. Bounded everywhere; validated afterwards.
const CANDIDATE =
  /(?<![0-9A-Za-z_+\-./])(?:(?:\+|00)[1-9][0-9]{0,2}[ .\-]?)?(?:\(0?[0-9]{1,4}\)[ .\-]?|\(0\)[ ]?)?[0-9]{1,14}(?:[ .\-][0-9]{1,5}|\([0-9]{1,4}\)){0,6}(?:[ ]?(?:x|ext\.?|#)[ ]?[0-9]{1,5})?(?![0-9A-Za-z_]|[.\-/][0-9])/g;
const CUE = /(?:phone|tel|mobile|cell|fax|call|desk|office|whatsapp|sms|text me|reach me|contact|messages to|registered|answering|dial|ring|number|nummer|numéro|téléphone|telefon|móvil)[^0-9]{0,24}$/;
const DATE_LIKE = /^(?:[0-9]{4}[\-./][0-9]{1,2}[\-./][0-9]{1,2}|[0-9]{1,2}[\-./][0-9]{1,2}[\-./][0-9]{2,4})$/;
const IPV4_LIKE = /^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/;
const SSN_LIKE = /^[0-9]{3}-[0-9]{2}-[0-9]{4}$/;
const NANP = /^(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .\-]?[2-9][0-9]{2}[ .\-]?[0-9]{4}(?:[ ]?(?:x|ext\.?)[ ]?[0-9]{1,5})?$/;

/**
 * Whether a national number is valid in one of `countries`. US numbers were already judged by their layout (NANP);
 * GB national numbers start with the trunk prefix 0, so anything else is not tried there.
 */
function validInSome(raw: string, countries: readonly CountryCode[]): boolean {
  for (const country of countries) {
    if (country === "US") continue;
    if (country === "GB" && !/^\(?0/.test(raw)) continue;
    if (parsePhoneNumberFromString(raw, country)?.isValid()) return true;
  }
  return false;
}

export interface PhoneOptions {
  /** Countries whose national formats count without a `+` prefix; default US and GB. */
  readonly countries?: readonly CountryCode[];
}

/**
 * Phone numbers. International numbers (`+` or `00`) and numbers valid in the configured countries are checked with
 * libphonenumber-js; other digit groups count only next to a cue (`Phone:`, `call me at`, `fax`) or in the
 * North-American layout.
 */
export function phoneDetector(options: PhoneOptions = {}): Detector<boolean> {
  const countries = options.countries ?? (["US", "GB"] as const);
  return {
    family: "phone",
    forKey: (words) => words.some((word) => word === "phone" || word === "mobile" || word === "tel" || word === "telephone" || word === "fax" || word === "cell"),
    scan: function scanPhones(text: string, _context: ScanContext, out: Match[], _profile: unknown, keyCue: boolean) {
      CANDIDATE.lastIndex = 0;
      for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
        const raw = m[0];
        let digits = 0;
        for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) digits++;
        if (digits < 7 || digits > 17) continue;
        if (DATE_LIKE.test(raw) || IPV4_LIKE.test(raw) || SSN_LIKE.test(raw)) continue;
        const international = raw.startsWith("+") || raw.startsWith("00");
        const plain = /^[0-9]+$/.test(raw);
        let confidence = 0;
        if (international) {
          const parsed = parsePhoneNumberFromString(raw.startsWith("00") ? `+${raw.slice(2)}` : raw);
          confidence = parsed?.isValid() ? 0.95 : parsed?.isPossible() ? 0.8 : 0.5;
        } else if (NANP.test(raw) && !plain) {
          confidence = 0.85;
        } else if (keyCue || CUE.test(before(text, m.index, 32))) {
          confidence = plain && digits > 12 ? 0.5 : 0.75;
        } else if (!plain && digits >= 8 && digits <= 12 && validInSome(raw, countries)) {
          confidence = 0.6;
        }
        if (confidence > 0) out.push({ class: "pii.phone", start: m.index, end: m.index + raw.length, detector: international ? "libphonenumber:phone" : "rules:phone", confidence });
      }
    },
  };
}
