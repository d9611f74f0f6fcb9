import type { TraceContext } from "./call.js";
import type { DataClass } from "./data-class.js";
import type { Intent, IntentSource } from "./tool.js";
import type { Decision } from "./verdict.js";

/** What happened: the deploy gate, a call's arguments, a call's result, an approval, a monitor step. */
export type AuditEvent = "start" | "call" | "result" | "approval" | "containment" | "alert";

/**
 * One decision, as auditors read it (modelled on OPA's decision log). It never holds a raw argument or result
 * value: classes, JSON pointers and digests only.
 */
export interface AuditRecord {
  readonly v: 1;
  /** ISO 8601, millisecond precision. */
  readonly time: string;
  readonly decisionId: string;
  readonly event: AuditEvent;
  readonly decision: Decision;
  readonly policyIds: readonly string[];
  readonly errors: readonly string[];
  readonly policyRevision: string;
  readonly declaration: { readonly id: string; readonly version: number; readonly digest: string };
  readonly agent: string;
  readonly sessionId?: string;
  readonly server?: string;
  readonly tool?: string;
  readonly intent?: Intent;
  readonly intentSource?: IntentSource;
  readonly trace?: TraceContext;
  readonly classes: readonly DataClass[];
  /** Pointers replaced by redaction, each once, at most 256 of them. */
  readonly redacted?: readonly string[];
  /** How many more pointers were replaced than `redacted` lists. */
  readonly redactedOmitted?: number;
  /** Classes that reached this call from earlier results, and the tools they came from. */
  readonly flows?: {
    readonly classes: readonly DataClass[];
    readonly sources: readonly string[];
    readonly untrusted: boolean;
    readonly untrustedDestination?: boolean;
    readonly dictated?: boolean;
    /** The session's flow memory had forgotten values trusted results carried: flows of them went unseen. */
    readonly forgotten?: boolean;
  };
  /** SHA-256 of tool + canonical arguments: ties approvals to the exact call. */
  readonly callDigest?: string;
  /** Microseconds the guard spent on this decision (excluding time waiting for a person). */
  readonly latencyUs: number;
  /** Event-specific facts (approver, containment level, drift rule); short scalars only. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** A record as a hash-chained sink writes it. */
export interface ChainedAuditRecord extends AuditRecord {
  /** 1-based position in the chain; continues across rotated files. */
  readonly seq: number;
  /** `hash` of the previous record, or 64 zeros for the first record of a chain. */
  readonly prev: string;
  /** Hex SHA-256 of `prev`, a newline and the record's line as written up to (without) `,"hash":...`. */
  readonly hash: string;
}
