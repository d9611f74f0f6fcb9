import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { matchAt, stickyCopy } from "../sticky.js";

// Every pattern in this folder starts with a negative lookbehind for its own character set and bounds its
// quantifiers, so an attempt can only start at a token boundary and costs at most a constant number of steps:
// scanning is linear even on adversarial input (`aaaa…a@`).
export const EMAIL =
  /(?<![A-Za-z0-9._%+\-])(?<![A-Za-z0-9]')[A-Za-z0-9](?:[A-Za-z0-9._%+\-]|(?<=[A-Za-z0-9])'(?=[A-Za-z0-9])){0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9\-])/g;
const EMAIL_AT = stickyCopy(EMAIL);

function isAlnumCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** `[A-Za-z0-9._%+\-]`: what a local part is made of, with an apostrophe between letters or digits (`o'brien`). */
function isLocalAt(codes: Uint16Array, i: number, end: number): boolean {
  const c = codes[i]!;
  if (isAlnumCode(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45) return true;
  return c === 39 && i > 0 && i + 1 < end && isAlnumCode(codes[i - 1]!) && isAlnumCode(codes[i + 1]!);
}

/**
 * Email addresses (RFC 5321 shapes). Of the other characters RFC 5322 allows in a local part, only the apostrophe
 * inside a name is common (`o'brien@…`); quoted local parts are left out on purpose.
 */
export function emailDetector(): Detector {
  return {
    family: "email",
    scan: function scanEmail(text: string, _context: ScanContext, out: Match[], profile: TextProfile) {
      const codes = profile.codes;
      let done = 0;
      // A match starts where the run of local-part characters before its `@` starts (the lookbehind), 1 to 64 long:
      // one place to try per `@` (see sticky.ts).
      for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
        let start = at;
        while (start > 0 && at - start <= 64 && isLocalAt(codes, start - 1, text.length)) start--;
        if (start === at || start < done || at - start > 64) continue;
        const m = matchAt(EMAIL_AT, text, start);
        if (m === null) continue;
        done = start + m[0].length;
        reportEmail(text, m, out);
      }
    },
  };
}

/** Reports a match of `EMAIL` unless it is the user part of a URL. */
export function reportEmail(text: string, m: RegExpExecArray, out: Match[]): void {
  const start = m.index;
  // `https://user:password@host` holds a credential, not an address (the secrets family reports it).
  if (start > 0 && text.charCodeAt(start - 1) === 58 /* : */ && !text.slice(Math.max(0, start - 7), start).toLowerCase().endsWith("mailto:")) return;
  // Inside a URL's authority (`scheme://user:pass@host`) the text before `@` is a credential.
  let tokenStart = start;
  while (tokenStart > 0 && start - tokenStart < 256 && !/\s/.test(text[tokenStart - 1]!)) tokenStart--;
  if (text.slice(tokenStart, start).includes("://")) return;
  out.push({ class: "pii.email", start, end: start + m[0].length, detector: "regex:email", confidence: 0.95 });
}
