import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ControlClient } from "../agentdojo/mcp/control.js";
import { repoRoot, tsxFlags } from "../agentdojo/mcp/connect.js";
import type { Category, Scenario } from "./scenario.js";
import type { StepResult } from "./run.js";

/**
 * Scenarios that need the MCP proxy (what tools/list shows, pinned descriptions) run through a real
 * `purpose-guard proxy` over stdio, in front of the category's servers started from their data
 * (evals/suites/server.ts). Each scenario gets its own proxy, so pins start from first sight.
 */

const VERDICT_META = "purpose-guard/verdict";
const FROM_SOURCE = import.meta.url.endsWith(".ts");

export async function runThroughProxy(category: Category, scenario: Scenario): Promise<StepResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "pg-scenario-"));
  const root = repoRoot();
  const servers = [...new Set(category.tools.map((tool) => tool.server))];
  writeFileSync(join(dir, "declaration.json"), JSON.stringify(category.declaration));
  writeFileSync(join(dir, "tools.json"), JSON.stringify({ tools: category.tools, environment: category.environment }));
  const node = (script: string) => (FROM_SOURCE ? [...tsxFlags(), join(root, `${script}.ts`)] : [join(root, "dist", `${script}.js`)]);
  const serverArgs = (server: string) => {
    mkdirSync(join(dir, "control", server), { recursive: true });
    return [...node("evals/suites/server"), "--tools", join(dir, "tools.json"), "--server", server, "--control", `${join(dir, "control", server)}/`];
  };
  const runtime = { ...category.runtime, ...scenario.runtime };
  const common = [
    "proxy",
    "--declaration",
    join(dir, "declaration.json"),
    ...category.policyFiles.flatMap((file) => ["--policies", file]),
    "--at",
    new Date(Date.parse(scenario.clock ?? category.clock)).toISOString(),
    "--audit",
    join(dir, "audit.jsonl"),
    ...(["environment", "region", "account", "tenant"] as const).flatMap((key) => (runtime[key] ? [`--${key}`, runtime[key]!] : [])),
  ];
  let args: string[];
  if (servers.length === 1) {
    args = [...node("adapters/cli/main"), ...common, "--name", servers[0]!, "--", process.execPath, ...serverArgs(servers[0]!)];
  } else {
    const config = ["servers:", ...servers.flatMap((server) => [`  ${server}:`, `    command: ${JSON.stringify(process.execPath)}`, `    args: ${JSON.stringify(serverArgs(server))}`])].join("\n");
    writeFileSync(join(dir, "purpose-guard.yaml"), `${config}\n`);
    args = [...node("adapters/cli/main"), ...common, "--config", join(dir, "purpose-guard.yaml")];
  }
  // Tool names as the proxy shows them: unprefixed for one server, SERVER__TOOL when it aggregates several.
  const shown = (ref: string) => {
    const [server, tool] = ref.includes("/") ? (ref.split("/", 2) as [string, string]) : [category.tools.find((t) => t.name === ref)?.server ?? servers[0]!, ref];
    return servers.length === 1 ? tool : `${server}__${tool}`;
  };
  const transport = new StdioClientTransport({ command: process.execPath, args, cwd: root, stderr: "pipe", env: { ...process.env } as Record<string, string> });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-4000)));
  const client = new Client({ name: "purpose-guard-scenarios", version: "1.0.0" });
  const results: StepResult[] = [];
  try {
    await client.connect(transport).catch((error: unknown) => {
      throw new Error(`purpose-guard proxy did not start: ${error instanceof Error ? error.message : String(error)}\n${stderr}`);
    });
    for (const [index, step] of scenario.steps.entries()) {
      if ("listTools" in step) {
        const names = new Set((await client.listTools()).tools.map((tool) => tool.name));
        const missing = step.listTools.visible.filter((ref) => !names.has(shown(ref)));
        const leaked = step.listTools.hidden.filter((ref) => names.has(shown(ref)));
        results.push({
          step: index,
          what: "tools/list",
          expected: `shows ${step.listTools.visible.join(", ") || "-"}; hides ${step.listTools.hidden.join(", ") || "-"}`,
          actual: `shows ${[...names].join(", ") || "nothing"}`,
          ok: missing.length === 0 && leaked.length === 0,
        });
      } else if ("mutateTool" in step) {
        const control = await controlOf(join(dir, "control", step.mutateTool.server));
        await control.mutate({ name: step.mutateTool.name, ...(step.mutateTool.description !== undefined ? { description: step.mutateTool.description } : {}), ...(step.mutateTool.inputSchema ? { inputSchema: step.mutateTool.inputSchema as never } : {}) });
        control.close();
        // Let the list_changed notification reach the proxy before the next step.
        await new Promise((resolve) => setTimeout(resolve, 300));
        results.push({ step: index, what: `change ${step.mutateTool.server}/${step.mutateTool.name}`, expected: "-", actual: "-", ok: true });
      } else if ("call" in step) {
        const result = (await client.callTool({ name: shown(`${step.call.server}/${step.call.tool}`), arguments: step.call.args })) as CallToolResult;
        const meta = (result._meta as Record<string, unknown> | undefined)?.[VERDICT_META] as { decision?: string; policyIds?: string[] } | undefined;
        const decision = meta?.decision ?? "allow";
        const forwarded = decision === "allow" || decision === "redact";
        const ok = step.expect === "forwarded" ? forwarded : step.expect === "stopped" ? !forwarded : step.expect === decision;
        const policyOk = step.policy === undefined || (meta?.policyIds ?? []).includes(step.policy);
        results.push({ step: index, what: `${step.call.server}/${step.call.tool} via the proxy`, expected: step.expect, actual: decision, ok: ok && policyOk, policyIds: meta?.policyIds ?? [] });
      } else {
        results.push({ step: index, what: "clock or deploy gate", expected: "a step the proxy path supports", actual: "not supported through the proxy", ok: false });
      }
    }
  } finally {
    await client.close();
  }
  return results;
}

async function controlOf(dir: string): Promise<ControlClient> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const socket = readdirSync(dir).find((name) => name.endsWith(".sock"));
    if (socket) return ControlClient.connect(join(dir, socket));
    if (Date.now() > deadline) throw new Error(`no scenario server opened a control socket in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
