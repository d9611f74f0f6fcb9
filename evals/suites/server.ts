#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { parseArgs } from "../../adapters/cli/command.js";
import type { JsonObject } from "../agentdojo/dataset.js";
import { serveControl } from "../agentdojo/mcp/control.js";
import { scenarioTools } from "./tools.js";
import type { ToolDef } from "./scenario.js";

/**
 * One server of a scenario category as a real MCP server over stdio, for the scenarios that run through
 * `purpose-guard proxy`: `node server.js --tools FILE --server NAME --control DIR/`. FILE holds the category's tool
 * definitions and environment as JSON. The control channel can change a tool's description or schema (a rug pull),
 * after which the server announces `notifications/tools/list_changed`.
 */
const FLAGS = {
  tools: { type: "string", value: "FILE", description: "JSON with `tools` and `environment`" },
  server: { type: "string", value: "NAME", description: "which server of the file to serve" },
  control: { type: "string", value: "DIR/", description: "folder for the control socket (<pid>.sock)" },
} as const;

const { flags } = parseArgs(process.argv.slice(2), FLAGS);
if (!flags.tools || !flags.server) {
  process.stderr.write("scenario server: --tools FILE and --server NAME are required\n");
  process.exit(2);
}
const spec = JSON.parse(readFileSync(flags.tools, "utf8")) as { tools: ToolDef[]; environment: JsonObject };
const defs = spec.tools.filter((tool) => tool.server === flags.server).map((tool) => ({ ...tool }));
let tools = scenarioTools(defs, spec.environment);

const server = new Server({ name: `scenario-${flags.server}`, version: "1.0.0" }, { capabilities: { tools: { listChanged: true } } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: defs.map((def): Tool => ({ name: def.name, description: def.description, inputSchema: { ...def.inputSchema, type: "object" } as Tool["inputSchema"], ...(def.annotations ? { annotations: def.annotations } : {}) })),
}));
server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
  const outcome = tools.call(flags.server!, request.params.name, (request.params.arguments ?? {}) as JsonObject);
  const text = typeof outcome.value === "string" ? outcome.value : JSON.stringify(outcome.value);
  return outcome.ok ? { content: [{ type: "text", text }] } : { isError: true, content: [{ type: "text", text }] };
});
await server.connect(new StdioServerTransport());

if (flags.control) {
  await serveControl(`${flags.control}${process.pid}.sock`, {
    reset(tree) {
      tools = scenarioTools(defs, tree);
    },
    mutate(change) {
      const def = defs.find((tool) => tool.name === change.name);
      if (!def) throw new Error(`no tool \`${change.name}\` on server \`${flags.server}\``);
      if (change.description !== undefined) def.description = change.description;
      if (change.inputSchema !== undefined) def.inputSchema = change.inputSchema;
      void server.sendToolListChanged();
    },
    snapshot: () => structuredClone(tools.state),
    log: () => [],
  });
}
