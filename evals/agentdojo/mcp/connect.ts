import { randomBytes } from "node:crypto";
import { readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ControlClient } from "./control.js";
import type { McpEndpoint } from "./path.js";

/** How to start a suite's MCP server as a child process, from sources (through tsx) or from the build. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
const FROM_SOURCE = import.meta.url.endsWith(".ts");

/**
 * Node flags that load tsx for a child started from sources, by absolute URL: the child's working directory (a
 * proxy may start its upstreams elsewhere) must not matter.
 */
export function tsxFlags(): string[] {
  return ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href];
}

/** The repository root (the folder holding package.json and node_modules). */
export function repoRoot(): string {
  return fileURLToPath(new URL(FROM_SOURCE ? "../../../" : "../../../../", import.meta.url));
}

export function suiteServerCommand(options: { suite: string; data: string; tasksFile?: string; control: string }): ServerCommand {
  const built = FROM_SOURCE ? freshBuild() : undefined;
  const entry = built ?? join(HERE, FROM_SOURCE ? "main.ts" : "main.js");
  const args = [
    ...(FROM_SOURCE && !built ? tsxFlags() : []),
    entry,
    "--suite",
    options.suite,
    "--data",
    options.data,
    ...(options.tasksFile ? ["--tasks", options.tasksFile] : []),
    "--control",
    options.control,
  ];
  return { command: process.execPath, args, cwd: repoRoot() };
}

/**
 * From sources, the built server (dist/) starts in half the time of tsx, which matters when a proxy starts one per
 * session; it is used only when it is at least as new as every source file it is built from.
 */
function freshBuild(): string | undefined {
  const root = repoRoot();
  const built = join(root, "dist/evals/agentdojo/mcp/main.js");
  const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs;
  if (builtAt === undefined) return undefined;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return Math.max(max, newest(path));
      return entry.name.endsWith(".ts") ? Math.max(max, statSync(path).mtimeMs) : max;
    }, 0);
  const sources = Math.max(newest(join(root, "evals")), newest(join(root, "src")), newest(join(root, "adapters/cli")));
  return builtAt >= sources ? built : undefined;
}

/** A fresh Unix socket path for one server's control channel. */
export function controlSocketPath(): string {
  return join(tmpdir(), `pg-agentdojo-${process.pid}-${randomBytes(4).toString("hex")}.sock`);
}

/**
 * Starts `command` (a suite server, or a proxy in front of one) over stdio, connects an SDK client to it and the
 * control client to the suite server's socket.
 */
export async function connectStdio(command: ServerCommand, control: string, clientName = "purpose-guard-eval"): Promise<McpEndpoint> {
  const transport = new StdioClientTransport({ command: command.command, args: [...command.args], cwd: command.cwd, stderr: "pipe", env: { ...process.env } as Record<string, string> });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const client = new Client({ name: clientName, version: "1.0.0" });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`cannot start \`${[command.command, ...command.args].join(" ")}\`: ${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  }
  const controlClient = await ControlClient.connect(control).catch((error: unknown) => {
    void client.close();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  });
  return {
    client,
    control: controlClient,
    async close() {
      controlClient.close();
      await client.close();
      rmSync(control, { force: true });
    },
  };
}
