import type { PolicyReason, Response } from "../model/verdict.js";
import type { DeterminingPolicy, EngineDecision } from "./engine.js";

/** Ids the guard itself uses when no policy decided, so that every deny names a searchable reason. */
export const GUARD_POLICY_IDS = {
  defaultDeny: "default-deny",
  engineError: "engine-error",
  pipelineError: "pipeline-error",
  guardClosed: "guard-closed",
  auditUnavailable: "audit-unavailable",
  approvalDenied: "approval-denied",
  approvalTimeout: "approval-timeout",
  redactionFailed: "redaction-failed",
  sessionHalted: "session-halted",
} as const;

/** What the engine's answer means for the call, before redaction and approval are applied. */
export type Outcome =
  | { readonly kind: "allow"; readonly policies: readonly DeterminingPolicy[] }
  | { readonly kind: Response; readonly policies: readonly DeterminingPolicy[]; readonly errors: readonly string[] };

/** Strongest first: a halt outranks a deny, which outranks an approval, which outranks a redaction. */
const SEVERITY: readonly Response[] = ["halt", "deny", "ask", "redact"];

/**
 * Maps an engine decision to an outcome. Errors deny even when the engine allowed (Cedar skips a policy that
 * errors, and a skipped forbid must not turn into an allow). With several matching forbids, the most severe
 * response wins and all of them are cited.
 */
export function outcomeOf(decision: EngineDecision): Outcome {
  if (decision.errors.length > 0) {
    const engineError: DeterminingPolicy = { id: GUARD_POLICY_IDS.engineError, effect: "forbid", response: "deny", reason: `the policy engine reported an error: ${decision.errors[0]}` };
    return { kind: "deny", policies: [engineError, ...decision.determining.filter((policy) => policy.effect === "forbid")], errors: decision.errors };
  }
  if (decision.decision === "allow") return { kind: "allow", policies: decision.determining };
  const forbids = decision.determining.filter((policy) => policy.effect === "forbid");
  if (forbids.length === 0) {
    const defaultDeny: DeterminingPolicy = { id: GUARD_POLICY_IDS.defaultDeny, effect: "forbid", response: "deny", reason: "no policy permits this (deny by default)" };
    return { kind: "deny", policies: [defaultDeny], errors: [] };
  }
  const kind = SEVERITY.find((response) => forbids.some((policy) => (policy.response ?? "deny") === response)) ?? "deny";
  return { kind, policies: sortBySeverity(forbids), errors: [] };
}

function sortBySeverity(policies: readonly DeterminingPolicy[]): DeterminingPolicy[] {
  return [...policies].sort((a, b) => SEVERITY.indexOf(a.response ?? "deny") - SEVERITY.indexOf(b.response ?? "deny"));
}

export function reasonsOf(policies: readonly DeterminingPolicy[]): PolicyReason[] {
  return policies.map((policy) => ({ policyId: policy.id, response: policy.effect === "permit" ? "permit" : (policy.response ?? "deny"), reason: policy.reason }));
}

/** One sentence for the agent and the user: what happened, which policies, why. */
export function explain(kind: Response, policies: readonly DeterminingPolicy[], subject: string): string {
  const lead = { deny: "denied", halt: "halted the session at", ask: "needs a person's approval for", redact: "redacted" }[kind];
  const cited = policies.map((policy) => `[${policy.id}] ${policy.reason}`).join("; ");
  return `purpose-guard ${lead} ${subject}: ${cited}`;
}
