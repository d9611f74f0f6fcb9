import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** The repository root (the folder holding package.json and node_modules). */
export function repoRoot(): string {
  return fileURLToPath(new URL(FROM_SOURCE ? "../../../" : "../../../../", import.meta.url));
}

export function suiteServerCommand(options: { suite: string; data: string; tasksFile?: string; control: string }): ServerCommand {
  const entry = join(HERE, FROM_SOURCE ? "main.ts" : "main.js");
  const args = [
    ...(FROM_SOURCE ? ["--import", "tsx"] : []),
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
