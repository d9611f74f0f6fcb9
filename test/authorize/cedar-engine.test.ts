import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCedarEngine } from "../../src/authorize/cedar/cedar-engine.js";
import { loadCedarPolicies } from "../../src/authorize/cedar/load-policies.js";
import { decisionContext } from "../../src/authorize/context.js";
import { compileEgressAllow } from "../../src/model/egress-pattern.js";
import type { AuthorizationRequest } from "../../src/authorize/engine.js";
import { createToolCatalog } from "../../src/catalog/tool-catalog.js";
import { declarationFromObject } from "../../src/declare/load.js";
import { AFTER_SUPPORT, DURING_SUPPORT, ROOT, supportDeclaration, tempDir } from "../helpers.js";
import { policyEngineContract } from "./policy-engine.contract.js";

const base = await loadCedarPolicies();
policyEngineContract("cedar (specialized, cached)", async () => createCedarEngine({ policies: base }));
policyEngineContract("cedar (full evaluation, no cache)", async () => createCedarEngine({ policies: base, specialize: false, cacheSize: 0 }));

const support = declarationFromObject(supportDeclaration());
const catalog = createToolCatalog(support.declaration);
const allowsDestination = compileEgressAllow(support.declaration.egress?.allow ?? []);

function packFile(text: string): string {
  const file = join(tempDir(), "pack.cedar");
  writeFileSync(file, text);
  return file;
}

const PACKS = ["support-containment.cedar", "confirm-commitments", "untrusted-content"].map((pack) => join(ROOT, "policies/packs", pack));

const PACK = `
@id("records-budget") @response("halt") @reason("more than 200 records read")
forbid (principal, action == Action::"call_tool", resource) when { context.session.recordsRead > 200 };
@id("ask-before-mail") @response("ask") @reason("mail needs approval")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "mail/send_email" };
@id("night-freeze") @response("deny") @reason("no calls in the last hour of the lifespan")
forbid (principal, action, resource) when { context.now + 3600 >= principal.expiresAt };
`;

const arbitraryRequest = fc.record({
  action: fc.constantFrom("call_tool" as const, "receive_result" as const, "start" as const),
  tool: fc.constantFrom(["crm", "get_customer"], ["crm", "delete_customer"], ["mail", "send_email"], ["web", "fetch_url"]),
  classes: fc.subarray(["pii.email", "pii.ssn", "commerce.order", "tenant:acme", "tenant:initech", "secret.aws_key"]),
  nowMs: fc.oneof(fc.constant(DURING_SUPPORT), fc.constant(AFTER_SUPPORT - 1000), fc.constant(AFTER_SUPPORT - 3_600_000), fc.constant(AFTER_SUPPORT), fc.integer({ min: Date.parse("2026-11-20T00:00:00Z"), max: Date.parse("2026-12-30T00:00:00Z") })),
  environment: fc.constantFrom("production", "staging", undefined),
  region: fc.constantFrom("eu-west-1", "us-east-1", undefined),
  to: fc.constantFrom("ops@acme.example", "eve@evil.example", undefined),
  recordsRead: fc.integer({ min: 0, max: 400 }),
  approvals: fc.subarray(["ask-before-mail"]),
});

type RequestInput = typeof arbitraryRequest extends fc.Arbitrary<infer T> ? T : never;

function toRequest(input: RequestInput): AuthorizationRequest {
  const tool = input.action === "start" ? undefined : catalog.describe(input.tool[0]!, input.tool[1]!);
  const context = decisionContext({
    nowMs: input.nowMs,
    runtime: { ...(input.environment ? { environment: input.environment } : {}), ...(input.region ? { region: input.region } : {}), account: "123456789012", tenant: "acme" },
    declaration: support.declaration,
    classes: input.classes,
    session: { calls: 3, callsLastMinute: 3, denials: 0, recordsRead: input.recordsRead, bytesRead: 0, distinctTools: 1 },
    approvals: input.approvals,
    ...(tool && input.action === "call_tool" ? { call: { tool, args: input.to ? { to: input.to } : {}, flows: [], allowsDestination } } : {}),
  });
  return { action: input.action, declaration: support, ...(tool ? { tool } : {}), context };
}

