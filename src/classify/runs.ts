import type { TextProfile } from "./profile.js";

/**
 * Questions about the digit runs of a profile that number-shaped families ask before running a pattern: a pattern
 * that needs twelve digits grouped by spaces or dashes cannot match a text without such a chain of runs. Each answer is
 * a necessary condition of its pattern (never a sufficient one), so skipping on `false` changes no result. With an
 * unknown list (`digitRuns < 0`) every answer is `true`.
 */

/** The most digits in one chain of runs joined by single `separators` (character codes). */
export function longestChain(profile: TextProfile, separators: readonly number[]): number {
  const runs = profile.digitRuns;
  if (runs < 0) return Number.MAX_SAFE_INTEGER;
  let best = 0;
  let chain = 0;
  for (let r = 0; r < runs; r++) {
    const length = profile.runEnd[r]! - profile.runStart[r]!;
    const joined = r > 0 && profile.runStart[r]! === profile.runEnd[r - 1]! + 1 && separators.includes(profile.codes[profile.runEnd[r - 1]!]!);
    chain = joined ? chain + length : length;
    if (chain > best) best = chain;
  }
  return best;
}

/** Whether some run is exactly one of `lengths` digits long. */
export function hasRunOf(profile: TextProfile, lengths: readonly number[]): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  for (let r = 0; r < runs; r++) if (lengths.includes(profile.runEnd[r]! - profile.runStart[r]!)) return true;
  return false;
}

/** Whether some run is at least `length` digits long. */
export function hasRunAtLeast(profile: TextProfile, length: number): boolean {
  const runs = profile.digitRuns;
  if (runs < 0) return true;
  for (let r = 0; r < runs; r++) if (profile.runEnd[r]! - profile.runStart[r]! >= length) return true;
  return false;
}

export const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
export const isAsciiUpper = (c: number) => c >= 65 && c <= 90;
export const isAsciiDigit = (c: number) => c >= 48 && c <= 57;
export const isAsciiAlnum = (c: number) => isAsciiLetter(c) || isAsciiDigit(c);
