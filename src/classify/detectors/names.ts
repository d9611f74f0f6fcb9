import type { Detector, Match, ScanContext } from "../detector.js";
import { categories, LETTER, LOWERCASE, MARK, NUMBER, UPPERCASE } from "../letters.js";
import type { TextProfile } from "../profile.js";
import { isAsciiAlnum, isAsciiUpper } from "../runs.js";
import { englishLexicon, ENDS_NON_PERSON, IN_LEXICON, MARKED, NAME, OTHER, PLACE, WordTable, type Lexicon, type WordInfo } from "./lexicon.js";

// A capitalised word (any script with case), or a middle initial (`V.`, `P`).
const WORD = /(?<![\p{L}\p{N}_@.'’\-])(?:\p{Lu}[\p{Ll}\p{M}'’]*(?:-\p{Lu}?[\p{Ll}\p{M}'’]+)?|\p{Lu}\.?)(?![\p{L}\p{N}_@]|'[a-z]|’[a-z])/gu;
// Words right before a capitalised run that make it a person's name: `said`, `Dear`, `Mr.`, `my name is`.
const CUE_WORDS = [
  "by", "said", "says", "starring", "call", "hi", "hello", "thanks", "regards", "signed", "from", "to", "cc", "attn",
  "customer", "patient", "user", "under", "add", "meet", "with", "named", "called", "for", "contact", "im", "i'm",
  "dear", "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "lady", "lord",
];
const STRONG_CUE_WORDS = ["dear", "mr", "mrs", "ms", "miss", "dr", "prof", "named", "mx"];
// Roles written before a name (`Producer Liviana Palerma`, `CEO Tim Cook`, `songwriter Zoe Young`): cues, and never
// part of the name (so a capitalised one is dropped from the front of a run). None is a common surname, unlike
// `King`, `Judge` or `Bishop`, which stay out.
const TITLES = [
  "producer", "songwriter", "singer", "author", "novelist", "actor", "actress", "director", "manager", "assistant",
  "ceo", "cfo", "cto", "coo", "president", "chairman", "chairwoman", "founder", "cofounder", "co-founder", "professor",
  "senator", "governor", "mayor", "minister", "chancellor", "nurse", "sergeant", "lieutenant", "detective", "editor",
  "reporter", "journalist", "spokesperson", "spokesman", "spokeswoman", "colleague", "employee", "candidate", "rep",
];
const RELATIVES = ["kid", "son", "daughter", "wife", "husband", "friend", "boss", "colleague", "partner", "mother", "father", "brother", "sister", "child", "mom", "dad", "grandmother", "grandfather", "uncle", "aunt", "cousin", "nephew", "niece"];

// The cue vocabulary as flags of one word table: what a word before a run is, in one lookup.
const CUE = 1;
const STRONG = 2;
const RELATIVE = 4;
const W_IS = 8;
const W_NAME = 16;
const W_NAMES = 32;
const W_LAST = 64;
const W_FIRST = 128;
const W_FULL = 256;
const W_MY = 512;
const W_AM = 1024;
const W_I = 2048;
const W_THIS = 4096;
const W_FOR = 8192;
const W_ASK = 16384;
const W_TOWARD = 32768;
const W_MOTION = 65536;
// Verbs of travel, origin and employment before `to`, `from` or `for` (`flew to Loeches`, `moved here from Kenosha`,
// `is from Xignite`, `I work for Socrata`): the word after them is a place or an employer, so these do not cue a name.
const MOTION_WORDS = [
  "flew", "fly", "flying", "moved", "move", "moving", "relocated", "travelled", "traveled", "travel", "went", "drove", "driving", "headed",
  "heading", "arrived", "returned", "originally", "here", "there", "trip", "visit", "visited", "visiting", "work", "works", "worked",
  "working", "employed", "recorded", "is", "are",
];
const CUE_TABLE = new WordTable([
  ...[...CUE_WORDS, ...TITLES].map((w) => [w, CUE, undefined] as const),
  ...STRONG_CUE_WORDS.map((w) => [w, STRONG, undefined] as const),
  ...RELATIVES.map((w) => [w, RELATIVE, undefined] as const),
  ...MOTION_WORDS.map((w) => [w, W_MOTION, undefined] as const),
  ...([["to", W_TOWARD], ["from", W_TOWARD], ["for", W_FOR | W_TOWARD], ["is", W_IS], ["name", W_NAME], ["names", W_NAMES], ["last", W_LAST], ["first", W_FIRST], ["full", W_FULL], ["my", W_MY], ["am", W_AM], ["i", W_I], ["this", W_THIS], ["ask", W_ASK]] as const).map(([w, f]) => [w, f, undefined] as const),
]);

// What `cueBefore` says, packed in one number.
const CUED = 1;
const STRONGLY_CUED = 2;
/** The run begins a sentence (or the text): its capital says nothing. */
const SENTENCE_START = 4;
/** The run begins a line: letterheads and forms put names there. */
const LINE_START = 8;

/**
 * Reads up to three words before `start` (closest first) and the punctuation between them and the run. Words are
 * looked up by their span; only a word with letters beyond ASCII (other than `’`) is sliced and lowercased.
 */
function cueBefore(text: string, codes: Uint16Array, start: number): number {
  let i = start - 1;
  let first = 0;
  let punct = false;
  let stop = false;
  let newline = false;
  while (i >= 0 && start - i <= 6) {
    const c = codes[i]!;
    if (c === 10) newline = true;
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 62 /* > */ || c === 42 /* * */) {
      i--;
      continue;
    }
    if (c === 58 || c === 44 || c === 63 || c === 46 || c === 33 || c === 40 || c === 34 || c === 45) {
      if (!punct) first = c;
      punct = true;
      if (c === 46 || c === 33 || c === 63) stop = true;
      i--;
      continue;
    }
    break;
  }
  if (i < 0) return SENTENCE_START | LINE_START;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let found = 0;
  let end = i + 1;
  for (let k = i; k >= -1 && found < 3 && end - k < 40; k--) {
    const c = k >= 0 ? codes[k]! : 32;
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 39 || c === 8217 || c > 191;
    if (!letter) {
      if (end > k + 1) {
        const flags = cueFlags(text, codes, k + 1, end);
        if (found === 0) w0 = flags;
        else if (found === 1) w1 = flags;
        else w2 = flags;
        found++;
      }
      if (c !== 32) break;
      end = k;
    }
  }
  const colon = first === 58 || first === 63;
  const nameIs = ((w0 & W_IS) !== 0 && (w1 & W_NAME) !== 0) || ((w0 & W_NAME) !== 0 && colon) || ((w0 & W_IS) !== 0 && (w2 & W_NAME) !== 0);
  const strong = nameIs || (w0 & STRONG) !== 0 || ((w0 & RELATIVE) !== 0 && (w1 & W_MY) !== 0) || ((w0 & (W_NAME | W_NAMES)) !== 0 && (w1 & (W_LAST | W_FIRST | W_FULL)) !== 0);
  const toPlace = (w0 & W_TOWARD) !== 0 && ((w1 | w2) & W_MOTION) !== 0;
  const cue = strong || ((w0 & CUE) !== 0 && !toPlace) || ((w0 & W_AM) !== 0 && (w1 & W_I) !== 0) || ((w0 & W_IS) !== 0 && (w1 & W_THIS) !== 0) || ((w0 & W_FOR) !== 0 && (w1 & W_ASK) !== 0);
  const sentenceStart = !strong && (stop || (!punct && newline));
  return (cue ? CUED : 0) | (strong ? STRONGLY_CUED : 0) | (sentenceStart ? SENTENCE_START : 0) | (newline && !punct ? LINE_START : 0);
}

/** The cue flags of the word `[start, end)`, lowercased with `’` read as `'`. */
function cueFlags(text: string, codes: Uint16Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = codes[i]!;
    if (c > 127 && c !== 0x2019) return CUE_TABLE.flags(CUE_TABLE.get(text.slice(start, end).toLowerCase().replace(/’/g, "'")));
  }
  return CUE_TABLE.flags(CUE_TABLE.find(codes, start, end));
}

