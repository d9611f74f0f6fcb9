import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { createAgent, tool } from "langchain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { PurposeGuardCallbackHandler, refusalOf } from "../../../adapters/langchain/index.js";
import type { Guard } from "../../../src/index.js";
import { supportGuard } from "../support.js";
import { recordingRunnableTool, supportTools, ToolRunRecorder } from "./tools.js";

const guards: Guard[] = [];
async function setup() {
  const test = await supportGuard();
  guards.push(test.guard);
  return test;
}
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  vi.restoreAllMocks();
});

describe("PurposeGuardCallbackHandler", () => {
  it("enforces on its own: a declared call runs, an undeclared one never runs and the model reads the refusal", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {}); // LangChain logs every error a raising handler throws
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([
        { name: "get_customer", args: { id: "c-7" }, id: "call_read" },
        { name: "delete_customer", args: { id: "c-7" }, id: "call_delete" },
      ])
      .respond(new AIMessage("done"));
    const agent = createAgent({ model, tools: crm.all });
    const handler = new PurposeGuardCallbackHandler(guard);
    const runs = new ToolRunRecorder();

    const result = await agent.invoke(
      { messages: [new HumanMessage("read and delete c-7")] },
      { configurable: { thread_id: "thread-cb" }, metadata: { user: "agent-3" }, callbacks: [handler, runs] },
    );

    expect(handler.raiseError).toBe(true);
    expect(handler.awaitHandlers).toBe(true);
    expect(crm.effects).toEqual(["get_customer:c-7"]);
    const byId = new Map(result.messages.filter((message) => ToolMessage.isInstance(message)).map((message) => [(message as ToolMessage).tool_call_id, message as ToolMessage]));
    expect(byId.get("call_read")?.status).toBe("success");
    expect(byId.get("call_delete")?.status).toBe("error");
    expect(String(byId.get("call_delete")?.content)).toContain("[tool-outside-declaration]");

    const records = decisions();
    const read = records.find((record) => record.event === "call" && record.tool === "get_customer");
    expect(read).toMatchObject({ decision: "allow", sessionId: "thread-cb", trace: { threadId: "thread-cb", toolCallId: "call_read", labels: { user: "agent-3" } } });
    const run = runs.runs.find((entry) => entry.toolCallId === "call_read");
    expect(read?.trace).toMatchObject({ runId: run?.runId, parentRunId: run?.parentRunId });
    expect(records.find((record) => record.event === "result")).toMatchObject({ decision: "allow", tool: "get_customer", trace: { runId: run?.runId } });
    expect(records.find((record) => record.tool === "delete_customer")).toMatchObject({ event: "call", decision: "deny", trace: { toolCallId: "call_delete" } });
  });

  it("makes a plain invoke of an undeclared tool reject with a RefusalError before the tool runs", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard } = await setup();
    const crm = supportTools();

    const error = await crm.deleteCustomer.invoke({ id: "c-1" }, { callbacks: [new PurposeGuardCallbackHandler(guard)] }).then(() => undefined, (thrown: unknown) => thrown);

    expect(refusalOf(error)?.verdict.policyIds).toContain("tool-outside-declaration");
    expect(crm.effects).toEqual([]);
  });

  it("in shadow mode audits what it would refuse and blocks nothing", async () => {
    const { guard, sink } = await setup();
    const crm = supportTools();
    const handler = new PurposeGuardCallbackHandler(guard, { enforce: false, sessionId: "shadow-1" });

    await expect(crm.deleteCustomer.invoke({ id: "c-1" }, { callbacks: [handler] })).resolves.toBe("deleted c-1");
    await vi.waitFor(() => expect(sink.records.some((record) => record.event === "call")).toBe(true));

    expect(handler.raiseError).toBe(false);
    expect(crm.effects).toEqual(["delete_customer:c-1"]);
    expect(sink.records.find((record) => record.event === "call")).toMatchObject({ decision: "deny", tool: "delete_customer", sessionId: "shadow-1" });
  });

  it("uses the root run as the session of a run without a thread id", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-1" } }])
      .respondWithTools([{ name: "list_orders", args: { customerId: "c-1" } }])
      .respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: crm.all });

    await agent.invoke({ messages: [new HumanMessage("orders of c-1")] }, { callbacks: [new PurposeGuardCallbackHandler(guard)] });

    const sessions = decisions().filter((record) => record.event === "call").map((record) => record.sessionId);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatch(/^langchain:/);
    expect(sessions[1]).toBe(sessions[0]);
  });

  it("gives the tool runs of two agent invocations without a thread id two sessions", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-1" } }])
      .respond(new AIMessage("ok"))
      .respondWithTools([{ name: "get_customer", args: { id: "c-2" } }])
      .respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: crm.all });
    const handler = new PurposeGuardCallbackHandler(guard);

    await agent.invoke({ messages: [new HumanMessage("c-1")] }, { callbacks: [handler] });
    await agent.invoke({ messages: [new HumanMessage("c-2")] }, { callbacks: [handler] });

    const sessions = decisions().filter((record) => record.event === "call").map((record) => record.sessionId);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).not.toBe(sessions[0]);
  });

  it("guards a runnable.asTool() tool, which runs as a chain: an undeclared one never runs, a declared one's result is decided", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard, decisions } = await setup();
    const effects: string[] = [];
    const asTool = (name: string) => recordingRunnableTool(name, effects);
    const request = new AIMessage({
      content: "",
      tool_calls: [
        { name: "get_customer", args: { id: "c-9" }, id: "call_ok", type: "tool_call" },
        { name: "delete_customer", args: { id: "c-9" }, id: "call_no", type: "tool_call" },
      ],
    });

    const { messages } = (await new ToolNode([asTool("get_customer"), asTool("delete_customer")]).invoke({ messages: [request] }, { callbacks: [new PurposeGuardCallbackHandler(guard)] })) as { messages: ToolMessage[] };

    expect(effects).toEqual(["get_customer:c-9"]);
    const byId = new Map(messages.map((message) => [message.tool_call_id, message]));
    expect(byId.get("call_ok")?.status).toBe("success");
    expect(byId.get("call_no")?.status).toBe("error");
    expect(String(byId.get("call_no")?.content)).toContain("[tool-outside-declaration]");
    expect(decisions().map((record) => `${record.event}:${record.decision}:${record.tool}:${record.trace?.toolCallId}`).sort()).toEqual([
      "call:allow:get_customer:call_ok",
      "call:deny:delete_customer:call_no",
      "result:allow:get_customer:call_ok",
    ]);
  });

  // A stream its consumer abandoned never ends: its pending run held its place for good, and after maxPendingRuns of
  // them every tool call was refused (fourth review).
  it("gives up runs pending past pendingTimeoutMs when full, instead of refusing every later call", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard } = await setup();
    const effects: string[] = [];
    const lookup = recordingRunnableTool("get_customer", effects);
    const handler = new PurposeGuardCallbackHandler(guard, { maxPendingRuns: 2, pendingTimeoutMs: 1 });
    for (let i = 0; i < 2; i++) {
      const stream = await lookup.stream({ id: `c-${i}` }, { callbacks: [handler] });
      for await (const _chunk of stream) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(lookup.invoke({ id: "c-9" }, { callbacks: [handler] })).resolves.toBe("get_customer c-9");
  });

  // The tool was recognised by its run name, which a caller sets at will (`invoke(input, { runName })`).
  it("guards a runnable.asTool() tool invoked under a run name of the caller's", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard, decisions } = await setup();
    const effects: string[] = [];
    const remove = recordingRunnableTool("delete_customer", effects);
    await expect(remove.invoke({ id: "c-1" }, { callbacks: [new PurposeGuardCallbackHandler(guard)], runName: "crm delete" })).rejects.toThrow(/tool-outside-declaration/);
    expect(effects).toEqual([]);
    expect(decisions().map((record) => `${record.event}:${record.decision}:${record.tool}`)).toEqual(["call:deny:delete_customer"]);
  });

  it("refuses a tool run past maxPendingRuns when enforcing, rather than forget one whose result is still to come", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard, decisions } = await setup();
    const effects: string[] = [];
    const slow = tool(
      async ({ id }) => {
        effects.push(id);
        await new Promise((resolve) => setTimeout(resolve, id === "c-1" ? 100 : 10));
        return `customer ${id}`;
      },
      { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
    );
    const request = new AIMessage({
      content: "",
      tool_calls: [
        { name: "get_customer", args: { id: "c-1" }, id: "call_1", type: "tool_call" },
        { name: "get_customer", args: { id: "c-2" }, id: "call_2", type: "tool_call" },
      ],
    });

    const { messages } = (await new ToolNode([slow]).invoke({ messages: [request] }, { callbacks: [new PurposeGuardCallbackHandler(guard, { maxPendingRuns: 1 })] })) as { messages: ToolMessage[] };

    expect(effects).toEqual(["c-1"]);
    const byId = new Map(messages.map((message) => [message.tool_call_id, message]));
    expect(byId.get("call_1")?.status).toBe("success");
    expect(byId.get("call_2")?.status).toBe("error");
    expect(String(byId.get("call_2")?.content)).toContain("maxPendingRuns");
    expect(decisions().map((record) => `${record.event}:${record.decision}:${record.trace?.toolCallId}`)).toEqual(["call:allow:call_1", "result:allow:call_1"]);
  });

  it("withholds the result of a tool run it did not see start when enforcing", async () => {
    const { guard } = await setup();
    const handler = new PurposeGuardCallbackHandler(guard);

    await expect(handler.handleToolEnd("customer c-1", "run-never-started")).rejects.toThrow(/did not see it start/);
    await expect(new PurposeGuardCallbackHandler(guard, { enforce: false }).handleToolEnd("customer c-1", "run-never-started")).resolves.toBeUndefined();
  });
});
