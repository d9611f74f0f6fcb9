/** Finding text hidden inside a string: JSON documents, base64 and hex runs, URL-encoding. */
import { hasDuplicateKeys } from "./json-literals.js";
import type { TextProfile } from "./profile.js";

export type Decoded =
  /**
   * A JSON document: the whole text, or (`start`, `end`) one embedded in it, as tools print them. `duplicateKeys`:
   * an object in it names a key twice, so `value` lacks what the earlier ones hold (`hasDuplicateKeys`).
   */
  | { readonly encoding: "json"; readonly value: unknown; readonly start?: number; readonly end?: number; readonly duplicateKeys?: true }
  | { readonly encoding: "base64" | "hex" | "url"; readonly text: string };

export interface DecodeSwitches {
  readonly json: boolean;
  readonly base64: boolean;
  readonly hex: boolean;
  /** `%XX` escapes, and a form body's `+` for a space. */
  readonly url: boolean;
  /**
   * HTML numeric entities, `\u`/`\x` escapes and quoted-printable (found as `url`); as `url` when not given. Apart
   * for the classifier: it decodes these wherever they occur, but a form's `+` only in a `%`-encoded text (a `+` in a
   * password of a config file must not make every finding of the file one of a decoded copy).
   */
  readonly escapes?: boolean;
}

/**
 * Longest base64 or hex run decoded, in characters. An attachment is often longer than 64 KB, and a run that is not
 * decoded hides what it holds from redaction and from flow tracking (padding a value past the bound was a way out).
 */
export const MAX_ENCODED_RUN = 1 << 24;
// Runs of 16+ base64 characters (standard or URL-safe alphabet); an attempt starts only where a run starts and costs
// O(run).
const BASE64_RUN = new RegExp(`(?<![A-Za-z0-9+/_\\-])[A-Za-z0-9+/_\\-]{16,${MAX_ENCODED_RUN}}={0,2}(?![A-Za-z0-9+/=_\\-])`, "g");
const HEX_RUN = new RegExp(`(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){8,${MAX_ENCODED_RUN / 2}}(?![0-9A-Fa-f])`, "g");
/** `/%[0-9A-Fa-f]{2}/.test(text)`, by `indexOf`: prose with a `12%` in it is common, and this is what it costs. */
function hasPercentEscape(text: string): boolean {
  for (let at = text.indexOf("%"); at >= 0 && at + 2 < text.length; at = text.indexOf("%", at + 1)) {
    if (isHexCode(text.charCodeAt(at + 1)) && isHexCode(text.charCodeAt(at + 2))) return true;
  }
  return false;
}

/** A `+` after a `key=` (`?name=Jane+Doe`): a query string or form body that writes its spaces so, with no `%` at all. */
function hasFormPlus(text: string): boolean {
  const equals = text.indexOf("=");
  return equals > 0 && text.indexOf("+", equals + 2) > 0;
}

function isHexCode(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 102);
}

/**
 * The decodings of `text` worth scanning: each one is readable text (or a JSON document) that differs from `text`.
 * `skip` leaves out runs the caller already knows (a token already classified as a secret needs no decoding).
 * With the text's `profile`, base64 and hex runs are only looked for inside its long token runs.
 */