/** Capitalised words that begin sentences or titles and are never names. */
const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  ("a an the i i'm i've i'd i'll my me we our you your he him his she her they them their it its this that these those there here " +
    "what when where why who whom how which whose is are was were be been being do does did have has had can could will would shall should " +
    "may might must not no yes and or but if then else so as at by for from in into of on onto to up with about after before over under " +
    "hi hello hey dear thanks thank please sorry ok okay sir madam mr mrs ms miss dr prof st mt ave rd apt suite box po " +
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october november december " +
    "street road avenue lane drive court way place square boulevard close crescent gardens park north south east west " +
    "inc ltd llc corp co company university college school hospital bank group bot user name phone email e-mail fax mobile desk office address website " +
    "personal info date title director directed by all any each every some one two three new old big little great good best first last next").split(" ").concat(TITLES),
);

/**
 * Last words of organisations and places (`Exversion Orchestra`, `Loveland Technologies`, `Radolič Harbor`): a run
 * that ends in one is not a person. None is a common surname, unlike `Hall`, `Mills`, `Green` or `Park`.
 */
const NON_PERSON_ENDINGS: ReadonlySet<string> = new Set(
  ("orchestra choir band corporation incorporated technologies technology investments resources analytics insight insights " +
    "solutions systems industries enterprises holdings labs laboratories institute foundation association society agency " +
    "consulting ventures logistics pharmaceuticals airlines motors networks software studios records magazine " +
    "statement transit union cove coves radial turnpike forges squares prairie isle harbor harbour village county " +
    "crossing expressway freeway parkway causeway junction mall plaza orchard clinic church cathedral museum theatre " +
    "theater stadium airport hotel restaurant cafe").split(" "),
);

