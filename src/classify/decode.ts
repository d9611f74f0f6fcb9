/** Finding text hidden inside a string: JSON documents, base64 and hex runs, URL-encoding. */
import type { TextProfile } from "./profile.js";

export type Decoded =
  | { readonly encoding: "json"; readonly value: unknown }
  | { readonly encoding: "base64" | "hex" | "url"; readonly text: string };

export interface DecodeSwitches {
  readonly json: boolean;
  readonly base64: boolean;
  readonly hex: boolean;
  readonly url: boolean;
}

// Runs of 16+ base64 characters (standard or URL-safe alphabet), bounded so one attempt costs O(run).
const BASE64_RUN = /(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{16,65536}={0,2}(?![A-Za-z0-9+/=_\-])/g;
const HEX_RUN = /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){8,32768}(?![0-9A-Fa-f])/g;
const PERCENT = /%[0-9A-Fa-f]{2}/;

/**
 * The decodings of `text` worth scanning: each one is readable text (or a JSON document) that differs from `text`.
 * `skip` leaves out runs the caller already knows (a token already classified as a secret needs no decoding).
 * With the text's `profile`, base64 and hex runs are only looked for inside its long token runs.
 */
export function decodeCandidates(text: string, switches: DecodeSwitches, skip?: (start: number, end: number) => boolean, profile?: TextProfile): Decoded[] {
  const out: Decoded[] = [];
  if (switches.json) {
    const first = firstNonSpace(text);
    if (first === "{" || first === "[") {
      try {
        const value = JSON.parse(text) as unknown;
        if (value !== null && typeof value === "object") out.push({ encoding: "json", value });
      } catch {
        // not JSON after all
      }
    }
  }
  if (switches.url && PERCENT.test(text)) {
    const decoded = decodeUrl(text);
    if (decoded !== undefined && decoded !== text) out.push({ encoding: "url", text: decoded });
  }
  if ((!switches.hex && !switches.base64) || text.length < 16) return out;
  if (profile !== undefined && profile.tokenRuns >= 0 && profile.length === text.length) {
    // Every hex or base64 run of 16 or more characters lies inside a token run of 16 or more.
    if (switches.hex) for (let r = 0; r < profile.tokenRuns; r++) hexRunsIn(text, profile.tokenStart[r]!, profile.tokenEnd[r]!, skip, out);
    if (switches.base64) for (let r = 0; r < profile.tokenRuns; r++) base64RunsIn(text, profile.tokenStart[r]!, profile.tokenEnd[r]!, skip, out);
    return out;
  }
  if (switches.hex) {
    HEX_RUN.lastIndex = 0;
    for (let m = HEX_RUN.exec(text); m !== null; m = HEX_RUN.exec(text)) addHex(m[0], m.index, skip, out);
  }
  if (switches.base64) {
    BASE64_RUN.lastIndex = 0;
    for (let m = BASE64_RUN.exec(text); m !== null; m = BASE64_RUN.exec(text)) addBase64(m[0], m.index, skip, out);
  }
  return out;
}

function addHex(run: string, at: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  // A run of digits only is a number, not hex text.
  if (!/[A-Fa-f]/.test(run) || !/[0-9]/.test(run)) return;
  if (skip?.(at, at + run.length)) return;
  const decoded = readable(Buffer.from(run, "hex"));
  if (decoded !== undefined) out.push({ encoding: "hex", text: decoded });
}

function addBase64(run: string, at: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  // Words and numbers are not base64 text; hex runs were handled above.
  if (/^[A-Za-z]+$/.test(run) || /^[0-9]+$/.test(run) || /^[0-9A-Fa-f]+$/.test(run)) return;
  if (skip?.(at, at + run.length)) return;
  const body = run.replace(/=+$/, "");
  if (body.length % 4 === 1) return;
  const decoded = readable(Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
  if (decoded !== undefined) out.push({ encoding: "base64", text: decoded });
}

const isHexCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isBase64Code = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 95 || c === 45;

/** What `HEX_RUN` finds in `[start, end)`: maximal hex runs of even length from 16 to 65536 characters. */
function hexRunsIn(text: string, start: number, end: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  let i = start;
  while (i < end) {
    if (!isHexCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < end && isHexCode(text.charCodeAt(j))) j++;
    const length = j - i;
    if (length >= 16 && length <= 65536 && length % 2 === 0) addHex(text.slice(i, j), i, skip, out);
    i = j;
  }
}

/** What `BASE64_RUN` finds in `[start, end)`: maximal base64 runs of 16 to 65536 characters with at most two `=` after. */
function base64RunsIn(text: string, start: number, end: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  let i = start;
  while (i < end) {
    if (!isBase64Code(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < end && isBase64Code(text.charCodeAt(j))) j++;
    let k = j;
    while (k < end && k - j < 3 && text.charCodeAt(k) === 61) k++;
    const next = k < text.length ? text.charCodeAt(k) : -1;
    if (j - i >= 16 && j - i <= 65536 && k - j <= 2 && !(isBase64Code(next) || next === 61)) addBase64(text.slice(i, k), i, skip, out);
    i = j;
  }
}

function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return text[i]!;
  }
  return "";
}

function decodeUrl(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    // A stray `%` makes decodeURIComponent throw; decode what decodes, piece by piece.
    return text.replace(/\+/g, " ").replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** UTF-8 text in which at least 90% of characters are printable, or undefined for binary. */
function readable(bytes: Buffer): string | undefined {
  if (bytes.length < 6) return undefined;
  const text = bytes.toString("utf8");
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c !== 0xfffd && c !== 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return printable / text.length >= 0.9 ? text : undefined;
}
