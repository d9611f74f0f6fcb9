/** Finding text hidden inside a string: JSON documents, base64 and hex runs, URL-encoding. */

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
 */
export function decodeCandidates(text: string, switches: DecodeSwitches, skip?: (start: number, end: number) => boolean): Decoded[] {
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
  if (switches.hex && text.length >= 16) {
    HEX_RUN.lastIndex = 0;
    for (let m = HEX_RUN.exec(text); m !== null; m = HEX_RUN.exec(text)) {
      // A run of digits only is a number, not hex text.
      if (!/[A-Fa-f]/.test(m[0]) || !/[0-9]/.test(m[0])) continue;
      if (skip?.(m.index, m.index + m[0].length)) continue;
      const decoded = readable(Buffer.from(m[0], "hex"));
      if (decoded !== undefined) out.push({ encoding: "hex", text: decoded });
    }
  }
  if (switches.base64 && text.length >= 16) {
    BASE64_RUN.lastIndex = 0;
    for (let m = BASE64_RUN.exec(text); m !== null; m = BASE64_RUN.exec(text)) {
      const run = m[0];
      // Words and numbers are not base64 text; hex runs were handled above.
      if (/^[A-Za-z]+$/.test(run) || /^[0-9]+$/.test(run) || /^[0-9A-Fa-f]+$/.test(run)) continue;
      if (skip?.(m.index, m.index + run.length)) continue;
      const body = run.replace(/=+$/, "");
      if (body.length % 4 === 1) continue;
      const decoded = readable(Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
      if (decoded !== undefined) out.push({ encoding: "base64", text: decoded });
    }
  }
  return out;
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
