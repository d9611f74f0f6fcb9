import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { loadDeclarationFile } from "../../src/declare/load.js";
import { GuardError } from "../../src/errors.js";
import type { Decision } from "../../src/model/verdict.js";
import type { AgentDojoData } from "./dataset.js";
import type { Deployment } from "./deployment.js";
import { ControlClient } from "./mcp/control.js";
import { repoRoot, suiteServerCommand, tsxFlags } from "./mcp/connect.js";
import { mcpPath, type McpEndpoint } from "./mcp/path.js";
import type { SuitePaths } from "./run.js";

/**
 * The proxy path: the suite's MCP server behind `purpose-guard proxy`, as a user deploys it. One proxy per suite
 * listens on Streamable HTTP on a loopback port; each session (one utility run or one pair) is a fresh MCP session,
 * so the guard's per-session state (flows, counters, approvals) never leaks from one pair into the next. Nobody
 * answers approvals (the client has no elicitation), so an `ask` stops the call, as in the in-process path.
 */

/** The `_meta` key under which the proxy's refusals carry the decision. */
const VERDICT_META = "purpose-guard/verdict";

const FROM_SOURCE = import.meta.url.endsWith(".ts");

export async function proxiedPath(data: AgentDojoData, suite: string, deployment: Deployment, options: { readonly auditDir?: string }): Promise<SuitePaths> {
  const loaded = await loadDeclarationFile(deployment.declaration);
  // Each upstream the proxy starts (one per MCP session) opens <pid>.sock in this folder.
  const controlDir = `${mkdtempSync(join(tmpdir(), "pg-ctl-"))}/`;
  const server = suiteServerCommand({ suite, data: data.dir, tasksFile: data.tasksFile, control: controlDir });
  const port = await freePort();
  const root = repoRoot();
  const cli = FROM_SOURCE ? [...tsxFlags(), join(root, "adapters/cli/main.ts")] : [join(root, "dist/adapters/cli/main.js")];
  const audit = options.auditDir ? join(options.auditDir, `${suite}-proxy.jsonl`) : join(mkdtempSync(join(tmpdir(), "pg-eval-audit-")), `${suite}.jsonl`);
  const args = [
    ...cli,
    "proxy",
    "--declaration",
    deployment.declaration,
    ...deployment.policies.flatMap((policy) => ["--policies", policy]),
    "--name",
    suite,
    "--listen",
    `127.0.0.1:${port}`,
    "--at",
    new Date(deployment.clockStart).toISOString(),
    "--audit",
    audit,
    ...(["environment", "region", "account", "tenant"] as const).flatMap((key) => (deployment.runtime[key] ? [`--${key}`, deployment.runtime[key]!] : [])),
    "--",
    server.command,
    ...server.args,
  ];
  const proxy = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"], env: process.env });
  let stderr = "";
  proxy.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-8000);
  });
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  try {
    await waitForHttp(url, proxy, () => stderr);
  } catch (error) {
    proxy.kill();
    throw error;
  }
  // The proxy starts an upstream per MCP session: each session reaches its own fresh suite server, found by the
  // control socket it opens in the folder (named by its process id).
  const seen = new Set<number>();
  const connect = async (): Promise<McpEndpoint> => {
    const transport = new StreamableHTTPClientTransport(url);
    const client = new Client({ name: "purpose-guard-eval", version: "1.0.0" });
    await client.connect(transport);
    await client.listTools();
    const controlClient = await freshControl(controlDir, seen, () => stderr);
    return {
      client,
      control: controlClient,
      async close() {
        controlClient.close();
        // Ending the MCP session ends the guard's session, and its upstream, in the proxy.
        await transport.terminateSession().catch(() => undefined);
        await client.close();
      },
    };
  };
  const path = mcpPath("proxy", { connect, perSession: true, interpret });
  return {
    path: {
      name: path.name,
      run: (spec) => path.run(spec),
      async close() {
        await path.close();
        await stop(proxy);
      },
    },
    declaration: { id: loaded.declaration.id, version: loaded.declaration.version, digest: loaded.digest, file: deployment.declaration },
  };
}

/** Connects to the control socket of an upstream not seen before (the one this session started). */
async function freshControl(dir: string, seen: Set<number>, stderr: () => string, timeoutMs = 20_000): Promise<ControlClient> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = readdirSync(dir).map((name) => Number.parseInt(name, 10)).filter((pid) => Number.isInteger(pid) && !seen.has(pid));
    for (const pid of fresh) {
      const client = await ControlClient.connect(`${dir}${pid}.sock`, 2000).catch(() => undefined);
      if (client && (await client.hello().catch(() => -1)) === pid) {
        seen.add(pid);
        return client;
      }
      client?.close();
    }
    if (Date.now() > deadline) throw new Error(`no fresh suite server opened a control socket in ${dir} within ${timeoutMs / 1000} s\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function interpret(result: CallToolResult): { decision: Decision; policyIds: readonly string[]; message: string } {
  const meta = (result._meta as Record<string, unknown> | undefined)?.[VERDICT_META] as { decision?: Decision; policyIds?: string[] } | undefined;
  const message = (result.content ?? []).map((part) => (part.type === "text" ? part.text : "")).join("\n");
  return { decision: meta?.decision ?? "deny", policyIds: meta?.policyIds ?? [], message };
}

async function waitForHttp(url: URL, proxy: ChildProcess, stderr: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proxy.exitCode !== null) {
      throw new GuardError("CONFIG_INVALID", `purpose-guard proxy exited with code ${proxy.exitCode} before listening`, { issues: [{ message: stderr().trim().split("\n").slice(-6).join("\n"), fix: "check the suite's declaration and deployment (evals/agentdojo/declarations)" }] });
    }
    const up = await fetch(url, { method: "GET", headers: { accept: "text/event-stream" } }).then(
      () => true,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`purpose-guard proxy did not listen on ${url.href} within ${timeoutMs / 1000} s:\n${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
