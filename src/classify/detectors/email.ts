import type { Detector, Match, ScanContext } from "../detector.js";

// Every pattern in this folder starts with a negative lookbehind for its own character set and bounds its
// quantifiers, so an attempt can only start at a token boundary and costs at most a constant number of steps:
// scanning is linear even on adversarial input (`aaaa…a@`).
const EMAIL =
  /(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9\-])/g;

/** Email addresses (RFC 5321 shapes; quoted local parts are left out on purpose). */
export function emailDetector(): Detector {
  return {
    family: "email",
    scan: function scanEmail(text: string, _context: ScanContext, out: Match[]) {
      if (!text.includes("@")) return;
      EMAIL.lastIndex = 0;
      for (let m = EMAIL.exec(text); m !== null; m = EMAIL.exec(text)) {
        const start = m.index;
        // `https://user:password@host` holds a credential, not an address (the secrets family reports it).
        if (start > 0 && text.charCodeAt(start - 1) === 58 /* : */ && !text.slice(Math.max(0, start - 7), start).toLowerCase().endsWith("mailto:")) continue;
        // Inside a URL's authority (`scheme://user:pass@host`) the text before `@` is a credential.
        let tokenStart = start;
        while (tokenStart > 0 && start - tokenStart < 256 && !/\s/.test(text[tokenStart - 1]!)) tokenStart--;
        if (text.slice(tokenStart, start).includes("://")) continue;
        out.push({ class: "pii.email", start, end: start + m[0].length, detector: "regex:email", confidence: 0.95 });
      }
    },
  };
}