/** Legal forms and media written in capitals after a name (`Drake PLC`, `Civic Impulse LLC`, `Fuse TV`). */
const COMPANY_FORMS: ReadonlySet<string> = new Set(["PLC", "LLC", "LLP", "INC", "LTD", "CORP", "AG", "GMBH", "SA", "SAS", "NV", "BV", "AB", "OY", "SPA", "SRL", "KG", "TV", "FM"]);

/** Whether a company form in capitals follows `end` after one space. */
function companyFormAfter(text: string, codes: Uint16Array, end: number): boolean {
  // `codes` is the profile's buffer, longer than the text: the text's length bounds every read.
  const n = text.length;
  if (end + 2 >= n || codes[end] !== 32 || !isAsciiUpper(codes[end + 1]!) || !isAsciiUpper(codes[end + 2]!)) return false;
  let stop = end + 3;
  while (stop < n && isAsciiUpper(codes[stop]!)) stop++;
  if (stop < n && isAsciiAlnum(codes[stop]!)) return false;
  return COMPANY_FORMS.has(text.slice(end + 1, stop));
}

export interface NameOptions {
  /** Lexicon of known first/last names and common words; the default is compromise's English lexicon. */
  readonly lexicon?: Lexicon;
}

/**
 * Person names in free text, without a parser: sequences of capitalised words scored by a lexicon of ~4,000 first
 * and last names (from compromise) and by cue words (`my name is`, `Mr.`, `Dear`, `said`). The compromise parser
 * itself is never called on the hot path.
 *
 * Words are matched by hand where a capital begins one (the same matches as `WORD`, with Unicode categories from a
 * table), and looked up in a hash table by their span: no slice, no `toLowerCase`, no allocation for the common run of
 * one word. Text with letters, marks or digits beyond the BMP, or a caller's own lexicon, is matched by `WORD` and
 * scored the same way.
 */
export function namesDetector(options: NameOptions = {}): Detector {
  const lexicon = options.lexicon ?? englishLexicon();
  const table = options.lexicon === undefined ? defaultTable() : undefined;
  const cats = categories();
  // The current run on the span path: at most four words, their flags and lexicon entries.
  const run: Run = { count: 0, starts: new Int32Array(4), ends: new Int32Array(4), flags: new Int32Array(4), infos: [undefined, undefined, undefined, undefined] };
  return {
    family: "names",
    scan: function scanNames(text: string, context: ScanContext, out: Match[], profile: TextProfile) {
      if (text.length < 2) return;
      // A JSON value under a key is often a title or a product (`Wireless Keyboard`); unknown capitalised words count
      // there only after a cue. Person-named keys are the keys family's job.
      const keyed = context.keyWords.length > 0;
      if (table === undefined || (profile.surrogates && hasAstralWordCharacter(text, profile.codes)) || (profile.ascii && profile.capitals < 0)) {
        scanWithPattern(text, profile.codes, run, table, lexicon, keyed, out);
        return;
      }
      const codes = profile.codes;
      const n = text.length;
      run.count = 0;
      let runEnd = 0;
      let done = 0;
      const ascii = profile.ascii;
      const capitalAt = profile.capitalAt;
      const candidates = ascii ? profile.capitals : n;
      for (let c = 0; c < candidates; c++) {
        // A capital (\p{Lu}; in ASCII text the profile lists them, in other text a tight loop finds the next) that no
        // letter, digit or `_@.'’-` precedes.
        let start: number;
        if (ascii) start = capitalAt[c]!;
        else {
          while (c < n && (cats[codes[c]!]! & UPPERCASE) === 0) c++;
          if (c === n) break;
          start = c;
        }
        if (start > 0 && joinsWord(cats, codes[start - 1]!) && !afterEscape(codes, start)) continue;
        if (start < done) continue;
        const end = matchWord(cats, codes, n, start);
        if (end < 0) continue;
        done = end;
        runEnd = takeWord(run, text, codes, table, lexicon, ascii, keyed, out, runEnd, start, end);
      }
      if (run.count > 0) scoreSpans(text, codes, run, keyed, out);
    },
  };
}

