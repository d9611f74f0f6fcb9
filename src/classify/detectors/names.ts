import type { Detector, Match, ScanContext } from "../detector.js";
import { englishLexicon, type Lexicon, type WordInfo } from "./lexicon.js";

// A capitalised word (any script with case), or a middle initial (`V.`, `P`).
const WORD = /(?<![\p{L}\p{N}_@.'’\-])(?:\p{Lu}[\p{Ll}\p{M}'’]*(?:-\p{Lu}?[\p{Ll}\p{M}'’]+)?|\p{Lu}\.?)(?![\p{L}\p{N}_@]|'[a-z]|’[a-z])/gu;
// Words right before a capitalised run that make it a person's name: `said`, `Dear`, `Mr.`, `my name is`.
const CUE_WORDS = new Set([
  "by", "said", "says", "starring", "call", "hi", "hello", "thanks", "regards", "signed", "from", "to", "cc", "attn",
  "customer", "patient", "user", "under", "add", "meet", "with", "named", "called", "for", "contact", "im", "i'm",
  "dear", "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "lady", "lord",
]);
const STRONG_CUE_WORDS = new Set(["dear", "mr", "mrs", "ms", "miss", "dr", "prof", "named", "mx"]);
const RELATIVES = new Set(["kid", "son", "daughter", "wife", "husband", "friend", "boss", "colleague", "partner", "mother", "father", "brother", "sister", "child", "mom", "dad", "grandmother", "grandfather", "uncle", "aunt", "cousin", "nephew", "niece"]);

interface Cue {
  readonly cue: boolean;
  readonly strong: boolean;
  /** The run begins a sentence (or the text): its capital says nothing. */
  readonly sentenceStart: boolean;
  /** The run begins a line: letterheads and forms put names there. */
  readonly lineStart: boolean;
}

/** Reads up to three words before `start` (closest first) and the punctuation between them and the run. */
function cueBefore(text: string, start: number): Cue {
  let i = start - 1;
  let punct = "";
  let newline = false;
  while (i >= 0 && start - i <= 6) {
    const c = text.charCodeAt(i);
    if (c === 10) newline = true;
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 62 /* > */ || c === 42 /* * */) {
      i--;
      continue;
    }
    if (c === 58 || c === 44 || c === 63 || c === 46 || c === 33 || c === 40 || c === 34 || c === 45) {
      punct += text[i];
      i--;
      continue;
    }
    break;
  }
  if (i < 0) return { cue: false, strong: false, sentenceStart: true, lineStart: true };
  const words: string[] = [];
  let end = i + 1;
  for (let k = i; k >= -1 && words.length < 3 && end - k < 40; k--) {
    const c = k >= 0 ? text.charCodeAt(k) : 32;
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 39 || c === 8217 || c > 191;
    if (!letter) {
      if (end > k + 1) words.push(text.slice(k + 1, end).toLowerCase().replace(/’/g, "'"));
      if (c !== 32) break;
      end = k;
    }
  }
  const [w0 = "", w1 = "", w2 = ""] = words;
  const colon = punct.startsWith(":") || punct.startsWith("?");
  const nameIs = (w0 === "is" && w1 === "name") || (w0 === "name" && colon) || (w0 === "is" && w2 === "name");
  const strong = nameIs || STRONG_CUE_WORDS.has(w0) || RELATIVES.has(w0) && w1 === "my" || ((w0 === "name" || w0 === "names") && (w1 === "last" || w1 === "first" || w1 === "full"));
  const cue = strong || CUE_WORDS.has(w0) || (w0 === "am" && w1 === "i") || (w0 === "is" && w1 === "this") || (w0 === "for" && w1 === "ask");
  const sentenceStart = !strong && (punct.includes(".") || punct.includes("!") || punct.includes("?") || (punct === "" && newline));
  return { cue, strong, sentenceStart, lineStart: newline && punct === "" };
}

/** Capitalised words that begin sentences or titles and are never names. */
const FUNCTION_WORDS = new Set(
  ("a an the i i'm i've i'd i'll my me we our you your he him his she her they them their it its this that these those there here " +
    "what when where why who whom how which whose is are was were be been being do does did have has had can could will would shall should " +
    "may might must not no yes and or but if then else so as at by for from in into of on onto to up with about after before over under " +
    "hi hello hey dear thanks thank please sorry ok okay sir madam mr mrs ms miss dr prof st mt ave rd apt suite box po " +
    "monday tuesday wednesday thursday friday saturday sunday january february march april june july august september october november december " +
    "street road avenue lane drive court way place square boulevard close crescent gardens park north south east west " +
    "inc ltd llc corp co company university college school hospital bank group bot user name phone email e-mail fax mobile desk office address website " +
    "personal info date title director directed by all any each every some one two three new old big little great good best first last next").split(" "),
);

export interface NameOptions {
  /** Lexicon of known first/last names and common words; the default is compromise's English lexicon. */
  readonly lexicon?: Lexicon;
}

/**
 * Person names in free text, without a parser: sequences of capitalised words scored by a lexicon of ~4,000 first
 * and last names (from compromise) and by cue words (`my name is`, `Mr.`, `Dear`, `said`). It runs in one regex pass
 * per string; the compromise parser itself is never called on the hot path.
 */
export function namesDetector(options: NameOptions = {}): Detector {
  const lexicon = options.lexicon ?? englishLexicon();
  return {
    family: "names",
    scan: function scanNames(text: string, context: ScanContext, out: Match[]) {
      if (text.length < 2) return;
      // A JSON value under a key is often a title or a product (`Wireless Keyboard`); unknown capitalised words count
      // there only after a cue. Person-named keys are the keys family's job.
      const keyed = context.keyWords.length > 0;
      WORD.lastIndex = 0;
      // One array reused for the words of the current run: most runs are a single capitalised word.
      const words: string[] = [];
      let runStart = 0;
      let runEnd = 0;
      for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
        const start = m.index;
        // Words continue a run when only one space (or `. ` after an initial) separates them.
        if (words.length > 0 && words.length < 4 && joins(text, runEnd, start)) {
          words.push(m[0]);
        } else {
          if (words.length > 0) scoreRun(text, runStart, words, lexicon, keyed, out);
          words.length = 0;
          words.push(m[0]);
          runStart = start;
        }
        runEnd = start + m[0].length;
      }
      if (words.length > 0) scoreRun(text, runStart, words, lexicon, keyed, out);
    },
  };
}

