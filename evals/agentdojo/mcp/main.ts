#!/usr/bin/env node
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { parseArgs } from "../../../adapters/cli/command.js";
import { isGuardError } from "../../../src/errors.js";
import { defaultDataDir, loadAgentDojo } from "../dataset.js";
import { renderEnvironment } from "../environment.js";
import { toolsFor } from "../tools/index.js";
import { serveControl } from "./control.js";
import { createSuiteServer } from "./server.js";

/**
 * `node evals/agentdojo/mcp/main.js --suite banking [--data DIR] [--tasks FILE] [--control SOCKET]`: one AgentDojo
 * suite as an MCP server over stdio, starting from the default environment. With `--control`, the harness can reset
 * and read the state through that Unix socket. Stdout carries only the protocol; diagnostics go to stderr.
 */
const FLAGS = {
  suite: { type: "string", value: "NAME", description: "workspace, travel, banking or slack" },
  data: { type: "string", value: "DIR", description: "AgentDojo data folder (default: $AGENTDOJO_DATA or ../shared/datasets/agentdojo-v1)" },
  tasks: { type: "string", value: "FILE", description: "another task file of the same format" },
  control: { type: "string", value: "SOCKET", description: "Unix socket path for the harness's control channel; a path ending in / is a folder, in which the socket is <pid>.sock" },
} as const;

try {
  const { flags } = parseArgs(process.argv.slice(2), FLAGS);
  if (!flags.suite) throw new Error("--suite is required (workspace, travel, banking or slack)");
  const repoRoot = new URL("../../../", import.meta.url).pathname;
  const data = await loadAgentDojo(flags.data ?? defaultDataDir(repoRoot.endsWith("dist/") ? `${repoRoot}../` : repoRoot, process.env), flags.tasks ? { tasksFile: flags.tasks } : {});
  const tasks = data.suites[flags.suite];
  if (!tasks) throw new Error(`no suite \`${flags.suite}\` in ${data.tasksFile}`);
  const { impl, specs } = toolsFor(flags.suite, tasks, data.tasksFile);
  const env = await data.environment(flags.suite);
  const { server, control } = createSuiteServer(impl, specs, renderEnvironment(env).tree);
  await server.connect(new StdioServerTransport());
  if (flags.control) await serveControl(flags.control.endsWith("/") ? `${flags.control}${process.pid}.sock` : flags.control, control);
} catch (error) {
  process.stderr.write(`agentdojo server: ${isGuardError(error) ? error.describe() : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
