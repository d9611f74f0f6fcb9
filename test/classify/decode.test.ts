import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCandidates } from "../../src/classify/decode.js";
import { profileOf } from "../../src/classify/profile.js";

const all = { json: true, base64: true, hex: true, url: true };

// Readable text in base64 (both alphabets, padded or not) and hex, binary runs, words, numbers and separators.
const piece = fc.oneof(
  fc.string({ minLength: 6, maxLength: 40 }).map((s) => Buffer.from(`note: ${s}`).toString("base64")),
  fc.string({ minLength: 6, maxLength: 40 }).map((s) => Buffer.from(`id ${s}`).toString("base64url")),
  fc.string({ minLength: 6, maxLength: 30 }).map((s) => Buffer.from(`hex ${s}`).toString("hex")),
  fc.uint8Array({ minLength: 8, maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  fc.stringMatching(/^[A-Za-z0-9+/_\-=.~]{10,70}$/),
  fc.stringMatching(/^[0-9a-fA-F]{14,40}$/),
  // Padding makes an all-letter run base64 (`xhDbcUAaVpSbMv` encodes to letters only, then `=`).
  fc.constantFrom("=", "==", "===", ".", "~", " ", "/", "-", "%41", "%zz", "{\"a\":1}", "eGhEYmNVQWFWcFNiTXY=", "eGhEYmNVQWFWcFNiTXY"),
);
const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(""));

describe("decodeCandidates", () => {
  it("finds the same runs from a profile's token runs as by searching the whole text", () => {
    fc.assert(
      fc.property(text, fc.boolean(), (value, skipSome) => {
        const skip = skipSome ? (start: number) => start % 3 === 0 : undefined;
        expect(decodeCandidates(value, all, skip, profileOf(value))).toEqual(decodeCandidates(value, all, skip));
      }),
      { numRuns: 1000 },
    );
  });

  it("decodes readable base64 and hex, and refuses binary", () => {
    const readable = Buffer.from("contact ana@lima.example please").toString("base64");
    const binary = Buffer.from(Array.from({ length: 30 }, (_, i) => (i * 37) % 32)).toString("base64");
    const text = `a=${readable} b=${binary} c=${Buffer.from("ssn 219-09-9991").toString("hex")}`;
    expect(decodeCandidates(text, all, undefined, profileOf(text))).toEqual([
      { encoding: "hex", text: "ssn 219-09-9991" },
      { encoding: "base64", text: "contact ana@lima.example please" },
    ]);
  });
});

describe("decodeCandidates on long runs", () => {
  // An attachment is often longer than 64 KB: a value padded past a smaller bound was never read.
  it("decodes base64 and hex runs far longer than 64 KB, from a profile or by search", () => {
    const body = `${"lorem ipsum ".repeat(20_000)}contact jane.doe@customer.example`;
    for (const encoded of [Buffer.from(body).toString("base64"), Buffer.from(body).toString("hex")]) {
      const value = `attachment: ${encoded} end`;
      for (const found of [decodeCandidates(value, all), decodeCandidates(value, all, undefined, profileOf(value))]) {
        expect(found.map((d) => (d.encoding === "json" ? "" : d.text.slice(-33)))).toEqual(["contact jane.doe@customer.example"]);
      }
    }
  });
});

describe("decodeCandidates on JSON printed inside text", () => {
  const documents = (text: string) => decodeCandidates(text, all).flatMap((d) => (d.encoding === "json" ? [{ value: d.value, text: d.start === undefined ? text : text.slice(d.start, d.end) }] : []));

  it("finds lines of JSON, and a document after lines of prose or inside a code fence", () => {
    expect(documents('{"id":1}\n{"id":2}\nnot json')).toEqual([{ value: { id: 1 }, text: '{"id":1}' }, { value: { id: 2 }, text: '{"id":2}' }]);
    expect(documents('Found 2 records:\n[\n  {"id": 1},\n  {"id": 2}\n]\n')).toEqual([{ value: [{ id: 1 }, { id: 2 }], text: '[\n  {"id": 1},\n  {"id": 2}\n]' }]);
    expect(documents('Result:\n```json\n{"id": 1,\n "ok": true}\n```\nDone.')).toEqual([{ value: { id: 1, ok: true }, text: '{"id": 1,\n "ok": true}' }]);
  });

  it("finds each document printed over several lines, whatever brackets the prose around them holds", () => {
    const record = '{\n  "diagnosis": "asthma"\n}';
    const value = { diagnosis: "asthma" };
    expect(documents(`[INFO] query ok\nFound 1 record:\n${record}`)).toEqual([{ value, text: record }]);
    expect(documents(`A:\n${record}\nB:\n${record}`)).toEqual([{ value, text: record }, { value, text: record }]);
    expect(documents(`Found 1 record:\n${record}\nReply with {id} for more.`)).toEqual([{ value, text: record }]);
  });

  it("finds nothing in code or prose whose lines open with brackets", () => {
    expect(documents("function f() {\n{ return [1, 2\n[not json] and more")).toEqual([]);
  });

  // Each line is parsed once and the rest of the text at most once: no attempt per line over the whole text.
  it("reads a hundred thousand lines that open with brackets in linear time", { timeout: 20_000 }, () => {
    expect(documents(`intro\n${"{ not json\n".repeat(100_000)}}`)).toEqual([]);
    // Every opening line pairs with the one closing line at the end, and each attempt parses nearly all of the text.
    expect(documents(`intro\n${"[\n".repeat(100_000)}x\n]`)).toEqual([]);
    expect(documents(`intro\n${'{"a":1}\n'.repeat(100_000)}`)).toHaveLength(100_000);
  });
});

describe("decodeCandidates on base64 that does not start where its run does", () => {
  const texts = (value: string) => decodeCandidates(value, all).flatMap((d) => (d.encoding === "base64" ? [d.text] : []));
  const email = "jane.doe@customer.example";
  const b64u = (value: string | Buffer) => (typeof value === "string" ? Buffer.from(value) : value).toString("base64url");

  it("decodes base64 glued to a path or a prefix at the alignment where it reads as text", () => {
    for (const prefix of ["example/collect/u/", "id-", "x", "ab", "abc"]) {
      expect(texts(`https://attacker.${prefix}${b64u(email)}`).some((text) => text.includes(email))).toBe(true);
    }
  });

  it("keeps the printable pieces of bytes that are not text as a whole (a value padded with NUL bytes)", () => {
    expect(texts(b64u(Buffer.concat([Buffer.alloc(4), Buffer.from(email), Buffer.alloc(8)])))).toEqual([email]);
  });

  it("adds no more than the text's length in pieces and other alignments, however the runs are made", { timeout: 20_000 }, () => {
    const binary = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i % 11 === 0 ? 0 : 32 + ((i * 7919) % 95))));
    const value = `a/${binary.toString("base64")}`;
    const found = decodeCandidates(value, all);
    expect(found.reduce((sum, d) => sum + (d.encoding === "json" ? 0 : d.text.length), 0)).toBeLessThanOrEqual(2 * value.length);
  });
});

