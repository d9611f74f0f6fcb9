import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Char, LIST_CAPACITY, Profile, profileOf, type TextProfile } from "../../src/classify/profile.js";
import { hasRunAtLeast, hasRunOf, longestChain } from "../../src/classify/runs.js";

/** The facts a profile gathers, computed the slow and obvious way. */
function reference(text: string) {
  const list = (pattern: RegExp) => [...text.matchAll(pattern)].map((m) => [m.index!, m.index! + m[0].length]);
  return {
    digits: (text.match(/[0-9]/g) ?? []).length,
    upper: /[A-Z]/.test(text) ? 1 : 0,
    maxRun: Math.max(0, ...(text.match(/[A-Za-z0-9+/_\-.=~]+/g) ?? []).map((run) => run.length)),
    dots: Math.min(3, (text.match(/\./g) ?? []).length),
    colons: Math.min(2, (text.match(/:/g) ?? []).length),
    at: text.includes("@"),
    percent: text.includes("%"),
    assigns: /[:=]|--/.test(text),
    ascii: !/[^\x00-\x7f]/.test(text),
    nonAscii: /[^\x00-\xbf\u2019]/.test(text),
    surrogates: /[\ud800-\udfff]/.test(text),
    digitRuns: list(/[0-9]+/g),
    capitals: list(/[A-Z]/g).map(([start]) => start),
    tokenRuns: list(/[A-Za-z0-9+/_\-.=~]{16,}/g),
    upperDigit: /[A-Z][0-9]/.test(text),
    chars: charsOf(text),
    quiet: !/[0-9A-Z@%\-:=\x80-\uffff]/.test(text) && Math.max(0, ...(text.match(/[A-Za-z0-9+/_\-.=~]+/g) ?? []).map((run) => run.length)) < 12 && !(text.includes(",") && /["']/.test(text)),
  };
}

function observed(profile: TextProfile) {
  const pairs = (count: number, starts: Int32Array, ends: Int32Array) => Array.from({ length: count }, (_, i) => [starts[i]!, ends[i]!]);
  return {
    digits: profile.digits,
    upper: profile.upper,
    maxRun: profile.maxRun,
    dots: profile.dots,
    colons: profile.colons,
    at: profile.at,
    percent: profile.percent,
    assigns: profile.assigns,
    ascii: profile.ascii,
    nonAscii: profile.nonAscii,
    surrogates: profile.surrogates,
    digitRuns: pairs(profile.digitRuns, profile.runStart, profile.runEnd),
    capitals: Array.from(profile.capitalAt.subarray(0, profile.capitals)),
    tokenRuns: pairs(profile.tokenRuns, profile.tokenStart, profile.tokenEnd),
    upperDigit: profile.upperDigit,
    chars: profile.chars & PUNCTUATION,
    quiet: profile.quiet,
  };
}

const PUNCTUATION_OF: readonly (readonly [string, number])[] = [
  [".", Char.dot], [":", Char.colon], ["@", Char.at], ["%", Char.percent], ["=", Char.equals], ["-", Char.dash], ["/", Char.slash],
  ["|", Char.pipe], ["~", Char.tilde], ["_", Char.underscore], ['"', Char.quote], ["'", Char.quote], ["<", Char.lessThan], [",", Char.comma],
  [" ", Char.space], ["\t", Char.tab],
];
const PUNCTUATION = PUNCTUATION_OF.reduce((bits, [, bit]) => bits | bit, Char.upper | Char.digit);

/** `TextProfile.chars` read character by character: which punctuation, capitals and digits the text holds. */
function charsOf(text: string): number {
  let bits = 0;
  for (const [ch, bit] of PUNCTUATION_OF) if (text.includes(ch)) bits |= bit;
  if (/[A-Z]/.test(text)) bits |= Char.upper;
  if (/[0-9]/.test(text)) bits |= Char.digit;
  return bits;
}

// Text that mixes what the detectors look at: digit groups, capitals, punctuation, long tokens, letters beyond ASCII.
const fragment = fc.oneof(
  fc.stringMatching(/^[a-z ,.'"]{1,14}$/),
  fc.constantFrom("Ana Lima", "4242 4242", "2024-03-18", "a@b.example", "50%", "key=value", "--token", "x:y", "Ørsted", "O’Neil", "😀", "\t", "\n"),
  fc.stringMatching(/^[0-9]{1,12}$/),
  fc.stringMatching(/^[A-Za-z0-9+/_\-.=~]{10,40}$/),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);
const text = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(" "));

describe("Profile", () => {
  it("gathers the same facts as a reading of every character would", () => {
    const profile = new Profile();
    fc.assert(
      fc.property(text, (value) => {
        // One profile refilled for every string, as the classifier does.
        expect(observed(profile.fill(value))).toEqual(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the text's code units for hand-written matchers, also after a longer string", () => {
    const profile = new Profile();
    const long = "x".repeat(5000) + "Zoë";
    profile.fill(long);
    expect(profile.codes[5002]).toBe("ë".charCodeAt(0));
    profile.fill("short: 42");
    expect(String.fromCharCode(...profile.codes.subarray(0, profile.length))).toBe("short: 42");
  });

  it("says which punctuation a text holds", () => {
    const { chars } = profileOf('curl -u "user:pw" https://x.example/a?b=1|2~3, <tag>');
    for (const bit of [Char.dash, Char.quote, Char.colon, Char.slash, Char.equals, Char.pipe, Char.tilde, Char.comma, Char.lessThan, Char.space, Char.dot]) expect(chars & bit).toBe(bit);
    expect(chars & (Char.at | Char.percent | Char.underscore | Char.tab)).toBe(0);
  });

  it("reads a list it cannot hold as unknown (-1), and then every shape question answers yes", () => {
    const many = Array.from({ length: LIST_CAPACITY + 1 }, (_, i) => `A${i}`).join(" ");
    const profile = profileOf(many);
    expect(profile.digitRuns).toBe(-1);
    expect(profile.capitals).toBe(-1);
    expect(longestChain(profile, [32])).toBeGreaterThan(1000);
    expect(hasRunOf(profile, [17])).toBe(true);
    expect(hasRunAtLeast(profile, 99)).toBe(true);
  });
});

describe("longestChain", () => {
  it("adds the digits of runs joined by single separators", () => {
    expect(longestChain(profileOf("card 4242 4242-4242 4242 or 12 34"), [32, 45])).toBe(16);
    expect(longestChain(profileOf("4242  4242"), [32])).toBe(4);
    expect(longestChain(profileOf("12/34/56"), [32, 45])).toBe(2);
  });
});
