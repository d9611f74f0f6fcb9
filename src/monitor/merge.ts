import type { DeterminingPolicy, EngineDecision } from "../authorize/engine.js";
import { GUARD_POLICY_IDS, isAlert } from "../authorize/outcome.js";
import type { Response } from "../model/verdict.js";
import type { DriftHit } from "./drift.js";
import type { RuleResponse } from "./rules.js";

const AS_POLICY_RESPONSE: Readonly<Record<RuleResponse, Response>> = { alert: "alert", block: "deny", ask: "ask", halt: "halt" };

/** A drift hit as a determining policy: cited, ranked and explained like any forbid. */
export function driftPolicy(hit: DriftHit): DeterminingPolicy {
  return {
    id: hit.rule,
    effect: "forbid",
    response: AS_POLICY_RESPONSE[hit.response],
    reason: hit.reason,
    ...(hit.remediate.length > 0 ? { remediate: hit.remediate } : {}),
  };
}

/**
 * Adds the drift rules that fire to the engine's decision, as forbids with their configured responses, before the
 * guard maps the decision to a verdict. A rule that asks is lifted by an approval of its id, like an `ask` policy. A
 * default deny stays explicit, so a rule's `ask` can never make an unpermitted call approvable.
 */
export function mergeDrift(decision: EngineDecision, hits: readonly DriftHit[], approvals: readonly string[]): EngineDecision {
  if (hits.length === 0) return decision;
  const rules = hits.filter((hit) => !(hit.response === "ask" && approvals.includes(hit.rule))).map(driftPolicy);
  if (rules.length === 0) return decision;
  const alerts = rules.filter(isAlert);
  const blocking = rules.filter((policy) => !isAlert(policy));
  if (blocking.length === 0) return { ...decision, determining: [...decision.determining, ...alerts] };
  const forbids = decision.decision === "deny" ? decision.determining.filter((policy) => policy.effect === "forbid" && !isAlert(policy)) : [];
  const base = decision.decision === "deny" && forbids.length === 0 ? [DEFAULT_DENY] : forbids;
  return { decision: "deny", determining: [...base, ...blocking, ...decision.determining.filter(isAlert), ...alerts], errors: decision.errors };
}

const DEFAULT_DENY: DeterminingPolicy = { id: GUARD_POLICY_IDS.defaultDeny, effect: "forbid", response: "deny", reason: "no policy permits this (deny by default)" };
