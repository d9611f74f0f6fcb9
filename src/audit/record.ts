import { createHash } from "node:crypto";
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
/**
 * Characters kept of one string that a caller supplies (session and trace ids, labels, tool names, detail values,
 * pointers): ids are far shorter, and one call must not be able to write a megabyte record (an MCP request id is any
 * JSON string the client sends).
 */
export const MAX_RECORD_TEXT = 512;
/** Labels kept in one record's trace. */
const MAX_LABELS = 32;

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
    policyIds: capTexts(verdict.policyIds),
    errors: capTexts(verdict.errors),
    policyRevision: verdict.policyRevision,
    declaration: verdict.declaration,
    agent: input.declaration.declaration.agent,
  };
  if (input.sessionId !== undefined) record.sessionId = capText(input.sessionId);
  if (tool) {
    record.server = capText(tool.server);
    record.tool = capText(tool.name);
    record.intent = tool.intent;
    record.intentSource = tool.intentSource;
  }
  if (input.trace) record.trace = capTrace(input.trace);
  record.classes = capTexts(verdict.classes);
  if (verdict.decision === "redact") {
    // Each place once (a long text can hold thousands of redacted values), and a bounded number of places.
    const places = [...new Set(verdict.redactions.map((redaction) => redaction.pointer))];
    record.redacted = capTexts(places.length > MAX_REDACTED_PLACES ? places.slice(0, MAX_REDACTED_PLACES) : places);
    if (places.length > MAX_REDACTED_PLACES) record.redactedOmitted = places.length - MAX_REDACTED_PLACES;
  }
  const flows = input.flows;
  if (flows && (flows.classes.length > 0 || flows.untrusted || flows.forgotten === true)) {
    // `forgotten` only where it happened: the records of every other session stay as they were.
    const { forgotten, ...rest } = flows;
    record.flows = forgotten === true ? flows : rest;
  }
  if (input.callDigest) record.callDigest = input.callDigest;
  record.latencyUs = Math.round(input.latencyUs);
  if (input.detail) record.detail = capDetail(input.detail);
  return record as AuditRecord;
}

/**
 * A string cut to MAX_RECORD_TEXT characters, marked with its length and a digest of the whole, so two long ids that
 * share a start are still told apart and can be matched to their source.
 */
export function capText(text: string): string {
  if (text.length <= MAX_RECORD_TEXT) return text;
  // Never cut a surrogate pair in half.
  const end = /[\ud800-\udbff]/.test(text[MAX_RECORD_TEXT - 1]!) ? MAX_RECORD_TEXT - 1 : MAX_RECORD_TEXT;
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return `${text.slice(0, end)}…(${text.length} characters, sha256 ${digest}…)`;
}

/** The list itself when nothing in it is too long (this runs for every decision), a capped copy otherwise. */
function capTexts(list: readonly string[]): readonly string[] {
  return list.some((text) => typeof text !== "string" || text.length > MAX_RECORD_TEXT) ? list.map((text) => capText(String(text))) : list;
}

/** A trace of strings only, each capped, with at most MAX_LABELS labels; the trace itself when nothing needs a change. */
function capTrace(trace: TraceContext): TraceContext {
  let fine = true;
  for (const [key, value] of Object.entries(trace)) {
    if (key === "labels") fine &&= value === undefined || Object.keys(value as object).length <= MAX_LABELS && Object.entries(value as object).every(([name, label]) => name.length <= MAX_RECORD_TEXT && typeof label === "string" && label.length <= MAX_RECORD_TEXT);
    else fine &&= value === undefined || (typeof value === "string" && value.length <= MAX_RECORD_TEXT);
  }
  if (fine) return trace;
  const capped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(trace)) {
    if (value === undefined) continue;
    if (key === "labels") capped[key] = Object.fromEntries(Object.entries(value as object).slice(0, MAX_LABELS).map(([name, label]) => [capText(name), capText(String(label))]));
    else capped[key] = capText(String(value));
  }
  return capped as TraceContext;
}

function capDetail(detail: NonNullable<AuditRecord["detail"]>): NonNullable<AuditRecord["detail"]> {
  if (Object.entries(detail).every(([key, value]) => key.length <= MAX_RECORD_TEXT && (typeof value !== "string" || value.length <= MAX_RECORD_TEXT))) return detail;
  return Object.fromEntries(Object.entries(detail).map(([key, value]) => [capText(key), typeof value === "string" ? capText(value) : value]));
}
