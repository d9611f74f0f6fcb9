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

/** The responses that stop or change a call; `alert` never does. */
export type Blocking = Exclude<Response, "alert">;

/**
 * What the engine's answer means for the call, before redaction and approval are applied. `policies` lists the
 * deciding policies first, then the alerts (the policies with `@response("alert")` that matched).
 */
export type Outcome =
  | { readonly kind: "allow"; readonly policies: readonly DeterminingPolicy[] }
  | { readonly kind: Blocking; readonly policies: readonly DeterminingPolicy[]; readonly errors: readonly string[] };

/** Strongest first: a halt outranks a deny, which outranks an approval, which outranks a redaction. */
const SEVERITY: readonly Blocking[] = ["halt", "deny", "ask", "redact"];

const DEFAULT_DENY: DeterminingPolicy = { id: GUARD_POLICY_IDS.defaultDeny, effect: "forbid", response: "deny", reason: "no policy permits this (deny by default)" };

/** True for an alert: a policy that is recorded and notified but never decides (`@response("alert")`). */
export function isAlert(policy: DeterminingPolicy): boolean {
  return policy.response === "alert";
}

/**
 * Maps an engine decision to an outcome. Errors deny even when the engine allowed (Cedar skips a policy that
 * errors, and a skipped forbid must not turn into an allow). With several matching forbids, the most severe
 * response wins and all of them are cited. Alerts ride along: the Cedar engine evaluates them as permits, so an
 * allow that only alerts permitted is the default deny it would have been without them.
 */
/** Answers the built-in engine made (frozen, well formed): the guard needs no shape check of them. */
const BUILT_IN = new WeakSet<object>();

/** Marks an answer of the built-in engine; anything else an engine returns is checked (`engineDecisionProblem`). */
export function markBuiltIn(decision: EngineDecision): EngineDecision {
  BUILT_IN.add(decision);
  return decision;
}

export function isBuiltIn(decision: unknown): decision is EngineDecision {
  return typeof decision === "object" && decision !== null && BUILT_IN.has(decision);
}

/**
 * What is wrong with an engine's answer, or undefined when it has the shape of an `EngineDecision`. A pluggable engine
 * (OPA over HTTP, a function) may answer anything: `errors` given as an object (whose `.length` is undefined) would
 * have read as no error at all.
 */
export function engineDecisionProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return `the engine answered ${value === null ? "null" : typeof value}, not a decision`;
  const { decision, determining, errors } = value as Record<string, unknown>;
  if (decision !== "allow" && decision !== "deny") return `the engine's decision is ${JSON.stringify(decision) ?? "undefined"}, not "allow" or "deny"`;
  if (!Array.isArray(determining)) return "the engine's `determining` is not a list of policies";
  if (!Array.isArray(errors) || errors.some((error) => typeof error !== "string")) return "the engine's `errors` is not a list of strings";
  for (const policy of determining as unknown[]) {
    if (policy === null || typeof policy !== "object") return "a determining policy is not an object";
    const { id, effect } = policy as Record<string, unknown>;
    if (typeof id !== "string" || id.length === 0 || (effect !== "permit" && effect !== "forbid")) return "a determining policy lacks an id or a permit/forbid effect";
  }
  return undefined;
}

export function outcomeOf(decision: EngineDecision): Outcome {
  const alerts = decision.determining.filter(isAlert);
  if (decision.errors.length > 0) {
    const engineError: DeterminingPolicy = { id: GUARD_POLICY_IDS.engineError, effect: "forbid", response: "deny", reason: `the policy engine reported an error: ${decision.errors[0]}` };
    return { kind: "deny", policies: [engineError, ...decision.determining.filter((policy) => policy.effect === "forbid")], errors: decision.errors };
  }
  if (decision.decision === "allow") {
    const permits = decision.determining.filter((policy) => policy.effect === "permit" && !isAlert(policy));
    // An allow that cites no permit is not one (an engine answering `{ decision: "allow", determining: [] }`).
    if (permits.length === 0) return { kind: "deny", policies: [DEFAULT_DENY, ...alerts], errors: [] };
    return { kind: "allow", policies: [...permits, ...alerts] };
  }
  const forbids = decision.determining.filter((policy) => policy.effect === "forbid" && !isAlert(policy));
  if (forbids.length === 0) return { kind: "deny", policies: [DEFAULT_DENY, ...alerts], errors: [] };
  const kind = SEVERITY.find((response) => forbids.some((policy) => (policy.response ?? "deny") === response)) ?? "deny";
  return { kind, policies: [...sortBySeverity(forbids), ...alerts], errors: [] };
}

/** Most severe first, then by id: the same decision always cites its policies in the same order. */
function sortBySeverity(policies: readonly DeterminingPolicy[]): DeterminingPolicy[] {
  const rank = (policy: DeterminingPolicy) => SEVERITY.indexOf((policy.response ?? "deny") as Blocking);
  return [...policies].sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function reasonsOf(policies: readonly DeterminingPolicy[]): PolicyReason[] {
  return policies.map((policy) => ({
    policyId: policy.id,
    response: policy.effect === "permit" && !isAlert(policy) ? "permit" : (policy.response ?? "deny"),
    reason: policy.reason,
    ...(policy.remediate && policy.remediate.length > 0 ? { remediate: policy.remediate } : {}),
  }));
}

/** One sentence for the agent and the user: what happened, which policies, why. */
export function explain(kind: Blocking, policies: readonly DeterminingPolicy[], subject: string): string {
  const lead = { deny: "denied", halt: "halted the session at", ask: "needs a person's approval for", redact: "redacted" }[kind];
  const cited = policies.map((policy) => `[${policy.id}] ${policy.reason}`).join("; ");
  return `purpose-guard ${lead} ${subject}: ${cited}`;
}
