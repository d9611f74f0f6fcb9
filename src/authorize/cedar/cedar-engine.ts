import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { GuardError } from "../../errors.js";
import type { LoadedDeclaration } from "../../model/declaration.js";
import type { ToolDescriptor } from "../../model/tool.js";
import { DecisionCache } from "../decision-cache.js";
import type { AuthorizationRequest, DecisionContext, DeterminingPolicy, EngineDecision, PolicyEngine, RuntimeBounds } from "../engine.js";
import type { CompiledPolicySet } from "./compile.js";
import { contextUsage, type ContextUsage } from "./context-usage.js";
import { agentEntity, agentUid, CONTEXT_ATTRIBUTES, cedarContext, contextAttribute, RUNTIME_UID, runtimeEntity, toolEntity, toolUid, type ContextAttribute, type EntityJson, type EntityUid } from "./entities.js";
import { residualEvaluator, type ResidualEvaluator } from "./residual-evaluator.js";
import { markBuiltIn } from "../outcome.js";
import { specialize } from "./residual.js";

export interface CedarEngineOptions {
  readonly policies: CompiledPolicySet;
  /** Decisions remembered (exact replay of identical requests); 0 turns the cache off. Default 4096. */
  readonly cacheSize?: number;
  /** Specialize the policy set per agent, action, tool and runtime ahead of the first decision. Default true. */
  readonly specialize?: boolean;
  /**
   * Evaluate residual sets made only of simple context tests in JavaScript, with Cedar's semantics, instead of
   * crossing into WASM; anything else (and anything that could error) still goes to Cedar. Default true.
   */
  readonly evaluateResiduals?: boolean;
}

export interface CedarEngine extends PolicyEngine {
  readonly name: "cedar";
  /** Cedar decides synchronously. */
  authorize(request: AuthorizationRequest): EngineDecision;
  /** Cache and specialization counters, for benchmarks and diagnostics. */
  stats(): { cacheHits: number; cacheMisses: number; specialized: number; fullEvaluations: number; residualEvaluations: number };
}

type CedarContext = Record<string, cedar.CedarValueJson>;

/** How requests for one (declaration, action, tool, runtime) are evaluated. */
interface Plan {
  /** What the plan was made for. */
  readonly key: string;
  /** Prefixes its cache keys: a short id once the plan is kept, else the key itself. */
  readonly prefix: string;
  readonly setId: string;
  /** Entities to send: none for a specialized set, principal and resource for the full set. */
  readonly entities: EntityJson[];
  readonly errored: readonly string[];
  /** The context attributes the set reads; the full set reads everything. */
  readonly usage: ContextUsage;
  /** Decides the residual set without Cedar when it can (see residual-evaluator.ts). */
  readonly evaluator?: ResidualEvaluator;
}

/** A plan found again by identity: the same declaration, runtime bounds object and action for a resource. */
interface KnownPlan {
  readonly declaration: LoadedDeclaration;
  readonly runtime: RuntimeBounds;
  readonly action: string;
  readonly plan: Plan;
}

/** The runtime bounds: fixed for a guard, so folded into the specialized set rather than sent each time. */
const RUNTIME_ATTRIBUTES = ["environment", "region", "account", "tenant"] as const;
const EVERYTHING: ContextUsage = { attributes: new Map(), everything: true };
const CONTEXT_ATTRIBUTE_SET: ReadonlySet<string> = new Set(CONTEXT_ATTRIBUTES);
/** Stands for the runtime resource (requests without a tool) in the by-identity plan lookup. */
const NO_TOOL = {};
const MAX_PLANS = 1024;
let instances = 0;

/**
 * Cedar behind the `PolicyEngine` interface. Policies arrive compiled and validated. Per agent, action, tool and
 * runtime, Cedar's partial evaluation leaves a residual set that needs no entities and reads few context attributes;
 * only those are sent, and identical requests (over those attributes) are answered from a cache. Both steps are
 * exact: the same request always gets the same answer as a full evaluation (a test compares them).
 */
