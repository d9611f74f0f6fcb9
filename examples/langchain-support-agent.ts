/**
 * A LangChain customer-support agent (`createAgent`, langchain 1.x) guarded by `purposeGuardMiddleware`.
 *
 *   npx tsx examples/langchain-support-agent.ts
 *
 * Offline by default: a deterministic fake model plays one support turn in which the agent looks a customer up,
 * mails support, tries to mail the customer's details to an outside partner, and tries to delete the customer. With
 * OPENAI_API_KEY set (optionally OPENAI_BASE_URL and OPENAI_MODEL), a real model gets the same request and the same
 * guarded tools. Either way, every decision lands in a hash-chained audit log, linked to the thread, the tool run and
 * the tool call.
 *
 * The support declaration is valid 2026-11-24 .. 2026-12-24, so the guard runs on a clock inside that window.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { ChatOpenAI } from "@langchain/openai";
import { createAgent, tool } from "langchain";
import { z } from "zod";
import { purposeGuardMiddleware } from "../adapters/langchain/index.js";
import { createGuard, createMemorySink, verifyAuditLog } from "../src/index.js";
import { CUSTOMERS, EXAMPLE_CLOCK, ORDERS, SUPPORT_RUNTIME } from "./support/crm.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const auditPath = join(mkdtempSync(join(tmpdir(), "purpose-guard-langchain-")), "audit.jsonl");
const memory = createMemorySink();
const guard = await createGuard({
  declaration: join(root, "examples/declarations/support.yaml"),
  runtime: SUPPORT_RUNTIME,
  clock: () => EXAMPLE_CLOCK,
  // The guard classifies arguments and results, redacts what the scope does not cover, and remembers what
  // results carried (flow tracking), by default.
  audit: [{ type: "jsonl", path: auditPath }, memory],
});

// The agent's tools: the CRM (declared on server `crm`), the mailer (declared on `mail`), and one the declaration
// does not grant. The middleware finds each declared tool's server in the declaration; `tools` maps the others.
const getCustomer = tool(
  async ({ id }) => {
    const customer = CUSTOMERS[id];
    return customer ? JSON.stringify({ id, ...customer }) : `no customer ${id}`;
  },
  { name: "get_customer", description: "Look up a customer by id (c-42, c-77)", schema: z.object({ id: z.string() }) },
);
const listOrders = tool(
  async ({ customerId }) => JSON.stringify((CUSTOMERS[customerId]?.orders ?? []).map((order) => ({ order, ...ORDERS[order] }))),
  { name: "list_orders", description: "List a customer's orders with their status", schema: z.object({ customerId: z.string() }) },
);
const sendEmail = tool(async ({ to, subject }) => `sent "${subject}" to ${to}`, {
  name: "send_email",
  description: "Send an email",
  schema: z.object({ to: z.string(), subject: z.string(), body: z.string() }),
});
const deleteCustomer = tool(async ({ id }) => `deleted ${id}`, {
  name: "delete_customer",
  description: "Delete a customer record",
  schema: z.object({ id: z.string() }),
});

const request =
  "Customer c-42 says an order is late. Look them up and check their orders, tell support@acme.example about the delayed order, " +
  "send the customer's name and email to our partner at partner@elsewhere.example, then delete the customer record.";

const live = Boolean(process.env["OPENAI_API_KEY"]);
const model = live
  ? new ChatOpenAI({ model: process.env["OPENAI_MODEL"] ?? "gpt-4o-mini", temperature: 0, configuration: { baseURL: process.env["OPENAI_BASE_URL"] } })
  : fakeModel()
      .respondWithTools([
        { name: "get_customer", args: { id: "c-42" }, id: "call_lookup" },
        { name: "list_orders", args: { customerId: "c-42" }, id: "call_orders" },
      ])
      .respondWithTools([
        { name: "send_email", args: { to: "support@acme.example", subject: "Order o-1002 delayed", body: "Customer c-42: order o-1002 is delayed at the depot." }, id: "call_support" },
        { name: "send_email", args: { to: "partner@elsewhere.example", subject: "Customer", body: "Ada Lovelace <ada@customer.example>" }, id: "call_partner" },
        { name: "delete_customer", args: { id: "c-42" }, id: "call_delete" },
      ])
      .respond(new AIMessage("Support knows about order o-1002. I was not allowed to share the customer's details outside acme.example or to delete the record."));

const agent = createAgent({
  model,
  tools: [getCustomer, listOrders, sendEmail, deleteCustomer],
  systemPrompt: "You are Acme's support agent. Use the tools to help; if a tool call is refused, explain why and continue.",
  middleware: [purposeGuardMiddleware(guard, { tools: { delete_customer: { server: "crm", intent: "write" } } })],
});

console.log(`purpose-guard × LangChain: ${live ? `live model ${process.env["OPENAI_MODEL"] ?? "gpt-4o-mini"}` : "offline (deterministic fake model)"}\n`);
console.log(`user: ${request}\n`);
const result = await agent.invoke(
  { messages: [new HumanMessage(request)] },
  { configurable: { thread_id: "support-thread-1" }, metadata: { tenant: "acme", user: "desk-agent-7" } },
);

for (const message of result.messages) {
  if (ToolMessage.isInstance(message)) {
    const status = message.status === "error" ? "REFUSED" : "ran    ";
    console.log(`  tool ${status} ${message.name}: ${String(message.content).slice(0, 220)}`);
  }
}
console.log(`\nagent: ${String(result.messages.at(-1)?.content)}\n`);

console.log("decisions (audit records):");
for (const record of memory.records.filter((entry) => entry.event === "call" || entry.event === "result")) {
  const where = `thread=${record.trace?.threadId} toolCall=${record.trace?.toolCallId} run=${record.trace?.runId}`;
  console.log(`  ${record.event.padEnd(6)} ${record.decision.padEnd(6)} ${`${record.server}/${record.tool}`.padEnd(20)} ${record.policyIds.join(", ")}${record.flows ? ` (flows: ${record.flows.classes.join(", ")} from ${record.flows.sources.join(", ")})` : ""}\n${" ".repeat(16)}${where}`);
}

await guard.close();
const report = await verifyAuditLog([auditPath]);
console.log(`\naudit log: ${auditPath} (${report.records} records, chain ${report.ok ? "intact" : "BROKEN"}); verify it with: npx purpose-guard audit verify ${auditPath}`);