let sharedTable: WordTable | undefined;

const WORD_CHARACTER = /[\p{L}\p{M}\p{N}]/u;

/**
 * Whether a character beyond the BMP (a surrogate pair) is a letter, mark or digit. The category table covers the BMP
 * only; `WORD` reads such a character as part of a word or as what keeps one from starting. Text whose surrogate
 * pairs are all symbols (emoji) reads the same either way, and is matched by hand.
 */
function hasAstralWordCharacter(text: string, codes: Uint16Array): boolean {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (c < 0xd800 || c > 0xdbff) continue;
    const point = text.codePointAt(i)!;
    if (point > 0xffff && WORD_CHARACTER.test(String.fromCodePoint(point))) return true;
  }
  return false;
}

function defaultTable(): WordTable {
  return (sharedTable ??= WordTable.fromLexicon(englishLexicon(), FUNCTION_WORDS, NON_PERSON_ENDINGS));
}

interface Run {
  count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** `MARKED` for function words, and the lexicon flags. */
  readonly flags: Int32Array;
  readonly infos: (WordInfo | undefined)[];
}

/** Adds a word to the run with what the lexicon says of it (its lookup key leaves a trailing dot out). */
function addWord(run: Run, text: string, codes: Uint16Array, table: WordTable | undefined, lexicon: Lexicon, ascii: boolean, start: number, end: number): void {
  const k = run.count++;
  run.starts[k] = start;
  run.ends[k] = end;
  const keyEnd = codes[end - 1] === 46 ? end - 1 : end;
  let plain = ascii;
  if (!plain) {
    plain = true;
    for (let i = start; i < keyEnd; i++) {
      if (codes[i]! > 127) {
        plain = false;
        break;
      }
    }
  }
  if (plain && table !== undefined) {
    const index = table.find(codes, start, keyEnd);
    run.flags[k] = table.flags(index);
    run.infos[k] = table.info(index);
    return;
  }
  const lower = text.slice(start, keyEnd).toLowerCase();
  const info = lexicon.lookup(lower);
  run.flags[k] = (FUNCTION_WORDS.has(lower) ? MARKED : 0) | (NON_PERSON_ENDINGS.has(lower) ? ENDS_NON_PERSON : 0) | (info ? IN_LEXICON | (info.name ? NAME : 0) | (info.other ? OTHER : 0) | (info.place ? PLACE : 0) : 0);
  run.infos[k] = info;
}

/**
 * Adds the word `[start, end)` to the run, or scores the run and begins the next with it; returns where the run now
 * ends. Words continue a run when only one space (or `. ` after an initial) separates them. A possessive (`Melvin's`,
 * `Charles'`) or a closing quote ends the run after its word, and is no part of the name: `Bridgewater's Parker
 * Suknović` is a company's person, not a four-word name.
 */
function takeWord(run: Run, text: string, codes: Uint16Array, table: WordTable | undefined, lexicon: Lexicon, ascii: boolean, keyed: boolean, out: Match[], runEnd: number, start: number, end: number): number {
  const last = codes[end - 1]!;
  const quote = last === 39 || last === 0x2019;
  const possessive = !quote && last === 115 && end - start >= 3 && (codes[end - 2] === 39 || codes[end - 2] === 0x2019);
  const wordEnd = quote ? end - 1 : possessive ? end - 2 : end;
  if (run.count > 0 && (run.count >= 4 || !joins(text, runEnd, start))) {
    scoreSpans(text, codes, run, keyed, out);
    run.count = 0;
  }
  addWord(run, text, codes, table, lexicon, ascii, start, wordEnd);
  if (quote || possessive) {
    scoreSpans(text, codes, run, keyed, out, possessive && relativeAfter(text, codes, end) ? STRONGLY_CUED | CUED : 0);
    run.count = 0;
  }
  return end;
}

