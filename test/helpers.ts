import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RuntimeBounds } from "../src/authorize/engine.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const example = (name: string) => join(ROOT, "examples", "declarations", name);

/** Inside the support declaration's lifespan (2026-11-24 .. 2026-12-24): tests never depend on today's date. */
export const DURING_SUPPORT = Date.parse("2026-12-01T00:00:00Z");
export const AFTER_SUPPORT = Date.parse("2026-12-24T00:00:00Z");
export const fixedClock = (ms: number) => () => ms;

export const SUPPORT_RUNTIME: RuntimeBounds = { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" };

export function tempDir(prefix = "pg-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A declaration object like examples/declarations/support.yaml, for tests that change one field. */
export function supportDeclaration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: "purpose-guard/v1",
    kind: "Declaration",
    id: "support-agent",
    version: 3,
    agent: "support-bot",
    use: { id: "customer-support", description: "Answer customers' questions about their own orders" },
    dataScope: { read: ["pii.email", "pii.name", "commerce.order"], write: [] },
    tools: [
      { server: "crm", allow: ["get_customer", "list_orders"] },
      { server: "mail", allow: ["send_email"], intent: "egress" },
    ],
    egress: { allow: ["*@acme.example"] },
    bounds: { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" },
    lifespan: { issuedAt: "2026-11-24T00:00:00Z", expiresAt: "2026-12-24T00:00:00Z" },
    budgets: { callsPerMinute: 60, recordsRead: 200 },
    approvedBy: "security@acme.example",
    ...overrides,
  };
}
