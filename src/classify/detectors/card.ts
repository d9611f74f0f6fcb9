import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { longestChain } from "../runs.js";
import { before, luhnValid } from "../text.js";

// 12 to 19 digits, optionally in groups separated by one space or dash.
const CANDIDATE = /(?<![0-9A-Za-z_\-.,])[0-9](?:[ \-]?[0-9]){11,18}(?![0-9A-Za-z_]|[ \-.,][0-9])/g;
const CARD_SEPARATORS = [32, 45];
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
 * a card cue (`card number`, `credit card`, `cc`).
 */
export function cardDetector(): Detector {
  return {
    family: "card",
    scan: function scanCards(text: string, _context: ScanContext, out: Match[], profile: TextProfile) {
      // A card number is a chain of twelve or more digits grouped by single spaces or dashes.
      if (longestChain(profile, CARD_SEPARATORS) < 12) return;
      CANDIDATE.lastIndex = 0;
      for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
        const raw = m[0];
        const digits = raw.replace(/[ \-]/g, "");
        if (digits.length < 12 || digits.length > 19) continue;
        if (/[ ]/.test(raw) && /-/.test(raw)) continue; // mixed separators: not how cards are written
        if (!luhnValid(digits)) continue;
        const issuer = cardIssuer(digits);
        const cue = CONTEXT.test(before(text, m.index, 40));
        // Outside every published range (test generators and private-label cards use others), a Luhn-valid number
        // counts only where the text says it is a card.
        if (!issuer && !cue) continue;
        // Short Maestro-range numbers collide with phone numbers and ids; without a cue they are only likely.
        const confidence = !issuer ? 0.7 : cue ? 0.95 : digits.length >= 15 ? 0.85 : 0.6;
        out.push({ class: "financial.card", start: m.index, end: m.index + raw.length, detector: `luhn:card:${issuer ?? "unlisted"}`, confidence });
      }
    },
  };
}
