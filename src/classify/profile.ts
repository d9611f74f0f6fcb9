/**
 * One pass over a string that gathers what the detector families need to skip it or to look only where they could
 * match: counts (digits, capitals, dots, colons), flags (`@`, `%`, assignments, non-ASCII), and the positions of digit
 * runs, capitalised words and long token runs. Detectors then run their validators at those positions instead of
 * searching the whole string with one pattern each.
 *
 * A plain `charCodeAt` loop costs a few nanoseconds per character, as much as a regular-expression scan, so this is
 * the only loop over every character of a string; everything after it looks at candidates.
 */

/** Cheap facts about a string. Lists hold at most `LIST_CAPACITY` entries; a longer list reads as -1 (unknown). */
export interface TextProfile {
  readonly length: number;
  readonly digits: number;
  readonly upper: number;
  readonly at: boolean;
  readonly percent: boolean;
  readonly dots: number;
  readonly colons: number;
  /** Longest run of token characters (letters, digits, `+/_-.=~`): secrets and encoded runs need long ones. */
  readonly maxRun: number;
  /** Has `=` or `:` (assignments, headers), or `--` (flags). */
  readonly assigns: boolean;
  /** Has letters beyond ASCII (which may be capitals: `Ørsted`, `Ángel`). */
  readonly nonAscii: boolean;
  /** Every character is ASCII (below 128): hand-written matchers stand in for Unicode patterns. */
  readonly ascii: boolean;
  /** Maximal runs of ASCII digits: `runStart[i]` to `runEnd[i]` (exclusive), in order; -1 when there are too many. */
  readonly digitRuns: number;
  readonly runStart: Int32Array;
  readonly runEnd: Int32Array;
  /** Capital letters A-Z that no letter, digit or `_@.'-` precedes (where a capitalised word may begin); -1: too many. */
  readonly capitals: number;
  readonly capitalAt: Int32Array;
  /** Maximal runs of 16 or more token characters, `tokenStart[i]` to `tokenEnd[i]`; -1 when there are too many. */
  readonly tokenRuns: number;
  readonly tokenStart: Int32Array;
  readonly tokenEnd: Int32Array;
}

export const LIST_CAPACITY = 256;

// Character classes of ASCII, one table lookup per character.
const DIGIT = 1;
const UPPER = 2;
const LOWER = 4;
/** Letters, digits and `+ / _ - . = ~`: characters of tokens, keys and encoded runs. */
const TOKEN = 8;
/** Letters, digits and `_ @ . ' -`: a capital after one of these does not begin a word. */
const JOINS = 16;
/** `@ % . : = -` need a closer look. */
const SPECIAL = 32;

const CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | TOKEN | JOINS;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER | TOKEN | JOINS;
for (let c = 97; c <= 122; c++) CLASS[c] = LOWER | TOKEN | JOINS;
for (const ch of "+/=~") CLASS[ch.charCodeAt(0)]! |= TOKEN;
for (const ch of "_.-") CLASS[ch.charCodeAt(0)]! |= TOKEN | JOINS;
for (const ch of "@'") CLASS[ch.charCodeAt(0)]! |= JOINS;
for (const ch of "@%.:=-") CLASS[ch.charCodeAt(0)]! |= SPECIAL;

/** A reusable profile: `fill` overwrites it, so a caller keeps one per nesting level and allocates nothing per string. */
export class Profile implements TextProfile {
  length = 0;
  digits = 0;
  upper = 0;
  at = false;
  percent = false;
  dots = 0;
  colons = 0;
  maxRun = 0;
  assigns = false;
  nonAscii = false;
  ascii = true;
  digitRuns = 0;
  readonly runStart = new Int32Array(LIST_CAPACITY);
  readonly runEnd = new Int32Array(LIST_CAPACITY);
  capitals = 0;
  readonly capitalAt = new Int32Array(LIST_CAPACITY);
  tokenRuns = 0;
  readonly tokenStart = new Int32Array(LIST_CAPACITY);
  readonly tokenEnd = new Int32Array(LIST_CAPACITY);

  fill(text: string): this {
    const n = text.length;
    let digits = 0;
    let upper = 0;
    let dots = 0;
    let colons = 0;
    let at = false;
    let percent = false;
    let assigns = false;
    let nonAscii = false;
    let ascii = true;
    let run = 0;
    let maxRun = 0;
    let runs = 0;
    let capitals = 0;
    let tokens = 0;
    let prev = 0;
    const runStart = this.runStart;
    const runEnd = this.runEnd;
    const capitalAt = this.capitalAt;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      let k: number;
      if (c < 128) k = CLASS[c]!;
      else {
        ascii = false;
        if (c > 191 && c !== 0x2019) nonAscii = true;
        // A letter beyond ASCII (or `’`) joins words like one in ASCII: no capital right after it begins a word.
        k = c === 0x2019 || c > 191 ? JOINS : 0;
      }
      if ((k & TOKEN) !== 0) {
        run++;
      } else if (run > 0) {
        if (run > maxRun) maxRun = run;
        if (run >= 16) {
          if (tokens >= 0 && tokens < LIST_CAPACITY) {
            this.tokenStart[tokens] = i - run;
            this.tokenEnd[tokens++] = i;
          } else tokens = -1;
        }
        run = 0;
      }
      if ((k & DIGIT) !== 0) {
        digits++;
        if ((prev & DIGIT) === 0) {
          if (runs >= 0 && runs < LIST_CAPACITY) runStart[runs] = i;
          else runs = -1;
        }
      } else {
        if ((prev & DIGIT) !== 0 && runs >= 0) runEnd[runs++] = i;
        if ((k & UPPER) !== 0) {
          upper++;
          if ((prev & JOINS) === 0) {
            if (capitals >= 0 && capitals < LIST_CAPACITY) capitalAt[capitals++] = i;
            else capitals = -1;
          }
        } else if ((k & SPECIAL) !== 0) {
          if (c === 46) dots++;
          else if (c === 58) {
            colons++;
            assigns = true;
          } else if (c === 64) at = true;
          else if (c === 37) percent = true;
          else if (c === 61) assigns = true;
          else if (c === 45 && text.charCodeAt(i + 1) === 45) assigns = true;
        }
      }
      prev = k;
    }
    if ((prev & DIGIT) !== 0 && runs >= 0) runEnd[runs++] = n;
    if (run > 0) {
      if (run > maxRun) maxRun = run;
      if (run >= 16) {
        if (tokens >= 0 && tokens < LIST_CAPACITY) {
          this.tokenStart[tokens] = n - run;
          this.tokenEnd[tokens++] = n;
        } else tokens = -1;
      }
    }
    this.length = n;
    this.digits = digits;
    this.upper = upper;
    this.dots = dots;
    this.colons = colons;
    this.at = at;
    this.percent = percent;
    this.assigns = assigns;
    this.nonAscii = nonAscii;
    this.ascii = ascii;
    this.maxRun = maxRun;
    this.digitRuns = runs;
    this.capitals = capitals;
    this.tokenRuns = tokens;
    return this;
  }
}

/** A fresh profile of `text` (tests and one-off callers; the classifier reuses its own). */
export function profileOf(text: string): TextProfile {
  return new Profile().fill(text);
}
