/**
 * The base policies written as a TypeScript function: the "custom DSL" hook of the PolicyEngine interface. Use it as
 * the starting point for an engine of your own (an OPA client, a rules table), or pass it to `createGuard`:
 *
 *   const guard = await createGuard({ declaration: "agent.yaml", engine: createFunctionEngine(baseRules) });
 *
 * The same contract tests run against this and against Cedar with policies/base, so the two stay equivalent.
 */
import type { AuthorizationRequest, DeterminingPolicy, EngineDecision } from "../../src/authorize/engine.js";
import { toolKey } from "../../src/model/tool.js";

type Rule = { id: string; response?: "deny" | "ask" | "redact" | "halt"; reason: string; applies: (request: AuthorizationRequest) => boolean };

const forbids: Rule[] = [
  { id: "declaration-expired", reason: "the declaration has expired and must be re-approved", applies: (r) => r.context.now * 1000 >= r.declaration.expiresAtMs },
  { id: "declaration-not-yet-valid", reason: "the declaration is not valid yet", applies: (r) => r.context.now * 1000 < r.declaration.issuedAtMs },
  { id: "environment-unbound", reason: "the runtime's environment is unknown", applies: (r) => !r.context.runtime.environment },
  { id: "environment-mismatch", reason: "the runtime's environment differs from the declaration's", applies: (r) => !!r.context.runtime.environment && r.context.runtime.environment !== r.declaration.declaration.bounds.environment },
  ...(["region", "account"] as const).flatMap((key): Rule[] => [
    { id: `${key}-unbound`, reason: `the declaration binds a ${key} but the runtime's is unknown`, applies: (r) => r.declaration.declaration.bounds[key] !== undefined && !r.context.runtime[key] },
    { id: `${key}-mismatch`, reason: `the runtime's ${key} differs from the declaration's`, applies: (r) => r.declaration.declaration.bounds[key] !== undefined && !!r.context.runtime[key] && r.context.runtime[key] !== r.declaration.declaration.bounds[key] },
  ]),
  { id: "tenant-mismatch", reason: "the runtime serves another tenant", applies: (r) => r.declaration.declaration.bounds.tenant !== undefined && !!r.context.runtime.tenant && r.context.runtime.tenant !== r.declaration.declaration.bounds.tenant },
  { id: "tool-outside-declaration", reason: "the tool is not among the declaration's tools", applies: (r) => r.action !== "start" && !declared(r) },
  { id: "result-class-outside-read-scope", response: "redact", reason: "the result carries data classes outside the read scope", applies: (r) => r.action === "receive_result" && r.context.classesOutsideReadScope.length > 0 },
  { id: "argument-class-outside-read-scope", reason: "the arguments carry data classes outside the read scope", applies: (r) => r.action === "call_tool" && r.tool?.intent !== "write" && r.context.classesOutsideReadScope.length > 0 },
  { id: "write-under-read-only-purpose", reason: "the declaration is read-only, and this tool writes", applies: (r) => r.action === "call_tool" && readOnly(r) && (r.tool?.intent === "write" || r.tool?.intent === "execute") },
  { id: "write-class-outside-write-scope", reason: "the tool would write classes outside the write scope", applies: (r) => r.action === "call_tool" && r.tool?.intent === "write" && !readOnly(r) && r.context.classesOutsideWriteScope.length > 0 },
  { id: "cross-tenant-data", reason: "the data belongs to another tenant", applies: (r) => r.action !== "start" && r.context.foreignTenants.length > 0 },
  { id: "egress-outside-allow", reason: "the destination is not in egress.allow", applies: (r) => r.action === "call_tool" && r.tool?.intent === "egress" && r.context.egress.outsideAllow.length > 0 },
  { id: "egress-destination-unknown", reason: "the egress tool's destination cannot be determined", applies: (r) => r.action === "call_tool" && r.tool?.intent === "egress" && r.context.egress.undetermined },
];

function declared(request: AuthorizationRequest): boolean {
  const tool = request.tool;
  return tool !== undefined && request.declaration.declaration.tools.some((grant) => grant.server === tool.server && grant.allow.includes(tool.name));
}

function readOnly(request: AuthorizationRequest): boolean {
  return request.declaration.declaration.dataScope.write.length === 0;
}

/** Forbids override permits; no permit means deny, as in Cedar. */
export function baseRules(request: AuthorizationRequest): EngineDecision {
  const matched: DeterminingPolicy[] = forbids
    .filter((rule) => rule.applies(request))
    .map((rule) => ({ id: rule.id, effect: "forbid", response: rule.response ?? "deny", reason: rule.reason }));
  if (matched.length > 0) return { decision: "deny", determining: matched, errors: [] };
  if (request.action === "start") return { decision: "allow", determining: [{ id: "deploy-declared-purpose", effect: "permit", reason: "the declaration may start in this runtime" }], errors: [] };
  if (declared(request)) {
    const id = request.action === "call_tool" ? "declared-tool" : "declared-tool-result";
    return { decision: "allow", determining: [{ id, effect: "permit", reason: `${toolKey(request.tool!.server, request.tool!.name)} is granted by the declaration` }], errors: [] };
  }
  return { decision: "deny", determining: [], errors: [] };
}