export function createCedarEngine(options: CedarEngineOptions): CedarEngine {
  const { policies } = options;
  const prefix = `pg${++instances}:${policies.revision}`;
  const fullSetId = `${prefix}:full`;
  const policyText: Record<string, string> = {};
  for (const policy of policies.policies) policyText[policy.id] = policy.text;
  expectSuccess(cedar.preparsePolicySet(fullSetId, { staticPolicies: policyText }), "preparse the policy set");
  // Residuals come back as JSON; a policy whose integers JSON cannot carry is only ever evaluated from its text.
  const canSpecialize = options.specialize !== false && policies.policies.every((policy) => policy.exactAsJson);

  const plans = new Map<string, Plan>();
  const cache = new DecisionCache<EngineDecision>(options.cacheSize ?? 4096);
  const agents = new WeakMap<LoadedDeclaration, EntityJson>();
  let fullEvaluations = 0;
  let residualEvaluations = 0;

  const agentOf = (loaded: LoadedDeclaration) => {
    let entity = agents.get(loaded);
    if (!entity) agents.set(loaded, (entity = agentEntity(loaded)));
    return entity;
  };

  // Descriptors from the tool catalog and the guard's runtime bounds are the same objects call after call: the plan
  // is found by identity first, without building its key.
  const known = new WeakMap<object, KnownPlan[]>();

  function knownPlan(request: AuthorizationRequest): Plan | undefined {
    const entries = known.get(request.tool ?? NO_TOOL);
    if (!entries) return undefined;
    for (const entry of entries) {
      if (entry.action === request.action && entry.declaration === request.declaration && entry.runtime === request.context.runtime) return entry.plan;
    }
    return undefined;
  }

  function remember(request: AuthorizationRequest, plan: Plan): void {
    const holder = request.tool ?? NO_TOOL;
    const entries = known.get(holder) ?? [];
    // A handful per tool (one per action); a caller building new runtime objects each time only refills this slot.
    if (entries.length >= 8) entries.shift();
    entries.push({ declaration: request.declaration, runtime: request.context.runtime, action: request.action, plan });
    known.set(holder, entries);
  }

  function planFor(request: AuthorizationRequest, principal: EntityUid, action: EntityUid, resource: EntityUid): Plan {
    const runtime: CedarContext = {};
    for (const attr of RUNTIME_ATTRIBUTES) runtime[attr] = contextAttribute(request.context, attr);
    const key = `${request.declaration.digest}|${request.action}|${request.tool ? descriptorKey(request.tool) : "runtime"}|${JSON.stringify(runtime)}`;
    const known = plans.get(key);
    if (known) return known;
    const entities = [agentOf(request.declaration), request.tool ? toolEntity(request.tool) : runtimeEntity()];
    const full: Plan = { key, prefix: key, setId: fullSetId, entities, errored: [], usage: EVERYTHING };
    if (!canSpecialize || plans.size >= MAX_PLANS) return full;
    const residual = specialize(policyText, principal, action, resource, entities, runtime);
    let plan = full;
    if (residual) {
      const setId = `${prefix}:r${plans.size}`;
      const parsed = cedar.preparsePolicySet(setId, { staticPolicies: residual.residuals });
      const evaluator = options.evaluateResiduals === false ? undefined : residualEvaluator(residual.residuals);
      if (parsed.type === "success") plan = { key, prefix: key, setId, entities: [], errored: residual.errored, usage: contextUsage(Object.values(residual.residuals)), ...(evaluator ? { evaluator } : {}) };
    }
    // Kept plans are unique per key, so a short id tells their cache entries apart as well as the key (and hashes faster).
    plan = { ...plan, prefix: `#${plans.size}` };
    plans.set(key, plan);
    return plan;
  }

  function authorize(request: AuthorizationRequest): EngineDecision {
    // The request's uids are built only when Cedar is asked (a new plan, a cache miss the evaluator cannot decide).
    let plan = knownPlan(request);
    if (!plan) {
      const { principal, action, resource } = uidsOf(request);
      plan = planFor(request, principal, action, resource);
      remember(request, plan);
    }
    const context = plan.usage.everything ? cedarContext(request.context) : pruned(request.context, plan.usage);
    const cacheKey = `${plan.prefix}|${keyOf(context, plan.usage)}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;

    const local = plan.evaluator?.(context);
    let result: EngineDecision;
    if (local) {
      residualEvaluations++;
      result = { decision: local.decision, determining: local.reason.map((id) => determiningPolicy(policies, id)), errors: plan.errored.map(erroredForTool) };
    } else {
      if (plan.setId === fullSetId) fullEvaluations++;
      const answer = cedar.statefulIsAuthorized({ ...uidsOf(request), context, entities: plan.entities, preparsedPolicySetId: plan.setId });
      if (answer.type === "failure") {
        throw new GuardError("ENGINE_ERROR", `cedar could not evaluate the request: ${answer.errors.map((error) => error.message).join("; ")}`);
      }
      const { decision, diagnostics } = answer.response;
      const determining = diagnostics.reason.map((id) => determiningPolicy(policies, id));
      const errors = [...plan.errored.map(erroredForTool), ...diagnostics.errors.map((error) => `${error.policyId}: ${error.error.message}`)];
      result = { decision, determining, errors };
    }
    // Frozen, lists included: the guard derives a decision's outcome once and finds it again by identity.
    Object.freeze(result.determining);
    Object.freeze(result.errors);
    cache.set(cacheKey, markBuiltIn(Object.freeze(result)));
    return result;
  }

  return {
    name: "cedar",
    revision: policies.revision,
    authorize,
    stats: () => ({ cacheHits: cache.hits, cacheMisses: cache.misses, specialized: [...plans.values()].filter((plan) => plan.setId !== fullSetId).length, fullEvaluations, residualEvaluations }),
  };
}

function uidsOf(request: AuthorizationRequest): { principal: EntityUid; action: EntityUid; resource: EntityUid } {
  return { principal: agentUid(request.declaration), action: { type: "Action", id: request.action }, resource: request.tool ? toolUid(request.tool) : RUNTIME_UID };
}

/** The context with only the attributes (and nested fields) the plan's policies read; the others are not built. */
function pruned(context: DecisionContext, usage: ContextUsage): CedarContext {
  const out: CedarContext = {};
  for (const [attr, fields] of usage.attributes) {
    const value = CONTEXT_ATTRIBUTE_SET.has(attr) ? contextAttribute(context, attr as ContextAttribute) : undefined;
    if (value === undefined) continue;
    if (fields === "all" || value === null || typeof value !== "object" || Array.isArray(value)) {
      out[attr] = value;
      continue;
    }
    const record = value as Record<string, cedar.CedarValueJson>;
    const picked: Record<string, cedar.CedarValueJson> = {};
    for (const field of fields) if (record[field] !== undefined) picked[field] = record[field]!;
    out[attr] = picked;
  }
  return out;
}

/**
 * The cache key of a pruned context. When the policies only compare `now` with constants, `now` is replaced by its
 * position relative to each constant, so a cached decision stays valid until a threshold (an expiry) is crossed.
 */
function keyOf(context: CedarContext, usage: ContextUsage): string {
  const now = context["now"];
  const thresholds = usage.nowThresholds;
  if (thresholds === undefined || typeof now !== "number") return JSON.stringify(context);
  let side = "";
  for (let i = 0; i < thresholds.length; i++) side += now < thresholds[i]! ? "<" : now > thresholds[i]! ? ">" : "=";
  // The context is this decision's own pruned copy: `now` is swapped for its side while serializing, then restored.
  context["now"] = side;
  const key = JSON.stringify(context);
  context["now"] = now;
  return key;
}

/** Everything about a tool that its entity carries: two descriptors with the same key share a plan. */
function descriptorKey(tool: ToolDescriptor): string {
  return `${tool.server}/${tool.name}|${tool.intent}|${tool.intentSource}|${tool.zone}`;
}

function erroredForTool(id: string): string {
  return `${id}: the policy errors for this agent and tool`;
}

function determiningPolicy(policies: CompiledPolicySet, id: string): DeterminingPolicy {
  const policy = policies.byId.get(id);
  if (!policy) return { id, effect: "forbid", response: "deny", reason: `policy ${id}` };
  return {
    id,
    effect: policy.effect,
    ...(policy.response ? { response: policy.response } : {}),
    reason: policy.reason,
    ...(policy.redactClasses ? { redactClasses: policy.redactClasses } : {}),
    ...(policy.remediate ? { remediate: policy.remediate } : {}),
  };
}

function expectSuccess(answer: cedar.CheckParseAnswer, what: string): void {
  if (answer.type === "failure") {
    throw new GuardError("POLICY_INVALID", `cedar could not ${what}: ${answer.errors.map((error) => error.message).join("; ")}`);
  }
}
