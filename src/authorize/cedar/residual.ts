import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { PolicyJson } from "./compile.js";
import { CONTEXT_ATTRIBUTES, type EntityJson, type EntityUid } from "./entities.js";

/**
 * The policy set specialized to one principal, action and resource: Cedar's partial evaluation with every context
 * attribute unknown folds away the scope, the entity attributes and every policy that cannot apply, leaving
 * residuals that read only the context. Evaluating those needs no entities, which is most of a decision's cost.
 */
export interface Specialization {
  /** The ids of the residual policies (those that may still apply). */
  readonly policyIds: readonly string[];
  /** Policies that error whatever the context; their errors are reported on every decision. */
  readonly errored: readonly string[];
  /** The residual set, ready to preparse. */
  readonly residuals: Record<string, PolicyJson>;
}

/**
 * `known` holds context attributes that are fixed for the plan (the runtime bounds of a guard): they are folded in
 * like entity attributes. Every other context attribute stays unknown.
 */
export function specialize(
  policies: Record<string, string>,
  principal: EntityUid,
  action: EntityUid,
  resource: EntityUid,
  entities: EntityJson[],
  known: Readonly<Record<string, cedar.CedarValueJson>>,
): Specialization | undefined {
  const context: Record<string, cedar.CedarValueJson> = {};
  for (const attr of CONTEXT_ATTRIBUTES) context[attr] = known[attr] ?? { __extn: { fn: "unknown", arg: attr } };
  const answer = cedar.isAuthorizedPartial({ principal, action, resource, context, policies: { staticPolicies: policies }, entities });
  if (answer.type !== "residuals") return undefined;
  const residuals: Record<string, PolicyJson> = {};
  for (const [id, residual] of Object.entries(answer.response.residuals)) {
    const rewritten = rewriteUnknowns(residual);
    if (rewritten === undefined) return undefined;
    residuals[id] = rewritten as PolicyJson;
  }
  return { policyIds: Object.keys(residuals), errored: answer.response.errored, residuals };
}

const KNOWN = new Set<string>(CONTEXT_ATTRIBUTES);

/**
 * Replaces each `unknown("attr")` placeholder with `context.attr`. Returns undefined when it meets a placeholder it
 * did not create, so the engine falls back to full evaluation rather than guess.
 */
function rewriteUnknowns(node: unknown): unknown {
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    for (const item of node) {
      const rewritten = rewriteUnknowns(item);
      if (rewritten === undefined) return undefined;
      out.push(rewritten);
    }
    return out;
  }
  if (node === null || typeof node !== "object") return node;
  const record = node as Record<string, unknown>;
  const unknown = record["unknown"];
  if (Array.isArray(unknown) && Object.keys(record).length === 1) {
    const name = (unknown[0] as { Value?: unknown } | undefined)?.Value;
    if (typeof name !== "string" || !KNOWN.has(name)) return undefined;
    return { ".": { left: { Var: "context" }, attr: name } };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const rewritten = rewriteUnknowns(value);
    if (rewritten === undefined) return undefined;
    out[key] = rewritten;
  }
  return out;
}
