import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { runSuite } from "../../../evals/agentdojo/driver.js";
import { connectStdio, controlSocketPath, suiteServerCommand } from "../../../evals/agentdojo/mcp/connect.js";
import { mcpPath, type McpEndpoint } from "../../../evals/agentdojo/mcp/path.js";
import { unguardedInProcess } from "../../../evals/agentdojo/run.js";
import { agentdojo, DATA_DIR } from "../data.js";

const data = await agentdojo();

describe("a suite's MCP server over stdio", () => {
  let endpoint: McpEndpoint;
  const control = controlSocketPath();

  beforeAll(async () => {
    endpoint = await connectStdio(suiteServerCommand({ suite: "banking", data: DATA_DIR, control }), control);
  });
  afterAll(async () => {
    await endpoint?.close();
  });

  it("lists the task file's tools with their descriptions, schemas and annotations", async () => {
    const { tools } = await endpoint.client.listTools();
    const specs = data.suites["banking"]!.tools;
    expect(tools.map((tool) => tool.name)).toEqual(specs.map((spec) => spec.name));
    const send = tools.find((tool) => tool.name === "send_money")!;
    expect(send.description).toBe(specs.find((spec) => spec.name === "send_money")!.description);
    expect(Object.keys(send.inputSchema.properties ?? {})).toEqual(["recipient", "amount", "subject", "date"]);
    expect(send.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(tools.find((tool) => tool.name === "get_balance")!.annotations).toMatchObject({ readOnlyHint: true });
  });

  it("changes the server's state on a call, and the control channel sees it and resets it", async () => {
    const before = await endpoint.control.snapshot();
    const result = (await endpoint.client.callTool({ name: "send_money", arguments: { recipient: "GB29NWBK60161331926819", amount: 12, subject: "lunch", date: "2022-04-02" } })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const after = await endpoint.control.snapshot();
    const count = (state: Record<string, unknown>) => ((state["bank_account"] as { transactions: unknown[] }).transactions).length;
    expect(count(after)).toBe(count(before) + 1);
    expect((await endpoint.control.log()).at(-1)).toMatchObject({ tool: "send_money", ok: true });
    await endpoint.control.reset(before);
    expect(count(await endpoint.control.snapshot())).toBe(count(before));
  });

  it("answers a tool's refusal as an error result, not a protocol error", async () => {
    const result = (await endpoint.client.callTool({ name: "read_file", arguments: { file_path: "missing.txt" } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("missing.txt") });
  });
});

describe("the driver over MCP", () => {
  it("judges the same pairs as in-process (same tools, same effects)", async () => {
    const control = controlSocketPath();
    const path = mcpPath("mcp", { connect: () => connectStdio(suiteServerCommand({ suite: "slack", data: DATA_DIR, control }), control) });
    const options = { userTasks: ["user_task_7", "user_task_11"] };
    const viaMcp = await runSuite(data, "slack", path, options);
    await path.close();
    const inProcess = await runSuite(data, "slack", unguardedInProcess(data, "slack"), options);
    const summary = (run: typeof viaMcp) => run.pairs.map((p) => [p.userTask, p.injectionTask, p.attack.succeeded, p.utility.holds, p.records.map((r) => r.ok)]);
    expect(summary(viaMcp)).toEqual(summary(inProcess));
    expect(viaMcp.pairs).toHaveLength(10);
  });
});
