/**
 * An upstream over Streamable HTTP: server-everything in its HTTP mode behind the proxy (named in a config file by
 * URL), with the real SDK client over stdio; and what happens when that server restarts and forgets our session.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AT, EVERYTHING_SERVER, REPO, connectStdioProxy, testDeclaration, workspace, type Workspace } from "./processes.js";
import { eventually, textOf } from "./helpers.js";

let ws: Workspace;
let port: number;
let server: ChildProcess | undefined;

async function startEverything(): Promise<void> {
  const child = spawn(process.execPath, [EVERYTHING_SERVER, "streamableHttp"], { cwd: REPO, env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  server = child;
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (/listening on port/i.test(seen)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server-everything exited with ${code}: ${seen}`)));
  });
}

async function stopEverything(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

beforeAll(async () => {
  ws = await workspace();
  port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  await startEverything();
});

afterAll(async () => {
  await stopEverything();
  await ws.remove();
});

describe("purpose-guard proxy with a Streamable HTTP upstream", () => {
  it("relays calls and progress, and starts a new upstream session after the server restarts", async () => {
    const declaration = await ws.declaration(testDeclaration({ tools: [{ server: "everything", allow: ["echo", "trigger-long-running-operation"], intent: "read" }] }));
    const config = await ws.file("purpose-guard.yaml", [
      `declaration: ${declaration}`,
      "servers:",
      "  everything:",
      `    url: http://127.0.0.1:${port}/mcp`,
      "restart: { initialDelayMs: 100, maxDelayMs: 500 }",
    ].join("\n"));
    const connection = await connectStdioProxy(["--config", config, "--environment", "test", "--at", AT, "--audit", "stderr"]);
    const { client } = connection;
    try {
      expect(textOf(await client.callTool({ name: "echo", arguments: { message: "over http" } }))).toBe("Echo: over http");
      const progress: number[] = [];
      await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.2, steps: 2 } }, undefined, { onprogress: (update) => void progress.push(update.progress) });
      expect(progress).toEqual([1, 2]);

      await stopEverything();
      await expect(client.callTool({ name: "echo", arguments: { message: "while down" } })).rejects.toThrow(
        // Refused when the port is closed, or "other side closed" when a kept-alive socket is cut as the server stops.
        /cannot send `tools\/call` to upstream `everything`: .*(ECONNREFUSED|other side closed|ECONNRESET)/,
      );
      await startEverything();
      await eventually(async () => {
        expect(textOf(await client.callTool({ name: "echo", arguments: { message: "after restart" } }))).toBe("Echo: after restart");
      }, 15_000);
      expect(connection.stderr.join("\n")).toMatch(/upstream `everything` lost our session \(HTTP 40[04]\)/);
    } finally {
      await connection.close();
    }
  });
});
