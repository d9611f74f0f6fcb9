/** Small pure helpers shared by the detectors. Nothing here allocates more than its result. */

/** Shannon entropy of `text` in bits per character. */
export function shannonEntropy(text: string, start = 0, end = text.length): number {
  const length = end - start;
  if (length <= 0) return 0;
  // Counts in a reused table: entropy runs on every secret candidate, so it must not allocate.
  const counts = COUNTS;
  let other = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 128) counts[code]!++;
    else other++;
  }
  let bits = 0;
  for (let c = 0; c < 128; c++) {
    const count = counts[c]!;
    if (count === 0) continue;
    counts[c] = 0;
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  if (other > 0) {
    // Non-ASCII characters are rare in credentials; count them as one symbol (an underestimate, never an overestimate).
    const p = other / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

const COUNTS = new Int32Array(128);

/** Luhn (mod 10) check over the digits of `text`, ignoring anything else. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  let seen = 0;
  for (let i = digits.length - 1; i >= 0; i--) {
    const code = digits.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    let d = code - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
    seen++;
  }
  return seen > 0 && sum % 10 === 0;
}

/** The digits of `text`, in order. */
export function digitsOf(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) out += text[i];
  }
  return out;
}

export function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetterCode(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Letters, digits and `_`: a character that continues a word or token. */
export function isWordCode(code: number): boolean {
  return isDigitCode(code) || isAsciiLetterCode(code) || code === 95;
}

/** True when the characters around `[start, end)` do not continue a word, digit run or token. */
export function bounded(text: string, start: number, end: number, isPart: (code: number) => boolean = isWordCode): boolean {
  return (start === 0 || !isPart(text.charCodeAt(start - 1))) && (end >= text.length || !isPart(text.charCodeAt(end)));
}

const PLACEHOLDER_WORDS =
  /^(?:x+|\*+|#+|\.+|-+|_+|0+|1+|null|none|nil|undefined|true|false|changeme|change_me|password|passwd|pass|pwd|secret|token|username|user|example|sample|dummy|test|testing|redacted|hidden|masked|(?:your|my)[_-]?[a-z_-]*|placeholder|todo|tbd|xxx\w*|\w*here|\w*_here)$/i;

const REDACTION_MARK = /[[<({*_\-] ?(?:redacted|placeholder)|(?:redacted|placeholder) ?[\]>)}*]/i;

/**
 * True for values that only stand in for a secret: `xxxx`, `${API_KEY}`, `<token>`, `{{ .Values.pw }}`, `$PASSWORD`,
 * `your-api-key`, a run of one repeated character, `[REDACTED]`. Secret detectors skip them, since flagging a
 * template costs users trust and proves nothing.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  const first = v.charCodeAt(0);
  // Templates and variables: ${X}, $X, $(cmd), {{ x }}, <x>, %X%, [X], `cmd`
  if (first === 36 /* $ */ || first === 37 /* % */ || first === 96 /* ` */) return true;
  // `<your token>`, `{SumoAccessKey}`, `[PASSWORD]`: brackets around a name. `{ZqL5kVrX1n8tA2}` holds a real value.
  if ((first === 60 || first === 123 || first === 91) && /^[<{[][\s\w.\-]*[>}\]]$/.test(v) && !/\d/.test(v)) return true;
  if (v.includes("${") || v.includes("{{") || v.includes("$(") || v.includes("#{") || v.includes("...") || v.includes("**") || v.includes("<%")) return true;
  // A reference to where the secret is kept, not the secret: `@Microsoft.KeyVault(SecretUri=…)`.
  if (v.startsWith("@Microsoft.KeyVault(")) return true;
  // Values encrypted by SOPS (`ENC[AES256_GCM,data:…]`): ciphertext, not a credential.
  if (v.startsWith("ENC[")) return true;
  // What a Terraform plan prints in place of a value: `password = (sensitive value)`, `(known after apply)`.
  if (first === 40 /* ( */ && /^\((?:sensitive|known after)\b/.test(v)) return true;
  // Documentation values: `AKIAIOSFODNN7EXAMPLE`, `ops_eyJ..[Redacted]`, `sk-<REDACTED>`. The word only counts as a
  // marker (bracketed, or the whole value): `MyRedactedPass1` is a password.
  if (v.includes("EXAMPLE") || REDACTION_MARK.test(v) || v.includes("..")) return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  return dominatedByOneChar(v, 0.5) || hasLongRun(v, "x", 8) || hasLongRun(v, "X", 8) || repeatsItself(v);
}

/**
 * A value of 16 or more characters that is a shorter one written out again and again (`abcdabcdabcdabcd`), or, after
 * a vendor-like prefix, a counting sequence written out again (`ls__0123456789abcdef0123456789abcdef`).
 */
function repeatsItself(value: string): boolean {
  if (periodOf(value) > 0) return true;
  const prefix = /^[A-Za-z]{1,8}[_\-]+/.exec(value);
  if (prefix === null) return false;
  const rest = value.slice(prefix[0].length);
  const period = periodOf(rest);
  return period > 0 && isSequential(rest.slice(0, period));
}

/** Longest repeated unit looked for: placeholders repeat short ones, and the check stays linear in the value. */
const MAX_PERIOD = 64;

/** The shortest period (up to `MAX_PERIOD`) of a value of 16 or more characters that repeats it whole, or 0. */
function periodOf(v: string): number {
  if (v.length < 16) return 0;
  // A period starts again with the first character: only those places are tried.
  const first = v[0]!;
  const longest = Math.min(MAX_PERIOD, v.length >> 1);
  for (let period = v.indexOf(first, 1); period > 0 && period <= longest; period = v.indexOf(first, period + 1)) {
    if (v.length % period !== 0) continue;
    let same = true;
    for (let i = period; i < v.length && same; i++) same = v.charCodeAt(i) === v.charCodeAt(i - period);
    if (same) return period;
  }
  return 0;
}

/** True when one character makes up more than `share` of `value`. */
export function dominatedByOneChar(value: string, share: number): boolean {
  if (value.length < 4) return false;
  const counts = COUNTS;
  let max = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128) {
      other++;
      continue;
    }
    const next = ++counts[code]!;
    if (next > max) max = next;
  }
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 128) counts[code] = 0;
  }
  return Math.max(max, other === value.length ? value.length : 0) / value.length > share;
}