/** Whether a relative or friend follows a possessive (`Franciska's kid`, `Daniel's daughter`): the owner is a person. */
function relativeAfter(text: string, codes: Uint16Array, at: number): boolean {
  if (at >= text.length || codes[at] !== 32) return false;
  let end = at + 1;
  while (end < text.length && codes[end]! >= 97 && codes[end]! <= 122) end++;
  return end > at + 1 && (CUE_TABLE.flags(CUE_TABLE.find(codes, at + 1, end)) & RELATIVE) !== 0;
}

/** The same runs, matched by `WORD` (text with surrogate pairs) and scored like the others. */
function scanWithPattern(text: string, codes: Uint16Array, run: Run, table: WordTable | undefined, lexicon: Lexicon, keyed: boolean, out: Match[]): void {
  WORD.lastIndex = 0;
  run.count = 0;
  let runEnd = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    runEnd = takeWord(run, text, codes, table, lexicon, false, keyed, out, runEnd, m.index, m.index + m[0].length);
  }
  if (run.count > 0) scoreSpans(text, codes, run, keyed, out);
}

/** `WORD`'s lookbehind: letters, digits, `_ @ . ' ’ -` join a capital to what precedes it. */
function joinsWord(cats: Uint8Array, c: number): boolean {
  return (cats[c]! & (LETTER | NUMBER)) !== 0 || c === 95 || c === 64 || c === 46 || c === 39 || c === 0x2019 || c === 45;
}

/**
 * Whether `\n`, `\r` or `\t` written out as an escape (a JSON document inside a text, a log line) ends just before
 * `start`: a word begins there, not inside `nEmma`.
 */
function afterEscape(codes: Uint16Array, start: number): boolean {
  const c = codes[start - 1];
  return start >= 2 && codes[start - 2] === 92 && (c === 110 || c === 114 || c === 116) && (start < 3 || codes[start - 3] !== 92);
}

/** `[\p{Ll}\p{M}'’]` */
function continuesWord(cats: Uint8Array, c: number): boolean {
  return (cats[c]! & (LOWERCASE | MARK)) !== 0 || c === 39 || c === 0x2019;
}

/** `WORD`'s lookahead: no letter, digit, `_` or `@` follows, nor an apostrophe before a lowercase ASCII letter. */
function endsWord(cats: Uint8Array, codes: Uint16Array, n: number, p: number): boolean {
  if (p >= n) return true;
  const c = codes[p]!;
  if ((cats[c]! & (LETTER | NUMBER)) !== 0 || c === 95 || c === 64) return false;
  return !((c === 39 || c === 0x2019) && p + 1 < n && codes[p + 1]! >= 97 && codes[p + 1]! <= 122);
}

/**
 * The end of `WORD`'s match at `start` (a capital that begins a word), or -1: the same backtracking order as the
 * pattern, `\p{Lu}[\p{Ll}\p{M}'’]*(?:-\p{Lu}?[\p{Ll}\p{M}'’]+)?` first, longest first, then `\p{Lu}\.?`.
 */
function matchWord(cats: Uint8Array, codes: Uint16Array, n: number, start: number): number {
  let star = start + 1;
  while (star < n && continuesWord(cats, codes[star]!)) star++;
  for (let e = star; e > start; e--) {
    if (e === star && e < n && codes[e] === 45) {
      // `-\p{Lu}?[\p{Ll}\p{M}'’]+`: with the capital first, then without.
      if (e + 1 < n && (cats[codes[e + 1]!]! & UPPERCASE) !== 0) {
        let inner = e + 2;
        while (inner < n && continuesWord(cats, codes[inner]!)) inner++;
        for (let g = inner; g >= e + 3; g--) if (endsWord(cats, codes, n, g)) return g;
      }
      let inner = e + 1;
      while (inner < n && continuesWord(cats, codes[inner]!)) inner++;
      for (let g = inner; g >= e + 2; g--) if (endsWord(cats, codes, n, g)) return g;
    }
    if (endsWord(cats, codes, n, e)) return e;
  }
  if (start + 1 < n && codes[start + 1] === 46 && endsWord(cats, codes, n, start + 2)) return start + 2;
  return -1;
}

