import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Runnable, RunnableLambda } from "@langchain/core/runnables";
import { StructuredTool } from "@langchain/core/tools";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { createAgent } from "langchain";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { guardTools, RefusalError } from "../../../adapters/langchain/index.js";
import type { Guard } from "../../../src/index.js";
import { supportDeclaration } from "../../helpers.js";
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
});

async function drain(stream: Promise<AsyncIterable<unknown>> | AsyncIterable<unknown>): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const chunk of await stream) chunks.push(chunk);
  return chunks;
}

describe("guardTools", () => {
  it("keeps each tool's name, description, schema and class", async () => {
    const { guard } = await setup();
    const crm = supportTools();
    const [guarded] = guardTools([crm.getCustomer], guard);
    expect(guarded).toBeInstanceOf(StructuredTool);
    expect(guarded?.name).toBe("get_customer");
    expect(guarded?.description).toBe(crm.getCustomer.description);
    expect(guarded?.schema).toBe(crm.getCustomer.schema);
  });

  it("guards LangGraph's ToolNode: runs the declared call, refuses the other with an error ToolMessage, and links both to the run", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const node = new ToolNode(guardTools(crm.all, guard));
    const runs = new ToolRunRecorder();
    const request = new AIMessage({
      content: "",
      tool_calls: [
        { name: "get_customer", args: { id: "c-9" }, id: "call_ok", type: "tool_call" },
        { name: "delete_customer", args: { id: "c-9" }, id: "call_no", type: "tool_call" },
      ],
    });

    const { messages } = (await node.invoke({ messages: [request] }, { configurable: { thread_id: "thread-node" }, metadata: { tenant: "acme" }, callbacks: [runs] })) as { messages: ToolMessage[] };

    expect(crm.effects).toEqual(["get_customer:c-9"]);
    const byId = new Map(messages.map((message) => [message.tool_call_id, message]));
    expect(byId.get("call_ok")?.status).toBe("success");
    expect(byId.get("call_no")?.status).toBe("error");
    expect(String(byId.get("call_no")?.content)).toContain("[tool-outside-declaration]");

    const calls = decisions().filter((record) => record.event === "call");
    const allowed = calls.find((record) => record.tool === "get_customer");
    expect(allowed).toMatchObject({ decision: "allow", sessionId: "thread-node", trace: { threadId: "thread-node", toolCallId: "call_ok", labels: { tenant: "acme" } } });
    expect(allowed?.trace?.runId).toBe(runs.runs.find((run) => run.toolCallId === "call_ok")?.runId);
    expect(calls.find((record) => record.tool === "delete_customer")).toMatchObject({ decision: "deny", trace: { toolCallId: "call_no" } });
  });

  it("returns a plain invoke's result when allowed and throws a RefusalError without running the tool when denied", async () => {
    const { guard } = await setup();
    const crm = supportTools();
    const [getCustomer, deleteCustomer] = guardTools([crm.getCustomer, crm.deleteCustomer], guard, { sessionId: "batch-job-1" });

    await expect(getCustomer!.invoke({ id: "c-1" })).resolves.toContain("ada@customer.example");
    const error = await deleteCustomer!.invoke({ id: "c-1" }).then(() => undefined, (thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(RefusalError);
    expect((error as RefusalError).code).toBe("CALL_REFUSED");
    expect((error as RefusalError).verdict.policyIds).toContain("tool-outside-declaration");
    expect(crm.effects).toEqual(["get_customer:c-1"]);
  });

  it("guards every entry point of a runnable.asTool() tool: invoke, stream, batch, streamEvents and a rebound copy", async () => {
    const { guard, decisions } = await setup();
    const effects: string[] = [];
    const asTool = (name: string) => recordingRunnableTool(name, effects);
    const [lookup, remove] = guardTools([asTool("get_customer"), asTool("delete_customer")], guard, { sessionId: "as-tool" });

    await expect(drain((lookup as unknown as Runnable).stream({ id: "c-5" }))).resolves.toEqual(["get_customer c-5"]);
    await expect((lookup as unknown as Runnable).batch([{ id: "c-6" }])).resolves.toEqual(["get_customer c-6"]);
    expect(effects).toEqual(["get_customer:c-5", "get_customer:c-6"]);

    await expect(remove!.invoke({ id: "c-0" } as never)).rejects.toBeInstanceOf(RefusalError);
    await expect(drain((remove as unknown as Runnable).stream({ id: "c-1" }))).rejects.toBeInstanceOf(RefusalError);
    await expect((remove as unknown as Runnable).batch([{ id: "c-2" }], undefined, { returnExceptions: true })).resolves.toEqual([expect.any(RefusalError)]);
    await expect(drain((remove as unknown as Runnable).streamEvents({ id: "c-3" }, { version: "v2" }))).rejects.toBeInstanceOf(RefusalError);
    expect(effects).toEqual(["get_customer:c-5", "get_customer:c-6"]);
    expect(decisions().map((record) => `${record.event}:${record.decision}:${record.tool}`)).toEqual([
      "call:allow:get_customer", "result:allow:get_customer", "call:allow:get_customer", "result:allow:get_customer",
      ...Array(4).fill("call:deny:delete_customer"),
    ]);
    // The fifth denial in a row halts the session; the copy withConfig makes is still guarded.
    await expect((remove as unknown as Runnable).withConfig({ tags: ["x"] }).invoke({ id: "c-4" })).rejects.toBeInstanceOf(RefusalError);
    expect(effects).toHaveLength(2);
  });

  it("guards a runnable.asTool() tool in LangGraph's ToolNode and keeps its name", async () => {
    const { guard } = await setup();
    const effects: string[] = [];
    const remove = RunnableLambda.from(async (input: { id: string }) => {
      effects.push(`delete_customer:${input.id}`);
      return "deleted";
    }).asTool({ name: "delete_customer", description: "Delete a customer record", schema: z.object({ id: z.string() }) });
    const [guarded] = guardTools([remove], guard);
    expect(guarded?.name).toBe("delete_customer");
    const request = new AIMessage({ content: "", tool_calls: [{ name: "delete_customer", args: { id: "c-9" }, id: "call_no", type: "tool_call" }] });

    const { messages } = (await new ToolNode([guarded!]).invoke({ messages: [request] })) as { messages: ToolMessage[] };

    expect(effects).toEqual([]);
    expect(messages[0]).toMatchObject({ status: "error", tool_call_id: "call_no" });
    expect(String(messages[0]?.content)).toContain("[tool-outside-declaration]");
  });

  it("guards the tools of a createAgent agent that has no middleware", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "delete_customer", args: { id: "c-3" }, id: "call_delete" }])
      .respond(new AIMessage("I may not delete customers."));
    const agent = createAgent({ model, tools: guardTools(crm.all, guard) });

    const result = await agent.invoke({ messages: [new HumanMessage("delete c-3")] }, { configurable: { thread_id: "thread-agent" } });

    expect(crm.effects).toEqual([]);
    const refusal = result.messages.find((message) => ToolMessage.isInstance(message)) as ToolMessage | undefined;
    expect(refusal?.status).toBe("error");
    expect(String(refusal?.content)).toContain("[tool-outside-declaration]");
    expect(decisions()).toMatchObject([{ decision: "deny", tool: "delete_customer", trace: { threadId: "thread-agent", toolCallId: "call_delete" } }]);
  });

  it("decides a tool under the declared server and name the options map it to", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const [lookup] = guardTools([crm.getCustomer], guard, { tools: { get_customer: { server: "crm", name: "list_orders" } } });

    await lookup!.invoke({ id: "c-5" });

    expect(decisions()[0]).toMatchObject({ decision: "allow", server: "crm", tool: "list_orders" });
  });

  it("refuses to guess the server of a tool that two declaration grants allow, and accepts it once mapped", async () => {
    const tools = [
      { server: "crm", allow: ["get_customer", "search"] },
      { server: "kb", allow: ["search"] },
    ];
    const { guard, decisions } = await supportGuard({ declaration: supportDeclaration({ tools }) as never });
    guards.push(guard);
    const crm = supportTools();
    const named = Object.create(crm.getCustomer, { name: { value: "search" } }) as typeof crm.getCustomer;

    expect(() => guardTools([named], guard)).toThrow(/the tool `search` is granted on several servers \(crm, kb\)/);
    const [mapped] = guardTools([named], guard, { tools: { search: "kb" } });
    await mapped!.invoke({ id: "c-1" });
    expect(decisions()[0]).toMatchObject({ decision: "allow", server: "kb", tool: "search" });
  });

  it("refuses at construction a tool mapping without a server, and an entry that is not a tool", async () => {
    const { guard } = await setup();
    const crm = supportTools();
    expect(() => guardTools([crm.getCustomer], guard, { tools: { get_customer: { server: "" } } })).toThrow(/has no server/);
    expect(() => guardTools([{ type: "web_search" } as never], guard)).toThrow(/tools\[0\] is not a LangChain tool/);
  });
});
