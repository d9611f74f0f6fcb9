import { folds } from "./fold.js";

/**
 * What the detector families need to skip a string or to look only where they could match: one pass for counts,
 * flags (digits, capitals, `@`, `%`, assignments, non-ASCII, the longest token run) and the positions of capitals,
 * and, on first use, the positions of digit runs and long token runs. Detectors run their validators at those
 * positions instead of searching the whole string with one pattern each.
 *
 * Measured on Node 20: a per-character JavaScript loop costs a few nanoseconds per character, about as much as a
 * regular-expression scan and far more than a native `indexOf`; branches that depend on the character (is it a
 * digit?) mispredict on mixed text, and a regular-expression call costs some 50 ns. So the pass is one loop over a
 * typed-array copy of the text whose branches (a token run ends, a capital) prose predicts well; listing capitals
 * there costs less than a second pass; the rarer lists are gathered lazily.
 */

/**
 * Cheap facts about a string. Lists grow with the text up to `LIST_CAPACITY` entries; a longer list reads as -1
 * (unknown), and the families then search the whole text.
 */
export interface TextProfile {
  readonly length: number;
  readonly digits: number;
  /** 1 when the text has a capital A-Z, else 0. */
  readonly upper: number;
  readonly at: boolean;
  readonly percent: boolean;
  /** `.` counted up to 3 and `:` up to 2: what the IP gate needs. */
  readonly dots: number;
  readonly colons: number;
  /** Longest run of token characters (letters, digits, `+/_-.=~`): secrets and encoded runs need long ones. */
  readonly maxRun: number;
  /** Has `=` or `:` (assignments, headers), or `--` (flags). */
  readonly assigns: boolean;
  /** Has letters beyond ASCII (which may be capitals: `Ørsted`, `Ángel`). */
  readonly nonAscii: boolean;
  /** Every character is ASCII (below 128). */
  readonly ascii: boolean;
  /** Which punctuation the text holds: bits of `Char`. */
  readonly chars: number;
  /**
   * Plain lowercase ASCII text: no digit, capital, `@`, `%`, `-`, character beyond ASCII, assignment (`:`, `=`), comma
   * next to a quote, nor a token of 12 characters or more (`processing`, `en route`). Only families driven by the key
   * can find something in it.
   */
  readonly quiet: boolean;
  /** Has surrogate code units (characters beyond the Basic Multilingual Plane): hand-written matchers step aside. */
  readonly surrogates: boolean;
  /** Has a capital A-Z directly followed by a digit (`E11`, `AB12`): codes and ids start so, prose rarely does. */
  readonly upperDigit: boolean;
  /** Maximal runs of ASCII digits: `runStart[i]` to `runEnd[i]` (exclusive), in order; -1 when there are too many. */
  readonly digitRuns: number;
  readonly runStart: Int32Array;
  readonly runEnd: Int32Array;
  /** Positions of the capital letters A-Z, in order; -1 when there are too many. */
  readonly capitals: number;
  readonly capitalAt: Int32Array;
  /** Maximal runs of 16 or more token characters, `tokenStart[i]` to `tokenEnd[i]`; -1 when there are too many. */
  readonly tokenRuns: number;
  readonly tokenStart: Int32Array;
  readonly tokenEnd: Int32Array;
  /**
   * The text's UTF-16 code units, `codes[i] === text.charCodeAt(i)` for `i < length`: reading a typed array is
   * cheaper than `charCodeAt` in hand-written matchers.
   */
  readonly codes: Uint16Array;
}

/**
 * The most entries a list holds. Large: a 64 KB document has thousands of capitals and digit runs, and a family that
 * finds its list unknown searches the whole text with its pattern, several times slower per byte than looking only
 * where the list points. Lists start small and grow on demand, so short strings pay nothing for it.
 */
export const LIST_CAPACITY = 1 << 16;
const INITIAL_CAPACITY = 256;