/** An initial: one capital (two code units beyond the BMP), or a capital and a dot. */
function initialAt(run: Run, codes: Uint16Array, k: number): boolean {
  const length = run.ends[k]! - run.starts[k]!;
  if (length === 1) return true;
  if (length !== 2) return false;
  const first = codes[run.starts[k]!]!;
  return codes[run.starts[k]! + 1] === 46 || (first >= 0xd800 && first <= 0xdbff);
}

/** Scores a run of words (given by their spans) as a person's name: what `scoreRun` does, without allocating. */
function scoreSpans(text: string, codes: Uint16Array, run: Run, keyed: boolean, out: Match[], cueAfter = 0): void {
  const count = run.count;
  // Fast path for the most common run, one capitalised word: a function word or a common word ends it here.
  if (count === 1) {
    if (initialAt(run, codes, 0)) return;
    const flags = run.flags[0]!;
    if ((flags & MARKED) !== 0) return;
    if ((flags & IN_LEXICON) !== 0 && (flags & NAME) === 0 && (flags & (OTHER | PLACE)) !== 0) return;
  }
  // Drop leading function words (`The`, `What`, `Dr`) and trailing initials.
  let first = 0;
  while (first < count && (run.flags[first]! & MARKED) !== 0) first++;
  if (first === count) return;
  let last = count - 1;
  while (last > first && initialAt(run, codes, last)) last--;
  if (initialAt(run, codes, first)) return;
  for (let k = first; k <= last; k++) if ((run.flags[k]! & MARKED) !== 0) return;
  if ((run.flags[last]! & ENDS_NON_PERSON) !== 0 || companyFormAfter(text, codes, run.ends[last]!)) return;
  let names = 0;
  let common = 0;
  let places = 0;
  let unknown = 0;
  let full = 0;
  let only: WordInfo | undefined;
  let firstFull = -1;
  for (let k = first; k <= last; k++) {
    if (initialAt(run, codes, k)) continue;
    full++;
    if (firstFull < 0) firstFull = k;
    const info = run.infos[k];
    only = info;
    if (!info) unknown++;
    else {
      if (info.name) names++;
      if (info.other && !info.name) common++;
      if (info.place) places++;
    }
  }
  if (places > 0 && names === 0) return;
  // A lone common word (`Thanks`, `Tube`) is never a name, whatever precedes it: skip reading the cue.
  if (full === 1 && only && only.other && !only.name) return;
  if (full >= 2 && common > 1) return;
  const start = run.starts[first]!;
  const cue = cueBefore(text, codes, start) | cueAfter;
  const confidence = confidenceOf(full, names, common, unknown, only, cue, keyed, run.ends[firstFull]! - run.starts[firstFull]!);
  if (confidence > 0) out.push({ class: "pii.name", start, end: run.ends[last]!, detector: "lexicon:name", confidence });
}

function confidenceOf(full: number, names: number, common: number, unknown: number, only: WordInfo | undefined, cue: number, keyed: boolean, firstLength: number): number {
  const cued = (cue & CUED) !== 0;
  if (full >= 2) {
    if (common === 0 && names >= 1) return 0.85;
    if (common === 0 && unknown === full) return cued ? 0.8 : keyed ? 0 : (cue & LINE_START) !== 0 ? 0.8 : 0.6;
    if (common <= 1 && names >= 1 && cued) return 0.7;
    return 0;
  }
  const info = only;
  const sentenceStart = (cue & SENTENCE_START) !== 0;
  if ((cue & STRONGLY_CUED) !== 0 && (!info || !info.other || info.name)) return 0.8;
  if (info?.name && !info.other) return sentenceStart ? 0.5 : cued ? 0.75 : 0.55;
  if (cued && !info && !sentenceStart && firstLength > 2) return 0.55;
  return 0;
}

/** Words of one name are separated by a single space (or `. ` after an initial). */
function joins(text: string, from: number, to: number): boolean {
  const gap = to - from;
  if (gap === 0) return true;
  if (gap === 1) return text.charCodeAt(from) === 32;
  return gap === 2 && text.charCodeAt(from) === 46 && text.charCodeAt(from + 1) === 32;
}