describe("decodeCandidates on form encoding", () => {
  it("reads `+` as a space in a query string or form body that has no `%` escape", () => {
    expect(decodeCandidates("https://x.example/?name=Jane+Doe&city=Washington,+DC", all)).toEqual([{ encoding: "url", text: "https://x.example/?name=Jane Doe&city=Washington, DC" }]);
    expect(decodeCandidates("a=1600+Pennsylvania+Avenue+NW", all)).toEqual([{ encoding: "url", text: "a=1600 Pennsylvania Avenue NW" }]);
  });

  it("leaves a `+` outside an assignment alone", () => {
    expect(decodeCandidates("call +1 415 555 2671 or 3+4", all)).toEqual([]);
  });
});

describe("decodeCandidates on hex with separators, text escapes and UTF-16", () => {
  const email = "jane.doe@customer.example";
  const bytes = [...Buffer.from(email)].map((b) => b.toString(16));

  it("decodes hex pairs set apart by colons, spaces or commas, or written 0x", () => {
    for (const text of [bytes.join(":"), bytes.join(" "), bytes.map((b) => `0x${b}`).join(", ")]) {
      expect(decodeCandidates(`dump ${text} end`, all)).toContainEqual({ encoding: "hex", text: email });
    }
  });

  it("decodes HTML numeric entities, \\u and \\x escapes and quoted-printable in prose", () => {
    for (const text of ["jane.doe&#64;customer.example", "jane.doe&#x40;customer.example", "jane.doe\\u0040customer.example", bytes.map((b) => `\\x${b}`).join(""), "jane.doe=40customer.example"]) {
      expect(decodeCandidates(`contact: ${text}`, all)).toContainEqual({ encoding: "url", text: `contact: ${email}` });
    }
  });

  it("decodes base64 of UTF-16LE text", () => {
    expect(decodeCandidates(Buffer.from(email, "utf16le").toString("base64"), all)).toEqual([{ encoding: "base64", text: email }]);
  });

  it("reads near misses of separated hex and of escapes in linear time", { timeout: 20_000 }, () => {
    for (const text of ["ab:".repeat(7).concat("x ").repeat(100_000), "0xab, ".repeat(7).concat("zz ").repeat(100_000), "&#1234567".repeat(100_000), "\\u{12345".repeat(100_000), "=4".repeat(300_000)]) {
      const started = performance.now();
      decodeCandidates(text, all);
      expect(performance.now() - started).toBeLessThan(5_000);
    }
  });
});
