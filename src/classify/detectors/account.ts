import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { longestChain } from "../runs.js";
import { before } from "../text.js";

const NUMBER = /(?<![0-9A-Za-z\-])[0-9](?:[ \-]?[0-9]){5,16}(?![0-9A-Za-z]|-[0-9])/g;
const ACCOUNT_CUE = /(?:account|acct|a\/c|bank ac|konto|compte|cuenta)(?: (?:number|no\.?|num|#))?[^0-9a-z]{0,6}(?:is[^0-9]{0,3})?$/;
const ROUTING_CUE = /(?:routing|aba|transit|sort code)(?: (?:number|no\.?|#))?[^0-9a-z]{0,6}(?:is[^0-9]{0,3})?$/;

const CUE = /acc|a\/c|rout|aba|sort code|konto|compte|cuenta|transit/i;
const SEPARATORS = [32, 45];

/** What a property name says to this family. */
export interface AccountKey {
  readonly account: boolean;
  readonly routing: boolean;
}

/** ABA routing numbers carry a 3-7-1 weighted checksum. */
export function validRouting(digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0 && sum > 0;
}

/**
 * Bank account numbers outside IBAN form: 6 to 17 digits right after an account cue (`account number`, `acct #`), or
 * under an account-named key; ABA routing numbers (checksum) after a routing cue.
 */
export function accountDetector(): Detector<AccountKey> {
  return {
    family: "account",
    forKey(words) {
      return {
        account: (words.includes("account") && (words.includes("number") || words.includes("no") || words.includes("num"))) || words.includes("acct") || (words.includes("bank") && words.includes("account")),
        routing: words.includes("routing") || words.includes("aba"),
      };
    },
    scan: function scanAccounts(text: string, _context: ScanContext, out: Match[], profile: TextProfile, key: AccountKey) {
      const keyAccount = key.account;
      const keyRouting = key.routing;
      // Numbers are six or more digits, grouped by single spaces or dashes.
      if (longestChain(profile, SEPARATORS) < 6) return;
      if (!keyAccount && !keyRouting && !CUE.test(text)) return;
      NUMBER.lastIndex = 0;
      for (let m = NUMBER.exec(text); m !== null; m = NUMBER.exec(text)) {
        const preceding = before(text, m.index, 32);
        const digits = m[0].replace(/[ \-]/g, "");
        if ((keyRouting || ROUTING_CUE.test(preceding)) && validRouting(digits)) {
          out.push({ class: "financial.routing", start: m.index, end: m.index + m[0].length, detector: "aba:routing", confidence: 0.9 });
        } else if (keyAccount || ACCOUNT_CUE.test(preceding)) {
          out.push({ class: "financial.account", start: m.index, end: m.index + m[0].length, detector: "cue:account", confidence: 0.8 });
        }
      }
    },
  };
}
