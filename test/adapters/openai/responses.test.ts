import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { guardResponsesFunctions } from "../../../adapters/openai/index.js";
import { loadCassette, startReplayServer, type ReplayServer } from "../../../examples/support/openai-replay-server.js";
import type { Guard } from "../../../src/index.js";
import { supportGuard } from "../support.js";
import { cassette } from "./functions.js";

const open: { guard: Guard; server: ReplayServer }[] = [];
afterEach(async () => {
  for (const { guard, server } of open.splice(0)) await Promise.all([guard.close(), server.close()]);
});

describe("guardResponsesFunctions", () => {
  it("runs the declared function_call, refuses the undeclared one, and sends both outputs back through the real SDK", async () => {
    const { guard, decisions } = await supportGuard();
    const server = await startReplayServer(await loadCassette(cassette("responses-read-and-delete.json")));
    open.push({ guard, server });
    const client = new OpenAI({ apiKey: "sk-replay", baseURL: server.baseURL, maxRetries: 0 });
    const effects: string[] = [];
    const functions = guardResponsesFunctions(
      {
        get_customer: (args) => {
          effects.push(`get_customer:${(args as { id: string }).id}`);
          return { id: "c-42", name: "Ada Lovelace", email: "ada@customer.example", orders: 3 };
        },
        delete_customer: (args) => {
          effects.push(`delete_customer:${(args as { id: string }).id}`);
          return "deleted";
        },
      },
      guard,
    );

    const input: OpenAI.Responses.ResponseInputItem[] = [{ role: "user", content: "Tell me about c-42, then delete them" }];
    let response = await client.responses.create({ model: "gpt-4o-mini", input });
    const outputs = await functions.run(response, { userText: "Tell me about c-42, then delete them" });
    input.push(...(response.output as OpenAI.Responses.ResponseInputItem[]), ...outputs);
    response = await client.responses.create({ model: "gpt-4o-mini", input, previous_response_id: response.id });

    expect(response.output_text).toBe("Ada Lovelace has 3 orders. I cannot delete customer records.");
    expect(effects).toEqual(["get_customer:c-42"]);
    expect(outputs).toHaveLength(2);
    expect(outputs[0]).toMatchObject({ type: "function_call_output", call_id: "call_Rd4sF7gH1jK3lZ9x" });
    expect(JSON.parse(String(outputs[0]!.output))).toMatchObject({ email: "ada@customer.example" });
    expect(outputs[1]).toMatchObject({ type: "function_call_output", call_id: "call_Dl6qW8eR2tY5uI0o" });
    expect(String(outputs[1]!.output)).toContain("[tool-outside-declaration]");

    // The second request carried both outputs to the model.
    const sent = (server.requests[1]!.body["input"] as { type?: string; call_id?: string; output?: string }[]).filter((item) => item.type === "function_call_output");
    expect(sent.map((item) => item.call_id)).toEqual(["call_Rd4sF7gH1jK3lZ9x", "call_Dl6qW8eR2tY5uI0o"]);

    const calls = decisions().filter((record) => record.event === "call");
    expect(calls).toMatchObject([
      { decision: "allow", tool: "get_customer", sessionId: functions.sessionId, trace: { runId: "resp_68f1c0a7e2b4819c9d3e5a0b7c1d2e3f", toolCallId: "call_Rd4sF7gH1jK3lZ9x" } },
      { decision: "deny", tool: "delete_customer", sessionId: functions.sessionId, trace: { toolCallId: "call_Dl6qW8eR2tY5uI0o" } },
    ]);
  });

  it("decides and audits a call of an unknown function, or with arguments that are not JSON, and runs neither", async () => {
    const { guard, decisions } = await supportGuard();
    open.push({ guard, server: await startReplayServer({ interactions: [] }) });
    let ran = 0;
    const functions = guardResponsesFunctions({ get_customer: () => ran++ }, guard);

    const outputs = await functions.run({
      id: "resp_local",
      output: [
        { type: "function_call", call_id: "call_a", name: "wipe_disk", arguments: "{}" },
        { type: "function_call", call_id: "call_b", name: "get_customer", arguments: "{\"id\": " },
      ],
    });

    expect(ran).toBe(0);
    // The undeclared function is refused by the guard; the declared one with broken arguments is allowed, then answered.
    expect(outputs.map((item) => item.output)).toEqual([expect.stringContaining("[tool-outside-declaration]"), expect.stringContaining("not valid JSON")]);
    expect(decisions().map((record) => `${record.event}:${record.decision}:${record.tool}:${record.trace?.toolCallId}`)).toEqual([
      "call:deny:wipe_disk:call_a",
      "call:allow:get_customer:call_b",
    ]);

    // A declared function the helper was not given is decided, then answered with the functions there are.
    const [missing] = await functions.run({ id: "resp_local_2", output: [{ type: "function_call", call_id: "call_c", name: "list_orders", arguments: "{\"customerId\":\"c-1\"}" }] });
    expect(missing!.output).toContain("no function `list_orders`; available: get_customer");
    expect(decisions().at(-1)).toMatchObject({ event: "call", decision: "allow", tool: "list_orders", trace: { toolCallId: "call_c" } });
  });
});
