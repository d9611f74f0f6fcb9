/** What every AuditSink guarantees: records written, in order, are all there after flush and close. */
import { describe, expect, it } from "vitest";
import type { AuditSink } from "../../src/audit/sink.js";
import type { AuditRecord } from "../../src/model/audit-record.js";

export function record(n: number): AuditRecord {
  return {
    v: 1,
    time: new Date(Date.UTC(2026, 11, 1, 0, 0, n)).toISOString(),
    decisionId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    event: "call",
    decision: n % 3 === 0 ? "deny" : "allow",
    policyIds: [n % 3 === 0 ? "tool-outside-declaration" : "declared-tool"],
    errors: [],
    policyRevision: "abc123abc123",
    declaration: { id: "support-agent", version: 3, digest: "d".repeat(64) },
    agent: "support-bot",
    sessionId: "s1",
    server: "crm",
    tool: "get_customer",
    classes: ["pii.email"],
    latencyUs: 40,
  };
}

export interface SinkUnderTest {
  readonly sink: AuditSink;
  /** The records as the sink's medium holds them now. */
  readBack(): Promise<AuditRecord[]>;
}

export function auditSinkContract(name: string, make: () => SinkUnderTest): void {
  describe(`AuditSink contract: ${name}`, () => {
    it("keeps every record, in order, once flushed", async () => {
      const { sink, readBack } = make();
      for (let n = 1; n <= 50; n++) sink.write(record(n));
      await sink.flush();
      const back = await readBack();
      expect(back.map((r) => r.decisionId)).toEqual(Array.from({ length: 50 }, (_, i) => record(i + 1).decisionId));
      await sink.close();
    });

    it("flushes on close", async () => {
      const { sink, readBack } = make();
      sink.write(record(1));
      await sink.close();
      expect((await readBack()).map((r) => r.decision)).toEqual(["allow"]);
    });

    it("returns from write without waiting for I/O", () => {
      const { sink } = make();
      expect(sink.write(record(1))).toBeUndefined();
      return sink.close();
    });
  });
}
