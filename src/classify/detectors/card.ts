import type { Detector, Match, ScanContext } from "../detector.js";
import { Char, type TextProfile } from "../profile.js";
import { longestChain } from "../runs.js";
import { before, luhnValid } from "../text.js";

// 12 to 23 digits, optionally in groups separated by one space or dash: a card (12 to 19) and perhaps an expiry month
// or a CVV written after it. It may follow a comma (a CSV column: a thousands group is three digits, never twelve),
// not a `.` (a decimal fraction) or a `-` (a longer id).
const CANDIDATE = /(?<![0-9A-Za-z_\-.])[0-9](?:[ \-]?[0-9]){11,22}(?![0-9A-Za-z_]|[ \-.][0-9])/g;
const CARD_SEPARATORS = [32, 45];
// In a form-encoded body (`card=4111+1111+1111+1111&exp=1227`) a `+` is an encoded space.
const FORM_SEPARATORS = [32, 45, 43];
const CONTEXT = /card|visa|master|amex|diners|discover|jcb|maestro|cc\b|cc#|pan\b|credit|debit|payment/;

interface Issuer {
  readonly name: string;
  readonly prefixes: readonly (readonly [number, number])[];
  readonly lengths: readonly number[];
}

/** Issuer identification ranges (ISO/IEC 7812 as published by the networks) with their card lengths. */
const ISSUERS: readonly Issuer[] = [
  { name: "visa", prefixes: [[4, 4]], lengths: [13, 16, 19] },
  { name: "mastercard", prefixes: [[51, 55], [2221, 2720]], lengths: [16] },
  { name: "amex", prefixes: [[34, 34], [37, 37]], lengths: [15] },
  { name: "diners", prefixes: [[300, 305], [309, 309], [36, 36], [38, 39]], lengths: [14, 15, 16, 17, 18, 19] },
  { name: "discover", prefixes: [[6011, 6011], [644, 649], [65, 65], [622126, 622925]], lengths: [16, 17, 18, 19] },
  { name: "jcb", prefixes: [[3528, 3589]], lengths: [16, 17, 18, 19] },
  { name: "jcb", prefixes: [[1800, 1800], [2131, 2131]], lengths: [15] },
  { name: "unionpay", prefixes: [[62, 62], [81, 81]], lengths: [16, 17, 18, 19] },
  { name: "mir", prefixes: [[2200, 2204]], lengths: [16, 17, 18, 19] },
  { name: "maestro", prefixes: [[50, 50], [56, 69]], lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
];

/** The card network whose issuer range and length match `digits`, or undefined. */
export function cardIssuer(digits: string): string | undefined {
  for (const issuer of ISSUERS) {
    if (!issuer.lengths.includes(digits.length)) continue;
    for (const [low, high] of issuer.prefixes) {
      const head = Number(digits.slice(0, String(low).length));
      if (head >= low && head <= high) return issuer.name;
    }
  }
  return undefined;
}

/**
 * Payment card numbers: Luhn-valid, consistently grouped, and inside a known issuer range and length or right after
 * a card cue (`card number`, `credit card`, `cc`). A chain of digit groups that fails whole is tried without its last
 * group of two to four digits, when the rest is grouped as cards are: an expiry month (`4111111111111111 12/27`) or a
 * CVV (`4111 1111 1111 1111 123`) written after the number.
 */
export function cardDetector(): Detector {
  return {
    family: "card",
    scan: function scanCards(text: string, _context: ScanContext, out: Match[], profile: TextProfile) {
      const form = isFormEncoded(text, profile);
      // A card number is a chain of twelve or more digits grouped by single spaces or dashes.
      if (longestChain(profile, form ? FORM_SEPARATORS : CARD_SEPARATORS) < 12) return;
      // Same length, so offsets hold: the form's `+` read as the space it encodes.
      const source = form ? text.replaceAll("+", " ") : text;
      CANDIDATE.lastIndex = 0;
      for (let m = CANDIDATE.exec(source); m !== null; m = CANDIDATE.exec(source)) {
        const raw = m[0];
        if (report(source, m.index, raw, out)) continue;
        const cut = Math.max(raw.lastIndexOf(" "), raw.lastIndexOf("-"));
        const tail = raw.length - cut - 1;
        if (cut > 0 && tail >= 2 && tail <= 4 && cardLayout(raw.slice(0, cut)) && report(source, m.index, raw.slice(0, cut), out)) continue;
        // A chain longer than any card may end with one: its later groups are tried as the pattern alone did.
        if (digitCount(raw) > 19) CANDIDATE.lastIndex = m.index + 1;
      }
    },
  };
}

/** Reports `raw` at `start` when it is a card number; false when it is not one. */
function report(text: string, start: number, raw: string, out: Match[]): boolean {
  const digits = raw.replace(/[ \-]/g, "");
  if (digits.length < 12 || digits.length > 19) return false;
  if (raw.includes(" ") && raw.includes("-")) return false; // mixed separators: not how cards are written
  if (!luhnValid(digits)) return false;
  const issuer = cardIssuer(digits);
  const cue = CONTEXT.test(before(text, start, 40));
  // Outside every published range (test generators and private-label cards use others), a Luhn-valid number
  // counts only where the text says it is a card.
  if (!issuer && !cue) return false;
  // In a CSV column, 12 to 14 digits in an issuer range are far more often ids and barcodes (an EAN-13) than cards.
  if (!cue && digits.length < 15 && text.charCodeAt(start - 1) === 44) return false;
  // Short Maestro-range numbers collide with phone numbers and ids; without a cue they are only likely.
  const confidence = !issuer ? 0.7 : cue ? 0.95 : digits.length >= 15 ? 0.85 : 0.6;
  out.push({ class: "financial.card", start, end: start + raw.length, detector: `luhn:card:${issuer ?? "unlisted"}`, confidence });
  return true;
}

/** One run of digits, groups of four (the last may be shorter), or Amex and Diners' 4-6-5 and 4-6-4. */
function cardLayout(raw: string): boolean {
  const groups = raw.split(/[ \-]/);
  if (groups.length === 1) return true;
  if (groups.length === 3 && groups[0]!.length === 4 && groups[1]!.length === 6 && (groups[2]!.length === 5 || groups[2]!.length === 4)) return true;
  for (let i = 0; i < groups.length - 1; i++) if (groups[i]!.length !== 4) return false;
  return groups[groups.length - 1]!.length <= 4;
}

function digitCount(raw: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) !== 32 && raw.charCodeAt(i) !== 45) count++;
  return count;
}

