import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Detector, Match } from "../../src/classify/detector.js";
import { accountDetector } from "../../src/classify/detectors/account.js";
import { addressDetector } from "../../src/classify/detectors/address.js";
import { cardDetector } from "../../src/classify/detectors/card.js";
import { dobDetector } from "../../src/classify/detectors/dob.js";
import { emailDetector } from "../../src/classify/detectors/email.js";
import { healthDetector } from "../../src/classify/detectors/health.js";
import { ibanDetector } from "../../src/classify/detectors/iban.js";
import { ipDetector } from "../../src/classify/detectors/ip.js";
import { customDetector, tenantDetector } from "../../src/classify/detectors/configured.js";
import { keysDetector } from "../../src/classify/detectors/keys.js";
import { namesDetector } from "../../src/classify/detectors/names.js";
import { nationalIdDetector } from "../../src/classify/detectors/national-id.js";
import { passportDetector } from "../../src/classify/detectors/passport.js";
import { phoneDetector } from "../../src/classify/detectors/phone.js";
import { secretsDetector } from "../../src/classify/detectors/secrets.js";
import { Profile, type TextProfile } from "../../src/classify/profile.js";
import { keyWords } from "../../src/classify/text.js";

/**
 * A profile that knows nothing that would let a family skip work: every list unknown, every character present, the
 * longest token as long as the text, and ASCII with its capitals unknown (so names go through their pattern). What a
 * family finds with it is what its patterns find searched over the whole text, the definition the fast paths must keep.
 */
function knowingNothing(real: TextProfile): TextProfile {
  return {
    length: real.length, digits: real.digits, upper: real.upper, codes: real.codes,
    at: true, percent: true, dots: 3, colons: 2, maxRun: real.length, assigns: true, nonAscii: real.nonAscii, ascii: true,
    surrogates: true, upperDigit: true, chars: 0x7fffffff, quiet: false,
    digitRuns: -1, runStart: real.runStart, runEnd: real.runEnd,
    capitals: -1, capitalAt: real.capitalAt,
    tokenRuns: -1, tokenStart: real.tokenStart, tokenEnd: real.tokenEnd,
  };
}

