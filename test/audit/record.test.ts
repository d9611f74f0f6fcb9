import { describe, expect, it } from "vitest";
import { auditRecord, capText, MAX_RECORD_TEXT } from "../../src/audit/record.js";
import { loadDeclarationFile } from "../../src/declare/load.js";
import type { RedactVerdict } from "../../src/model/verdict.js";
import { example } from "../helpers.js";

const declaration = await loadDeclarationFile(example("support.yaml"));

function redactVerdict(pointers: readonly string[]): RedactVerdict {
  return {
    decision: "redact",
    decisionId: "d1",
    policyIds: ["result-class-outside-read-scope"],
    reasons: [],
    errors: [],
    declaration: { id: "support", version: 1, digest: "x" },
    policyRevision: "r1",
    classes: ["pii.ssn"],
    value: {},
    redactions: pointers.map((pointer) => ({ pointer, class: "pii.ssn" })),
  };
}

describe("auditRecord of a redaction", () => {
  it("lists each redacted place once, in the order first redacted", () => {
    const record = auditRecord({ event: "result", verdict: redactVerdict(["/a", "/b", "/a", "/a"]), declaration, time: 0, latencyUs: 1 });
    expect(record.redacted).toEqual(["/a", "/b"]);
    expect(record.redactedOmitted).toBeUndefined();
  });

  it("lists at most 256 places and counts the others", () => {
    const pointers = Array.from({ length: 300 }, (_, i) => `/items/${i}`);
    const record = auditRecord({ event: "result", verdict: redactVerdict(pointers), declaration, time: 0, latencyUs: 1 });
    expect(record.redacted).toEqual(pointers.slice(0, 256));
    expect(record.redactedOmitted).toBe(44);
  });
});

describe("auditRecord of a call with long caller-supplied strings", () => {
  const allow = { ...redactVerdict([]), decision: "allow" as const, classes: [] } as unknown as RedactVerdict;

  it("caps request and session ids, labels, detail values and tool names, so one call cannot write a megabyte record", () => {
    const long = "r".repeat(1_100_000);
    const record = auditRecord({
      event: "call",
      verdict: allow,
      declaration,
      time: 0,
      latencyUs: 1,
      sessionId: long,
      tool: { server: "crm", name: long, intent: "read", intentSource: "name" } as never,
      trace: { requestId: long, mcpSessionId: "m1", labels: { tenant: long } },
      detail: { reason: long, count: 3 },
    });
    expect(JSON.stringify(record).length).toBeLessThan(8 * 1024);
    expect(record.trace?.requestId).toMatch(new RegExp(`^r{${MAX_RECORD_TEXT}}…\\(1100000 characters, sha256 [0-9a-f]{16}…\\)$`));
    expect(record.trace?.mcpSessionId).toBe("m1");
    expect(record.sessionId).toBe(record.trace?.requestId);
    expect(record.tool).toBe(record.trace?.requestId);
    expect(record.detail).toMatchObject({ count: 3 });
    expect(String(record.detail?.["reason"]).length).toBeLessThan(MAX_RECORD_TEXT + 64);
  });

  it("tells apart two long ids that share their start", () => {
    const base = "x".repeat(2 * MAX_RECORD_TEXT);
    expect(capText(`${base}a`)).not.toBe(capText(`${base}b`));
  });

  it("keeps short values as they are, and the trace object itself", () => {
    const trace = { requestId: "42", traceId: "4bf92f3577b34da6a3ce929d0e0e4736" };
    const record = auditRecord({ event: "call", verdict: allow, declaration, time: 0, latencyUs: 1, sessionId: "s1", trace });
    expect(record.trace).toBe(trace);
    expect(record.sessionId).toBe("s1");
  });
});
