import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClassifier } from "../../src/classify/classify.js";
import type { WrittenPlaces } from "../../src/classify/classifier.js";
import { createRedactor, mask, wasWritten } from "../../src/classify/redact.js";
import { GuardError } from "../../src/errors.js";
import type { Finding } from "../../src/model/finding.js";

const classifier = createClassifier();

describe("createRedactor", () => {
  it("replaces each finding with a class label by default, leaving the rest of the string", () => {
    const value = { note: "mail ana@lima.example or call +44 20 7946 0958", id: 7 };
    const redacted = createRedactor().redact(value, classifier.classify(value));
    expect(redacted).toEqual({ note: "mail [REDACTED:pii.email] or call [REDACTED:pii.phone]", id: 7 });
  });

  // The guard classifies a redacted value again: what the redactor wrote may read as the class it replaced
  // (`[REDACTED:health.diagnosis]` under `diagnosis`), and must be told apart from a value that survived.
  it("reports the places it wrote, and every finding of a redacted class afterwards lies on one", () => {
    const value = {
      diagnosis: "flu",
      medications: ["albuterol"],
      notes: "Diagnosis: Type 2 diabetes\nSSN 219-09-9991",
      config: '<add key="ApiKey" value="a8F3kLm2Qp9Rz7Wx2"/> API_KEY=Zq3f9a7c21e8b04d6a95',
      "jane.doe@customer.example": 4242424242424242,
      org_id: "4111111111111111",
    };
    const styles = ["label", "hash", { style: "mask", keepLast: 1 }, { style: "mask", keepLast: 2 }, { style: "mask", keepLast: 4 }] as const;
    for (const style of styles) {
      const findings = classifier.classify(value);
      const written: WrittenPlaces = { values: new Map(), keys: new Map() };
      const redacted = createRedactor({ default: style }).redact(value, findings, written);
      const left = classifier.classify(redacted).filter((f) => !wasWritten(f, written, redacted));
      expect({ style, left: left.map((f) => `${f.pointer} ${f.class}`) }).toEqual({ style, left: [] });
    }
  });

  it("still reads a value wrapped to look like what it writes", () => {
    expect(classifier.classify({ x: "[REDACTED:4111111111111111]" }).map((f) => f.class)).toEqual(["financial.card"]);
    expect(classifier.classify({ password: "[tenant:Hunter2Summer2024x:0123456789abcdef]" }).map((f) => f.class)).toEqual(["secret.password"]);
    expect(classifier.classify({ diagnosis: "[REDACTED:health.hiv_positive]" }).map((f) => f.class)).toEqual(["health.diagnosis"]);
  });

  // Strings over 1 MiB are scanned in windows: a value cut by a window's end is read whole by the next window.
  it("reads a labelled value at a scan window's edge once, whole", { timeout: 20_000 }, () => {
    const text = `${"x".repeat((1 << 20) - 20)}\nDiagnosis: Type 2 diabetes mellitus\nok`;
    const findings = classifier.classify({ text });
    expect(findings.map((f) => text.slice(f.start, f.end))).toEqual(["Type 2 diabetes mellitus"]);
  });

  it("redacts a long string with many findings in one pass (40,000 findings in 1.3 MB)", { timeout: 20_000 }, () => {
    const line = "call ana@lima.example about it; ";
    const text = line.repeat(40_000);
    const findings: Finding[] = [];
    for (let i = 0; i < 40_000; i++) {
      const start = i * line.length + 5;
      findings.push({ class: "pii.email", pointer: "/text", start, end: start + 16, detector: "test", confidence: 1 });
    }
    const redacted = createRedactor().redact({ text }, findings) as { text: string };
    expect(redacted.text).toBe("call [REDACTED:pii.email] about it; ".repeat(40_000));
  });

  it("masks a negative number whose digits all go to 0, not -0 (JSON has no -0)", () => {
    const value = { dx: [-1] };
    const redacted = createRedactor({ default: "mask" }).redact(value, classifier.classify(value)) as { dx: number[] };
    expect(Object.is(redacted.dx[0], 0)).toBe(true);
  });

  it("masks format-preservingly, keeping the last four digits of cards", () => {
    const redactor = createRedactor({ classes: { "financial.card": "mask" } });
    const value = { card: "4242-4242-4242-4242" };
    expect(redactor.redact(value, classifier.classify(value))).toEqual({ card: "****-****-****-4242" });
    expect(mask("ana@lima.example", 0, "#")).toBe("###@####.#######");
  });

  it("hashes with a salt: equal values give equal tokens, other salts other tokens", () => {
    const a = createRedactor({ default: "hash", salt: "0123456789abcdef-salt-A" });
    const b = createRedactor({ default: "hash", salt: "0123456789abcdef-salt-B" });
    const one = { to: "Ana@Lima.example" };
    const two = { to: "ana@lima.example" };
    const tokenA1 = a.redact(one, classifier.classify(one)) as { to: string };
    const tokenA2 = a.redact(two, classifier.classify(two)) as { to: string };
    const tokenB = b.redact(two, classifier.classify(two)) as { to: string };
    expect(tokenA1.to).toMatch(/^\[pii\.email:[0-9a-f]{16}\]$/);
    expect(tokenA1.to).toBe(tokenA2.to); // normalised: case does not matter for emails
    expect(tokenB.to).not.toBe(tokenA2.to);
  });

  it("picks the most specific class rule", () => {
    const redactor = createRedactor({ classes: { financial: "hash", "financial.card": "mask" }, salt: "a-salt-of-sixteen-chars" });
    const value = { card: "4242 4242 4242 4242", iban: "DE89370400440532013000" };
    const out = redactor.redact(value, classifier.classify(value)) as Record<string, string>;
    expect(out["card"]).toBe("**** **** **** 4242");
    expect(out["iban"]).toMatch(/^\[financial\.iban:[0-9a-f]{16}\]$/);
  });

  it("keeps every property: a renamed key takes no other key's name, and `__proto__` stays a property", () => {
    const value = { "219-09-9991": 1, "[REDACTED:pii.ssn]": 3 };
    const redacted = createRedactor().redact(value, classifier.classify(value));
    expect(redacted).toEqual({ "[REDACTED:pii.ssn]#2": 1, "[REDACTED:pii.ssn]": 3 });
    const parsed = JSON.parse('{"__proto__": {"ssn": "219-09-9991"}, "x": 1}') as unknown;
    const out = createRedactor().redact(parsed, classifier.classify(parsed));
    expect(JSON.stringify(out)).toBe('{"__proto__":{"ssn":"[REDACTED:pii.ssn]"},"x":1}');
  });

  it("replaces a whole string when the value sat inside an encoding", () => {
    const value = { blob: Buffer.from("ssn 219-09-9991").toString("base64") };
    expect(createRedactor().redact(value, classifier.classify(value))).toEqual({ blob: "[REDACTED:pii.ssn]" });
  });

  it("replaces a whole string when a JSON document sat inside its encoding", () => {
    const json = JSON.stringify({ diagnosis: "HIV" });
    for (const data of [encodeURIComponent(json), Buffer.from(json).toString("hex"), Buffer.from(`{"note":"${"x".repeat(36)}","diagnosis":"HIV positive"}`).toString("base64")]) {
      const value = { data };
      expect(createRedactor().redact(value, classifier.classify(value))).toEqual({ data: "[REDACTED:health.diagnosis]" });
    }
  });

  it("redacts an encoded copy of a value that is also in clear", () => {
    for (const copy of ["q=219%2D09%2D9991", Buffer.from("ssn 219-09-9991").toString("hex"), Buffer.from("ssn 219-09-9991").toString("base64")]) {
      const value = { note: `ssn 219-09-9991 and ${copy}` };
      expect(createRedactor().redact(value, classifier.classify(value))).toEqual({ note: "[REDACTED:pii.ssn]" });
    }
    // Only URL-encoding can leave a value readable: reported once where it is, not again as encoded.
    const spaced = { note: "ssn 219-09-9991 for%20review" };
    expect(classifier.classify(spaced).map((f) => [f.class, f.encoding])).toEqual([["pii.ssn", undefined]]);
  });

  it("keeps numbers numbers and renames sensitive keys without merging them", () => {
    const value = { pan: 4242424242424242, "ana@lima.example": 1, "bo@lima.example": 2 };
    const out = createRedactor().redact(value, classifier.classify(value)) as Record<string, unknown>;
    expect(out["pan"]).toBe(0);
    expect(Object.keys(out)).toEqual(["pan", "[REDACTED:pii.email]", "[REDACTED:pii.email]#2"]);
  });

  it("redacts inside a JSON string so that it stays parseable", () => {
    const value = { body: JSON.stringify({ patient: { diagnosis: "asthma", email: "ana@lima.example" } }) };
    const out = createRedactor().redact(value, classifier.classify(value)) as { body: string };
    expect(JSON.parse(out.body)).toEqual({ patient: { diagnosis: "[REDACTED:health.diagnosis]", email: "[REDACTED:pii.email]" } });
  });

  it("redacts each of equal values in a JSON string, not the first of them twice", () => {
    const records = [{ id: "asthma" }, { diagnosis: "asthma" }, { diagnosis: "asthma" }];
    const value = { body: JSON.stringify(records) };
    const out = createRedactor().redact(value, classifier.classify(value)) as { body: string };
    expect(JSON.parse(out.body)).toEqual([{ id: "asthma" }, { diagnosis: "[REDACTED:health.diagnosis]" }, { diagnosis: "[REDACTED:health.diagnosis]" }]);
  });

  it("never changes its input", () => {
    const value = { a: ["ana@lima.example"] };
    const copy = structuredClone(value);
    createRedactor().redact(value, classifier.classify(value));
    expect(value).toEqual(copy);
  });

  it("refuses unknown styles and short salts", () => {
    expect(() => createRedactor({ default: "blur" as never })).toThrow(GuardError);
    try {
      createRedactor({ salt: "short" });
      expect.unreachable();
    } catch (error) {
      expect((error as GuardError).describe()).toMatch(/salt: is shorter than 16 characters/);
    }
  });
});

