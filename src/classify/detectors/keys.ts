import type { Detector, Match, ScanContext } from "../detector.js";
import { luhnValid } from "../text.js";
import { englishLexicon } from "./lexicon.js";

const NAME_LAST = new Set(["firstname", "lastname", "fullname", "givenname", "familyname", "surname", "maidenname", "middlename", "forename", "nickname"]);
const NAME_OWNERS = new Set(["customer", "contact", "patient", "employee", "user", "person", "holder", "cardholder", "account", "recipient", "sender", "beneficiary", "client", "applicant", "member", "guest", "passenger", "owner", "billing", "shipping", "legal", "display", "real", "author", "signer", "student", "parent", "guardian", "spouse", "emergency"]);
const ADDRESS_LAST = new Set(["address", "addr", "street", "streetaddress", "addressline", "address1", "address2", "line1", "line2", "zip", "zipcode", "postcode", "postalcode"]);
const NOT_POSTAL = new Set(["email", "mail", "ip", "mac", "wallet", "web", "url", "server", "remote", "local", "bind", "listen", "ipv4", "ipv6", "host", "contract", "memory", "base", "return", "reply", "sender", "from", "to", "cc", "bcc", "target", "source", "destination", "hardware", "physical", "network", "public", "private", "broadcast", "gateway", "proxy", "callback", "redirect"]);
// Two to five capitalised words or initials; most real names fit, JSON values like `get_customer` do not.
const NAME_VALUE = /^\p{Lu}[\p{L}\p{M}'’.\-]*(?: \p{Lu}[\p{L}\p{M}'’.\-]*){0,4}$/u;

/**
 * Classes that only the property name reveals: person names (`first_name`, `customerName`, and `name` next to
 * person-like owners), postal addresses (`address`, `street`, `zip` but not `email_address` or `ip_address`), and
 * card numbers or CVVs under card-named keys even outside issuer ranges.
 */
export function keysDetector(): Detector<KeyKind> {
  return {
    family: "keys",
    forKey(words) {
      if (words.length === 0) return NONE;
      const last = words[words.length - 1]!;
      const joined = words.join("");
      const lastTwo = words.slice(-2).join("");
      const detector = `key:${words.join("_")}`;
      if (NAME_LAST.has(lastTwo) || NAME_LAST.has(last) || (last === "name" && words.length >= 2 && NAME_OWNERS.has(words[words.length - 2]!))) return { kind: "name", detector };
      if (last === "name" && words.length === 1) return { kind: "bare-name", detector };
      if ((ADDRESS_LAST.has(lastTwo) || ADDRESS_LAST.has(last)) && !words.some((w) => NOT_POSTAL.has(w))) return { kind: "address", detector };
      if (joined.endsWith("cardnumber") || joined === "pan" || joined.endsWith("ccnumber") || joined === "cc") return { kind: "card", detector };
      if (last === "cvv" || last === "cvc" || last === "cvv2" || last === "csc" || joined.endsWith("securitycode")) return { kind: "cvv", detector };
      return NONE;
    },
    idleFor: (key) => key.kind === undefined,
    readsQuietText: (key) => key.kind !== undefined,
    scan: function scanKeys(text: string, _context: ScanContext, out: Match[], _profile: unknown, key: KeyKind) {
      if (key.kind === undefined) return;
      const value = text.trim();
      if (value.length === 0 || value.length > 256) return;
      const start = text.indexOf(value);
      const end = start + value.length;
      const detector = key.detector;
      switch (key.kind) {
        case "name":
          if (/\p{L}/u.test(value) && !/[@/\\{}<>=_]|\d{3}/u.test(value)) out.push({ class: "pii.name", start, end, detector, confidence: 0.85 });
          return;
        case "bare-name":
          if (NAME_VALUE.test(value) && value.includes(" ") && looksLikePersonName(value)) out.push({ class: "pii.name", start, end, detector, confidence: 0.7 });
          return;
        case "address":
          if (/[\p{L}\p{N}]/u.test(value) && !value.includes("@") && !/^[0-9a-f:.]+$/i.test(value)) out.push({ class: "pii.address", start, end, detector, confidence: 0.8 });
          return;
        case "card":
          if (/^[0-9 \-]{12,23}$/.test(value) && luhnValid(value)) out.push({ class: "financial.card", start, end, detector, confidence: 0.9 });
          return;
        case "cvv":
          if (/^[0-9]{3,4}$/.test(value)) out.push({ class: "financial.card", start, end, detector, confidence: 0.85 });
          return;
      }
    },
  };
}

/** Which class a property name gives its value, before the value itself is looked at. */
interface KeyKind {
  readonly kind: "name" | "bare-name" | "address" | "card" | "cvv" | undefined;
  readonly detector: string;
}

const NONE: KeyKind = { kind: undefined, detector: "" };

/**
 * A bare `name` holds products, files and tools as often as people: it counts as a person's name only when its first
 * word is a known first name and none of its words is a common word (`Wireless Keyboard` is not; `Ana Lima` is).
 */
function looksLikePersonName(value: string): boolean {
  const lexicon = englishLexicon();
  const words = value.split(" ").map((word) => word.replace(/\.$/, "").toLowerCase());
  const first = lexicon.lookup(words[0]!);
  if (!first?.name) return false;
  return words.every((word) => {
    const info = lexicon.lookup(word);
    return !info || info.name || info.place || !info.other; // surnames are often places: Lima, Jordan
  });
}
