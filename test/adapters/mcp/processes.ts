/** Real processes for integration tests: the `purpose-guard proxy` CLI, and MCP servers from npm. */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { stringify } from "yaml";
import type { Declaration } from "../../../src/model/declaration.js";
import { createTestClient } from "./helpers.js";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const CLI = join(REPO, "adapters/cli/main.ts");
const require = createRequire(import.meta.url);
export const FILESYSTEM_SERVER = require.resolve("@modelcontextprotocol/server-filesystem/dist/index.js");
export const EVERYTHING_SERVER = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");
export const MEMO_STDIO = join(REPO, "test/adapters/mcp/fixtures/memo-stdio.ts");

/** The instant the test declarations are decided at (`--at`), inside their lifespan. */
export const AT = "2026-11-15T12:00:00Z";

export function testDeclaration(overrides: Partial<Declaration> & Pick<Declaration, "tools">): Declaration {
  return {
    apiVersion: "purpose-guard/v1",
    kind: "Declaration",
    id: "integration-test",
    version: 1,
    agent: "test-agent",
    use: { id: "integration", description: "Exercise the proxy against real MCP servers in tests" },
    dataScope: { read: ["pii.email", "pii.name"], write: [] },
    bounds: { environment: "test" },
    lifespan: { issuedAt: "2026-11-01T00:00:00Z", expiresAt: "2026-12-01T00:00:00Z" },
    ...overrides,
  };
}

export interface Workspace {
  readonly dir: string;
  file(name: string, content: string): Promise<string>;
  declaration(declaration: Declaration, name?: string): Promise<string>;
  remove(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), "pg-mcp-it-"));
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
  return {
    dir,
    file,
    declaration: (declaration, name = "declaration.yaml") => file(name, stringify(declaration)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Arguments that run the CLI under tsx. */
export function cliArgs(command: string, args: readonly string[]): string[] {
  return ["--import", "tsx", CLI, command, ...args];
}

/** A real SDK client talking to `purpose-guard proxy ARGS` over the proxy's stdio. */
export async function connectStdioProxy(args: readonly string[], clientOptions: Parameters<typeof createTestClient>[0] = {}, env: Record<string, string> = {}) {
  const stderr: string[] = [];
  const transport = new StdioClientTransport({ command: process.execPath, args: cliArgs("proxy", args), cwd: REPO, stderr: "pipe", env: { ...getDefaultEnvironment(), ...env } });
  transport.stderr?.on("data", (chunk: Buffer) => stderr.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
  const { client, log } = createTestClient(clientOptions);
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`proxy did not start: ${String(error)}\n${stderr.join("\n")}`);
  }
  return { client, log, stderr, close: () => client.close() };
}

export interface HttpProxy {
  readonly url: string;
  readonly child: ChildProcess;
  readonly stderr: string[];
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `purpose-guard proxy ARGS --listen 127.0.0.1:0` and waits for it to say where it listens. */
export async function startHttpProxy(args: readonly string[]): Promise<HttpProxy> {
  const child = spawn(process.execPath, cliArgs("proxy", [...args.slice(0, args.indexOf("--") === -1 ? args.length : args.indexOf("--")), "--listen", "127.0.0.1:0", ...(args.includes("--") ? args.slice(args.indexOf("--")) : [])]), {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not listen within 20 s:\n${stderr.join("\n")}`)), 20_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        stderr.push(line);
        const match = /listening on (\S+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`proxy exited with ${code}:\n${stderr.join("\n")}`));
    });
  });
  return {
    url,
    child,
    stderr,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** A real SDK client over Streamable HTTP. */
export async function connectHttp(url: string, clientOptions: Parameters<typeof createTestClient>[0] = {}, headers?: Record<string, string>) {
  const { client, log } = createTestClient(clientOptions);
  const transport = new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : undefined);
  await client.connect(transport);
  return { client, log, transport, close: () => client.close() };
}
