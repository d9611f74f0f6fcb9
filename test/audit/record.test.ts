import { describe, expect, it } from "vitest";
import { auditRecord } from "../../src/audit/record.js";
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