// Values a classifier must find, planted in arbitrary JSON.
const sensitive = fc.oneof(
  fc.constantFrom("ana@lima.example", "j.doe+x@mail.customer.example", "4242 4242 4242 4242", "5555555555554444", "DE89370400440532013000", "219-09-9991", "+44 20 7946 0958", "ghp_4Fq8Zr2LmX9cV7bN1pK3sD6wT0yH5jG8aQ2e"),
  fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.stringMatching(/^[a-z]{2,8}$/)).map(([user, host]) => `${user}@${host}.example`),
);
const filler = fc.string({ maxLength: 12 }).filter((s) => !/[0-9@]/.test(s));
const leaf = fc.oneof(fc.tuple(filler, sensitive, filler).map(([a, s, b]) => `${a} ${s} ${b}`), filler, fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), tie("value"), { maxKeys: 4 })),
})).value;

function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === "object") return Object.values(value).map(shape);
  return typeof value;
}

function at(value: unknown, pointer: string): unknown {
  return pointer.split("/").slice(1).reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], value);
}

/** How often `needle` occurs in `text`, overlaps included. */
function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) count++;
  return count;
}

/** The string at `pointer` with every span detected in it blanked out. */
function undetectedRest(value: unknown, findings: readonly Finding[], pointer: string): string {
  const codes = String(at(value, pointer)).split("");
  for (const f of findings) if (f.pointer === pointer && !f.encoding && !f.inKey) codes.fill("\u0000", f.start, f.end);
  return codes.join("");
}

