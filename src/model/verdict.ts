import type { DataClass } from "./data-class.js";

/**
 * What a matching forbid policy asks the guard to do (its `@response` annotation). `alert` is the lowest rung of the
 * containment ladder: the call goes on, and the alert is recorded and notified.
 */
export type Response = "deny" | "ask" | "redact" | "halt" | "alert";

export type Decision = "allow" | "deny" | "redact" | "ask" | "halt";

/** A policy that decided, with the human sentence of its `@reason` annotation. */
export interface PolicyReason {
  readonly policyId: string;
  readonly response: Response | "permit";
  readonly reason: string;
  /** Remediations the policy requests when it decides (`@remediate`): `revoke-approvals`, `hook:<name>`. */
  readonly remediate?: readonly string[];
}

/** Facts every verdict carries, so any decision can be traced to the exact policy set and declaration. */
export interface VerdictBase {
  readonly decisionId: string;
  /** Ids of the deciding policies (`@id` annotations); empty on a default deny (no permit matched). */
  readonly policyIds: readonly string[];
  readonly reasons: readonly PolicyReason[];
  /** Engine and pipeline errors; any error makes the verdict a deny. */
  readonly errors: readonly string[];
  readonly declaration: { readonly id: string; readonly version: number; readonly digest: string };
  /** Short digest of the schema and policy texts in force. */
  readonly policyRevision: string;
  /** Classes found in the value the verdict is about (arguments for calls, the result for results). */
  readonly classes: readonly DataClass[];
}

export interface AllowVerdict extends VerdictBase {
  readonly decision: "allow";
  /** Set when a person approved the call (conditional approval). */
  readonly approval?: ApprovalRef;
}

export interface DenyVerdict extends VerdictBase {
  readonly decision: "deny";
  /** One sentence for the agent and the user: which policy, and why. */
  readonly message: string;
}

/** Allowed once the value is redacted: forward `value`, never the original. */
export interface RedactVerdict extends VerdictBase {
  readonly decision: "redact";
  readonly value: unknown;
  /** JSON pointers that were redacted, and the class that caused each. */
  readonly redactions: readonly { readonly pointer: string; readonly class: DataClass }[];
  readonly approval?: ApprovalRef;
}

/** Needs a person's approval that could not be obtained here: the adapter must not forward the call. */
export interface AskVerdict extends VerdictBase {
  readonly decision: "ask";
  readonly message: string;
  /** Digest of tool + canonical arguments: the exact call an approval must name. */
  readonly callDigest: string;
}

/** The session is stopped: this call and every later one are denied until an operator releases the session. */
export interface HaltVerdict extends VerdictBase {
  readonly decision: "halt";
  readonly message: string;
}

export type Verdict = AllowVerdict | DenyVerdict | RedactVerdict | AskVerdict | HaltVerdict;

/** The verdicts under which the adapter may forward the call (with `value` in place of the original on redact). */
export function permitsForwarding(verdict: Verdict): verdict is AllowVerdict | RedactVerdict {
  return verdict.decision === "allow" || verdict.decision === "redact";
}

export interface ApprovalRef {
  readonly approvalId: string;
  readonly approver: string;
  readonly policyIds: readonly string[];
}
