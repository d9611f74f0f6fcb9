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
    const rewritten = rewriteUnknowns(residual) as PolicyJson | undefined;
    if (rewritten === undefined) return undefined;
    const conditions = rewritten.conditions.map((clause) => ({ ...clause, body: fold(clause.body) }));
    // A policy with a `when false` (or `unless true`) can never apply here: leave it out of the set Cedar evaluates.
    if (conditions.some((clause) => constant(clause.body) === (clause.kind === "unless"))) continue;
    residuals[id] = { ...rewritten, conditions };
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

type Expr = PolicyJson["conditions"][number]["body"];

function constant(expr: Expr): boolean | undefined {
  const value = (expr as { Value?: unknown }).Value;
  return typeof value === "boolean" ? value : undefined;
}

/**
 * Folds what partial evaluation leaves behind (`true && (true && x)`) where the result is the same by Cedar's rules:
 * only a constant on the left of `&&`/`||` (the right side is then not evaluated, or is the whole result) and `!` of
 * a constant. A constant on the right is kept, since the left side could still raise an error.
 */
function fold(expr: Expr): Expr {
  const node = expr as Record<string, { left?: Expr; right?: Expr; arg?: Expr }>;
  for (const op of ["&&", "||"] as const) {
    const operands = node[op];
    if (!operands?.left || !operands.right) continue;
    const left = fold(operands.left);
    const known = constant(left);
    if (known === (op === "&&")) return fold(operands.right);
    if (known !== undefined) return { Value: known } as Expr;
    return { [op]: { left, right: fold(operands.right) } } as Expr;
  }
  const not = node["!"];
  if (not?.arg) {
    const arg = fold(not.arg);
    const known = constant(arg);
    return (known === undefined ? { "!": { arg } } : { Value: !known }) as Expr;
  }
  return expr;
}