const families: [string, Detector<unknown>][] = [
  ["secrets", secretsDetector()], ["email", emailDetector()], ["card", cardDetector()], ["iban", ibanDetector()],
  ["national-id", nationalIdDetector()], ["passport", passportDetector()], ["account", accountDetector()],
  ["phone", phoneDetector()], ["ip", ipDetector()], ["dob", dobDetector()], ["health", healthDetector()],
  ["names", namesDetector()], ["address", addressDetector()],
];

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const word = fc.stringMatching(/^[A-Z][a-z]{1,9}$/);
const token = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_\\-]{${min},${max}}$`));
const pick = <T,>(...values: T[]) => fc.constantFrom(...values);
const joined = (...parts: fc.Arbitrary<string>[]) => fc.tuple(...parts).map((p) => p.join(""));
// Shapes of what each family looks for, near the edges of what it takes (lengths, separators, cues), and noise.
const shape = fc.oneof(
  joined(digits(1, 7), pick("", "A", "b"), pick("", ","), pick(" ", "  "), word, pick(" ", " "), fc.option(joined(word, pick(" ")), { nil: "" }), pick("Street", "St.", "Ave", "Road", "Way", "Close", "Plaza"), pick("", " NW", " S.")),
  joined(pick("", "Augsburger ", "Haupt"), pick("Strasse", "straße", "str.", "weg", "gasse", "katu", "tie", "vägen", "laan", "ul."), pick(" ", ""), digits(1, 6), pick("", "a", "B")),
  joined(pick("Rua", "Via", "Calle", "Rue", "Avenida", "Place", "Allée"), pick(" "), pick("", "de ", "da "), word, pick(" ", ""), digits(1, 6)),
  joined(pick("Apt", "apt.", "Apartment", "Suite", "Ste.", "Unit", "Flat", "Floor", "Fl.", "xApt"), pick("", " ", " #", "#"), digits(1, 6)),
  joined(pick("P.O. Box", "POBox", "Post Office Box", "PSC", "Box", "Unit", "APO AE", "fpo ap", "DPO"), pick(" ", ""), digits(1, 7)),
  joined(pick("", "SSN ", "ssn: ", "Tax ID ", "social security "), digits(3, 3), pick("-", " ", ""), digits(2, 2), pick("-", " ", ""), digits(3, 5)),
  joined(pick("", "SIN ", "NAS ", "Aadhaar ", "UID "), digits(3, 4), pick("-", " ", ""), digits(3, 4), pick("-", " ", ""), digits(3, 4)),
  joined(pick("", "NINO "), pick("AB", "QQ", "GB", "CE", "ab"), pick("", " "), digits(2, 6), pick("", " "), digits(0, 4), pick("", " "), pick("A", "C", "E", "")),
  joined(pick("", "DNI ", "NIE "), pick("", "X", "Y", "Z"), digits(6, 9), pick("", "-"), pick("Z", "L", "a", "")),
  joined(pick("passport number: ", "Passport No. ", "driver's license ", "DL # ", "licence no ", "ticket "), fc.stringMatching(/^[A-Z0-9]{5,10}$/), pick("", "x", "<<")),
  joined(pick("account number ", "acct # ", "A/C ", "routing number ", "ABA ", "sort code ", "invoice "), digits(4, 9), pick("", " ", "-"), digits(0, 9)),
  joined(pick("born on ", "DOB: ", "d.o.b. ", "birthday ", "dated "), digits(1, 4), pick("/", ".", "-", " "), digits(1, 2), pick("/", ".", "-", ", "), digits(2, 4)),
  joined(pick("ICD-10 ", "icd 9 cm ", "Diagnosis: ", "Dx ", "code "), pick("E", "S", "U", "Z", "J"), digits(1, 3), pick("", ".", ".A"), digits(0, 3)),
  joined(pick("", "Phone: ", "call me at ", "fax ", "+", "00", "+1 (", "("), digits(1, 4), pick(" ", "-", ".", ") ", ""), digits(2, 4), pick(" ", "-", ".", ""), digits(2, 5), pick("", " x12", " ext. 4")),
  joined(pick("", "card ", "visa "), digits(4, 4), pick(" ", "-", ""), digits(4, 4), pick(" ", "-", ""), digits(4, 4), pick(" ", "-", ""), digits(1, 7)),
  joined(pick("DE", "GB", "NL", "de", "X"), digits(2, 2), pick("", " "), fc.stringMatching(/^[A-Z0-9]{4}( ?[A-Z0-9]{4}){1,6}$/)),
  joined(pick("ghp_", "AKIA", "A3T", "xoxb-", "sk-", "sk-proj-", "glpat-", "glsoat-", "dapi", "AIzaSy", "hvs.", "s.", "SG.", "AC", "npm_", "sk_live_", "pypi-AgEIcHlwaS5vcmc", "hf_", "EAAM", "ico-"), token(10, 110)),
  joined(pick("", "/", ".", "+", "=", "x"), pick("eyJhbGciOiJIUzI1NiJ9", "eyJ4"), pick(".", ""), pick("eyJzdWIiOiIxIn0", "eyJ"), pick(".", ""), token(0, 30)),
  joined(pick("aws_secret = ", "sourcegraph: ", "sumo_key=", "\"type\": \"service_account\"", "AccountKey=", "FlyV1 fm1r_", "//r.example/:_authToken=", "BUNDLE_GEMS__CONTRIBSYS__COM: "), token(10, 110)),
  joined(digits(8, 16), pick(":AA", "|", "-us1", ".atlasv1.", "Q~"), token(10, 70)),
  joined(pick("password", "api_key", "DB_PASSWORD", "client_secret", "token", "auth", "my-cred", "--token", "-p", "\"api_token\""), pick("=", ": ", " = ", ":=", "=>", ", ", " ", "\"=\""), pick("", "\"", "'"), token(3, 40), pick("", "\"", "'")),
  joined(pick("Authorization: ", "authorization=", "curl -u ", "curl --user ", "https://", "postgres://"), pick("", "Basic ", "Bearer "), token(2, 30), pick("", ":", "@"), token(0, 20), pick("", "@db.example")),
  joined(pick("-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----"), pick("\n", ""), token(0, 60), pick("\n-----END PRIVATE KEY-----", "")),
  // Secrets read by their grammar: cookies, header schemes, `.netrc`, command flags, name/value lines, block scalars,
  // aligned and `;`-continued assignments, the secret key on an access key id's line, tokens as a URL's user.
  joined(
    pick("Cookie: sid=", "set-cookie=a=b; ", "AUTHORIZATION: token ", "authorization=ssws ", "machine h login a password ", "default\npassword ", "mysql -p", "sshpass -p '", "docker login -p ", "- name: DB_PASSWORD\n  value: ", "password: |\n  ", "password          =  ", "PGPASSWORD=", "AKIA2FKOTHMRLPSRXHOT,", "aws_secret_access_key ", "https://"),
    token(3, 45), pick("", ";", ";x", "<1", "@github.com/a", "'", "\n", " |"), token(0, 20),
  ),
  joined(pick("", "Mr. ", "Dear ", "my name is ", "said ", "The ", "I’m ", "Hi, ", ". "), word, pick(" ", "-", " ", "'s "), fc.oneof(word, pick("jones", "J.", "X", "O’Neil", "Ørsted", "Zoë", "d’Arc", "Ab'c")), pick("", " ", ".")),
  joined(digits(1, 3), pick(".", ":"), digits(1, 3), pick(".", ":", "::"), digits(1, 4), pick(".", ":", ""), digits(0, 4), pick("", ":", "::1")),
  fc.integer({ min: 0, max: 99_999_999 }).map((n) => `DNI ${String(n).padStart(8, "0")}${"TRWAGMYFPDXBNJZSQVHLCKE"[n % 23]}`),
  joined(pick("AKIA", "ASIA"), fc.stringMatching(/^[A-Z0-9]{16,17}$/), pick("", " ", "x")),
  joined(pick("--", "-", " --"), fc.stringMatching(/^[a-z_]{80,100}$/), pick("token", "password"), pick(" ", "\" "), token(10, 30)),
  fc.string({ maxLength: 6 }),
);
const text = fc.array(shape, { minLength: 1, maxLength: 5 }).chain((parts) =>
  fc.array(pick(" ", " ", ", ", ". ", "\n", "", "=", ": ", "-", "/"), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join("")),
);
const key = fc.constantFrom("", "notes", "ssn", "sin", "aadhaar", "dob", "date_of_birth", "passport", "license_number", "account_number", "routing", "diagnosis", "medications", "mobile_phone", "api_key", "password", "patient_condition");

describe("detector gates", () => {
  it("never change what a family finds: the same matches as its patterns searched over the whole text", () => {
    const profile = new Profile();
    fc.assert(
      fc.property(text, key, (value, name) => {
        const words = keyWords(name);
        const context = { keyWords: words };
        profile.fill(value);
        for (const [family, detector] of families) {
          const facts = detector.forKey?.(words);
          const fast: Match[] = [];
          const reference: Match[] = [];
          detector.scan(value, context, fast, profile, facts);
          detector.scan(value, context, reference, knowingNothing(profile), facts);
          expect({ family, value, name, found: fast }).toEqual({ family, value, name, found: reference });
        }
      }),
      { numRuns: 4000 },
    );
  });

  // Found by the property above once in a few thousand runs: the fast path skipped token runs under 20 characters,
  // and a Stripe key is 18.
  it("find the shortest vendor tokens (a Stripe key of 18 characters) as the patterns do", () => {
    const value = "sk_live_Aa0AAaaaa0 -----BEGIN RSA PRIVATE KEY-----\n\n-----END PRIVATE KEY----- ";
    const detector = secretsDetector();
    const profile = new Profile();
    profile.fill(value);
    const fast: Match[] = [];
    const reference: Match[] = [];
    const facts = detector.forKey!([]);
    detector.scan(value, { keyWords: [] }, fast, profile, facts);
    detector.scan(value, { keyWords: [] }, reference, knowingNothing(profile), facts);
    expect(fast.map((m) => m.class)).toEqual(["secret.stripe_key"]);
    expect(fast).toEqual(reference);
  });

  it("skip quiet text (plain lowercase words) only where the family cannot find anything in it", () => {
    const all: [string, Detector<unknown>][] = [
      ...families, ["keys", keysDetector()], ["tenant", tenantDetector(undefined, new Set(["tenantid"]))],
      ["custom", customDetector([{ class: "x.y", keys: new Set(["loyaltynumber"]), confidence: 0.9 }])],
    ];
    const quietWord = fc.stringMatching(/^[a-z]{1,11}$/);
    const quietText = fc.array(fc.tuple(quietWord, fc.constantFrom(" ", " ", ". ", "! ", "? ", "; ", " (", ") ", "'", "\"", "/", "_", "\n")), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.map(([w, sep]) => w + sep).join(""));
    const anyKey = fc.constantFrom("", "notes", "password", "api_key", "diagnosis", "medications", "first_name", "name", "address", "cvv", "card_number", "tenant_id", "loyalty_number", "ssn", "dob", "passport", "phone");
    const profile = new Profile();
    let quiet = 0;
    fc.assert(
      fc.property(quietText, anyKey, (value, name) => {
        if (!profile.fill(value).quiet) return;
        quiet++;
        const words = keyWords(name);
        for (const [family, detector] of all) {
          const facts = detector.forKey?.(words);
          if (detector.readsQuietText?.(facts) === true) continue;
          const found: Match[] = [];
          detector.scan(value, { keyWords: words }, found, knowingNothing(profile), facts);
          expect({ family, value, name, found }).toEqual({ family, value, name, found: [] });
        }
      }),
      { numRuns: 3000 },
    );
    expect(quiet).toBeGreaterThan(1000);
  });
});