function scoreRun(text: string, runStart: number, runWords: readonly string[], lexicon: Lexicon, keyed: boolean, out: Match[]): void {
  // Fast path for the most common run, one capitalised word: a function word or a common word ends it here.
  if (runWords.length === 1) {
    const lower = stripDot(runWords[0]!).toLowerCase();
    if (FUNCTION_WORDS.has(lower) || isInitial(runWords[0]!)) return;
    const info = lexicon.lookup(lower);
    if (info && ((info.other && !info.name) || (info.place && !info.name))) return;
  }
  // Drop leading function words (`The`, `What`, `Dr`) and trailing initials.
  let words = runWords;
  let lowers = words.map((word) => stripDot(word).toLowerCase());
  let start = runStart;
  while (words.length > 0 && FUNCTION_WORDS.has(lowers[0]!)) {
    start = text.indexOf(words[1] ?? "", start + words[0]!.length);
    words = words.slice(1);
    lowers = lowers.slice(1);
  }
  if (words.length === 0 || start < 0) return;
  while (words.length > 1 && isInitial(words[words.length - 1]!)) {
    words = words.slice(0, -1);
    lowers = lowers.slice(0, -1);
  }
  if (isInitial(words[0]!)) return;
  for (const lower of lowers) if (FUNCTION_WORDS.has(lower)) return;
  let names = 0;
  let common = 0;
  let places = 0;
  let unknown = 0;
  let full = 0;
  let only: WordInfo | undefined;
  for (let i = 0; i < words.length; i++) {
    if (isInitial(words[i]!)) continue;
    full++;
    const info = lexicon.lookup(lowers[i]!);
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
  const { cue, strong: strongCue, sentenceStart, lineStart } = cueBefore(text, start);
  const end = text.indexOf(words[words.length - 1]!, start) + words[words.length - 1]!.length;
  let confidence = 0;
  if (full >= 2) {
    if (common === 0 && names >= 1) confidence = 0.85;
    else if (common === 0 && unknown === full) confidence = cue ? 0.8 : keyed ? 0 : lineStart ? 0.8 : 0.6;
    else if (common <= 1 && names >= 1 && cue) confidence = 0.7;
  } else {
    const info = only;
    const word = words.find((w) => !isInitial(w))!;
    if (strongCue && (!info || !info.other || info.name)) confidence = 0.8;
    else if (info?.name && !info.other && !sentenceStart) confidence = cue ? 0.75 : 0.55;
    else if (cue && !info && !sentenceStart && word.length > 2) confidence = 0.55;
  }
  if (confidence > 0) out.push({ class: "pii.name", start, end, detector: "lexicon:name", confidence });
}

/** Words of one name are separated by a single space (or `. ` after an initial). */
function joins(text: string, from: number, to: number): boolean {
  const gap = to - from;
  if (gap === 0) return true;
  if (gap === 1) return text.charCodeAt(from) === 32;
  return gap === 2 && text.charCodeAt(from) === 46 && text.charCodeAt(from + 1) === 32;
}

function isInitial(word: string): boolean {
  return word.length <= 2 && /^\p{Lu}\.?$/u.test(word);
}

function stripDot(word: string): string {
  return word.endsWith(".") ? word.slice(0, -1) : word;
}
