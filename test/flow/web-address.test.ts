import { describe, expect, it } from "vitest";
import { isEmailAddress, isWebAddress, webAddresses } from "../../src/flow/web-address.js";

describe("webAddresses", () => {
  it("finds addresses with a scheme, starting with www., or a host under a common domain with a path, bare", () => {
    expect(webAddresses("see https://docs.example/a?b=1, www.shop.example and portal.acme.com/login.")).toEqual(["docs.example/a?b=1", "www.shop.example", "portal.acme.com/login"]);
  });
  it("finds a host after an ellipsis or other punctuation, and whole when a label holds `_`", () => {
    expect(webAddresses("more at...files.acme.com/x")).toEqual(["files.acme.com/x"]);
    expect(webAddresses("Backup copy at my_bucket.evil.com/drop and files.acme.com/y")).toEqual(["my_bucket.evil.com/drop", "files.acme.com/y"]);
  });
  it("leaves bare file names out", () => {
    expect(webAddresses("open report.pdf and notes.txt")).toEqual([]);
  });
});

describe("isWebAddress and isEmailAddress", () => {
  it("hold for one address alone, trailing punctuation and slash aside", () => {
    expect(isWebAddress(" https://acme.com/pay/!? ")).toBe(true);
    expect(isWebAddress("pay at https://acme.com/pay")).toBe(false);
    expect(isEmailAddress(" o'brien@customer.example ")).toBe(true);
    expect(isEmailAddress("mail o'brien@customer.example")).toBe(false);
  });
  it("do not take a text longer than any address for one", () => {
    expect(isEmailAddress(`${"a".repeat(400)}@customer.example`)).toBe(false);
  });
});

// Linear time: these run on every tool result and argument, which an attacker can make large. Each input makes a
// pattern that is retried at every position cost the square of its length (minutes at this size: the test times out).
describe("address scans on adversarial input", () => {
  const n = 400_000;
  const inputs: [string, string][] = [
    ["dotted labels", "a.".repeat(n / 2)],
    ["dashed labels", "a-".repeat(n / 2)],
    ["hosts under a common domain without a path", "a.com".repeat(n / 5)],
    ["www prefixes", "www.".repeat(n / 4)],
    ["trailing punctuation", `www.x${"!".repeat(2000)}a `.repeat(n / 2008)],
    ["one token of punctuation", `https://x${"?".repeat(n)}a`],
    ["local parts without an at sign", "a".repeat(n)],
  ];
  for (const [name, text] of inputs) {
    it(`scans ${name} (${(text.length / 1000).toFixed(0)}k chars) in linear time`, { timeout: 20_000 }, () => {
      expect(Array.isArray(webAddresses(text))).toBe(true);
      expect(typeof isWebAddress(text)).toBe("boolean");
      expect(isEmailAddress(text)).toBe(false);
    });
  }
});
