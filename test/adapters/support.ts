import { fileURLToPath } from "node:url";
import { createClassifier, createGuard, createMemoryFlowStore, createMemorySink, createRedactor, type AuditRecord, type Guard, type GuardConfig, type MemorySink } from "../../src/index.js";
import { supportDeclaration } from "../helpers.js";

export const SUPPORT_DECLARATION = fileURLToPath(new URL("../../examples/declarations/support.yaml", import.meta.url));
export const APPROVAL_POLICIES = fileURLToPath(new URL("./fixtures/policies/approvals.cedar", import.meta.url));

/** Inside the support declaration's lifespan (2026-11-24..2026-12-24): no test depends on today's date. */
export const NOW = Date.parse("2026-12-01T12:00:00Z");

/** The runtime the support declaration is bound to. */
export const RUNTIME = { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" } as const;

export interface TestGuard {
  readonly guard: Guard;
  readonly sink: MemorySink;
  /** Call and result decisions, in order. */
  decisions(): AuditRecord[];
}

/** The real guard (Cedar, base policies) over the support declaration, auditing to memory. */
export async function supportGuard(config: Partial<GuardConfig> = {}): Promise<TestGuard> {
  const sink = createMemorySink();
  const guard = await createGuard({ declaration: SUPPORT_DECLARATION, runtime: RUNTIME, clock: () => NOW, audit: [sink], ...config });
  return { guard, sink, decisions: () => sink.records.filter((record) => record.event === "call" || record.event === "result") };
}

/** A valid SSN (area 219): outside the support declaration's read scope. */
export const SSN = "219-09-9991";

/**
 * The support declaration plus a webhook tool (`web/http_post`, egress to the URL in `url`) and one allowed webhook
 * host: an exfiltration through a URL is then decided by the egress and flow rules, not by the tool grant.
 */
export const WEBHOOK_DECLARATION = supportDeclaration({
  tools: [
    { server: "crm", allow: ["get_customer", "list_orders"] },
    { server: "mail", allow: ["send_email"], intent: "egress" },
    { server: "web", allow: ["http_post"], intent: "egress", destinations: ["url"] },
  ],
  egress: { allow: ["*@acme.example", "https://hooks.acme.example/*"] },
});

/** The support guard with the real classifier, redactor and in-memory flow store. */
export async function classifyingGuard(config: Partial<GuardConfig> = {}): Promise<TestGuard> {
  return supportGuard({ classifier: createClassifier(), redactor: createRedactor(), flowStore: createMemoryFlowStore(), ...config });
}