export function decodeCandidates(text: string, switches: DecodeSwitches, skip?: (start: number, end: number) => boolean, profile?: TextProfile): Decoded[] {
  const out: Decoded[] = [];
  spare = text.length;
  if (switches.json) {
    const first = firstNonSpace(text);
    const whole = first === "{" || first === "[" ? parseDocument(text) : undefined;
    if (whole !== undefined) out.push(hasDuplicateKeys(text, whole) ? { encoding: "json", value: whole, duplicateKeys: true } : { encoding: "json", value: whole });
    else embeddedDocuments(text, out);
  }
  if (switches.url && (hasPercentEscape(text) || hasFormPlus(text))) {
    const decoded = decodeUrl(text);
    if (decoded !== undefined && decoded !== text) out.push({ encoding: "url", text: decoded });
  }
  if ((switches.escapes ?? switches.url) && mayHoldEscapes(text)) {
    const decoded = decodeEscapes(text);
    if (decoded !== text) out.push({ encoding: "url", text: decoded });
  }
  if (switches.hex && text.length >= 23) addSeparatedHex(text, skip, out);
  if (switches.base64 && text.length >= 80 && text.includes("\n")) addWrappedBase64(text, skip, out);
  if ((!switches.hex && !switches.base64) || text.length < 16) return out;
  if (profile !== undefined && profile.tokenRuns >= 0 && profile.length === text.length) {
    // Every hex or base64 run of 16 or more characters lies inside a token run of 16 or more.
    const runs: Runs = { hex: [], base64: [] };
    for (let r = 0; r < profile.tokenRuns; r++) encodedRunsIn(profile.codes, text.length, profile.tokenStart[r]!, profile.tokenEnd[r]!, runs);
    if (switches.hex) {
      for (let i = 0; i < runs.hex.length; i += 2) {
        const start = runs.hex[i]!;
        const end = runs.hex[i + 1]!;
        if (skip?.(start, end)) continue;
        addHexText(text.slice(start, end), out);
      }
    }
    if (switches.base64) for (let i = 0; i < runs.base64.length; i += 2) addBase64Run(text.slice(runs.base64[i]!, runs.base64[i + 1]!), runs.base64[i]!, skip, out);
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

/**
 * Base64 wrapped in lines (MIME's 76 columns, PEM's 64): two or more lines of 40 to 76 base64 characters and a last one.
 * Each line alone decodes too, but a value whose bytes straddle a line break is in neither half. Tried at line starts
 * only, each line read once: linear.
 */
const WRAPPED_BASE64 = /(?:^|\n)((?:[A-Za-z0-9+/]{40,76}\r?\n)+[A-Za-z0-9+/]{2,76}={0,2})(?=\r?\n|$)/g;

function addWrappedBase64(text: string, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  WRAPPED_BASE64.lastIndex = 0;
  for (let m = WRAPPED_BASE64.exec(text); m !== null; m = WRAPPED_BASE64.exec(text)) {
    const block = m[1]!;
    const at = m.index + m[0].length - block.length;
    if (skip?.(at, at + block.length)) continue;
    const decoded = textFrom(block.replace(/\r?\n/g, ""), "base64", spare);
    if (decoded === undefined) continue;
    if (!decoded.whole) spare -= decoded.text.length;
    out.push({ encoding: "base64", text: decoded.text });
  }
}

function addHex(run: string, at: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  // A run of digits only is a number, not hex text.
  if (!/[A-Fa-f]/.test(run) || !/[0-9]/.test(run)) return;
  if (skip?.(at, at + run.length)) return;
  addHexText(run, out);
}

/**
 * Eight or more hex pairs each set apart by `:`, `-`, a space or a comma, or written `0x6a` (`6a:61:6e`,
 * `0x6a, 0x61`). Each pair is matched once, whatever follows it: linear. The first pair starts with a digit, as the hex
 * of text does (a character below U+0080 is 0x00 to 0x7f), so the pattern is tried at digits only, not at every `a` to
 * `f` of prose or of a long base64 value (that cost 3% of classifying documents).
 */
const SEPARATED_HEX = /(?<![0-9A-Za-z])(?:0x)?[0-9][0-9A-Fa-f](?:(?:[:\- ,]|, )(?:0x)?[0-9A-Fa-f]{2}){7,}(?![0-9A-Za-z])/g;

function addSeparatedHex(text: string, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  SEPARATED_HEX.lastIndex = 0;
  for (let m = SEPARATED_HEX.exec(text); m !== null; m = SEPARATED_HEX.exec(text)) {
    addHex(m[0].replace(/0x|[:\- ,]/g, ""), m.index, skip, out);
  }
}

/** Escapes that spell characters in prose: HTML numeric entities, `\u0040`, `\u{40}` and `\x40`, quoted-printable `=40` inside a word (not a `key=20`). */
const ESCAPE = /&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?|\\u\{([0-9A-Fa-f]{1,6})\}|\\u([0-9A-Fa-f]{4})|\\x([0-9A-Fa-f]{2})|=([2-7][0-9A-F])(?=[A-Za-z_.=])/g;

/** Cheap: whether `decodeEscapes` may change `text`. */
/** Cheap, for the classifier: whether `text` may hold an HTML numeric entity or a `\u`/`\x` escape. */
export function mayHoldTextEscapes(text: string): boolean {
  return text.includes("&#") || text.includes("\\");
}

function mayHoldEscapes(text: string): boolean {
  return text.includes("&#") || text.includes("\\u") || text.includes("\\x") || /=[2-7][0-9A-F][A-Za-z_.=]/.test(text);
}

function decodeEscapes(text: string): string {
  return text.replace(ESCAPE, (escape, entityHex?: string, entity?: string, braced?: string, unit?: string, byte?: string, printable?: string) => {
    const code = parseInt(entityHex ?? braced ?? unit ?? byte ?? printable ?? entity!, entity === undefined ? 16 : 10);
    return code <= 0x10ffff && (code < 0xd800 || code > 0xdfff || unit !== undefined) ? String.fromCodePoint(code) : escape;
  });
}

function addHexText(run: string, out: Decoded[]): void {
  const decoded = textFrom(run, "hex", spare);
  if (decoded === undefined) return;
  if (!decoded.whole) spare -= decoded.text.length;
  out.push({ encoding: "hex", text: decoded.text });
}

function addBase64(run: string, at: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  // Words and numbers are not base64 text; hex runs were handled above.
  if (/^[A-Za-z]+$/.test(run) || /^[0-9]+$/.test(run) || /^[0-9A-Fa-f]+$/.test(run)) return;
  addBase64Run(run, at, skip, out);
}

/**
 * A run glued to what precedes it (a path `/u/<base64>`, a prefix `id-<base64>`) decodes to garbage from its start:
 * every alignment is tried, and the first that reads whole as text ends the search. Where none does, each may hold
 * text among garbage bytes (the misaligned prefix, padding): its printable pieces are kept (`textOf`), while
 * `spare` lasts.
 */
function addBase64Run(run: string, at: number, skip: ((start: number, end: number) => boolean) | undefined, out: Decoded[]): void {
  if (skip?.(at, at + run.length)) return;
  let body = run.length;
  while (body > 0 && run.charCodeAt(body - 1) === 61) body--;
  // Base64 of text has capitals and small letters; a run in one case (a slug, a snake_case name) is only tried as is.
  const shifts = hasBothCases(run) ? 4 : 1;
  for (let shift = 0; shift < shifts && body - shift >= 16; shift++) {
    if ((body - shift) % 4 === 1) continue;
    // Node's base64 decoder reads the URL-safe alphabet (`-`, `_`) too, and stops at `=`.
    const decoded = textFrom(shift === 0 ? run : run.slice(shift), "base64", shift === 0 ? Infinity : spare);
    if (decoded === undefined) continue;
    if (shift > 0 || !decoded.whole) spare -= decoded.text.length;
    out.push({ encoding: "base64", text: decoded.text });
    if (decoded.whole) return;
  }
}

function hasBothCases(run: string): boolean {
  let seen = 0;
  for (let i = 0; i < run.length && seen !== 3; i++) {
    const c = run.charCodeAt(i);
    if (c >= 65 && c <= 90) seen |= 1;
    else if (c >= 97 && c <= 122) seen |= 2;
  }
  return seen === 3;
}

// Character classes for the run scan.
const B64 = 1;
const HEX = 2;
const DIGIT = 4;
const LETTER = 8;
const RUN_CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) RUN_CLASS[c] = B64 | HEX | DIGIT;
for (let c = 65; c <= 90; c++) RUN_CLASS[c] = B64 | LETTER | (c <= 70 ? HEX : 0);
for (let c = 97; c <= 122; c++) RUN_CLASS[c] = B64 | LETTER | (c <= 102 ? HEX : 0);
for (const ch of "+/_-") RUN_CLASS[ch.charCodeAt(0)] = B64;
const classOf = (c: number) => (c < 128 ? RUN_CLASS[c]! : 0);

/** Start and end offsets, in pairs, of the runs worth decoding. */
interface Runs {
  readonly hex: number[];
  readonly base64: number[];
}

/**
 * One pass over `[start, end)` for what `HEX_RUN` and `BASE64_RUN` find there: maximal hex runs of even length from 16
 * to `MAX_ENCODED_RUN` characters with both digits and letters (digits alone are a number), and maximal base64 runs of
 * 16 to `MAX_ENCODED_RUN` characters with at most two `=` after them that are not all letters, all digits or all hex
 * (unless padded).
 * Every hex run lies inside a base64 run, since hex characters are base64 characters.
 */
function encodedRunsIn(codes: Uint16Array, n: number, start: number, end: number, runs: Runs): void {
  let i = start;
  while (i < end) {
    let k = classOf(codes[i]!);
    if ((k & B64) === 0) {
      i++;
      continue;
    }
    let all = LETTER | DIGIT | HEX;
    let hexStart = -1;
    let hexDigits = false;
    let hexLetters = false;
    let j = i;
    for (; j < end; j++) {
      k = classOf(codes[j]!);
      if ((k & B64) === 0) break;
      all &= k;
      if ((k & HEX) !== 0) {
        if (hexStart < 0) {
          hexStart = j;
          hexDigits = false;
          hexLetters = false;
        }
        if ((k & DIGIT) !== 0) hexDigits = true;
        else hexLetters = true;
      } else if (hexStart >= 0) {
        addHexRun(runs, hexStart, j, hexDigits, hexLetters);
        hexStart = -1;
      }
    }
    if (hexStart >= 0) addHexRun(runs, hexStart, j, hexDigits, hexLetters);
    let p = j;
    while (p < end && p - j < 3 && codes[p] === 61) p++;
    const next = p < n ? classOf(codes[p]!) : 0;
    const padded = p > j;
    if (j - i >= 16 && j - i <= MAX_ENCODED_RUN && p - j <= 2 && (next & B64) === 0 && (p >= n || codes[p] !== 61) && (padded || all === 0)) {
      runs.base64.push(i, p);
    }
    i = j;
  }
}

function addHexRun(runs: Runs, start: number, end: number, digits: boolean, letters: boolean): void {
  const length = end - start;
  if (length >= 16 && length <= MAX_ENCODED_RUN && length % 2 === 0 && digits && letters) runs.hex.push(start, end);
}

// Decoded bytes land here: most candidates are refused from their bytes, without making a string of them.
let scratch = Buffer.alloc(4096);

/**
 * Characters of text that a `decodeCandidates` call may still add beyond the plain decoding of each run (other
 * alignments, pieces among garbage): the text's length, so that what it decodes to stays linear in it at every depth.
 */
let spare = 0;

/** Shortest run of printable ASCII kept from bytes that are not text as a whole: shorter ones happen by chance in binary. */
const MIN_PIECE = 8;

/**
 * The text that a decoded run holds: whole when it is readable (`readable`), else its printable pieces (a value
 * padded with NUL bytes, text after a misaligned prefix), one per line, when they fit in `budget` characters.
 * Refused early, without making a string, when more than a tenth of the bytes are ASCII control characters: each
 * decodes to one unprintable character and the text has at most as many characters as bytes, so such a run can never
 * be 90% printable.
 */
function textFrom(run: string, encoding: "hex" | "base64", budget: number): { readonly text: string; readonly whole: boolean } | undefined {
  if (scratch.length < run.length) scratch = Buffer.alloc(2 * run.length);
  const length = scratch.write(run, 0, encoding);
  if (length < 6) return undefined;
  let control = 0;
  for (let i = 0; i < length; i++) {
    const b = scratch[i]!;
    if ((b < 32 && b !== 9 && b !== 10 && b !== 13) || b === 127) control++;
  }
  if (control * 10 <= length) {
    const text = readable(scratch.subarray(0, length));
    if (text !== undefined) return { text, whole: true };
  }
  if (length >= 12 && mostlyZeroOdd(scratch, length)) {
    // UTF-16LE (PowerShell's `-EncodedCommand`): ASCII text has a 0 after every byte.
    const text = readableText(scratch.toString("utf16le", 0, length & ~1));
    if (text !== undefined) return { text, whole: true };
  }
  const text = printablePieces(scratch, length, budget);
  return text === undefined ? undefined : { text, whole: false };
}

/** Whether nine in ten of the bytes at odd places are 0. */
function mostlyZeroOdd(bytes: Buffer, length: number): boolean {
  let zero = 0;
  for (let i = 1; i < length; i += 2) if (bytes[i] === 0) zero++;
  return zero * 10 >= (length >> 1) * 9;
}

/** The runs of `MIN_PIECE` or more printable ASCII bytes among the first `length`, one per line, or undefined. */
function printablePieces(bytes: Buffer, length: number, budget: number): string | undefined {
  let text: string | undefined;
  let start = -1;
  for (let i = 0; i <= length; i++) {
    const b = i < length ? bytes[i]! : 0;
    if (b >= 32 && b < 127) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= MIN_PIECE && (text?.length ?? 0) + i - start < budget) {
      const piece = bytes.toString("latin1", start, i);
      text = text === undefined ? piece : `${text}\n${piece}`;
    }
    start = -1;
  }
  return text;
}

