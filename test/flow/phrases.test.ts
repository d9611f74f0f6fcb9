import { describe, expect, it } from "vitest";
import { isPhrase, phraseWords, scanPhrase } from "../../src/flow/phrases.js";

const HASHER = { seed: 0x2545f491, key: 0x9e3779b9 };

describe("phraseWords", () => {
  it("splits text into lower-cased words, keeps apostrophes inside a word and drops invisible characters", () => {
    expect(phraseWords("Booking a room at the\u200b Riverside-View HOTEL, Grandma's house!")).toEqual(["booking", "a", "room", "at", "the", "riverside", "view", "hotel", "grandma's", "house"]);
  });
});

describe("scanPhrase", () => {
  it("reads the same words as phraseWords: one fingerprint per run of three words", () => {
    const scan = scanPhrase("Booking a room at the Riverside View Hotel", HASHER);
    expect(scan).toMatchObject({ words: 8, lettered: 8 });
    expect(scan.shingles).toHaveLength(6);
    expect(scanPhrase("Grandma's house", HASHER)).toMatchObject({ words: 2, shingles: [] });
  });

  it("gives the same fingerprints whatever the case, spacing, punctuation or invisible characters", () => {
    const plain = scanPhrase("Booking a room at the Riverside View Hotel", HASHER).shingles;
    expect(scanPhrase("BOOKING  a room, at the\u200b riverside-view hotel!", HASHER).shingles).toEqual(plain);
    expect(scanPhrase("Ｂooking a room at the Riverside View Hotel", HASHER).shingles).toEqual(plain);
    expect(scanPhrase("Booking a room at the Riverside View Hostel", HASHER).shingles.at(-1)).not.toBe(plain.at(-1));
  });

  it("keys its fingerprints: another key gives others", () => {
    const text = "Booking a room at the Riverside View Hotel";
    expect(scanPhrase(text, { ...HASHER, key: 1 }).shingles[0]).not.toBe(scanPhrase(text, HASHER).shingles[0]);
  });
});

describe("isPhrase", () => {
  it("takes three words with at least two of letters as a phrase, and leaves dates and times to the detectors", () => {
    expect(isPhrase(scanPhrase("Riverside View Hotel", HASHER))).toBe(true);
    expect(isPhrase(scanPhrase("Luxury Palace", HASHER))).toBe(false);
    expect(isPhrase(scanPhrase("2024-05-01 09:00", HASHER))).toBe(false);
    expect(isPhrase(scanPhrase("May 1 2024", HASHER))).toBe(false);
  });
});
