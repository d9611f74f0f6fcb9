import { decodeCandidates } from "../classify/decode.js";
import { normalizeValue } from "../classify/normalize.js";
import type { DataClass } from "../model/data-class.js";
import type { Encoding } from "../model/finding.js";
import { escapePointer } from "../model/pointer.js";

/**
 * How a remembered value is compared, matching the branches of `normalizeValue`: digits only (cards, phones),
 * letters and digits upper-cased (IBANs, passports), exact (secrets), or lower-cased text (everything else).
 */
export type ViewKind = "digits" | "alnum" | "exact" | "text";

export const VIEW_KINDS: readonly ViewKind[] = ["digits", "alnum", "exact", "text"];

export function viewKindOf(cls: DataClass): ViewKind {
  const probe = normalizeValue(cls, "Ab 1-2-3-4");
  if (probe === "1234") return "digits";
  if (probe === "AB1234") return "alnum";
  if (probe === "Ab 1-2-3-4") return "exact";
  return "text";
}

const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;

/** Between digit groups that are separate numbers in the digits view: a character `INVISIBLE` removes from every text. */
const APART = "\u200B";
const NON_ASCII = /[^\x00-\x7F]/;
const digitValues = new Map<string, string>();

/**
 * The ASCII digit of a decimal digit of any script (`٤` and `४` are 4): NFKC keeps them, and a card written in them
 * would otherwise lose every digit. Unicode places each script's digits in blocks of ten from its zero, so the value
 * is the digit's place, modulo ten, in its run of digits.
 */
function asciiDigit(digit: string): string {
  const code = digit.codePointAt(0)!;
  if (code < 128) return digit;
  let value = digitValues.get(digit);
  if (value === undefined) {
    let place = 0;
    while (place < 64 && /\p{Nd}/u.test(String.fromCodePoint(code - place - 1))) place++;
    digitValues.set(digit, (value = String(place % 10)));
  }
  return value;
}

/** `text` as a view of the given kind: the same transformation `normalizeValue` applies to a remembered value. */
export function view(kind: ViewKind, text: string): string {
  const clean = text.replace(INVISIBLE, "").normalize("NFKC");
  switch (kind) {
    case "digits":
      // Digits a few characters apart are one number written with separators (`(415) 555-2671`, `4a1b1c1d`); further
      // apart they are separate numbers (`rooms 415 and 555, up to 2671 guests`), kept apart by a character that
      // cleaning removed from the text, so no input can hold it.
      return (NON_ASCII.test(clean) ? clean.replace(/\p{Nd}/gu, asciiDigit) : clean).replace(/[^0-9]{4,}/g, APART).replace(/[^0-9\u200B]/g, "");
    case "alnum":
      return clean.replace(/[^A-Za-z0-9]/g, "").toUpperCase();
    case "exact":
      return clean;
    case "text":
      return clean.toLowerCase().replace(/\s+/g, " ");
  }
}

/** How many characters of decoded text an argument string may yield per character, all levels together. */
const DECODED_PER_CHARACTER = 8;

/** One piece of text of a call's arguments in which remembered values are looked for. */
export interface Haystack {
  readonly text: string;
  readonly pointer: string;
  readonly encoding: Encoding | "split";
  /** For `split`: the plain strings whose join is looked in (`splitTexts`), in place of `text`. */
  readonly parts?: readonly string[];
}

/**
 * Every string of `args` (keys included), each decoded string (base64, hex and URL-encoded runs, JSON documents,
 * three levels deep, as the classifier reads them), and the concatenation of all plain values (not keys: a key's name between two halves of a value
 * hid it) so a value split across fields reads whole again, in their order and in reverse (halves sent swapped).
 */