/** Each detected value with the pointer of the string that held it (values inside keys or encodings excluded). */
function detectedValues(value: unknown, findings: readonly Finding[]): { pointer: string; text: string }[] {
  return findings.filter((f) => !f.encoding && !f.inKey).map((f) => ({ pointer: f.pointer, text: String(at(value, f.pointer)).slice(f.start, f.end) }));
}

describe("createRedactor (properties)", () => {
  for (const style of ["label", "mask", "hash"] as const) {
    it(`with ${style}: output never contains a detected value, and is JSON of the same shape`, () => {
      const redactor = createRedactor({ default: style, salt: "property-test-salt-0001" });
      fc.assert(
        fc.property(json, (value) => {
          const findings = classifier.classify(value);
          const redacted = redactor.redact(value, findings);
          const text = JSON.stringify(redacted) ?? "";
          expect(JSON.parse(text === "" ? "null" : text)).toEqual(redacted === undefined ? null : redacted);
          expect(shape(redacted)).toEqual(shape(value));
          for (const detected of detectedValues(value, findings)) {
            // The string that held the value no longer contains it (masks keep the last four characters of some
            // classes by design, never the whole value). Checked where it was, not anywhere in the output: a short
            // value may occur by coincidence in a key or another field, or in the undetected rest of its own string
            // (`Li` in `LiA Li`): it may occur there as often as it did outside the detected spans, no more.
            const after = at(redacted, detected.pointer);
            if (detected.text.length > 0 && typeof after === "string") {
              // Labels and hashes aside: a one-letter value is in `[REDACTED:health.diagnosis]` by coincidence.
              const left = after.replace(/\[REDACTED:[a-z._,]+\]|\[[a-z._]+:[0-9a-f]{16}\]/g, "");
              expect(occurrences(left, detected.text)).toBeLessThanOrEqual(occurrences(undetectedRest(value, findings, detected.pointer), detected.text));
            }
          }
        }),
        { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 150) },
      );
    });
  }
});

