import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClassifier, DETECTOR_FAMILIES, MAX_NESTING, resolveOverlaps, spanCover } from "../../src/classify/classify.js";
import type { Match } from "../../src/classify/detector.js";
import { GuardError } from "../../src/errors.js";

const classifier = createClassifier();

describe("createClassifier", () => {
  it("walks every key and value and reports RFC 6901 pointers", () => {
    const findings = classifier.classify({ customers: [{ "contact/email": "ana@lima.example" }], "jo@x.example": true });
    expect(findings.map((f) => [f.pointer, f.class, f.inKey ?? false])).toEqual([
      ["/customers/0/contact~1email", "pii.email", false],
      ["/jo@x.example", "pii.email", true],
    ]);
  });

  it("reports a key found in several places under each place's pointer, scanned once", () => {
    const findings = classifier.classify({ "ana@lima.example": 1, nested: [{ "ana@lima.example": 2 }], "a/b~c": { "ana@lima.example": 3 } });
    expect(findings.map((f) => f.pointer)).toEqual(["/ana@lima.example", "/nested/0/ana@lima.example", "/a~1b~0c/ana@lima.example"]);
  });

  it("scans numbers that carry card numbers or sit under meaningful keys", () => {
    expect(classifier.classify({ pan: 4242424242424242 }).map((f) => f.class)).toEqual(["financial.card"]);
    expect(classifier.classify({ count: 42, total: 1999 })).toEqual([]);
  });

  it("decodes JSON held in a string and keeps offsets that address that string", () => {
    const body = JSON.stringify({ patient: { diagnosis: "asthma", email: "ana@lima.example" } });
    const findings = classifier.classify({ body });
    const diagnosis = findings.find((f) => f.class === "health.diagnosis")!;
    expect(diagnosis).toMatchObject({ pointer: "/body", encoding: "json" });
    expect(body.slice(diagnosis.start, diagnosis.end)).toBe("asthma");
    const email = findings.find((f) => f.class === "pii.email")!;
    expect(body.slice(email.start, email.end)).toBe("ana@lima.example");
  });

  it("finds values hidden in base64, hex and URL encoding", () => {
    const base64 = Buffer.from("contact ana@lima.example please").toString("base64");
    const hex = Buffer.from("ssn 219-09-9991 on file").toString("hex");
    const url = `https://t.example/?q=${encodeURIComponent("card 4242 4242 4242 4242")}`;
    const found = (value: string) => classifier.classify(value).map((f) => [f.class, f.encoding]);
    expect(found(`payload=${base64}`)).toContainEqual(["pii.email", "base64"]);
    expect(found(hex)).toContainEqual(["pii.ssn", "hex"]);
    expect(found(url)).toContainEqual(["financial.card", "url"]);
  });

  // A web page writes `@` as `&#64;` against scrapers, a script as `\u0040`; the model reads both as the address.
  it("finds values hidden by HTML numeric entities and \\u or \\x escapes, without a % in the text", () => {
    const found = (value: string) => classifier.classify(value).map((f) => [f.class, f.encoding]);
    expect(found("Write to ana&#64;lima.example for access")).toContainEqual(["pii.email", "url"]);
    expect(found("Write to ana&#x40;lima.example")).toContainEqual(["pii.email", "url"]);
    expect(found('const to = "ana\\u0040lima.example";')).toContainEqual(["pii.email", "url"]);
    expect(found('echo -e "ana\\x40lima.example"')).toContainEqual(["pii.email", "url"]);
    // Text with an `&`, a backslash or a `+` and nothing escaped stays as it is; a `+` is a space in a %-encoded text only.
    expect(found("Prices: 12&#8364; TTC, C:\\Users\\ana, 2 + 2 = 4")).toEqual([]);
  });

  // Mail and PEM wrap base64 at 76 or 64 columns; a value whose bytes straddle a line break is in neither line.
  it("finds a value in base64 wrapped in lines, where it straddles a line break", () => {
    for (let pad = 40; pad <= 62; pad += 2) {
      const message = `${"Onboarding record for the new hire follows here".padEnd(pad, ".")} SSN 536-22-8184 on file.`;
      const wrapped = Buffer.from(message).toString("base64").match(/.{1,76}/g)!.join("\r\n");
      expect(classifier.classify(`Content-Transfer-Encoding: base64\r\n\r\n${wrapped}\r\n`).map((f) => [f.class, f.encoding])).toContainEqual(["pii.ssn", "base64"]);
    }
  });

  it("decodes nested encodings up to the configured depth", () => {
    const nested = Buffer.from(encodeURIComponent("mail ana@lima.example")).toString("base64");
    expect(classifier.classify(nested).map((f) => f.class)).toContain("pii.email");
    const shallow = createClassifier({ decode: { maxDepth: 1 } });
    expect(shallow.classify(nested).map((f) => f.class)).not.toContain("pii.email");
  });

  it("leaves out disabled families and findings below the confidence floor", () => {
    const quiet = createClassifier({ disable: ["email"], minConfidence: 0.9 });
    expect(quiet.classify("ana@lima.example, call 0612 34 56 78").map((f) => f.class)).toEqual([]);
  });

  it("never throws on odd JSON values", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    for (const value of [undefined, null, 0, -1.5e300, 10n ** 30n, "", "\u0000\uffff\ud800", [[[]]], { "": "" }, cyclic]) {
      expect(() => classifier.classify(value)).not.toThrow();
    }
  });

  it("refuses invalid options with the field and the fix", () => {
    const attempt = () => createClassifier({ disable: ["nope" as never], minConfidence: 2, custom: [{ class: "Bad Class", pattern: "(a+)+$" }] });
    expect(attempt).toThrow(GuardError);
    try {
      attempt();
    } catch (error) {
      const paths = (error as GuardError).issues.map((issue) => issue.path);
      expect(paths).toEqual(["disable[0]", "minConfidence", "custom[0].class", "custom[0].pattern"]);
      expect((error as GuardError).issues[3]!.message).toMatch(/catastrophic backtracking/);
    }
  });

  it("knows every family it documents", () => {
    expect(DETECTOR_FAMILIES).toContain("secrets");
    expect(() => createClassifier({ disable: [...DETECTOR_FAMILIES] })).not.toThrow();
  });
});