describe("createCedarEngine", () => {
  it("decides exactly as a full evaluation when it specializes per tool and caches decisions", async () => {
    const policies = await loadCedarPolicies({ policies: packFile(PACK) });
    const fast = createCedarEngine({ policies });
    const full = createCedarEngine({ policies, specialize: false, cacheSize: 0 });
    fc.assert(
      fc.property(arbitraryRequest, (input) => {
        const request = toRequest(input);
        const a = fast.authorize(request);
        const b = full.authorize(request);
        expect(a.decision).toBe(b.decision);
        expect(a.determining.map((policy) => policy.id).sort()).toEqual(b.determining.map((policy) => policy.id).sort());
        expect(a.errors).toEqual(b.errors);
      }),
      { numRuns: 400 },
    );
    expect(fast.stats().cacheHits).toBeGreaterThan(0);
    expect(fast.stats().specialized).toBeGreaterThan(0);
  });

  it.each([
    ["the base policies and every pack", () => PACKS, 100],
    ["a pack whose arithmetic (`+`) it leaves to Cedar", () => [packFile(PACK), ...PACKS], 0],
  ])("evaluates simple residual sets without Cedar, and always answers as Cedar does: %s", async (_name, files, minimumLocal) => {
    const policies = await loadCedarPolicies({ policies: files() });
    const local = createCedarEngine({ policies, cacheSize: 0 });
    const wasm = createCedarEngine({ policies, cacheSize: 0, evaluateResiduals: false });
    const full = createCedarEngine({ policies, specialize: false, cacheSize: 0 });
    const flow = fc.record({
      class: fc.constantFrom("pii.email", "pii.ssn", "network.url", "secret.aws_key"),
      untrusted: fc.boolean(),
      pointer: fc.constantFrom("/to", "/body", "/url"),
    });
    const arbitrary = fc.record({ request: arbitraryRequest, flows: fc.array(flow, { maxLength: 3 }), denials: fc.integer({ min: 0, max: 30 }), bytesRead: fc.integer({ min: 0, max: 10_000_000 }) });
    fc.assert(
      fc.property(arbitrary, ({ request: input, flows, denials, bytesRead }) => {
        const base = toRequest(input);
        const matches = flows.map((match) => ({ class: match.class, source: { server: "web", tool: "fetch_url", untrusted: match.untrusted }, pointer: match.pointer, encoding: "plain" as const }));
        const tool = base.tool;
        const context = decisionContext({
          nowMs: input.nowMs,
          runtime: base.context.runtime,
          declaration: support.declaration,
          classes: input.classes,
          session: { calls: 3, callsLastMinute: 3, denials, recentDenials: Math.min(denials, 20), recordsRead: input.recordsRead, bytesRead, distinctTools: 2 },
          approvals: input.approvals,
          ...(tool && input.action === "call_tool" ? { call: { tool, args: input.to ? { to: input.to, body: "x" } : { body: "x" }, flows: matches, allowsDestination } } : {}),
        });
        const request = { ...base, context };
        const [a, b, c] = [local.authorize(request), wasm.authorize(request), full.authorize(request)];
        for (const other of [b, c]) {
          expect(a.decision).toBe(other.decision);
          expect(a.determining.map((policy) => policy.id).sort()).toEqual(other.determining.map((policy) => policy.id).sort());
          expect(a.errors).toEqual(other.errors);
        }
      }),
      { numRuns: 500 },
    );
    expect(local.stats().residualEvaluations).toBeGreaterThanOrEqual(minimumLocal);
    if (minimumLocal === 0) expect(local.stats().residualEvaluations).toBe(0);
    expect(wasm.stats().residualEvaluations).toBe(0);
  });

  it("answers repeated requests from the cache, across seconds, until a time threshold is crossed", () => {
    const engine = createCedarEngine({ policies: base });
    const at = (nowMs: number) => toRequest({ action: "call_tool", tool: ["crm", "get_customer"], classes: [], nowMs, environment: "production", region: "eu-west-1", to: undefined, recordsRead: 0, approvals: [] });
    expect(engine.authorize(at(DURING_SUPPORT)).decision).toBe("allow");
    expect(engine.authorize(at(DURING_SUPPORT + 5_000)).decision).toBe("allow");
    expect(engine.stats().cacheHits).toBe(1);
    expect(engine.authorize(at(AFTER_SUPPORT)).decision).toBe("deny");
  });

  it("reads session counters when a policy does, so caching never hides a budget", async () => {
    const engine = createCedarEngine({ policies: await loadCedarPolicies({ policies: packFile(PACK) }) });
    const reads = (recordsRead: number) => engine.authorize(toRequest({ action: "call_tool", tool: ["crm", "get_customer"], classes: [], nowMs: DURING_SUPPORT, environment: "production", region: "eu-west-1", to: undefined, recordsRead, approvals: [] }));
    expect(reads(200).decision).toBe("allow");
    expect(reads(201)).toMatchObject({ decision: "deny", determining: [{ id: "records-budget", response: "halt" }] });
  });

  it("lifts an ask policy for a call whose approval names it", async () => {
    const engine = createCedarEngine({ policies: await loadCedarPolicies({ policies: packFile(PACK) }) });
    const mail = (approvals: string[]) => engine.authorize(toRequest({ action: "call_tool", tool: ["mail", "send_email"], classes: [], nowMs: DURING_SUPPORT, environment: "production", region: "eu-west-1", to: "ops@acme.example", recordsRead: 0, approvals }));
    expect(mail([])).toMatchObject({ decision: "deny", determining: [{ id: "ask-before-mail", response: "ask" }] });
    expect(mail(["ask-before-mail"]).decision).toBe("allow");
  });

  it("reports evaluation errors instead of silently skipping the policy", async () => {
    const overflow = packFile('@id("overflow") forbid (principal, action, resource) when { context.session.recordsRead * 9223372036854775807 > 1 };');
    const engine = createCedarEngine({ policies: await loadCedarPolicies({ policies: overflow }) });
    const decision = engine.authorize(toRequest({ action: "call_tool", tool: ["crm", "get_customer"], classes: [], nowMs: DURING_SUPPORT, environment: "production", region: "eu-west-1", to: undefined, recordsRead: 7, approvals: [] }));
    expect(decision.errors).toEqual([expect.stringMatching(/^overflow: /)]);
  });
});
