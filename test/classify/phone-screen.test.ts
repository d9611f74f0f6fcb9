import fc from "fast-check";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { describe, expect, it } from "vitest";
import { createClassifier } from "../../src/classify/classify.js";
import { mayBeValidIn, nationalScreen } from "../../src/classify/detectors/phone.js";
import { digitsOf } from "../../src/classify/text.js";

const COUNTRIES: CountryCode[] = ["GB", "DE", "FR", "AU", "IN", "NL", "IT", "MX", "ES"];
// National numbers the library takes as valid, so the property below is tried on both sides.
const VALID: [CountryCode, string][] = [
  ["GB", "020 7946 0958"], ["GB", "0161 496 0000"], ["DE", "030 901820"], ["FR", "01 23 45 67 89"], ["AU", "02 9876 5432"],
  ["IN", "022 2345 6789"], ["NL", "020 123 4567"], ["IT", "06 1234 5678"], ["ES", "912 34 56 78"],
];

/** National-looking numbers: a trunk prefix or not, groups of digits, the separators people type. */
const nationalNumber = fc
  .tuple(
    fc.constantFrom("", "0", "(0", "00", "44", "1"),
    fc.array(fc.stringMatching(/^[0-9]{1,5}$/), { minLength: 1, maxLength: 5 }),
    fc.constantFrom(" ", "-", ".", ""),
  )
  .map(([lead, groups, separator]) => {
    const text = `${lead}${groups.join(separator)}`;
    return lead === "(0" ? text.replace(/^\(0([0-9]{1,4})/, "(0$1)") : text;
  })
  .filter((raw) => {
    const n = digitsOf(raw).length;
    return n >= 6 && n <= 14;
  });

describe("nationalScreen", () => {
  it("is read from libphonenumber's metadata for plans that only strip a prefix, and left out for plans that rewrite numbers", () => {
    expect(nationalScreen("GB")?.general.test("2079460958")).toBe(true);
    expect(nationalScreen("GB")?.general.test("4907540810")).toBe(false);
    // Argentina's plan rewrites national numbers (a transform rule): no screen, every number goes to the library.
    expect(nationalScreen("AR")).toBeUndefined();
  });

  it("lets through every number the library finds valid", () => {
    for (const [country, raw] of VALID) {
      expect(parsePhoneNumberFromString(raw, country)?.isValid(), `${raw} in ${country}`).toBe(true);
      expect(mayBeValidIn(digitsOf(raw), nationalScreen(country)!), `${raw} in ${country}`).toBe(true);
    }
  });

  it("turns away only numbers the library finds invalid (a necessary condition, never a guess)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...COUNTRIES), nationalNumber, (country, raw) => {
        const screen = nationalScreen(country)!;
        if (!mayBeValidIn(digitsOf(raw), screen)) expect(parsePhoneNumberFromString(raw, country)?.isValid() ?? false, `${raw} in ${country}`).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("phone detector with national countries", () => {
  it("finds a national number valid in a configured country, and not one its plan rules out", () => {
    const classifier = createClassifier({ phoneCountries: ["GB", "FR"] });
    const phones = (text: string) => classifier.classify(text).filter((f) => f.class === "pii.phone").map((f) => text.slice(f.start, f.end));
    expect(phones("the office is on 020 7946 0958 and 01 23 45 67 89")).toEqual(["020 7946 0958", "01 23 45 67 89"]);
    // No UK number starts 04 or 06; in France 04 is the south-east.
    const british = createClassifier({ phoneCountries: ["GB"] });
    expect(british.classify("ticket 0490 75 40 81, batch 0688 872 49 99").filter((f) => f.class === "pii.phone")).toEqual([]);
    expect(phones("ticket 0490 75 40 81")).toEqual(["0490 75 40 81"]);
  });
});