function hasLongRun(value: string, char: string, length: number): boolean {
  return value.includes(char.repeat(length));
}

/** True when `value` walks an alphabet or keyboard row (`abcdefgh`, `12345678`, `qwerty`) for most of its length. */
export function isSequential(value: string): boolean {
  const v = value.toLowerCase();
  let run = 1;
  let best = 1;
  for (let i = 1; i < v.length; i++) {
    const step = v.charCodeAt(i) - v.charCodeAt(i - 1);
    run = step === 1 ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best / v.length > 0.5;
}

/** Character classes present: lower, upper, digit, other. */
export function charClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** Splits a property name into lowercase words: `dateOfBirth`, `date_of_birth`, `DATE-OF-BIRTH` → date, of, birth. */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let current = "";
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    const code = key.charCodeAt(i);
    const upper = code >= 65 && code <= 90;
    const alnum = isWordCode(code) && code !== 95;
    if (!alnum) {
      if (current) words.push(current);
      current = "";
      continue;
    }
    // camelCase boundary: lower→Upper, or the last Upper of an acronym followed by lower (`APIKey` → api, key).
    if (upper && current) {
      const prev = key.charCodeAt(i - 1);
      const nextLower = i + 1 < key.length && key.charCodeAt(i + 1) >= 97 && key.charCodeAt(i + 1) <= 122;
      const prevLower = prev >= 97 && prev <= 122;
      const prevDigit = isDigitCode(prev);
      if (prevLower || prevDigit || ((prev >= 65 && prev <= 90) && nextLower)) {
        words.push(current);
        current = "";
      }
    }
    current += ch.toLowerCase();
  }
  if (current) words.push(current);
  return words;
}

/** Lowercased text of the `width` characters before `index`, for context cues. */
export function before(text: string, index: number, width: number): string {
  return text.slice(Math.max(0, index - width), index).toLowerCase();
}

/** The lowercased `width` characters after `index`. */
export function after(text: string, index: number, width: number): string {
  return text.slice(index, index + width).toLowerCase();
}

/** Templates and variables only (`${X}`, `<pw>`, `$PASS`, `***`): in URLs and curl, even `password` may be real. */
export function isTemplate(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (/^[<{[][\s\w.\-]*[>}\]]$/.test(v)) return !/\d/.test(v); // `<password>`, `{PASSWORD}`; `{ZqL5kVrX1n8tA2}` is real
  return /^[$%<{[`*]/.test(v) || v.includes("${") || v.includes("{{") || v.includes("$(") || /^x+$/i.test(v) || /^\*+$/.test(v) || /^\.+$/.test(v);
}

/** `literal` as a regular expression that matches it exactly. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
