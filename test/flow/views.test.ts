import { describe, expect, it } from "vitest";
import { haystacks, splitTexts, view } from "../../src/flow/views.js";

const joins = (args: unknown, kind: "text" | "alnum" | "digits" | "exact") => haystacks(args).flatMap((h) => (h.parts === undefined ? [] : splitTexts(kind, h.parts)));

describe("haystacks", () => {
  it("joins the values of named fields without their keys, in order and in reverse", () => {
    expect(joins({ url: "https://x.example/?u=jane.doe", body: "@customer.example" }, "text")).toEqual(["https://x.example/?u=jane.doe@customer.example", "@customer.examplehttps://x.example/?u=jane.doe"]);
    expect(joins({ a: "1111 1111", b: "4111 1111" }, "digits")).toContain("4111111111111111");
  });

  it("decodes three levels deep, as the classifier does", () => {
    const b64 = (value: string) => Buffer.from(value).toString("base64url");
    const url = (value: string) => encodeURIComponent(value);
    expect(haystacks({ d: `x=${b64(b64(b64("jane.doe@customer.example")))}` }).map((h) => h.text)).toContain("jane.doe@customer.example");
    expect(haystacks({ d: `x=${url(url(url("jane.doe@customer.example")))}` }).map((h) => h.text)).toContain("x=jane.doe@customer.example");
  });

  it("yields at most eight times an argument's length in decoded text, however its encodings nest", { timeout: 20_000 }, () => {
    // Each level is readable at two alignments and as URL-encoded text.
    let text = "%41 jane.doe@customer.example ".repeat(2000);
    for (let level = 0; level < 3; level++) text = `%25 ${Buffer.from(text).toString("base64")} ${encodeURIComponent(text)}`;
    const decoded = haystacks({ d: text }).reduce((sum, h) => sum + (h.encoding === "plain" ? 0 : h.text.length), 0);
    expect(decoded).toBeLessThanOrEqual(9 * text.length);
  });

  it("still scans each key on its own", () => {
    expect(haystacks({ "jane.doe@customer.example": 1 }).map((h) => h.text)).toContain("jane.doe@customer.example");
  });
});

describe("view", () => {
  it("reads decimal digits of any script as their ASCII digits in the digits view", () => {
    const script = (zero: number, digits: string) => digits.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
    expect(view("digits", script(0x660, "4111 1111 1111 1111"))).toBe("4111111111111111");
    expect(view("digits", script(0x966, "219-09-9991"))).toBe("219099991");
    expect(view("digits", script(0x1d7ce, "0123456789"))).toBe("0123456789");
  });

  it("keeps digit groups more than three characters apart as separate numbers, in a string but not across fields", () => {
    expect(view("digits", "hotel with 1 pool, rooms 415 and 555, up to 2671 guests")).toBe("\u200B1\u200B415\u200B555\u200B2671\u200B");
    expect(view("digits", "+1 (415) 555-2671 or 4a1b1c1d 1111 x 1111")).toBe("14155552671\u200B411111111111");
    expect(joins({ a: "card: 4111 1111 and", note: "some words", b: "then 1111 1111" }, "digits")).toContain("4111111111111111");
  });
});
