import { createRequire } from "node:module";

/** What the English lexicon says of a lowercase word. */
export interface WordInfo {
  /** A first or last name (possibly also something else: `will`, `grace`). */
  readonly name: boolean;
  /** Any other part of speech or entity type (noun, verb, place, month, organisation...). */
  readonly other: boolean;
  /** A place (city, country, region). */
  readonly place: boolean;
}

export interface Lexicon {
  lookup(word: string): WordInfo | undefined;
  /** Every single-word entry (lowercase), for building faster indexes over the same words. */
  entries?(): Iterable<readonly [string, WordInfo]>;
}

let cached: Lexicon | undefined;

const NAME_TAGS = new Set(["FirstName", "MaleName", "FemaleName", "LastName", "Person", "Honorific"]);
const PLACE_TAGS = new Set(["City", "Country", "Region", "Place", "Demonym"]);

/**
 * The lexicon of compromise (about 25,000 English words with their tags, ~4,000 of them first and last names), read
 * once per process. It feeds the fast name detector, so free text gets names without running a parser per string.
 */
export function englishLexicon(): Lexicon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const nlp = require("compromise") as { world(): { model: { one: { lexicon: Record<string, string | string[]> } } } };
  const raw = nlp.world().model.one.lexicon;
  const table = new Map<string, WordInfo>();
  for (const [word, tags] of Object.entries(raw)) {
    const list = Array.isArray(tags) ? tags : [tags];
    let name = false;
    let other = false;
    let place = false;
    for (const tag of list) {
      if (NAME_TAGS.has(tag)) name = true;
      else other = true;
      if (PLACE_TAGS.has(tag)) place = true;
    }
    // Lexicon entries may be phrases (`new york`); index the single words only.
    if (!word.includes(" ")) table.set(word, { name, other, place });
  }
  cached = { lookup: (word) => table.get(word), entries: () => table.entries() };
  return cached;
}

/** Flags of a word in a `WordTable`. */
export const IN_LEXICON = 1;
export const NAME = 2;
export const OTHER = 4;
export const PLACE = 8;
/** A word the caller marked (the names detector marks function words). */
export const MARKED = 16;
/** A word the caller marked as ending names of organisations and places (`Orchestra`, `Technologies`, `Harbor`). */
export const ENDS_NON_PERSON = 32;

/**
 * Lowercase ASCII words and their flags in an open-addressing hash table that is probed with a span of UTF-16 codes
 * (capitals folded to lowercase, `’` to `'`, on the fly): looking up a word of a text allocates nothing, no slice, no
 * `toLowerCase`. Built once per process.
 */
export class WordTable {
  private readonly slots: Int32Array;
  private readonly words: string[] = [];
  private readonly flagsOf: number[] = [];
  private readonly infos: (WordInfo | undefined)[] = [];
  private readonly mask: number;
  /** Every word's characters, one after another; `offsets[i]` and `lengths[i]` address word `i`. */
  private readonly pool: Uint16Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;

  /** `entries`: lowercase ASCII words with their flags and, for lexicon words, what the lexicon says of them. */
  constructor(entries: Iterable<readonly [string, number, WordInfo | undefined]>) {
    const unique = new Map<string, readonly [number, WordInfo | undefined]>();
    for (const [word, flags, info] of entries) {
      if (!/^[\x00-\x7f]+$/.test(word) || word !== word.toLowerCase()) throw new Error(`word table: \`${word}\` is not lowercase ASCII`);
      const known = unique.get(word);
      unique.set(word, [flags | (known?.[0] ?? 0), info ?? known?.[1]]);
    }
    let size = 16;
    while (size < unique.size * 2) size <<= 1;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    let total = 0;
    for (const word of unique.keys()) total += word.length;
    this.pool = new Uint16Array(total);
    this.offsets = new Int32Array(unique.size);
    this.lengths = new Int32Array(unique.size);
    let offset = 0;
    for (const [word, [flags, info]] of unique) {
      let slot = hashWord(word) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      const index = this.words.length;
      this.words.push(word);
      this.flagsOf.push(flags);
      this.infos.push(info);
      this.offsets[index] = offset;
      this.lengths[index] = word.length;
      for (let i = 0; i < word.length; i++) this.pool[offset + i] = word.charCodeAt(i);
      offset += word.length;
      this.slots[slot] = index + 1;
    }
  }

  /** The lexicon's single ASCII words (flags `IN_LEXICON`, `NAME`, `OTHER`, `PLACE`) and `marked` words (`MARKED`). */
  static fromLexicon(lexicon: Lexicon, marked: Iterable<string>, endsNonPerson: Iterable<string> = []): WordTable {
    const entries: [string, number, WordInfo | undefined][] = [];
    for (const [word, info] of lexicon.entries?.() ?? []) {
      // Lookups are of lowercased words: entries with capitals or beyond ASCII are never hit on the ASCII path.
      if (!/^[\x00-\x7f]+$/.test(word) || word !== word.toLowerCase()) continue;
      entries.push([word, IN_LEXICON | (info.name ? NAME : 0) | (info.other ? OTHER : 0) | (info.place ? PLACE : 0), info]);
    }
    for (const word of marked) entries.push([word, MARKED, undefined]);
    for (const word of endsNonPerson) entries.push([word, ENDS_NON_PERSON, undefined]);
    return new WordTable(entries);
  }

  /** The entry of `codes[start..end)` (ASCII and `’`, any case), or -1. */
  find(codes: Uint16Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ FOLD[codes[i]!]!, 0x01000193);
    const length = end - start;
    const { slots, lengths, offsets, pool, mask } = this;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const index = slots[slot]! - 1;
      if (index < 0) return -1;
      if (lengths[index] !== length) continue;
      const offset = offsets[index]!;
      let i = 0;
      while (i < length && pool[offset + i] === FOLD[codes[start + i]!]) i++;
      if (i === length) return index;
    }
  }

  /** The entry of a lowercase word, or -1. */
  get(word: string): number {
    for (let slot = hashWord(word) & this.mask; ; slot = (slot + 1) & this.mask) {
      const index = this.slots[slot]! - 1;
      if (index < 0) return -1;
      if (this.words[index] === word) return index;
    }
  }

  flags(index: number): number {
    return index < 0 ? 0 : this.flagsOf[index]!;
  }

  info(index: number): WordInfo | undefined {
    return index < 0 ? undefined : this.infos[index];
  }
}

/** Capitals folded to lowercase and `’` to `'`: how a word of a text is compared with the table's. */
const FOLD = new Uint16Array(65536);
for (let c = 0; c < 65536; c++) FOLD[c] = c >= 65 && c <= 90 ? c | 32 : c === 0x2019 ? 39 : c;


function hashWord(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h;
}
