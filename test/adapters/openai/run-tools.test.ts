import OpenAI from "openai";
import type { RunnableToolFunctionWithParse } from "openai/lib/RunnableFunction";
import { afterEach, describe, expect, it } from "vitest";
import { guardRunToolsFunctions, refusalOf } from "../../../adapters/openai/index.js";
import { loadCassette, startReplayServer, type ReplayServer } from "../../../examples/support/openai-replay-server.js";
import type { Guard } from "../../../src/index.js";
import { APPROVAL_POLICIES, supportGuard } from "../support.js";
import { withActiveSpan } from "../otel.js";
import { cassette, supportFunctions, zodCustomerTool } from "./functions.js";

const open: { guard?: Guard; server?: ReplayServer }[] = [];
async function setup(name: string, config: Parameters<typeof supportGuard>[0] = {}) {
  const test = await supportGuard(config);
  const server = await startReplayServer(await loadCassette(cassette(name)));
  open.push({ guard: test.guard, server });
  const client = new OpenAI({ apiKey: "sk-replay", baseURL: server.baseURL, maxRetries: 0 });
  return { ...test, server, client };
}
afterEach(async () => {
  for (const { guard, server } of open.splice(0)) await Promise.all([guard?.close(), server?.close()]);
});

/** The tool messages a request sent back to the model, by tool call id. */
function toolMessagesOf(body: Record<string, unknown>): Map<string, string> {
  const messages = body["messages"] as { role: string; tool_call_id?: string; content?: unknown }[];
  return new Map(messages.filter((message) => message.role === "tool").map((message) => [message.tool_call_id!, String(message.content)]));
}