/** True when `at` ends a line of `text`, a comma before the line break aside. */
function endsLine(text: string, at: number): boolean {
  if (text.charCodeAt(at) === 44 /* , */) at++;
  return at >= text.length || text.charCodeAt(at) === 10 || text.charCodeAt(at) === 13;
}

/** The object or array `text` holds as JSON, else undefined. */
function parseDocument(text: string): object | undefined {
  // A document ends with the bracket that closes it: a throw of `JSON.parse` costs microseconds, and a text of many
  // lines that open with `{` asked for one per line (2.5 s per MB).
  const last = lastNonSpace(text);
  if (last !== 125 && last !== 93) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

function lastNonSpace(text: string): number {
  let i = text.length - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 || text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13)) i--;
  return i < 0 ? -1 : text.charCodeAt(i);
}

/** A line that opens with `{` or `[` (after indentation): where a printed JSON document can start. */
const DOCUMENT_LINE = /(?:^|\n)([ \t]{0,32})[[{]/g;
const LATER_DOCUMENT_LINE = /\n[ \t]*[[{]/;

/**
 * Whether `text` may hold a JSON document that `decodeCandidates` reads: it opens with `{` or `[`, or a later line
 * does. Cheap, and true whenever there is one, so callers can skip the decoding of the rest.
 */
export function mayHoldJson(text: string): boolean {
  const first = firstNonSpace(text);
  return first === "{" || first === "[" || LATER_DOCUMENT_LINE.test(text);
}

/**
 * JSON documents in a text that is not one: lines of JSON (`{…}` per line, as in JSON Lines) and documents printed
 * over several lines after lines of prose, between them or in code fences (`Found 2 records:` then the records), as
 * tools print their results. A key classifies its value only in a parsed document (`"tenant_id": "globex"`,
 * `"diagnosis": "asthma"`), so these would otherwise pass unread.
 *
 * A document over several lines ends at the next line holding only its closing bracket, indented as its first line
 * (how JSON is pretty-printed), or else at the text's last closing bracket. Linear in the text: each line is parsed
 * once alone, the searches for closing lines only move forward, and the longer attempts parse at most twice the text
 * in all.
 */
function embeddedDocuments(text: string, out: Decoded[]): void {
  let budget = 2 * text.length;
  let triedLast = false;
  const closers = new Map<string, number>();
  /** The end of the first line after `from` that is `indent` and `closer` alone (a trailing comma aside), or -1. */
  const closingLine = (indent: string, closer: string, from: number): number => {
    const needle = `\n${indent}${closer}`;
    let at = closers.get(needle);
    if (at === undefined || (at >= 0 && at < from)) {
      // Openings come in text order, so each needle's search only moves forward.
      at = from - 1;
      do at = text.indexOf(needle, at + 1);
      while (at >= 0 && !endsLine(text, at + needle.length));
      closers.set(needle, at);
    }
    return at < 0 ? -1 : at + needle.length;
  };
  DOCUMENT_LINE.lastIndex = 0;
  for (let m = DOCUMENT_LINE.exec(text); m !== null; m = DOCUMENT_LINE.exec(text)) {
    const start = m.index + m[0].length - 1;
    const closer = text[start] === "{" ? "}" : "]";
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    let value = parseDocument(text.slice(start, end));
    if (value === undefined) {
      const closed = closingLine(m[1]!, closer, end);
      if (closed > start && closed - start <= budget) {
        budget -= closed - start;
        end = closed;
        value = parseDocument(text.slice(start, end));
      }
    }
    if (value === undefined && !triedLast) {
      // Compact JSON over several lines ends at the last bracket that can close it (a code fence may follow).
      triedLast = true;
      const last = text.lastIndexOf(closer) + 1;
      if (last > start && last - start <= budget) {
        budget -= last - start;
        end = last;
        value = parseDocument(text.slice(start, end));
      }
    }
    if (value === undefined) continue;
    out.push(hasDuplicateKeys(text.slice(start, end), value) ? { encoding: "json", value, start, end, duplicateKeys: true } : { encoding: "json", value, start, end });
    if (end >= text.length) return;
    DOCUMENT_LINE.lastIndex = end;
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
  return bytes.length < 6 ? undefined : readableText(bytes.toString("utf8"));
}

function readableText(text: string): string | undefined {
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c !== 0xfffd && c !== 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return printable / text.length >= 0.9 ? text : undefined;
}
