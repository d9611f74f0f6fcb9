/**
 * Per-tool-call overhead of the LangChain adapters: the same `createAgent` agent (deterministic fake model, one tool
 * call per invocation, then a final answer) without purpose-guard, with `purposeGuardMiddleware`, with `guardTools`,
 * and with the enforcing `PurposeGuardCallbackHandler`, measured in one process with the variants interleaved, beside
 * the guard's own `beforeCall` + `afterCall` for the same call. The difference to the bare agent is what one guarded
 * tool call costs; the difference to the guard alone is what the translation to and from LangChain costs. The guards
 * classify, redact and track flows, as a deployment does.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { createAgent, tool } from "langchain";
import { z } from "zod";
import { guardTools, purposeGuardMiddleware, PurposeGuardCallbackHandler } from "../adapters/langchain/index.js";
import { createClassifier, createGuard, createMemoryFlowStore, createRedactor, type Guard } from "../src/index.js";
import { percentiles, sampleMicros, table, type Percentiles } from "./stats.js";

const DECLARATION = new URL("../examples/declarations/support.yaml", import.meta.url).pathname;
const RUNTIME = { environment: "production", region: "eu-west-1", account: "123456789012", tenant: "acme" };
const NOW = Date.parse("2026-12-01T00:00:00Z");
const N = 2_000;
const WARMUP = 200;

const CUSTOMER = JSON.stringify({ id: "c-42", name: "Ada Lovelace", email: "ada@customer.example", orders: ["o-1001", "o-1002"], segment: "repeat buyer", notes: "Prefers morning delivery slots." });
const getCustomer = tool(async () => CUSTOMER, { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) });

/** A fake model that answers every invocation with one tool call and then a final message, `turns` times. */
function scriptedModel(turns: number) {
  const model = fakeModel();
  for (let i = 0; i < turns; i++) model.respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: `call_${i}` }]).respond(new AIMessage("Ada has two orders."));
  return model;
}

const TURNS = WARMUP + N + 8;
// Time moves 100 ms per invocation over 1024 threads: each session then stays within the declaration's
// budgets (calls per minute, records read): a frozen clock or a few hot sessions would have the monitor halt them,
// and the benchmark would measure halts.
let now = NOW;
const guards: Guard[] = [];
async function newGuard(): Promise<Guard> {
  // The full path a deployment runs: classification, redaction, flow tracking, Cedar, a JSONL audit log.
  const guard = await createGuard({
    declaration: DECLARATION,
    runtime: RUNTIME,
    clock: () => now,
    audit: [{ type: "jsonl", path: join(mkdtempSync(join(tmpdir(), "pg-bench-lc-")), "audit.jsonl") }],
    classifier: createClassifier(),
    redactor: createRedactor(),
    flowStore: createMemoryFlowStore(),
  });
  guards.push(guard);
  return guard;
}

type Invoke = () => Promise<unknown>;
const input = () => ({ messages: [new HumanMessage("What is on file for customer c-42?")] });
let thread = 0;
const config = () => {
  now += 100;
  return { configurable: { thread_id: `t-${thread++ % 1024}` } };
};

const bare = createAgent({ model: scriptedModel(TURNS), tools: [getCustomer] });
const middlewareGuard = await newGuard();
const withMiddleware = createAgent({ model: scriptedModel(TURNS), tools: [getCustomer], middleware: [purposeGuardMiddleware(middlewareGuard)] });
const toolsGuard = await newGuard();
const withGuardTools = createAgent({ model: scriptedModel(TURNS), tools: guardTools([getCustomer], toolsGuard) });
const handlerGuard = await newGuard();
const handler = new PurposeGuardCallbackHandler(handlerGuard);
const withHandler = createAgent({ model: scriptedModel(TURNS), tools: [getCustomer] });
const directGuard = await newGuard();
let direct = 0;

const variants: [string, Invoke][] = [
  ["createAgent, no guard", () => bare.invoke(input(), config())],
  ["createAgent + purposeGuardMiddleware", () => withMiddleware.invoke(input(), config())],
  ["createAgent + guardTools", () => withGuardTools.invoke(input(), config())],
  ["createAgent + PurposeGuardCallbackHandler (enforcing)", () => withHandler.invoke(input(), { ...config(), callbacks: [handler] })],
  [
    "guard.beforeCall + afterCall alone (same call, no agent)",
    async () => {
      now += 100;
      const call = { server: "crm", tool: "get_customer", args: { id: "c-42" }, sessionId: `t-${direct++ % 1024}`, trace: { toolCallId: "call_x", threadId: "t" } };
      await directGuard.beforeCall(call);
      await directGuard.afterCall(call, JSON.parse(CUSTOMER) as unknown);
    },
  ],
];

/** The guarded agents must allow the declared call, before and after the run: else the bench measured refusals. */
async function checkAllowed(when: string): Promise<void> {
  for (const [label, invoke] of variants.slice(0, 4)) {
    const result = (await invoke()) as { messages: { type: string; status?: string; content?: unknown }[] };
    const toolMessage = result.messages.find((message) => message.type === "tool");
    if (!toolMessage || toolMessage.status === "error") throw new Error(`bench ${when}: ${label} did not run the declared call: ${String(toolMessage?.content)}`);
  }
}
await checkAllowed("setup");

for (const [, invoke] of variants) await sampleMicros(invoke, 0, WARMUP - 1);
// Interleaved call by call: drift and load from other processes (GC, JIT, a busy 2-core machine) hit every variant alike.
const samples = new Map<string, number[]>(variants.map(([label]) => [label, new Array<number>(N)]));
for (let i = 0; i < N; i++) {
  for (const [label, invoke] of variants) {
    const start = process.hrtime.bigint();
    await invoke();
    samples.get(label)![i] = Number(process.hrtime.bigint() - start) / 1000;
  }
}
await checkAllowed("end");
await Promise.all(guards.map((guard) => guard.close()));

const stats = new Map<string, Percentiles>([...samples].map(([label, values]) => [label, percentiles(values)]));
const base = stats.get(variants[0]![0])!;
const guardAlone = stats.get(variants[4]![0])!;
console.log(`## LangChain adapters: per-tool-call overhead (${N} agent invocations per variant, interleaved, one tool call each; guard with classification, flow tracking and JSONL audit)\n`);
console.log(
  table(
    ["variant", "p50 µs", "p99 µs", "mean µs", "p50 vs bare agent", "added per tool call (p50)"],
    [...stats].map(([label, p], index) => [
      label,
      p.p50,
      p.p99,
      p.mean,
      index === 4 ? "—" : `${(p.p50 / base.p50).toFixed(2)}×`,
      index === 0 || index === 4 ? "—" : `${(p.p50 - base.p50).toFixed(0)} µs (guard ${guardAlone.p50.toFixed(0)} + adapter ${(p.p50 - base.p50 - guardAlone.p50).toFixed(0)})`,
    ]),
  ),
);
console.log("\nOne invocation = two fake-model turns and one tool run through LangGraph; the guard decides the call and its result.\n");
