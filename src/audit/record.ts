import type { AuditEvent, AuditRecord } from "../model/audit-record.js";
import type { TraceContext } from "../model/call.js";
import type { LoadedDeclaration } from "../model/declaration.js";
import type { ToolDescriptor } from "../model/tool.js";
import type { Verdict } from "../model/verdict.js";

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

/** Builds the audit record of a verdict. Only ids, classes, pointers and digests: never a value. */
export function auditRecord(input: RecordInput): AuditRecord {
  const { verdict, tool } = input;
  const redacted = verdict.decision === "redact" ? verdict.redactions.map((redaction) => redaction.pointer) : undefined;
  return {
    v: 1,
    time: new Date(input.time).toISOString(),
    decisionId: verdict.decisionId,
    event: input.event,
    decision: verdict.decision,
    policyIds: verdict.policyIds,
    errors: verdict.errors,
    policyRevision: verdict.policyRevision,
    declaration: verdict.declaration,
    agent: input.declaration.declaration.agent,
    ...(input.sessionId !== undefined ? { sessionId: input.sessionId } : {}),
    ...(tool ? { server: tool.server, tool: tool.name, intent: tool.intent, intentSource: tool.intentSource } : {}),
    ...(input.trace ? { trace: input.trace } : {}),
    classes: verdict.classes,
    ...(redacted ? { redacted } : {}),
    ...(input.flows && (input.flows.classes.length > 0 || input.flows.untrusted) ? { flows: input.flows } : {}),
    ...(input.callDigest ? { callDigest: input.callDigest } : {}),
    latencyUs: Math.round(input.latencyUs),
    ...(input.detail ? { detail: input.detail } : {}),
  };
}