// Character classes of every UTF-16 code unit, one table lookup per character and no branch for the common ones.
// The low bits drive the pass; `Char` bits say which punctuation the text holds (detectors test them before searching).
const DIGIT = 1;
const UPPER = 2;
/** Letters, digits and `+ / _ - . = ~`: characters of tokens, keys and encoded runs. */
const TOKEN = 4;
/** Letters, digits, `_ @ . ' -`, `’` and letters beyond ASCII: characters that continue a word. */
const JOINS = 8;
/** At or above 128. */
const WIDE = 16;
/** Above 191 and not `’`: letters beyond ASCII, mostly. */
const WIDE_LETTER = 32;
const SURROGATE = 64;
/** Beyond ASCII and folds to an ASCII digit, space or dash (`src/classify/fold.ts`): number families read a copy. */
const FOLDS = 128;

/** Characters a text holds, as bits of `TextProfile.chars`. */
export const Char = {
  dot: 1 << 8,
  colon: 1 << 9,
  at: 1 << 10,
  percent: 1 << 11,
  equals: 1 << 12,
  dash: 1 << 13,
  slash: 1 << 14,
  pipe: 1 << 15,
  tilde: 1 << 16,
  underscore: 1 << 17,
  /** `"` or `'` */
  quote: 1 << 18,
  lessThan: 1 << 19,
  comma: 1 << 20,
  space: 1 << 21,
  tab: 1 << 22,
  upper: UPPER,
  digit: DIGIT,
} as const;

/** What a quiet text holds none of. */
const LOUD = DIGIT | UPPER | WIDE | Char.at | Char.percent | Char.dash | Char.colon | Char.equals;

const CLASS = new Uint32Array(65536);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | TOKEN | JOINS;
for (let c = 65; c <= 90; c++) CLASS[c] = UPPER | TOKEN | JOINS;
for (let c = 97; c <= 122; c++) CLASS[c] = TOKEN | JOINS;
for (const ch of "+/=~") CLASS[ch.charCodeAt(0)]! |= TOKEN;
for (const ch of "_.-") CLASS[ch.charCodeAt(0)]! |= TOKEN | JOINS;
for (const ch of "@'") CLASS[ch.charCodeAt(0)]! |= JOINS;
for (const [ch, bit] of [[".", Char.dot], [":", Char.colon], ["@", Char.at], ["%", Char.percent], ["=", Char.equals], ["-", Char.dash], ["/", Char.slash], ["|", Char.pipe], ["~", Char.tilde], ["_", Char.underscore], ['"', Char.quote], ["'", Char.quote], ["<", Char.lessThan], [",", Char.comma], [" ", Char.space], ["\t", Char.tab]] as const) {
  CLASS[ch.charCodeAt(0)]! |= bit;
}
for (let c = 128; c < 65536; c++) CLASS[c] = WIDE | (c > 191 && c !== 0x2019 ? WIDE_LETTER | JOINS : 0);
CLASS[0x2019]! |= JOINS;
for (let c = 0xd800; c <= 0xdfff; c++) CLASS[c]! |= SURROGATE;
for (let c = 128; c < 65536; c++) if (folds(c)) CLASS[c]! |= FOLDS;

/** The class of a lowercase ASCII letter. */
const LOWER = TOKEN | JOINS;
for (let c = 97; c <= 122; c++) if (CLASS[c] !== LOWER) throw new Error("profile: lowercase letters must have one class");

const isTokenCode = (c: number) => (CLASS[c]! & TOKEN) !== 0;


/**
 * A reusable profile: `fill` overwrites it, so a caller keeps one per nesting level and allocates nothing per string.
 * `fill` makes one pass for the counts, flags and capitals; the other position lists are built on first use, only
 * for the strings whose detectors ask for them.
 */
