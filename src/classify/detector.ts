import type { DataClass } from "../model/data-class.js";
import type { TextProfile } from "./text.js";

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
 */
export interface Detector {
  readonly family: string;
  /** Set by the stage before each `scan`: cheap facts about the text (see `profileOf`), for detectors to skip work. */
  profile?: TextProfile;
  scan(text: string, context: ScanContext, out: Match[]): void;
}

export const NO_CONTEXT: ScanContext = { keyWords: [] };
