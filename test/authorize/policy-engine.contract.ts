/**
 * The contract every PolicyEngine meets with the base rules: the same requests get the same decisions and cite the
 * same forbid policies. Run against Cedar (policies/base) and the TypeScript engine (examples/engines).
 */
import { describe, expect, it } from "vitest";
import type { AuthorizationRequest, DecisionContext, PolicyEngine } from "../../src/authorize/engine.js";
import { decisionContext } from "../../src/authorize/context.js";
import { compileEgressAllow } from "../../src/model/egress-pattern.js";
import { createToolCatalog } from "../../src/catalog/tool-catalog.js";
import { declarationFromObject } from "../../src/declare/load.js";
import type { LoadedDeclaration } from "../../src/model/declaration.js";
import { DURING_SUPPORT, AFTER_SUPPORT, SUPPORT_RUNTIME, supportDeclaration } from "../helpers.js";

const support = declarationFromObject(supportDeclaration());
const billing = declarationFromObject(supportDeclaration({
  id: "globex-billing",
  dataScope: { read: ["financial.invoice", "pii.name", "tenant:globex"], write: ["financial.credit_note", "tenant:globex"] },
  tools: [{ server: "billing", allow: ["get_invoice"], intent: "read" }, { server: "billing", allow: ["create_credit_note"], intent: "write" }],
  egress: undefined,
  bounds: { environment: "production", tenant: "globex" },
}));

const bank = declarationFromObject(supportDeclaration({
  id: "bank-assistant",
  dataScope: { read: ["financial.iban"], write: [] },
  tools: [{ server: "bank", allow: ["update_scheduled_transaction"], intent: "egress", destinations: ["recipient"] }],
  egress: { allow: ["DE89*"] },
}));

interface Case {
  readonly name: string;
  readonly request: AuthorizationRequest;
  readonly decision: "allow" | "deny";
  /** The forbid ids cited (order-free); for allows, the permit id. */
  readonly policies: readonly string[];
}

function request(options: {
  declaration?: LoadedDeclaration;
  action?: AuthorizationRequest["action"];
  server?: string;
  tool?: string;
  args?: unknown;
  classes?: string[];
  nowMs?: number;
  runtime?: DecisionContext["runtime"];
  approvals?: string[];
}): AuthorizationRequest {
  const loaded = options.declaration ?? support;
  const action = options.action ?? "call_tool";
  const catalog = createToolCatalog(loaded.declaration);
  const tool = action === "start" ? undefined : catalog.describe(options.server ?? "crm", options.tool ?? "get_customer");
  const context = decisionContext({
    nowMs: options.nowMs ?? DURING_SUPPORT,
    runtime: options.runtime ?? SUPPORT_RUNTIME,
    declaration: loaded.declaration,
    classes: options.classes ?? [],
    session: { calls: 0, callsLastMinute: 0, denials: 0, recordsRead: 0, bytesRead: 0, distinctTools: 0 },
    approvals: options.approvals ?? [],
    ...(tool && action === "call_tool" ? { call: { tool, args: options.args ?? {}, flows: [], allowsDestination: compileEgressAllow(loaded.declaration.egress?.allow ?? []) } } : {}),
  });
  return { action, declaration: loaded, ...(tool ? { tool } : {}), context };
}