describe("createClassifier on deeply nested values", () => {
  const nested = (depth: number, leaf: (level: number) => unknown): unknown => {
    let value: unknown = {};
    for (let level = depth; level > 0; level--) value = { email: leaf(level), next: value };
    return value;
  };

  it(`walks ${MAX_NESTING} levels and reports what lies deeper as unknown data, where it starts`, () => {
    const findings = createClassifier().classify(nested(MAX_NESTING + 10, (level) => `u${level}@customer.example`));
    expect(findings.filter((f) => f.class === "pii.email")).toHaveLength(MAX_NESTING);
    const unknown = findings.filter((f) => f.class === "unknown");
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.pointer.split("/next")).toHaveLength(MAX_NESTING + 1);
    expect(unknown[0]!.detector).toBe("limit:nesting");
  });

  it("reports nesting past the limit inside a JSON string as unknown data in that string", () => {
    const findings = createClassifier().classify({ body: JSON.stringify(nested(MAX_NESTING + 1, () => "x")) });
    expect(findings.map((f) => [f.class, f.pointer])).toEqual([["unknown", "/body"]]);
  });

  // Each finding's pointer grows with its depth: long keys at every level of a deep value filled the heap.
  it("classifies a value nested as deep as it is long, with long keys, in bounded time and memory", { timeout: 20_000 }, () => {
    let value: unknown = "u@customer.example";
    for (let level = 0; level < 1500; level++) value = { [`${"k".repeat(2000)}${level}`]: value, email: `u${level}@customer.example` };
    const findings = createClassifier().classify(value);
    expect(findings.some((f) => f.class === "unknown")).toBe(true);
  });
});

describe("createClassifier on strings longer than its window", () => {
  const windowed = createClassifier({ maxStringLength: 1024 });

  it("finds a value across a window's edge once, where it is, wherever the edge falls", () => {
    const ssn = "219-09-9991";
    for (let at = 1024 - 300; at < 1024 + 40; at++) {
      for (const length of [2048, 5000]) {
        const text = `${"a ".repeat(at / 2)}${at % 2 ? " " : ""}${ssn} ${"b ".repeat(length / 2)}`;
        const found = windowed.classify({ note: text }).filter((f) => f.class === "pii.ssn");
        expect(found.map((f) => text.slice(f.start, f.end))).toEqual([ssn]);
      }
    }
  });

  it("finds values in every window of a long text, and each once", () => {
    const text = Array.from({ length: 400 }, (_, i) => `record ${i} ana${i}@lima.example`).join(" ; ");
    const found = windowed.classify(text).filter((f) => f.class === "pii.email").map((f) => text.slice(f.start, f.end));
    expect(found).toEqual(Array.from({ length: 400 }, (_, i) => `ana${i}@lima.example`));
  });
});

