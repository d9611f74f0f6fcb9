import type { AuditEvent, AuditRecord } from "../model/audit-record.js";
import type { TraceContext } from "../model/call.js";
import type { LoadedDeclaration } from "../model/declaration.js";
import type { ToolDescriptor } from "../model/tool.js";
import type { Verdict } from "../model/verdict.js";
import { isoTime } from "./iso-time.js";

export interface RecordInput {
  readonly event: AuditEvent;
  readonly verdict: Verdict;
  readonly declaration: LoadedDeclaration;
  readonly time: number;
  readonly latencyUs: number;
  readonly sessionId?: string;
  readonly tool?: ToolDescriptor;
  readonly trace?: TraceContext;
  readonly flows?: AuditRecord["flows"];
  readonly callDigest?: string;
  readonly detail?: AuditRecord["detail"];
}

/** Places of redactions listed in one record; the count of the others is given. */
const MAX_REDACTED_PLACES = 256;

/** Builds the audit record of a verdict. Only ids, classes, pointers and digests: never a value. */
export function auditRecord(input: RecordInput): AuditRecord {
  const { verdict, tool } = input;
  // Assigned field by field rather than spread, in the order the JSON line shows them: this runs for every decision.
  const record: { -readonly [K in keyof AuditRecord]?: AuditRecord[K] } = {
    v: 1,
    time: isoTime(input.time),
    decisionId: verdict.decisionId,
    event: input.event,
    decision: verdict.decision,
    policyIds: verdict.policyIds,
    errors: verdict.errors,
    policyRevision: verdict.policyRevision,
    declaration: verdict.declaration,
    agent: input.declaration.declaration.agent,
  };
  if (input.sessionId !== undefined) record.sessionId = input.sessionId;
  if (tool) {
    record.server = tool.server;
    record.tool = tool.name;
    record.intent = tool.intent;
    record.intentSource = tool.intentSource;
  }
  if (input.trace) record.trace = input.trace;
  record.classes = verdict.classes;
  if (verdict.decision === "redact") {
    // Each place once (a long text can hold thousands of redacted values), and a bounded number of places.
    const places = [...new Set(verdict.redactions.map((redaction) => redaction.pointer))];
    record.redacted = places.length > MAX_REDACTED_PLACES ? places.slice(0, MAX_REDACTED_PLACES) : places;
    if (places.length > MAX_REDACTED_PLACES) record.redactedOmitted = places.length - MAX_REDACTED_PLACES;
  }
  const flows = input.flows;
  if (flows && (flows.classes.length > 0 || flows.untrusted)) record.flows = flows;
  if (input.callDigest) record.callDigest = input.callDigest;
  record.latencyUs = Math.round(input.latencyUs);
  if (input.detail) record.detail = input.detail;
  return record as AuditRecord;
}
