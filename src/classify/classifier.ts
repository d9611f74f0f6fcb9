import type { Finding } from "../model/finding.js";

/**
 * Finds data classes in a JSON value (tool arguments or a result). Implementations compile their detectors once and
 * scan in time linear in the input; `classify` must not throw on any JSON value (the guard denies if it does).
 */
export interface Classifier {
  classify(value: unknown): readonly Finding[];
}

/** Rewrites a value so that none of the given findings' values remain; the result is valid JSON of the same shape. */
export interface Redactor {
  redact(value: unknown, findings: readonly Finding[]): unknown;
}
