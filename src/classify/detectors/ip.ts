import type { Detector, Match, ScanContext } from "../detector.js";
import type { TextProfile } from "../profile.js";
import { matchAt, stickyCopy } from "../sticky.js";
import { before } from "../text.js";

const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
// Not preceded or followed by a digit, a dot-digit or a word character: `1.2.3.4.5` and `v1.2.3.4` are not addresses.
const IPV4 = new RegExp(`(?<![0-9A-Za-z_.])${OCTET}(?:\\.${OCTET}){3}(?![0-9A-Za-z_]|\\.[0-9])`, "g");
// Full and compressed IPv6 forms, 2 to 8 groups; validated afterwards so the pattern stays simple and bounded.
export const IPV6 = /(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,7}|[0-9A-Fa-f]{1,4})(?![0-9A-Fa-f:]|\.[0-9])/g;
const IPV6_AT = stickyCopy(IPV6);
// A dotted quad right after a word that numbers versions or parts of a document is one of those:
// `assembly version 4.2.1.0`, `Version=4.0.0.0`, `section 1.2.3.4`, `§ 2.1.3.4`.
const NUMBERED_BY = /(?<![a-z])(?:version|ver|release|build|revision|rev|section|sect|sec|chapter|chap|clause|article|paragraph|para|appendix|figure|fig|§)\.?\s*[:=#]?\s*$/;

/**
 * IPv4 and IPv6 addresses. Public addresses are `network.ip`; private, loopback, link-local and documentation
 * ranges are `network.ip.internal` (covered by a `network.ip` scope, but tellable apart by policies).
 */
export function ipDetector(): Detector {
  return {
    family: "ip",
    scan: function scanIp(text: string, _context: ScanContext, out: Match[], profile: TextProfile) {
      if (profile.digits >= 4 && profile.dots >= 3) {
        IPV4.lastIndex = 0;
        for (let m = IPV4.exec(text); m !== null; m = IPV4.exec(text)) {
          const parts = m[0].split(".");
          if (parts.some((part) => part.length > 1 && part.startsWith("0"))) continue; // 1.2.3.04: not canonical, usually a version
          if (NUMBERED_BY.test(before(text, m.index, 16))) continue;
          out.push({ class: internalV4(parts.map(Number)) ? "network.ip.internal" : "network.ip", start: m.index, end: m.index + m[0].length, detector: "regex:ipv4", confidence: 0.9 });
        }
      }
      // A valid IPv6 address has eight groups (seven colons) or one `::`; clock times have neither.
      if (profile.colons >= 2 && (text.includes("::") || countColons(text) >= 7)) {
        const codes = profile.codes;
        let done = 0;
        // A match opens with one to four hex digits and a colon, and no hex digit, `:` or `.` before it (the
        // lookbehind): it starts where the run of hex digits before some colon starts. One place to try per colon.
        for (let colon = text.indexOf(":"); colon >= 0; colon = text.indexOf(":", colon + 1)) {
          let start = colon;
          while (start > 0 && colon - start <= 4 && isHexCode(codes[start - 1]!)) start--;
          if (start === colon || colon - start > 4 || start < done) continue;
          const m = matchAt(IPV6_AT, text, start);
          if (m === null) continue;
          done = start + m[0].length;
          reportIpv6(m, out);
        }
      }
    },
  };
}

/** Reports a match of `IPV6` that is a valid address. */
export function reportIpv6(m: RegExpExecArray, out: Match[]): void {
  const value = m[0];
  if (!validIpv6(value)) return;
  const lower = value.toLowerCase();
  const internal = lower === "::1" || lower.startsWith("fe80:") || lower.startsWith("fc") || lower.startsWith("fd") || lower.startsWith("2001:db8:");
  out.push({ class: internal ? "network.ip.internal" : "network.ip", start: m.index, end: m.index + value.length, detector: "regex:ipv6", confidence: 0.85 });
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function countColons(text: string): number {
  let count = 0;
  for (let at = text.indexOf(":"); at >= 0 && count < 7; at = text.indexOf(":", at + 1)) count++;
  return count;
}

function internalV4([a, b]: number[]): boolean {
  if (a === undefined || b === undefined) return false;
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19 || b === 51)) || (a === 203 && b === 0) || a >= 224;
}

/** A real address has 8 groups, or fewer with exactly one `::`; needs at least 3 groups or a `::` to be told from a time. */
function validIpv6(value: string): boolean {
  const doubles = value.split("::").length - 1;
  if (doubles > 1) return false;
  const groups = value.split(":").filter((group) => group.length > 0);
  if (doubles === 0) return groups.length === 8;
  if (groups.length < 2) return value === "::1" || false;
  // `12:30::` style clock times are rare; require a hex letter or 3+ groups.
  return groups.length >= 3 || /[a-f]/i.test(value);
}