// Documents whose values repeat (the same diagnosis, the same address in two records) and whose keys classify them,
// as tools return them: JSON text inside a string.
const keyed = fc.constantFrom("diagnosis", "password", "email", "note", "id", "items");
const repeated = fc.oneof(fc.constantFrom("asthma", "Zx81Qm2vLp9qq", "ana@lima.example", "219-09-9991", "plain text"), filler, fc.integer(), fc.boolean());
const document = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, repeated, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(keyed, tie("value"), { maxKeys: 4 })),
})).value;

describe("createRedactor on JSON text inside a string (properties)", () => {
  it("redacts every occurrence of a value the document's own walk detects, in text that stays JSON of the same shape", () => {
    const redactor = createRedactor();
    fc.assert(
      fc.property(document, fc.constantFrom(undefined, 2, "\t"), (inner, indent) => {
        const body = JSON.stringify(inner, null, indent);
        const redacted = redactor.redact({ body }, classifier.classify({ body })) as { body: string };
        // A number the document's keys classify has no string literal to write a label into: the text goes whole. (A
        // finding of the scan of the raw text can also span JSON punctuation, `"password":[[7034]]`; the text is then
        // no JSON, and holds nothing detected either.)
        let parsed: unknown;
        try {
          parsed = JSON.parse(redacted.body);
        } catch {
          expect(redacted.body).toMatch(/\[REDACTED:/);
          return;
        }
        expect(shape(parsed)).toEqual(shape(inner));
        // The document's own walk under the same key: word-level families read a value by the key above it (`Aa Aa`
        // is a name alone in an array, not under `body`), and the embedded document is read under `body`.
        const own = classifier.classify({ body: inner }).map((finding) => ({ ...finding, pointer: finding.pointer.slice("/body".length) }));
        for (const detected of detectedValues(inner, own)) {
          const after = at(parsed, detected.pointer);
          // Labels aside: a one-letter value is in `[REDACTED:…]` by coincidence.
          const left = typeof after === "string" ? after.replace(/\[REDACTED:[a-z.,]+\]/g, "") : undefined;
          // As often as the rest of its string held it by coincidence (`Jo` in `Jo JoA`), no more.
          if (detected.text.length > 0 && left !== undefined) {
            expect({ pointer: detected.pointer, count: occurrences(left, detected.text) }).toEqual({ pointer: detected.pointer, count: Math.min(occurrences(left, detected.text), occurrences(undetectedRest(inner, own, detected.pointer), detected.text)) });
          }
        }
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 1000) },
    );
  });
});
