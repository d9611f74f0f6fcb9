import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { JsonObject, ToolSpec } from "../dataset.js";
import { annotationsFor } from "../tools/annotations.js";
import { invoke, type SuiteState, type SuiteTools } from "../tools/index.js";
import type { ControlHandler, ServedCall } from "./control.js";

/**
 * A suite's tools as a real MCP server: `tools/list` publishes the task file's names, descriptions and parameter
 * schemas; `tools/call` runs our implementation on the server's state. A tool's refusal is a result with
 * `isError: true`, as MCP wants. The returned handler is the harness's control over the state (see control.ts).
 */
export function createSuiteServer(tools: SuiteTools, specs: readonly ToolSpec[], initial: JsonObject): { server: Server; control: ControlHandler } {
  let state: SuiteState = tools.init(initial);
  let served: ServedCall[] = [];
  const listed: Tool[] = specs.map((spec) => ({
    name: spec.name,
    description: spec.description,
    inputSchema: { ...spec.parameters, type: "object" } as Tool["inputSchema"],
    annotations: annotationsFor(spec.name),
  }));
  const names = new Set(specs.map((spec) => spec.name));

  const server = new Server({ name: `agentdojo-${tools.suite}`, version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    if (!names.has(name)) return { isError: true, content: [{ type: "text", text: `unknown tool \`${name}\`` }] };
    const outcome = invoke(tools, state, name, args ?? {});
    served.push({ tool: name, ok: outcome.ok, created: outcome.created });
    if (!outcome.ok) return { isError: true, content: [{ type: "text", text: String((outcome.value as JsonObject)["error"]) }] };
    const text = typeof outcome.value === "string" ? outcome.value : JSON.stringify(outcome.value, null, 2);
    return { content: [{ type: "text", text }] };
  });

  const control: ControlHandler = {
    reset(tree) {
      state = tools.init(tree);
      served = [];
    },
    snapshot: () => structuredClone(state.data),
    log: () => served,
  };
  return { server, control };
}
