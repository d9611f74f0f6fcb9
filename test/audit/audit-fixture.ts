import { join } from "node:path";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { createGuard, type Guard } from "../../src/guard.js";
import { createCallbackApprover } from "../../src/approve/callback-approver.js";
import { example, SUPPORT_RUNTIME, supportDeclaration, tempDir } from "../helpers.js";
import { customers, manualClock, SUPPORT_PACK } from "../monitor/monitor-helpers.js";

/**
 * A real audit log written by a real guard: two conversations of the support agent under the containment pack
 * (reads that reach the alert and the halt, a denied tool, an approved write, a drift alert), at known times.
 */
export async function conversationLog(): Promise<{ file: string; start: number }> {
  const file = join(tempDir("pg-audit-"), "audit.jsonl");
  const clock = manualClock();
  const start = clock.now();
  const declaration = supportDeclaration({
    dataScope: { read: ["pii.email", "pii.name", "commerce.order"], write: ["commerce.order"] },
    tools: [{ server: "crm", allow: ["get_customer", "list_orders", "update_order"] }, { server: "mail", allow: ["send_email"], intent: "egress" }],
  });
  const guard: Guard = await createGuard({
    declaration: declaration as never,
    policies: SUPPORT_PACK,
    audit: [createJsonlSink({ path: file })],
    runtime: SUPPORT_RUNTIME,
    clock: clock.now,
    tools: [{ server: "crm", name: "list_orders", outputClasses: ["commerce.order", "pii.email"] }],
    approver: createCallbackApprover(() => ({ approved: true, approver: "alice@acme.example" })),
  });
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const conv1 = { threadId: "conv-1", traceparent };
  const conv2 = { threadId: "conv-2", traceId: "0af7651916cd43dd8448eb211c80319c" };
  const run = async (tool: string, sessionId: string, trace: object, result?: unknown, args: unknown = {}) => {
    const call = { server: tool.split("/")[0]!, tool: tool.split("/")[1]!, args, sessionId, trace };
    const verdict = await guard.beforeCall(call);
    if (result !== undefined && (verdict.decision === "allow" || verdict.decision === "redact")) await guard.afterCall(call, result);
    clock.advance(60_000);
  };
  await run("crm/get_customer", "s-1", conv1, { id: 1, name: "…" }, { id: 1 });
  await run("crm/list_orders", "s-1", conv1, customers(60));
  await run("crm/delete_customer", "s-1", conv1);
  await run("crm/update_order", "s-1", conv1, { ok: true }, { id: 7, status: "refunded" });
  await run("crm/get_customer", "s-2", conv2, { id: 2 }, { id: 2 });
  await run("crm/list_orders", "s-1", conv1, customers(150, 60));
  await run("crm/get_customer", "s-1", conv1, { id: 3 }, { id: 3 });
  await run("mail/send_email", "s-2", conv2, { sent: true }, { to: "ops@acme.example", body: "your order shipped" });
  await guard.close();
  return { file, start };
}

export { example };