// Linear time: each input is large and built to make a backtracking pattern retry from every position. A detector
// with a catastrophic (quadratic or worse) pattern takes minutes on these and fails the test's timeout.
describe("createClassifier on adversarial input", () => {
  const n = 200_000;
  const inputs: [string, string][] = [
    ["email local part without domain", `${"a".repeat(n)}@`],
    ["email-like runs", "a.".repeat(n / 2) + "@b"],
    ["dotted digits", "1.".repeat(n / 2)],
    ["digit groups", "1 ".repeat(n / 2)],
    ["dash digit groups", "12-".repeat(n / 3)],
    // A chain of groups longer than a card is tried without its last group, then from its later groups: bounded.
    ["card-like groups with short tails", "4111 1111 1111 1111 12 ".repeat(n / 23)],
    ["long chains of four-digit groups", "4111 ".repeat(n / 5)],
    // A form-encoded body's `+` separates groups; each `&` is checked within a bounded window.
    // Digits, spaces and dashes beyond ASCII are folded into a copy the number families read.
    ["digits joined by no-break spaces", "\uff11\u00a0".repeat(n / 2)],
    ["form bodies of plus-joined digits", `a=b&c=${"1+".repeat(n / 2)}`],
    ["ampersands after long values", `k=${"v".repeat(n)}&`.repeat(3) + "+"],
    ["hex-like", "ab".repeat(n / 2) + "z"],
    ["base64-like", "QUJD".repeat(n / 4) + "!"],
    ["capitalised words", "Ab ".repeat(n / 3)],
    ["key-value soup", "token=a".repeat(n / 7)],
    ["colons", ":".repeat(n)],
    ["percent signs", "%2".repeat(n / 2)],
    ["JWT-like", `eyJ${"a".repeat(n)}.eyJ`],
    ["street-like", "1 Ab ".repeat(n / 5)],
    ["private key header", "-----BEGIN PRIVATE KEY-----".repeat(n / 27)],
    // A vendor prefix after every `/` or `=` of one long token: each failed attempt must be bounded, or the time grows
    // with the square of the length (a million characters then take minutes).
    ["vendor prefixes inside one token", `/sntrys_${"a".repeat(21)}`.repeat((5 * n) / 29)],
    ["vendor prefixes after padding", `=ATATT3${"a".repeat(21)}`.repeat((5 * n) / 28)],
    // A street word (`tie` in `parties`) with no street line near it: the search must stay near the word, or each one
    // runs on to the end of the text.
    ["street words far from any house number", `${"parties 12 ".repeat((5 * n) / 11)}Augsburger Strasse 36`],
    // Thousands of secrets and as many encoded runs in one string: each run asked whether a secret holds it.
    ["URLs with a password between base64-like runs", "a+b+c+d+e+f+g+h+i+j+k://x:y@z ".repeat((5 * n) / 30)],
    ["session cookies", "Cookie: sid=aB3dE5fG7hJ9kL1mN3; ".repeat((5 * n) / 33)],
    // A refused value that runs to the bound is skipped whole, not read again from each credential name inside it.
    ["credential names with no value between them", "pwd=".repeat((5 * n) / 4)],
    // Each line that opens a document is parsed only when the text could close it: a failed parse throws, slowly.
    ["lines that open a document and never close it", "\n{".repeat((5 * n) / 2)],
    // Wrapped base64 is tried at line starts only, each line read once.
    ["lines of base64 wrapped at 76 columns", `${"QUJD".repeat(19)}\n`.repeat((5 * n) / 77)],
    ["lines one character too long to be wrapped base64", `${"QUJD".repeat(19)}Q\n`.repeat((5 * n) / 78)],
    // Each unit is checked against the street lines before it, not against every unit found so far.
    ["unit numbers after street lines", "1 Ab Street\nApt 1\n".repeat((5 * n) / 18)],
    ["unit numbers", "Apt 1 ".repeat((5 * n) / 6)],
    // Each unit looks back for its street line and each line ahead for the lines that go on with it: both bounded.
    ["units after street-like lines", "12 Ab Cd 3 Apt 1 ".repeat((5 * n) / 17)],
    ["unit lines", "Apt 1\n".repeat((5 * n) / 6)],
    ["address block lines", "1 Ab Street\n Ab Cd, EF 12345\n".repeat((5 * n) / 29)],
    ["street lines after address cues", "lives at 1 2 Ab Cd 3 ".repeat((5 * n) / 21)],
    ["house numbers before capitalised words", "1 2 Ab Cd Ef Gh Ij ".repeat((5 * n) / 19)],
    ["credential-named elements without their closing tag", "<apiToken>Zx81Qm2vLp9 ".repeat((5 * n) / 22)],
    ["credential-named declarations with types", "var apiToken string ".repeat((5 * n) / 20)],
    // A Secret manifest's blocks are read line by line, each line once, however deep they nest.
    ["nested data blocks of a Kubernetes Secret", `kind: Secret\n${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i)}data:\n`).join("")}`],
    ["block values of a Kubernetes Secret", `kind: Secret\ndata:\n${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i + 1)}a: |\n`).join("")}`],
    // Labelled lines (src/classify/labels.ts) are read once each, the lines of a list under a label included.
    ["diagnosis labels over empty lists", "Diagnosis:\n".repeat(n / 11)],
    ["a diagnosis label over a long list", `Medications:\n${"- a\n".repeat(n / 4)}`],
    ["long labels without a colon", `${"Medical condition ".repeat(n / 18)}: x`],
    ["bullets and bold markers", "- **diagnosis** - 1. ".repeat(n / 21)],
    ["field separators before label-like words", `${"; Diagnosis ".repeat(n / 12)}:`],
    ["labelled fields of one line", "Diagnosis: a; ".repeat(n / 14)],
    ["rows of a table with a labelled header", `| Diagnosis | Medication |\n|---|---|\n${"| a | b |\n".repeat(n / 10)}`],
    // CSV tables are read by their header's columns for SSNs: each line is tried as a header once, each row read once.
    ["CSV rows under an SSN column", `id,ssn\n${"1,536228184\n".repeat(n / 12)}`],
    ["comma lines that never make a table", `ssn 536228184\n${"a,b,c\n1,2\n".repeat(n / 12)}`],
    ["quoted CSV cells that never close", `ssn,id\n${'"a,'.repeat(n / 3)}\n536228184`],
    ["a table row of many cells", `| Diagnosis |\n|---|\n${"| a ".repeat(n / 4)}`],
    ["pipes that never make a table", `Diagnosis: ${"|".repeat(n)}\n|Diagnosis${"|".repeat(n)}`],
    ["credential words after brackets that never close", "[secret_token ".repeat(n / 14)],
    ["credential-named elements whose text never closes", '<a name="password">x '.repeat(n / 22)],
    // Each tenant id is checked against the string's other findings by bisection, not against every one of them.
    ["tenant ids among records printed as JSON Lines", Array.from({ length: n / 25 }, (_, i) => JSON.stringify({ tenant_id: `t${i}`, email: `u${i}@x${i}.example` })).join("\n")],
    ["capitals beyond ASCII", "Åb ".repeat(n / 3)],
    ["digit runs beyond the profile's lists", "1 a ".repeat(n / 4)],
    // Where families try their patterns at candidate places (src/classify/sticky.ts): dense candidates.
    ["at signs", "a@".repeat(n / 2)],
    ["URL schemes without passwords", "ab://x:@".repeat(n / 8)],
    ["hex groups and colons", "ab:".repeat(n / 3)],
    ["birth cues before numbers", "born 1/1 ".repeat(n / 9)],
    ["passport cues before ids", "passport A1B2C3 dl ".repeat(n / 19)],
    ["MRZ-like runs", "123456<<".repeat(n / 8)],
    ["box words before numbers", "PO Box 1 Unit 2 APO AE 3 ".repeat(n / 25)],
    ["vendor hints", "-us|Q~:AA.atlasv1.".repeat(n / 18)],
    ["capitals beside emoji", "\u{1F600}Ab ".repeat(n / 5)],
    // Secrets read by their grammar: cookies, header schemes, values that go on past a `;`, block scalars, `.netrc`,
    // name/value lines, command flags, the secret key on an access key id's line. Each reads a bounded stretch.
    ["cookie headers", "Cookie: a=b\n".repeat(n / 12)],
    ["cookie pairs of one header", `Cookie: ${"a=b;".repeat(n / 4)}`],
    ["authorization headers without credentials", "authorization: bearer ".repeat(n / 22)],
    ["soft stops in a password", `password=a${";x".repeat(n / 2)}`],
    ["credential assignments with soft stops", "token=x;y".repeat(n / 9)],
    ["at signs in credential values", "token=a@b.".repeat(n / 10)],
    ["block scalars", "password: |\n".repeat(n / 12)],
    ["block scalars above a long line", `${"password: |\n".repeat(300)}${" ".repeat(n)}x`],
    ["block scalars with comments on one line", `${"password: | # ".repeat(n / 15)}\n`],
    [".netrc entries with open quotes", 'machine h1 password "'.repeat(n / 21)],
    ["name and value lines", "- name: API_TOKEN\n  value: ".repeat(n / 26)],
    ["commands with open quotes", "mysql -p'".repeat(n / 9)],
    ["commands with spaced flags", "sshpass -p ".repeat(n / 11)],
    ["access key ids on one line", `${"AKIA2FKOTHMRLPSRXHOT Yn9ZhyiA4uoRgnatmUdjAWtGSU8po/799NksnRH9 ".repeat(n / 62)}`],
    ["tokens as URL users", "https://Zx81Qm2vLp9Rt4Wc7Kd3@".repeat(n / 29)],
    // Each string of a JSON document with a finding is placed in the document's text by its path, not by a search of
    // the text (which made two million characters of addresses take a minute).
    ["a JSON document of many addresses", JSON.stringify(Array.from({ length: (10 * n) / 12 }, (_, i) => `${i.toString(36)}@b.co`))],
  ];
  for (const [name, text] of inputs) {
    it(`scans ${name} (${(text.length / 1000).toFixed(0)}k chars) in linear time`, { timeout: 20_000 }, () => {
      expect(() => classifier.classify({ value: text })).not.toThrow();
    });
  }
});

