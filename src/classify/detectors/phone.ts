import { Metadata, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import type { Detector, Match, ScanContext } from "../detector.js";
import { after, before, digitsOf } from "../text.js";

// A run of digit groups with the separators people type: `+1 (415) 555-0100`, `0490 75 40 81`, `03.93.92.16.85`,
// `345-899-3560x4587`. Bounded everywhere; validated afterwards.
const CANDIDATE =
  /(?<![0-9A-Za-z_+\-./])(?:(?:\+|00)[1-9][0-9]{0,2}[ .\-]?)?(?:\(0?[0-9]{1,4}\)[ .\-]?|\(0\)[ ]?)?[0-9]{1,14}(?:[ .\-][0-9]{1,8}|\([0-9]{1,4}\)){0,6}(?:[ ]?(?:x|ext\.?|#)[ ]?[0-9]{1,5})?(?![0-9A-Za-z_]|[.\-/][0-9])/g;
const CUE = /(?:phone|tel|mobile|cell|fax|call|desk|office|whatsapp|sms|text me|reach me|contact|messages to|registered|answering|dial|ring|number|nummer|numéro|téléphone|telefon|móvil)[^0-9]{0,24}$/;
// `number` after a word that names another kind of number (`Order number:`, `tracking no.`, `invoice #`) is no cue.
const OTHER_NUMBER = /(?<![a-z])(?:order|invoice|tracking|reference|ref|case|ticket|account|acct|serial|part|model|item|customer|client|confirmation|transaction|policy|member|membership|routing|card|booking|reservation|shipment|claim|license|licence|passport|document|registration|employee|student|patient|record|batch|lot|build|version|issue|tax|vat|sku|product|catalog|catalogue|po|purchase order|sales order)\s*(?:number|nummer|numéro|no\.?|#)[^0-9]{0,24}$/;
// A label after the number, as contact blocks write them: `781 1704 office`, `082 490 1693-Office`.
const CUE_AFTER = /^[ \-]?(?:office|fax|mobile|cell|phone|tel|desk|home|work)(?![a-z])/;
const DATE_LIKE = /^(?:[0-9]{4}[\-./][0-9]{1,2}[\-./][0-9]{1,2}|[0-9]{1,2}[\-./][0-9]{1,2}[\-./][0-9]{2,4})$/;
const IPV4_LIKE = /^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/;
const SSN_LIKE = /^[0-9]{3}-[0-9]{2}-[0-9]{4}$/;
const NANP = /^(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .\-]?[2-9][0-9]{2}[ .\-]?[0-9]{4}(?:[ ]?(?:x|ext\.?)[ ]?[0-9]{1,5})?$/;

/**
 * What a country's numbering plan says of a national number before the library is asked: the library builds its
 * regular expressions on every call (10 to 200 µs a number), these are compiled once.
 */
export interface NationalScreen {
  readonly country: CountryCode;
  /** The plan's general pattern for national significant numbers, anchored. */
  readonly general: RegExp;
  /** The national (trunk) prefix the library strips before reading the significant number, anchored. */
  readonly prefix: RegExp | undefined;
  /** The international call prefix, and the country's calling code: a number that opens with one is read otherwise. */
  readonly idd: RegExp;
  readonly callingCode: string;
}

type PlanReader = Partial<Record<"nationalNumberPattern" | "nationalPrefixForParsing" | "nationalPrefixTransformRule" | "IDDPrefix" | "callingCode", () => string | undefined>>;

/**
 * The screen of `country` from libphonenumber's own metadata, or undefined where it cannot be exact: a plan that
 * rewrites numbers (a prefix transform rule), or a library version whose plans read otherwise (the methods used are
 * not in its typings). Without a screen every number goes to the library, as before.
 */
export function nationalScreen(country: CountryCode): NationalScreen | undefined {
  try {
    const metadata = new Metadata();
    metadata.selectNumberingPlan(country);
    const plan = metadata.numberingPlan as unknown as PlanReader | undefined;
    if (!plan || !plan.nationalNumberPattern || !plan.nationalPrefixForParsing || !plan.nationalPrefixTransformRule || !plan.IDDPrefix || !plan.callingCode) return undefined;
    const general = plan.nationalNumberPattern.call(plan);
    const idd = plan.IDDPrefix.call(plan);
    const callingCode = plan.callingCode.call(plan);
    if (!general || !idd || !callingCode || plan.nationalPrefixTransformRule.call(plan)) return undefined;
    const prefix = plan.nationalPrefixForParsing.call(plan);
    return { country, general: new RegExp(`^(?:${general})$`), prefix: prefix ? new RegExp(`^(?:${prefix})`) : undefined, idd: new RegExp(`^(?:${idd})`), callingCode };
  } catch {
    return undefined;
  }
}

/**
 * A necessary condition of `parsePhoneNumberFromString(raw, country)?.isValid()` for a national number without an
 * extension, given its digits: the library validates the national significant number, which is the digits with or
 * without the national prefix, against the plan's general pattern first. Numbers that open with the international
 * prefix or the calling code are read another way: those always go to the library.
 */
export function mayBeValidIn(digits: string, screen: NationalScreen): boolean {
  if (screen.idd.test(digits) || digits.startsWith(screen.callingCode) || screen.general.test(digits)) return true;
  const prefix = screen.prefix?.exec(digits);
  return prefix !== null && prefix !== undefined && prefix[0].length > 0 && screen.general.test(digits.slice(prefix[0].length));
}

/**
 * Whether a national number is valid in one of `countries`. US numbers were already judged by their layout (NANP);
 * GB national numbers start with the trunk prefix 0, so anything else is not tried there; elsewhere the plan's screen
 * (when the country has one) turns away numbers the library would find invalid, before it is asked.
 */
function validInSome(raw: string, digits: string, countries: readonly CountryCode[], screens: ReadonlyMap<CountryCode, NationalScreen>): boolean {
  const extension = raw.includes("x") || raw.includes("#");
  for (const country of countries) {
    if (country === "US") continue;
    if (country === "GB" && !/^\(?0/.test(raw)) continue;
    const screen = screens.get(country);
    if (screen !== undefined && !extension && !mayBeValidIn(digits, screen)) continue;
    if (parsePhoneNumberFromString(raw, country)?.isValid()) return true;
  }
  return false;
}

/** A phone cue ends `lead` (the lowercased text before a number), and it is not `number` naming an order or a case. */
function cuedBefore(lead: string): boolean {
  return CUE.test(lead) && !OTHER_NUMBER.test(lead);
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
  const screens = new Map<CountryCode, NationalScreen>();
  for (const country of countries) {
    const screen = nationalScreen(country);
    if (screen) screens.set(country, screen);
  }
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
        } else if (keyCue || cuedBefore(before(text, m.index, 32)) || CUE_AFTER.test(after(text, m.index + raw.length, 8))) {
          confidence = plain && digits > 12 ? 0.5 : 0.75;
        } else if (!plain && digits >= 8 && digits <= 12 && validInSome(raw, digitsOf(raw), countries, screens)) {
          confidence = 0.6;
        }
        if (confidence > 0) out.push({ class: "pii.phone", start: m.index, end: m.index + raw.length, detector: international ? "libphonenumber:phone" : "rules:phone", confidence });
      }
    },
  };
}