export function haystacks(args: unknown, maxDecodeDepth = 3): Haystack[] {
  const out: Haystack[] = [];
  const plain: string[] = [];
  const firstPointer: string[] = [];
  // Characters that the decodings under the current argument string may still add. Each level adds at most a few
  // times what it reads, so without a bound three levels could make a crafted string many times its size.
  let left = 0;
  const addString = (text: string, pointer: string, encoding: Encoding, depth: number, key = false) => {
    out.push({ text, pointer, encoding });
    if (encoding === "plain" && !key) {
      plain.push(text);
      firstPointer.push(pointer);
    }
    if (depth === 0) left = DECODED_PER_CHARACTER * text.length;
    else left -= text.length;
    if (depth >= maxDecodeDepth || text.length < 8 || left < 0) return;
    for (const decoded of decodeCandidates(text, { json: true, base64: true, hex: true, url: true })) {
      if (decoded.encoding === "json") walk(decoded.value, pointer, depth + 1, "json");
      else addString(decoded.text, pointer, decoded.encoding, depth + 1);
    }
    // Whitespace-wrapped base64 (MIME bodies) only decodes once the line breaks are gone.
    if (/\s/.test(text) && /^[A-Za-z0-9+/=\s]{24,}$/.test(text)) {
      const joined = text.replace(/\s+/g, "");
      for (const decoded of decodeCandidates(joined, { json: false, base64: true, hex: false, url: false })) {
        if (decoded.encoding !== "json") addString(decoded.text, pointer, "base64", depth + 1);
      }
    }
  };
  const walk = (value: unknown, pointer: string, depth: number, encoding: Encoding) => {
    if (typeof value === "string") addString(value, pointer, encoding, depth);
    else if (typeof value === "number" || typeof value === "bigint") addString(String(value), pointer, encoding, depth);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, encoding === "plain" ? `${pointer}/${i}` : pointer, depth, encoding));
    else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        const childPointer = encoding === "plain" ? `${pointer}/${escapePointer(key)}` : pointer;
        if (key.length >= 4) addString(key, childPointer, encoding, depth, true);
        walk(child, childPointer, depth, encoding);
      }
    }
  };
  walk(args, "", 0, "plain");
  if (plain.length > 1) {
    out.push({ text: "", pointer: firstPointer[0] ?? "", encoding: "split", parts: plain });
    out.push({ text: "", pointer: firstPointer[0] ?? "", encoding: "split", parts: [...plain].reverse() });
  }
  return out;
}

/**
 * The plain strings of a `split` haystack as seen in one view, joined, so that a value split across fields reads
 * whole again. A string whose view is long adds only its view's two ends (a value, at most 4,096 characters in its
 * view, split across it and a neighbour lies within them): joining it whole made every argument of one long field be
 * scanned twice. Its middle ends one text and starts the next, so no value is made up across the gap; a text of one
 * string's piece has nothing split and is left out. Ends are taken of the view, not of the raw string: what the view
 * drops (letters around a card's digits, zero-width characters) may be any length.
 */
export function splitTexts(kind: ViewKind, parts: readonly string[]): string[] {
  const out: string[] = [];
  let pieces: string[] = [];
  const close = () => {
    if (pieces.length > 1) out.push(view(kind, pieces.join("")));
    pieces = [];
  };
  for (const part of parts) {
    const seen = partView(kind, part);
    if (seen.length <= 2 * SPLIT_MARGIN) {
      pieces.push(seen);
      continue;
    }
    pieces.push(seen.slice(0, SPLIT_MARGIN));
    close();
    pieces.push(seen.slice(-SPLIT_MARGIN));
  }
  close();
  return out;
}

/**
 * A part's view for joining: in the digits view, without the separation its text before its first digits or after its
 * last puts there. Fields are the attacker's to cut: a half of a card after a label (`card: 4111 1111`), or a field
 * of words between the halves, does not make the halves separate numbers.
 */
function partView(kind: ViewKind, part: string): string {
  const seen = view(kind, part);
  if (kind !== "digits") return seen;
  const start = seen.startsWith(APART) ? 1 : 0;
  const end = seen.endsWith(APART) ? seen.length - 1 : seen.length;
  return start === 0 && end === seen.length ? seen : seen.slice(start, end);
}

/** The longest a remembered value is, in its view (`LONGEST` in the store). */
const SPLIT_MARGIN = 4096;
