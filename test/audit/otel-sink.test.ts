import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOtelSink } from "../../adapters/otel/otel-sink.js";
import { createGuard } from "../../src/guard.js";
import type { AuditRecord } from "../../src/model/audit-record.js";
import { DURING_SUPPORT, example, fixedClock, ROOT, SUPPORT_RUNTIME, tempDir } from "../helpers.js";
import { auditSinkContract } from "./audit-sink.contract.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("agent");
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});

async function guardWith(mode: "span" | "event") {
  exporter.reset();
  return createGuard({ declaration: example("support.yaml"), audit: [createOtelSink({ tracer: provider.getTracer("purpose-guard"), mode })], runtime: SUPPORT_RUNTIME, clock: fixedClock(DURING_SUPPORT) });
}

describe("createOtelSink", () => {
  it("puts each decision into the caller's trace as a child span with the verdict, policy ids and declaration digest", async () => {
    const guard = await guardWith("span");
    const verdict = await tracer.startActiveSpan("agent.tool_call", async (span) => {
      const result = await guard.beforeCall({ server: "crm", tool: "get_payment_methods", args: {}, sessionId: "s1", trace: { threadId: "conv-1" } });
      span.end();
      return result;
    });
    const spans = exporter.getFinishedSpans();
    const parent = spans.find((span) => span.name === "agent.tool_call")!;
    const decision = spans.find((span) => span.name === "purpose-guard call crm/get_payment_methods")!;
    expect(decision.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(decision.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(decision.attributes).toMatchObject({
      "purpose_guard.decision": "deny",
      "purpose_guard.decision_id": verdict.decisionId,
      "purpose_guard.policy_ids": ["tool-outside-declaration"],
      "purpose_guard.declaration.id": "support-agent",
      "purpose_guard.declaration.digest": guard.declaration.digest,
      "purpose_guard.session_id": "s1",
      "gen_ai.tool.name": "get_payment_methods",
      "gen_ai.conversation.id": "conv-1",
    });
    await guard.close();
  });

  it("parents a decision on the call's traceparent when no span is active", async () => {
    const guard = await guardWith("span");
    await guard.beforeCall({ server: "crm", tool: "get_customer", args: {}, sessionId: "s1", trace: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } });
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(span!.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(span!.attributes["purpose_guard.decision"]).toBe("allow");
    await guard.close();
  });

  it("adds an event to the caller's active span in event mode", async () => {
    const guard = await guardWith("event");
    await tracer.startActiveSpan("agent.tool_call", async (span) => {
      await guard.beforeCall({ server: "crm", tool: "get_customer", args: {}, sessionId: "s1" });
      span.end();
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(["agent.tool_call"]);
    expect(spans[0]!.events).toMatchObject([{ name: "purpose_guard.call", attributes: { "purpose_guard.decision": "allow", "purpose_guard.policy_ids": ["declared-tool"] } }]);
    await guard.close();
  });
});

auditSinkContract("otel", () => {
  const spans = new InMemorySpanExporter();
  const own = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  return {
    sink: createOtelSink({ tracer: own.getTracer("purpose-guard") }),
    // What a trace backend would hold: one span per record, in order, carrying the decision's identity.
    readBack: async () => spans.getFinishedSpans().map((span) => ({ decisionId: span.attributes["purpose_guard.decision_id"], decision: span.attributes["purpose_guard.decision"] }) as unknown as AuditRecord),
  };
});

describe("the OpenTelemetry boundary", () => {
  it("lets the core load and decide without @opentelemetry installed", () => {
    // A resolve hook that fails any @opentelemetry import, as on a machine that never installed it.
    const dir = tempDir();
    writeFileSync(join(dir, "hooks.mjs"), `export async function resolve(specifier, context, next) {
  if (specifier.startsWith("@opentelemetry/")) throw new Error("the core imported " + specifier);
  return next(specifier, context);
}`);
    writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});`);
    const script = `const { createGuard } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/index.ts")).href)});
const guard = await createGuard({ declaration: ${JSON.stringify(example("support.yaml"))}, audit: [], runtime: ${JSON.stringify(SUPPORT_RUNTIME)}, clock: () => ${DURING_SUPPORT} });
const verdict = await guard.beforeCall({ server: "crm", tool: "get_customer", args: {}, sessionId: "s" });
console.log(verdict.decision);
try { await import(${JSON.stringify(pathToFileURL(join(ROOT, "adapters/otel/otel-sink.ts")).href)}); console.log("otel loaded"); } catch (error) { console.log("otel refused: " + error.message); }`;
    const run = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), "--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).not.toContain("the core imported");
    expect(run.stdout.trim().split("\n")).toEqual(["allow", expect.stringContaining("otel refused: the core imported @opentelemetry/api")]);
  });
});
