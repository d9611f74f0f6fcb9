/**
 * `npm run demo:core`: the deploy gate and a guarded session on the bundled support declaration, offline.
 *
 * The declaration is valid 2026-11-24 .. 2026-12-24 (a purpose must be re-approved at least every 90 days), so the
 * demo runs on a fixed clock inside that window rather than on today's date.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createGuard } from "../src/guard.js";
import type { ToolCall } from "../src/model/call.js";
import type { Verdict } from "../src/model/verdict.js";
import { verifyAuditLog } from "../src/audit/verify.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const declaration = join(root, "examples/declarations/support.yaml");
const auditPath = join(mkdtempSync(join(tmpdir(), "purpose-guard-demo-")), "audit.jsonl");
const at = Date.parse("2026-12-01T09:00:00Z");

const guard = await createGuard({
  declaration,
  runtime: { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" },
  audit: [{ type: "jsonl", path: auditPath }],
  clock: () => at,
});

const line = (verdict: Verdict) =>
  `${verdict.decision.toUpperCase().padEnd(6)} ${verdict.policyIds.join(", ")}${"message" in verdict ? `\n         ${verdict.message}` : ""}`;

console.log(`purpose-guard demo: ${relative(root, declaration)} (support-agent v3), clock at ${new Date(at).toISOString()}\n`);
console.log("1. Deploy-time gate (what `purpose-guard check` runs in CI):");
console.log(`   production/eu-west-1: ${line(await guard.check())}`);
console.log(`   staging:              ${line(await guard.check({ environment: "staging" }))}\n`);

console.log("2. A guarded session: each call is decided before it runs.");
const session = "demo-session";
const calls: [string, ToolCall][] = [
  ["look up the customer (declared, read)", { server: "crm", tool: "get_customer", args: { customer_id: "cus_1042" }, sessionId: session }],
  ["mail the support team (declared egress, allowed destination)", { server: "mail", tool: "send_email", args: { to: "support@acme.example", body: "Order 5001 is late" }, sessionId: session }],
  ["mail an outside address (egress.allow says no)", { server: "mail", tool: "send_email", args: { to: "someone@elsewhere.example", body: "Order 5001 is late" }, sessionId: session }],
  ["delete the customer (not declared; the purpose is read-only)", { server: "crm", tool: "delete_customer", args: { customer_id: "cus_1042" }, sessionId: session }],
];
for (const [what, call] of calls) console.log(`   ${what}\n   → ${line(await guard.beforeCall(call))}`);

await guard.close();
const report = await verifyAuditLog([auditPath]);
console.log(`\n3. Every decision is in a hash-chained audit log: ${auditPath}`);
console.log(`   ${report.records} records, chain ${report.ok ? "intact" : "BROKEN"}; verify it with: npx purpose-guard audit verify ${auditPath}`);
