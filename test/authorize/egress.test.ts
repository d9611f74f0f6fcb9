import { describe, expect, it } from "vitest";
import { egressDestinations } from "../../src/authorize/egress.js";
import { compileEgressAllow, egressPatternProblem } from "../../src/model/egress-pattern.js";
import type { ToolDescriptor } from "../../src/model/tool.js";

const sendEmail: ToolDescriptor = { server: "mail", name: "send_email", intent: "egress", intentSource: "declaration", zone: "internal" };

describe("egressDestinations", () => {
  it("takes destination arguments whole and finds every address and URL elsewhere in the arguments", () => {
    const destinations = egressDestinations(sendEmail, { to: "Ops@Acme.Example", body: "copy bob@partner.example and see https://files.example/x?y=1" });
    expect(destinations.sort()).toEqual(["bob@partner.example", "https://files.example/x", "ops@acme.example"]);
  });

  it("lists a URL written in prose once, with its scheme, so that a pattern for its origin allows the call", () => {
    const allows = compileEgressAllow(["https://files.example/*"]);
    const destinations = egressDestinations(sendEmail, { body: "the report is at https://files.example/q3?id=7 and www.files.example/old" });
    expect(destinations).toEqual(["https://files.example/q3", "www.files.example/old"]);
    expect(allows(destinations[0]!)).toBe(true);
  });

  it("reads an apostrophe inside a name as part of the address, not as its start", () => {
    expect(egressDestinations(sendEmail, { body: "forward to o'brien@partner.example" })).toEqual(["o'brien@partner.example"]);
    expect(egressDestinations(sendEmail, { body: "forward to 'brien@partner.example'" })).toEqual(["brien@partner.example"]);
    expect(egressDestinations(sendEmail, { body: "also cc x'.bob@drop.example" })).toEqual([".bob@drop.example"]);
  });

  it("finds addresses whose local part is longer than the standard allows (a server may still deliver them)", () => {
    const local = "x".repeat(80);
    expect(egressDestinations(sendEmail, { body: `to ${local}@drop.example` })).toEqual([`${local}@drop.example`]);
  });

  it("reads only the declared destination arguments when the tool names them", () => {
    const tool: ToolDescriptor = { ...sendEmail, destinationArgs: ["recipient"] };
    expect(egressDestinations(tool, { recipient: "a@acme.example", body: "cc b@acme.example" })).toEqual(["a@acme.example"]);
  });

  it("still reads copy recipients (cc, bcc) beside the declared destination arguments", () => {
    const tool: ToolDescriptor = { ...sendEmail, destinationArgs: ["to"] };
    const destinations = egressDestinations(tool, { to: "lead@acme.example", cc: ["ops@acme.example"], bcc: "drop@attacker.example", body: "see https://x.example" });
    expect(destinations.sort()).toEqual(["drop@attacker.example", "lead@acme.example", "ops@acme.example"]);
  });
});

describe("egress.allow patterns", () => {
  it("lets a `*` stand for a local part, leftmost labels, a path or an identifier's rest, and nothing else", () => {
    const allows = compileEgressAllow(["*@acme.example", "*.acme.example", "https://hooks.partner.example/*", "DE8937040044*", "#acme-*", "https://[fd00::1]/*"]);
    for (const inside of ["ops@acme.example", "api.eu.acme.example", "https://api.acme.example/v1", "https://hooks.partner.example/a/b", "DE89370400440532013000", "#acme-ops", "https://[fd00::1]/hook"]) {
      expect({ inside, allowed: allows(inside) }).toEqual({ inside, allowed: true });
    }
    const outside = [
      "attacker@evil.example, boss@acme.example",
      "attacker@evil.example boss@acme.example",
      "x@evil.example@acme.example",
      "evilacme.example",
      "https://hooks.partner.example.evil.example/x",
      "DE89370400440532013000, GB82WEST12345698765432",
      "https://evil.example/collect@acme.example",
      "evil.example/@acme.example",
      "evil.example:x@acme.example",
      "https://hooks.partner.example\\@evil.example/x",
      "https://user@hooks.partner.example/x",
    ];
    for (const destination of outside) expect({ destination, allowed: allows(destination) }).toEqual({ destination, allowed: false });
  });

  // Normalized by WHATWG rules, the backslash became a path and the URL read as one to the allowed host.
  it("keeps a URL whose authority parsers read differently raw, so that no pattern allows it", () => {
    const allows = compileEgressAllow(["https://hooks.partner.example/*"]);
    const destinations = egressDestinations({ ...sendEmail, destinationArgs: ["url"] }, { url: "https://hooks.partner.example\\@evil.example/x" });
    expect(destinations).toEqual(["https://hooks.partner.example\\@evil.example/x"]);
    expect(allows(destinations[0]!)).toBe(false);
  });

  it("names the problem of a pattern that could reach any organization, and accepts bounded ones", () => {
    for (const broad of ["http*", "https://**", "https://*/*", "*m", "*@*.com", "*acme.example", "*.co.uk", "*.example", "ftp://files.acme.example/*", "a@b@acme.example", "DE*", "*.github.io", "https://*.blob.core.windows.net/*", "*.1.1", "#a-*"]) {
      expect({ broad, problem: egressPatternProblem(broad) }).toEqual({ broad, problem: expect.any(String) });
    }
    for (const bounded of ["*@acme.example", "*.acme.example", "https://hooks.acme.example/*", "https://api.acme.example:8443/v1/*", "ops@acme.example", "acme.example/reports/*", "#support", "DE8937040044*", "#acme-*", "https://[fd00::1]/*", "https://10.0.0.5/*"]) {
      expect({ bounded, problem: egressPatternProblem(bounded) }).toEqual({ bounded, problem: undefined });
    }
  });
});

// Linear time: an agent chooses the arguments, so a pattern retried at every position of a long one would let a single
// call hold the guard for minutes (this test times out then).
describe("egressDestinations on adversarial input", () => {
  const n = 400_000;
  const inputs: [string, string][] = [
    ["a local part without an at sign", "a".repeat(n)],
    ["dotted labels", "a.".repeat(n / 2)],
    ["domains without a top-level domain", `a@${"a.".repeat(n / 2)}`],
    ["at signs", "a@".repeat(n / 2)],
    ["apostrophes", "a'".repeat(n / 2)],
    ["hosts under a common domain without a path", "a.com".repeat(n / 5)],
  ];
  for (const [name, text] of inputs) {
    it(`reads ${name} (${(text.length / 1000).toFixed(0)}k chars) in linear time`, { timeout: 20_000 }, () => {
      expect(Array.isArray(egressDestinations(sendEmail, { body: text }))).toBe(true);
    });
  }
});
