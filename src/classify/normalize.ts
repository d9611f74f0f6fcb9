import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { DataClass } from "../model/data-class.js";

/** Zero-width and other invisible characters that hide a value from a naive comparison. */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/** Classes compared on their digits alone: `4242 4242-4242 4242` and `4242424242424242` are one card. */
function digitsOnly(cls: DataClass): boolean {
  return cls.startsWith("financial.card") || cls.startsWith("financial.account") || cls.startsWith("financial.routing") || cls.startsWith("pii.phone") || cls.startsWith("pii.ssn") || cls.startsWith("pii.national_id");
}

/** Classes compared on letters and digits alone, upper-cased: IBANs and passport numbers are written grouped. */
function alphanumericOnly(cls: DataClass): boolean {
  return cls.startsWith("financial.iban") || cls.startsWith("pii.passport") || cls.startsWith("pii.driver_license");
}

/** Classes whose case carries meaning (credentials): only invisible characters and outer space are removed. */
function caseSensitive(cls: DataClass): boolean {
  return cls.startsWith("secret.");
}

/**
 * The canonical form of a sensitive value, for hashing: invisible characters removed, Unicode normalised (NFKC), then
 * digits only for cards, accounts, phones and national ids; letters and digits upper-cased for IBANs and passports;
 * as-is for secrets; lower-cased with whitespace collapsed for everything else (emails, names, addresses).
 */
export function normalizeValue(cls: DataClass, value: string): string {
  const clean = value.replace(INVISIBLE, "").normalize("NFKC").trim();
  if (digitsOnly(cls)) {
    const digits = clean.replace(/[^0-9]/g, "");
    return digits.length >= 4 ? digits : clean.toLowerCase();
  }
  if (alphanumericOnly(cls)) return clean.replace(/[^A-Za-z0-9]/g, "").toUpperCase();
  if (caseSensitive(cls)) return clean;
  return clean.toLowerCase().replace(/\s+/g, " ");
}

/**
 * The national significant number of a phone number written with its country code (`+1 415 555 2671` → `4155552671`,
 * `0044 20 7946 0958` → `2079460958`), or undefined. Its digits are not inside those of the international form, yet
 * the national form (`(415) 555-2671`, `020 7946 0958`, with the trunk prefix) holds them: a value remembered from a
 * result is remembered in both forms. Parsed only where a country code is written, so the cost stays with the phone
 * numbers the classifier already parsed.
 */
export function nationalPhoneNumber(cls: DataClass, value: string): string | undefined {
  if (!cls.startsWith("pii.phone")) return undefined;
  const trimmed = value.trim();
  const international = trimmed.startsWith("+") ? trimmed : trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : undefined;
  if (international === undefined || international.length > 40) return undefined;
  const parsed = parsePhoneNumberFromString(international);
  return parsed?.isPossible() ? parsed.nationalNumber : undefined;
}
