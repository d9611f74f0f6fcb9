import type { DataClass } from "./data-class.js";

/** How a value was encoded where it was found; the span then points into the decoded text. */
export type Encoding = "plain" | "json" | "base64" | "hex" | "url";

/**
 * One classified value inside a JSON value (a tool's arguments or result). It locates the value and never holds it:
 * findings are safe to audit.
 */
export interface Finding {
  readonly class: DataClass;
  /** RFC 6901 pointer to the string (or key) that holds the value; "" is the root. */
  readonly pointer: string;
  /** UTF-16 offsets of the value in that string (in its decoded text when `encoding` is not plain). */
  readonly start: number;
  readonly end: number;
  /** Which detector found it, e.g. `regex:email`, `key:ssn`, `luhn:card`. */
  readonly detector: string;
  /** 0..1: how sure the detector is. */
  readonly confidence: number;
  /** Set when the value sat inside an encoded string; redaction then replaces the whole string. */
  readonly encoding?: Encoding;
  /** True when the finding is a JSON object key rather than a string value. */
  readonly inKey?: boolean;
}
