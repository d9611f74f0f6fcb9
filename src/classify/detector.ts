import type { DataClass } from "../model/data-class.js";
import type { TextProfile } from "./profile.js";

/** One value a detector found in one string: a `Finding` before the walker adds its pointer and encoding. */
export interface Match {
  readonly class: DataClass;
  readonly start: number;
  readonly end: number;
  readonly detector: string;
  readonly confidence: number;
}

/**
 * What the walker knows of the string being scanned. `key` is the property name that holds it (or the nearest
 * named ancestor's, for array items), split into lowercase words: `dateOfBirth` and `date_of_birth` both become
 * `["date", "of", "birth"]`.
 */
export interface ScanContext {
  readonly keyWords: readonly string[];
}

/**
 * A family of detectors over plain text. `scan` appends what it finds to `out`; it must run in time linear in
 * `text` (no regex with nested or overlapping quantifiers) and must not throw.
 *
 * `K` is what the family makes of a property name (`forKey`): the stage computes it once per distinct key and hands
 * it to every `scan` of a value under that key, so key words are not re-read per string.
 */
export interface Detector<K = undefined> {
  readonly family: string;
  /** What this family makes of the key words of a context; called once per distinct key (and once for no key). */
  forKey?(words: readonly string[]): K;
  /** True when the family can find nothing in any text under this key (families driven by keys alone): not run there. */
  idleFor?(key: K): boolean;
  /**
   * True when the family may find something in a quiet text under this key (see `TextProfile.quiet`: no digit,
   * capital, `@`, letter beyond ASCII, long token or assignment). Families without it never do, and are not run there.
   */
  readsQuietText?(key: K): boolean;
  /**
   * `profile` holds cheap facts and candidate positions of `text` (see `Profile`): families look only there.
   * `key` is `forKey(context.keyWords)`.
   */
  scan(text: string, context: ScanContext, out: Match[], profile: TextProfile, key: K): void;
}

export const NO_CONTEXT: ScanContext = { keyWords: [] };
