import type { Finding } from "../model/finding.js";

/**
 * Finds data classes in a JSON value (tool arguments or a result). Implementations compile their detectors once and
 * scan in time linear in the input; `classify` must not throw on any JSON value (the guard denies if it does).
 */
export interface Classifier {
  classify(value: unknown): readonly Finding[];
}

/** A place in a string: `[start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * The places of a redacted value that the redactor wrote, by JSON pointer into that value: in strings, and in keys.
 * The guard classifies a redacted value again and needs them: what it wrote (`[REDACTED:health.diagnosis]` under
 * `diagnosis`, `****ma`) may read as data of the class it replaced, and must not count as that data surviving.
 */
export interface WrittenPlaces {
  readonly values: Map<string, Span[]>;
  readonly keys: Map<string, Span[]>;
}

/** Rewrites a value so that none of the given findings' values remain; the result is valid JSON of the same shape. */
export interface Redactor {
  /** When `written` is given, the places the returned value has from the redactor are added to it. */
  redact(value: unknown, findings: readonly Finding[], written?: WrittenPlaces): unknown;
}
