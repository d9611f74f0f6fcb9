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
  cached = { lookup: (word) => table.get(word) };
  return cached;
}