export class Profile implements TextProfile {
  length = 0;
  digits = 0;
  upper = 0;
  at = false;
  percent = false;
  maxRun = 0;
  assigns = false;
  nonAscii = false;
  ascii = true;
  surrogates = false;
  upperDigit = false;
  /** Holds a digit, space or dash beyond ASCII that folds to ASCII (`src/classify/fold.ts`). */
  folds = false;
  /** Which `Char`s the text holds (and `Char.upper`, `Char.digit`). */
  chars = 0;
  quiet = false;
  private text = "";
  private runs = -2;
  private runStarts = new Int32Array(INITIAL_CAPACITY);
  private runEnds = new Int32Array(INITIAL_CAPACITY);
  private caps = -2;
  private capitalsAt = new Int32Array(INITIAL_CAPACITY);
  private tokens = -2;
  private starts = new Int32Array(INITIAL_CAPACITY);
  private ends = new Int32Array(INITIAL_CAPACITY);
  private dotCount = -1;
  private colonCount = -1;
  private buffer = Buffer.alloc(512);
  codes = new Uint16Array(this.buffer.buffer, this.buffer.byteOffset, 256);

  fill(text: string): this {
    const n = text.length;
    if (n > this.codes.length) {
      this.buffer = Buffer.alloc(2 * Math.max(n, 2 * this.codes.length));
      this.codes = new Uint16Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length / 2);
    }
    const codes = this.codes;
    // One native copy, then a typed-array loop: about half the cost of `charCodeAt` per character. The copy has a
    // fixed cost that short strings (keys, ids, enum values) do not repay.
    if (n > 32) this.buffer.write(text, 0, "utf16le");
    else for (let i = 0; i < n; i++) codes[i] = text.charCodeAt(i);
    let digits = 0;
    let flags = 0;
    // Bits of adjacent characters: `same` has those both share (`--`), `shifted` a capital's before a digit's.
    let same = 0;
    let shifted = 0;
    let run = 0;
    let maxRun = 0;
    let prev = 0;
    // Capitals are listed in the pass (a branch prose predicts well: they are rare); past the list's capacity they are
    // only counted, and the list reads as unknown.
    if (this.capitalsAt.length < Math.min(n, LIST_CAPACITY)) this.capitalsAt = new Int32Array(grown(this.capitalsAt.length, n));
    const at = this.capitalsAt;
    const capacity = at.length;
    let caps = 0;
    let lower = false;
    let i = 0;
    while (i < n) {
      // Most of a text is runs of lowercase ASCII letters: all they add is their length to a token run (they hold no
      // digit, capital or punctuation, and as neighbours they make no `--` and no capital-before-digit), so a run is
      // stepped over with one comparison per letter.
      if (codes[i]! - 97 >>> 0 <= 25) {
        const start = i;
        do i++;
        while (i < n && codes[i]! - 97 >>> 0 <= 25);
        run += i - start;
        lower = true;
        prev = LOWER;
        continue;
      }
      const k = CLASS[codes[i]!]!;
      flags |= k;
      digits += k & DIGIT;
      same |= prev & k;
      shifted |= prev & (k << 1);
      if ((k & UPPER) !== 0) {
        if (caps < capacity) at[caps] = i;
        caps++;
      }
      // Token runs end at a branch that prose predicts well: a carried `run = (run + 1) & mask` costs more.
      if ((k & TOKEN) !== 0) run++;
      else {
        if (run > maxRun) maxRun = run;
        run = 0;
      }
      prev = k;
      i++;
    }
    if (run > maxRun) maxRun = run;
    if (lower) flags |= LOWER;
    this.text = text;
    this.length = n;
    this.chars = flags;
    this.digits = digits;
    this.upper = (flags & UPPER) !== 0 ? 1 : 0;
    this.at = (flags & Char.at) !== 0;
    this.percent = (flags & Char.percent) !== 0;
    this.assigns = (flags & (Char.colon | Char.equals)) !== 0 || (same & Char.dash) !== 0;
    // The digit bit (1) shifted onto the capital bit (2).
    this.upperDigit = (shifted & UPPER) !== 0;
    this.nonAscii = (flags & WIDE_LETTER) !== 0;
    this.ascii = (flags & WIDE) === 0;
    this.surrogates = (flags & SURROGATE) !== 0;
    this.folds = (flags & FOLDS) !== 0;
    this.maxRun = maxRun;
    this.quiet = (flags & LOUD) === 0 && maxRun < 12 && (flags & (Char.comma | Char.quote)) !== (Char.comma | Char.quote);
    this.runs = -2;
    this.caps = caps <= capacity ? caps : -1;
    this.tokens = -2;
    this.dotCount = -1;
    this.colonCount = -1;
    return this;
  }

  /** `.` in the text, counted up to 3 (IPv4 needs three). */
  get dots(): number {
    if (this.dotCount < 0) this.dotCount = (this.chars & Char.dot) === 0 ? 0 : countUpTo(this.text, ".", 3);
    return this.dotCount;
  }

  /** `:` in the text, counted up to 2 (IPv6 needs two). */
  get colons(): number {
    if (this.colonCount < 0) this.colonCount = (this.chars & Char.colon) === 0 ? 0 : countUpTo(this.text, ":", 2);
    return this.colonCount;
  }

  get digitRuns(): number {
    if (this.runs === -2) {
      // Each run holds a digit: as many runs as digits at most, so the lists are sized once, before the pass.
      const need = Math.min(this.digits, LIST_CAPACITY);
      if (need > this.runStarts.length) {
        this.runStarts = new Int32Array(grown(this.runStarts.length, need));
        this.runEnds = new Int32Array(this.runStarts.length);
      }
      this.runs = this.digits === 0 ? 0 : listDigitRuns(this.codes, this.length, this.digits, this.runStarts, this.runEnds);
    }
    return this.runs;
  }

  get runStart(): Int32Array {
    return this.runStarts;
  }

  get runEnd(): Int32Array {
    return this.runEnds;
  }

  /** Positions of the capitals A-Z, listed by `fill`; -1 when there are more than `LIST_CAPACITY`. */
  get capitals(): number {
    return this.caps;
  }

  get capitalAt(): Int32Array {
    return this.capitalsAt;
  }

  /** Maximal runs of 16 or more token characters, listed on first use; -1 when there are too many. */
  get tokenRuns(): number {
    if (this.tokens === -2) {
      // A run of 16 or more characters and its separator: at most length / 17 of them.
      const need = Math.min(Math.ceil(this.length / 17), LIST_CAPACITY);
      if (need > this.starts.length) {
        this.starts = new Int32Array(grown(this.starts.length, need));
        this.ends = new Int32Array(this.starts.length);
      }
      this.tokens = this.maxRun < 16 ? 0 : listTokenRuns(this.codes, this.length, this.starts, this.ends);
    }
    return this.tokens;
  }

  get tokenStart(): Int32Array {
    return this.starts;
  }

  get tokenEnd(): Int32Array {
    return this.ends;
  }
}