describe("spanCover", () => {
  // Asked once per encoded run of a string about every secret found in it: it must answer as a scan of all spans would.
  it("answers whether a range lies inside one of the spans, as a scan of all of them does", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(200), fc.nat(40)), { maxLength: 30 }), fc.nat(220), fc.nat(40), (raw, start, length) => {
        const spans = raw.map(([at, size]) => ({ start: at, end: at + size }));
        const end = start + length;
        expect(spanCover(spans)(start, end)).toBe(spans.some((span) => start >= span.start && end <= span.end));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("resolveOverlaps", () => {
  const match = (cls: string, start: number, end: number, confidence = 0.9): Match => ({ class: cls, start, end, detector: `test:${cls}`, confidence });

  it("keeps matches that are apart, in text order, whatever order they came in", () => {
    const apart = [match("pii.email", 0, 10), match("pii.phone", 12, 20), match("pii.name", 20, 25)];
    expect(resolveOverlaps(apart.slice())).toEqual(apart);
    expect(resolveOverlaps([apart[2]!, apart[0]!, apart[1]!])).toEqual(apart);
  });

  it("keeps one match per place: the more confident of two that overlap, and one of two identical ones", () => {
    expect(resolveOverlaps([match("pii.phone", 0, 12, 0.6), match("financial.account", 4, 16, 0.9)])).toEqual([match("financial.account", 4, 16, 0.9)]);
    expect(resolveOverlaps([match("pii.email", 3, 9), match("pii.email", 3, 9)])).toEqual([match("pii.email", 3, 9)]);
  });

  it("drops a match inside a longer one of another class that is about as confident", () => {
    expect(resolveOverlaps([match("pii.address", 0, 30, 0.75), match("pii.name", 5, 12, 0.8)])).toEqual([match("pii.address", 0, 30, 0.75)]);
  });

  it("keeps a confident value of another class inside a longer match, unless it is read from words or is another reading of one secret", () => {
    const card = match("financial.card", 0, 16, 0.85);
    expect(resolveOverlaps([match("pii.email", 0, 28, 0.95), card])).toEqual([match("pii.email", 0, 28, 0.95), card]);
    expect(resolveOverlaps([match("pii.email", 0, 28, 0.95), match("pii.phone", 0, 10, 0.75)])).toEqual([match("pii.email", 0, 28, 0.95)]);
    expect(resolveOverlaps([match("pii.address", 0, 30, 0.75), match("pii.name", 5, 12, 0.85)])).toEqual([match("pii.address", 0, 30, 0.75)]);
    expect(resolveOverlaps([match("secret.jwt", 0, 90, 0.95), match("secret.token", 4, 90, 0.8)])).toEqual([match("secret.jwt", 0, 90, 0.95)]);
    // The same place read as two classes is one value: the container's class wins as before.
    expect(resolveOverlaps([match("financial.card", 0, 16, 0.95), match("pii.phone", 0, 16, 0.8)])).toEqual([match("financial.card", 0, 16, 0.95)]);
  });

  it("finds a card number, an SSN or an IBAN used as an email address's local part", () => {
    for (const [value, cls] of [["4111111111111111", "financial.card"], ["536-22-1234", "pii.ssn"], ["DE89370400440532013000", "financial.iban"]] as const) {
      const text = `reply to ${value}@example.com`;
      const found = classifier.classify(text).map((f) => [f.class, text.slice(f.start, f.end)]);
      expect(found).toEqual([["pii.email", `${value}@example.com`], [cls, value]]);
    }
  });
});