/**
 * Whether `text` reads as a form-encoded body (`name=Jane+Doe&card=…`): an `&` between a `key=value` pair and the next
 * key's `=`. Only then is a `+` a space. Each `&` is checked within a bounded window, so this stays linear.
 */
function isFormEncoded(text: string, profile: TextProfile): boolean {
  if ((profile.chars & Char.equals) === 0 || text.indexOf("+") < 0) return false;
  for (let amp = text.indexOf("&"); amp >= 0; amp = text.indexOf("&", amp + 1)) {
    if (pairBefore(text, amp) && keyAfter(text, amp)) return true;
  }
  return false;
}

const FORM_WINDOW = 256;

/** A `=` in the token that ends at `amp`, after at least one key character. */
function pairBefore(text: string, amp: number): boolean {
  for (let p = amp - 1; p > 0 && amp - p <= FORM_WINDOW; p--) {
    const c = text.charCodeAt(p);
    if (c === 61) return isKeyCode(text.charCodeAt(p - 1));
    if (c === 38 || c <= 32) return false;
  }
  return false;
}

/** A key of key characters and then `=` right after `amp`. */
function keyAfter(text: string, amp: number): boolean {
  let p = amp + 1;
  while (p < text.length && p - amp <= FORM_WINDOW && isKeyCode(text.charCodeAt(p))) p++;
  return p > amp + 1 && text.charCodeAt(p) === 61;
}

/** Letters, digits, `_ . - [ ] %`: what form keys are written with (`items[0].sku`, `a%5Bb%5D`). */
function isKeyCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45 || c === 91 || c === 93 || c === 37;
}