/** A list capacity of at least `need`: doubled from `current`, so a profile reused on ever longer texts grows rarely. */
function grown(current: number, need: number): number {
  let size = current;
  while (size < need) size *= 2;
  return Math.min(size, LIST_CAPACITY);
}

function countUpTo(text: string, char: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at >= 0 && count < limit; at = text.indexOf(char, at + 1)) count++;
  return count;
}

/** Maximal runs of ASCII digits in `codes[0..n)`; stops once `digits` digits are seen. */
function listDigitRuns(codes: Uint16Array, n: number, digits: number, starts: Int32Array, ends: Int32Array): number {
  let count = 0;
  let seen = 0;
  for (let i = 0; i < n && seen < digits; i++) {
    if (codes[i]! - 48 >>> 0 > 9) continue;
    let j = i + 1;
    while (j < n && codes[j]! - 48 >>> 0 <= 9) j++;
    if (count >= starts.length) return -1;
    starts[count] = i;
    ends[count++] = j;
    seen += j - i;
    i = j;
  }
  return count;
}

function listTokenRuns(codes: Uint16Array, n: number, starts: Int32Array, ends: Int32Array): number {
  let count = 0;
  let i = 0;
  while (i < n) {
    if (!isTokenCode(codes[i]!)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isTokenCode(codes[j]!)) j++;
    if (j - i >= 16) {
      if (count >= starts.length) return -1;
      starts[count] = i;
      ends[count++] = j;
    }
    i = j;
  }
  return count;
}

/** A fresh profile of `text` (tests and one-off callers; the classifier reuses its own). */
export function profileOf(text: string): TextProfile {
  return new Profile().fill(text);
}