describe("guardRunToolsFunctions", () => {
  it("runs a declared function through the real SDK and links the decision to the completion and the tool call", async () => {
    const { client, server, guard, decisions } = await setup("chat-read-customer.json");
    const crm = supportFunctions();

    const runner = client.chat.completions.runTools({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Who is customer c-42?" }],
      tools: guardRunToolsFunctions(crm.tools, guard, { labels: { tenant: "acme" } }),
    });
    const answer = await runner.finalContent();

    expect(answer).toBe("Customer c-42 is Ada Lovelace; she has 3 orders.");
    expect(crm.effects).toEqual(["get_customer:c-42"]);
    expect(server.remaining).toBe(0);
    expect(toolMessagesOf(server.requests[1]!.body).get("call_Qm3f8XzL2v1sW9tR")).toContain("ada@customer.example");
    const [call, result] = decisions();
    expect(call).toMatchObject({ event: "call", decision: "allow", server: "crm", tool: "get_customer", trace: { runId: "chatcmpl-CbR1x4lq7Zt2YxQe0mJk1aA9dVw3", toolCallId: "call_Qm3f8XzL2v1sW9tR", labels: { tenant: "acme" } } });
    expect(call?.sessionId).toMatch(/^openai:/);
    expect(result).toMatchObject({ event: "result", decision: "allow", sessionId: call?.sessionId });
  });

  it("guards a tool made with the SDK's zodFunction helper", async () => {
    const { client, guard, decisions } = await setup("chat-read-customer.json");
    const effects: string[] = [];

    await client.chat.completions
      .runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Who is customer c-42?" }], tools: guardRunToolsFunctions([zodCustomerTool(effects)], guard) })
      .finalContent();

    expect(effects).toEqual(["get_customer:c-42"]);
    expect(decisions()[0]).toMatchObject({ decision: "allow", tool: "get_customer", trace: { toolCallId: "call_Qm3f8XzL2v1sW9tR" } });
  });

  it("carries the active OpenTelemetry span into the decision's trace", async () => {
    const { client, guard, decisions } = await setup("chat-read-customer.json");
    const crm = supportFunctions();

    const { span } = await withActiveSpan(() =>
      client.chat.completions.runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Who is customer c-42?" }], tools: guardRunToolsFunctions(crm.tools, guard) }).finalContent(),
    );

    const { traceId, spanId } = span.spanContext();
    expect(decisions()[0]?.trace).toMatchObject({ traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` });
  });

  it("never runs a function outside the declaration; the model is sent the policy's refusal instead", async () => {
    const { client, server, guard, decisions } = await setup("chat-undeclared-tool.json");
    const crm = supportFunctions();

    const answer = await client.chat.completions
      .runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Delete customer c-42" }], tools: guardRunToolsFunctions(crm.tools, guard) })
      .finalContent();

    expect(answer).toBe("I am not allowed to delete customer records.");
    expect(crm.effects).toEqual([]);
    expect(toolMessagesOf(server.requests[1]!.body).get("call_Dx7pL0aV4sQ2nM8e")).toContain("[tool-outside-declaration]");
    expect(decisions()).toMatchObject([{ event: "call", decision: "deny", tool: "delete_customer", trace: { toolCallId: "call_Dx7pL0aV4sQ2nM8e" } }]);
  });

  it("decides parallel calls one by one: mail inside egress.allow is sent, mail outside it is refused", async () => {
    const { client, server, guard, decisions } = await setup("chat-parallel-mail.json");
    const crm = supportFunctions();

    await client.chat.completions
      .runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Close case 1182" }], tools: guardRunToolsFunctions(crm.tools, guard) })
      .finalContent();

    expect(crm.effects).toEqual(["send_email:support@acme.example"]);
    const sent = toolMessagesOf(server.requests[1]!.body);
    expect(sent.get("call_In5qW2eR7tY1uI3o")).toBe("sent to support@acme.example");
    expect(sent.get("call_Out8zX4cV6bN2mL0")).toContain("[egress-outside-allow]");
    const calls = decisions().filter((record) => record.event === "call");
    expect(calls.find((record) => record.trace?.toolCallId === "call_Out8zX4cV6bN2mL0")).toMatchObject({ decision: "deny" });
    expect(calls.find((record) => record.trace?.toolCallId === "call_In5qW2eR7tY1uI3o")).toMatchObject({ decision: "allow" });
  });

  it("ends the run with a RefusalError when the guard halts the session", async () => {
    const { client, server, guard } = await setup("chat-bulk-export.json", { policies: APPROVAL_POLICIES });
    const crm = supportFunctions();

    const error = await client.chat.completions
      .runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Export all customers" }], tools: guardRunToolsFunctions(crm.tools, guard) })
      .finalContent()
      .then(() => undefined, (thrown: unknown) => thrown);

    expect(refusalOf(error)?.code).toBe("SESSION_HALTED");
    expect(refusalOf(error)?.verdict.policyIds).toContain("halt-on-bulk-export");
    expect(crm.effects).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it("refuses at construction an entry that is not a runTools function", async () => {
    const { guard } = await supportGuard();
    open.push({ guard });
    expect(() => guardRunToolsFunctions([{ type: "web_search" }], guard)).toThrow(/functions\[0\] is not a runTools function/);
  });

  it("decides the arguments the model sent, under their tool call id, when a parse keeps one value of them", async () => {
    const { client, server, guard, decisions } = await setup("chat-parallel-mail.json");
    const effects: string[] = [];
    // The SDK's types want a parse to return an object; the runner takes any value, and loose parsers return one field.
    const sendTo = {
      type: "function",
      function: {
        name: "send_email",
        description: "Send an email",
        parameters: { type: "object", properties: { to: { type: "string" }, subject: { type: "string" }, body: { type: "string" } } },
        parse: (input: string) => (JSON.parse(input) as { to: string }).to,
        function: (to: string) => {
          effects.push(`send_email:${to}`);
          return `sent to ${to}`;
        },
      },
    } as unknown as RunnableToolFunctionWithParse<{ to: string }>;

    await client.chat.completions.runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Mail the case" }], tools: guardRunToolsFunctions([sendTo], guard) }).finalContent();

    expect(effects).toEqual(["send_email:support@acme.example"]);
    expect(toolMessagesOf(server.requests[1]!.body).get("call_Out8zX4cV6bN2mL0")).toContain("[egress-outside-allow]");
    expect(decisions().filter((record) => record.event === "call").map((record) => `${record.decision}:${record.trace?.toolCallId}`)).toEqual([
      "allow:call_In5qW2eR7tY1uI3o",
      "deny:call_Out8zX4cV6bN2mL0",
    ]);
  });
});