export const CASES: readonly Case[] = [
  { name: "allows a declared tool whose arguments stay in scope", request: request({ classes: ["pii.email"] }), decision: "allow", policies: ["declared-tool"] },
  { name: "allows a declared tool's result within the read scope", request: request({ action: "receive_result", classes: ["pii.name", "commerce.order"] }), decision: "allow", policies: ["declared-tool-result"] },
  { name: "denies a tool outside the declaration", request: request({ tool: "get_payment_methods" }), decision: "deny", policies: ["tool-outside-declaration"] },
  { name: "marks a result class outside the read scope for redaction", request: request({ action: "receive_result", classes: ["pii.email", "pii.ssn"] }), decision: "deny", policies: ["result-class-outside-read-scope"] },
  { name: "denies arguments carrying a class outside the read scope", request: request({ classes: ["financial.card"] }), decision: "deny", policies: ["argument-class-outside-read-scope"] },
  { name: "denies a write under a read-only purpose", request: request({ tool: "delete_customer" }), decision: "deny", policies: ["tool-outside-declaration", "write-under-read-only-purpose"] },
  { name: "denies a write of a class outside the write scope", request: request({ declaration: billing, server: "billing", tool: "create_credit_note", classes: ["pii.email"], runtime: { environment: "production", tenant: "globex" } }), decision: "deny", policies: ["write-class-outside-write-scope"] },
  { name: "allows a write inside the write scope", request: request({ declaration: billing, server: "billing", tool: "create_credit_note", classes: ["financial.credit_note"], runtime: { environment: "production", tenant: "globex" } }), decision: "allow", policies: ["declared-tool"] },
  { name: "denies another tenant's data", request: request({ declaration: billing, server: "billing", tool: "get_invoice", action: "receive_result", classes: ["tenant:initech"], runtime: { environment: "production", tenant: "globex" } }), decision: "deny", policies: ["cross-tenant-data", "result-class-outside-read-scope"] },
  { name: "denies every call once the declaration expired", request: request({ nowMs: AFTER_SUPPORT }), decision: "deny", policies: ["declaration-expired"] },
  { name: "denies a declaration before its issue time", request: request({ nowMs: Date.parse("2026-11-23T23:59:59Z") }), decision: "deny", policies: ["declaration-not-yet-valid"] },
  { name: "denies in another environment", request: request({ runtime: { ...SUPPORT_RUNTIME, environment: "staging" } }), decision: "deny", policies: ["environment-mismatch"] },
  { name: "denies when the runtime environment is unknown", request: request({ runtime: { region: "eu-west-1", account: "123456789012" } }), decision: "deny", policies: ["environment-unbound"] },
  { name: "denies in another region", request: request({ runtime: { ...SUPPORT_RUNTIME, region: "us-east-1" } }), decision: "deny", policies: ["region-mismatch"] },
  { name: "denies in another account", request: request({ runtime: { ...SUPPORT_RUNTIME, account: "999999999999" } }), decision: "deny", policies: ["account-mismatch"] },
  { name: "denies when the declared account is not known at run time", request: request({ runtime: { environment: "production", region: "eu-west-1" } }), decision: "deny", policies: ["account-unbound"] },
  { name: "denies for another tenant's runtime", request: request({ runtime: { ...SUPPORT_RUNTIME, tenant: "initech" } }), decision: "deny", policies: ["tenant-mismatch"] },
  { name: "allows egress to a destination in egress.allow", request: request({ server: "mail", tool: "send_email", args: { to: "ops@acme.example", body: "hi" } }), decision: "allow", policies: ["declared-tool"] },
  { name: "denies egress to a destination outside egress.allow", request: request({ server: "mail", tool: "send_email", args: { to: "eve@evil.example", body: "hi" } }), decision: "deny", policies: ["egress-outside-allow"] },
  { name: "denies egress whose destination cannot be determined", request: request({ server: "mail", tool: "send_email", args: { body: "hi" } }), decision: "deny", policies: ["egress-destination-unknown"] },
  { name: "allows an egress call that leaves out its declared destination arguments (it keeps its destination)", request: request({ declaration: bank, server: "bank", tool: "update_scheduled_transaction", args: { id: 7, amount: 1200 } }), decision: "allow", policies: ["declared-tool"] },
  { name: "denies an egress call whose declared destination argument is empty", request: request({ declaration: bank, server: "bank", tool: "update_scheduled_transaction", args: { id: 7, recipient: " " } }), decision: "deny", policies: ["egress-destination-unknown"] },
  { name: "denies an egress call to a declared destination argument outside egress.allow", request: request({ declaration: bank, server: "bank", tool: "update_scheduled_transaction", args: { id: 7, recipient: "GB29NWBK60161331926819" } }), decision: "deny", policies: ["egress-outside-allow"] },
  { name: "lets the declaration start where it is bound", request: request({ action: "start" }), decision: "allow", policies: ["deploy-declared-purpose"] },
  { name: "refuses to start in another environment", request: request({ action: "start", runtime: { ...SUPPORT_RUNTIME, environment: "dev" } }), decision: "deny", policies: ["environment-mismatch"] },
  { name: "refuses to start an expired declaration", request: request({ action: "start", nowMs: AFTER_SUPPORT }), decision: "deny", policies: ["declaration-expired"] },
];

export function policyEngineContract(name: string, makeEngine: () => Promise<PolicyEngine>): void {
  describe(`PolicyEngine contract: ${name}`, () => {
    for (const testCase of CASES) {
      it(testCase.name, async () => {
        const engine = await makeEngine();
        const decision = await engine.authorize(testCase.request);
        expect(decision.errors).toEqual([]);
        expect(decision.decision).toBe(testCase.decision);
        expect(decision.determining.map((policy) => policy.id).sort()).toEqual([...testCase.policies].sort());
      });
    }

    it("states a revision to record in verdicts", async () => {
      expect((await makeEngine()).revision).toMatch(/\S/);
    });
  });
}
