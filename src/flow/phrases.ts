/**
 * Phrase provenance: which words of a call's free text an untrusted result dictated. An injected instruction must
 * state the exact value it wants ("the title should be 'Booking a room at …'", "book the Riverside View Hotel"), and
 * a compromised agent copies that value whole into an argument. A value the user's request or a trusted result also
 * states is not dictated by the untrusted one. Phrases are compared as runs of three words (shingles), kept only as
 * keyed fingerprints, like every remembered value.
 */

/** The class of a `FlowMatch` for a phrase an untrusted result dictated: provenance only, like `network.url`. */
export const PHRASE_CLASS = "text.phrase";

/** Words per shingle: long enough that common short phrases ("at the hotel") rarely decide anything alone. */
export const PHRASE_WORDS = 3;

/**
 * Words a dictated value needs outside a destination argument. Up to three words (a name, a street, a place) are
 * facts an agent rightly takes from what it reads; a longer run copied whole is text written for it to reproduce.
 * Where the call goes (a destination argument), three words name it.
 */
export const CONTENT_PHRASE_WORDS = 4;

const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
// An apostrophe inside a word keeps it one word (`grandma's`).
const WORD = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const LETTER = /\p{L}/u;
const NON_ASCII = /[^\x00-\x7f]/;

/** The words of `text` as phrases compare them: runs of letters and digits, lower-cased, invisible characters dropped. */
export function phraseWords(text: string): string[] {
  return text.replace(INVISIBLE, "").normalize("NFKC").toLowerCase().match(WORD) ?? [];
}

/**
 * The secret keys of phrase fingerprints (32-bit integers): a word is hashed from `seed` (FNV-style, integer
 * multiplies only, so a long result scans fast), three word hashes are mixed with `key` into a shingle's.
 */
export interface PhraseHasher {
  readonly seed: number;
  readonly key: number;
}

/** The fingerprints of a text's shingles, and how many words (and words with a letter) it has. */
export interface PhraseScan {
  readonly shingles: number[];
  readonly words: number;
  readonly lettered: number;
}

/**
 * One pass over `text`: the words of `phraseWords`, each hashed as it is read (no word is materialized), and each run
 * of `PHRASE_WORDS` words folded into a shingle fingerprint. Pure-ASCII text (most of it) skips normalization.
 */
export function scanPhrase(text: string, hasher: PhraseHasher): PhraseScan {
  const source = NON_ASCII.test(text) ? text.replace(INVISIBLE, "").normalize("NFKC").toLowerCase() : text;
  const { seed, key } = hasher;
  const shingles: number[] = [];
  let words = 0;
  let lettered = 0;
  let h = seed;
  let inWord = false;
  let hasLetter = false;
  let previous1 = 0;
  let previous2 = 0;
  const endWord = () => {
    words++;
    if (hasLetter) lettered++;
    const word = mix(h ^ key);
    if (words >= PHRASE_WORDS) shingles.push(mix(Math.imul(mix(Math.imul(previous2, 0x9e3779b1) ^ previous1 ^ key), 0x85ebca6b) ^ word));
    previous2 = previous1;
    previous1 = word;
    h = seed;
    inWord = false;
    hasLetter = false;
  };
  for (let i = 0; i < source.length; i++) {
    let c = source.charCodeAt(i);
    let word: boolean;
    let letter = false;
    if (c < 128) {
      if (c >= 65 && c <= 90) c += 32;
      letter = c >= 97 && c <= 122;
      word = letter || (c >= 48 && c <= 57);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      word = true; // a half of an astral character: part of whatever word it sits in
    } else {
      const ch = source[i]!;
      word = WORD_CHAR.test(ch);
      letter = word && LETTER.test(ch);
    }
    if (!word && inWord && (c === 39 || c === 0x2019) && i + 1 < source.length && isWordAt(source, i + 1)) word = true;
    if (word) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
      if (letter) hasLetter = true;
    } else if (inWord) {
      endWord();
    }
  }
  if (inWord) endWord();
  return { shingles, words, lettered };
}

/** A 32-bit finalizer (murmur3's): spreads every input bit over the output. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return WORD_CHAR.test(text[i]!);
}

/**
 * True when a scan reads as a phrase worth tracing: at least `PHRASE_WORDS` words, of which at least two hold a
 * letter. Dates, times and amounts (`2024-05-01 09:00`) are left to the value detectors.
 */
export function isPhrase(scan: PhraseScan): boolean {
  return scan.words >= PHRASE_WORDS && scan.lettered >= 2;
}
