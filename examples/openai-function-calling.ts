/**
 * OpenAI function calling (openai 6.x) guarded by purpose-guard: `runTools` with `guardRunToolsFunctions`, then the
 * Responses API's manual loop with `guardResponsesFunctions`.
 *
 *   npx tsx examples/openai-function-calling.ts
 *
 * Offline by default: the real SDK talks HTTP to a local server that replays recorded API responses
 * (examples/support/cassettes/openai-support.json). With OPENAI_API_KEY set (optionally OPENAI_BASE_URL and
 * OPENAI_MODEL), the same code runs against a real model.
 *
 * The support declaration is valid 2026-11-24 .. 2026-12-24, so the guard runs on a clock inside that window.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import type { RunnableToolFunctionWithParse } from "openai/lib/RunnableFunction";
import { guardResponsesFunctions, guardRunToolsFunctions } from "../adapters/openai/index.js";
import { createGuard, createMemorySink, verifyAuditLog } from "../src/index.js";
import { CUSTOMERS, EXAMPLE_CLOCK, ORDERS, SUPPORT_RUNTIME } from "./support/crm.js";
import { loadCassette, startReplayServer } from "./support/openai-replay-server.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const live = Boolean(process.env["OPENAI_API_KEY"]);
const model = process.env["OPENAI_MODEL"] ?? "gpt-4o-mini";
const replay = live ? undefined : await startReplayServer(await loadCassette(join(root, "examples/support/cassettes/openai-support.json")));
// The SDK reads OPENAI_API_KEY and OPENAI_BASE_URL itself when live.
const client = replay ? new OpenAI({ apiKey: "sk-offline-replay", baseURL: replay.baseURL, maxRetries: 0 }) : new OpenAI();

const auditPath = join(mkdtempSync(join(tmpdir(), "purpose-guard-openai-")), "audit.jsonl");
const memory = createMemorySink();
const guard = await createGuard({
  declaration: join(root, "examples/declarations/support.yaml"),
  runtime: SUPPORT_RUNTIME,
  clock: () => EXAMPLE_CLOCK,
  // The guard classifies arguments and results, redacts what the scope does not cover, and remembers what
  // results carried (flow tracking), by default.
  audit: [{ type: "jsonl", path: auditPath }, memory],
});

const objectOf = (properties: Record<string, { type: "string" }>) => ({ type: "object" as const, properties, required: Object.keys(properties), additionalProperties: false });
const parse = <T>(input: string) => JSON.parse(input) as T;
const tools: RunnableToolFunctionWithParse<Record<string, string>>[] = [
  {
    type: "function",
    function: {
      name: "get_customer",
      description: "Look up a customer by id (c-42, c-77)",
      parameters: objectOf({ id: { type: "string" } }),
      parse,
      function: ({ id }) => ({ id, ...CUSTOMERS[id ?? ""] }),
    },
  },
  {
    type: "function",
    function: {
      name: "list_orders",
      description: "List a customer's orders with their status",
      parameters: objectOf({ customerId: { type: "string" } }),
      parse,
      function: ({ customerId }) => (CUSTOMERS[customerId ?? ""]?.orders ?? []).map((order) => ({ order, ...ORDERS[order] })),
    },
  },
  {
    type: "function",
    function: {
      name: "send_email",
      description: "Send an email",
      parameters: objectOf({ to: { type: "string" }, subject: { type: "string" }, body: { type: "string" } }),
      parse,
      function: ({ to, subject }) => `sent "${subject}" to ${to}`,
    },
  },
];

console.log(`purpose-guard × OpenAI: ${live ? `live model ${model}` : `offline (recorded responses replayed on ${replay!.baseURL})`}\n`);

// 1. Chat Completions: runTools runs the loop; every function it calls is guarded.
const question =
  "Customer c-42 says an order is late. Look them up and check their orders, tell support@acme.example about the delay, " +
  "and send the customer's name and email to our partner at partner@elsewhere.example.";
console.log(`1. runTools\n   user: ${question}`);
const runner = client.chat.completions.runTools({
  model,
  messages: [
    { role: "system", content: "You are Acme's support agent. Use the tools; if a call is refused, say so and continue." },
    { role: "user", content: question },
  ],
  tools: guardRunToolsFunctions(tools, guard, { labels: { tenant: "acme", user: "desk-agent-7" } }),
});
runner.on("functionToolCallResult", (content) => console.log(`   tool → ${content.slice(0, 220)}`));
console.log(`   agent: ${await runner.finalContent()}\n`);

// 2. Responses API: the application runs the loop; the helper guards each function_call.
const request = "Please delete customer c-77.";
console.log(`2. Responses API\n   user: ${request}`);
const functions = guardResponsesFunctions(
  { delete_customer: (args) => `deleted ${(args as { id: string }).id}` },
  guard,
  { tools: { delete_customer: { server: "crm", intent: "write" } } },
);
const responseTools: OpenAI.Responses.FunctionTool[] = [
  { type: "function", name: "delete_customer", description: "Delete a customer record", parameters: objectOf({ id: { type: "string" } }), strict: true },
];
let response = await client.responses.create({ model, input: request, tools: responseTools });
for (let turn = 0; turn < 5 && response.output.some((item) => item.type === "function_call"); turn++) {
  const outputs = await functions.run(response, { userText: request });
  for (const output of outputs) console.log(`   tool → ${String(output.output).slice(0, 220)}`);
  response = await client.responses.create({ model, previous_response_id: response.id, input: outputs, tools: responseTools });
}
console.log(`   agent: ${response.output_text}\n`);

console.log("decisions (audit records):");
for (const record of memory.records.filter((entry) => entry.event === "call" || entry.event === "result")) {
  console.log(`  ${record.event.padEnd(6)} ${record.decision.padEnd(6)} ${`${record.server}/${record.tool}`.padEnd(20)} ${record.policyIds.join(", ")}${record.flows ? ` (flows: ${record.flows.classes.join(", ")} from ${record.flows.sources.join(", ")})` : ""}\n${" ".repeat(16)}run=${record.trace?.runId} toolCall=${record.trace?.toolCallId}`);
}

await guard.close();
await replay?.close();
const report = await verifyAuditLog([auditPath]);
console.log(`\naudit log: ${auditPath} (${report.records} records, chain ${report.ok ? "intact" : "BROKEN"}); verify it with: npx purpose-guard audit verify ${auditPath}`);
