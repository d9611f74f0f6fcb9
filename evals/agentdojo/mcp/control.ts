import { rmSync } from "node:fs";
import { createConnection, createServer, type Server as NetServer, type Socket } from "node:net";
import type { JsonObject } from "../dataset.js";

/**
 * The harness's side channel to a suite's MCP server: reset the environment before a session, read the state after
 * it, and read which calls reached the tools. It is a Unix socket speaking one JSON object per line, so the MCP
 * channel itself (and the proxy in front of it) carries nothing but the protocol.
 */

export type ControlRequest =
  | { readonly op: "hello" }
  | { readonly op: "reset"; readonly tree: JsonObject }
  | { readonly op: "snapshot" }
  | { readonly op: "log" }
  | { readonly op: "mutate"; readonly change: ToolChange };

/** A change to a served tool's definition (a rug pull, in scenarios). */
export interface ToolChange {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema?: JsonObject;
}

/** One tools/call the server received since the last reset. */
export interface ServedCall {
  readonly tool: string;
  readonly ok: boolean;
  readonly created: readonly string[];
}

export interface ControlHandler {
  reset(tree: JsonObject): void;
  snapshot(): JsonObject;
  log(): readonly ServedCall[];
  /** Servers whose tools may change answer this; others refuse the op. */
  mutate?(change: ToolChange): void;
}

/**
 * Listens on `path`. A socket file left by an instance that has exited is removed; one still served by a live
 * instance (a proxy replacing its upstream) is waited for, up to `waitMs`. The file is removed when this process exits.
 */
export async function serveControl(path: string, handler: ControlHandler, waitMs = 15_000): Promise<NetServer> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const server = await listenOnce(path, handler);
      process.once("exit", () => rmSync(path, { force: true }));
      return server;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || Date.now() > deadline) throw error;
      if (!(await isLive(path))) rmSync(path, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path, () => {
      probe.end();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

function listenOnce(path: string, handler: ControlHandler): Promise<NetServer> {
  const server = createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        socket.write(`${JSON.stringify(answer(handler, line))}\n`);
        newline = buffer.indexOf("\n");
      }
    });
    socket.on("error", () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve(server));
  });
}

function answer(handler: ControlHandler, line: string): JsonObject {
  try {
    const request = JSON.parse(line) as ControlRequest;
    switch (request.op) {
      case "hello":
        return { ok: true, pid: process.pid };
      case "reset":
        handler.reset(request.tree);
        return { ok: true };
      case "snapshot":
        return { ok: true, data: handler.snapshot() };
      case "log":
        return { ok: true, calls: handler.log() as unknown as JsonObject[] };
      case "mutate":
        if (!handler.mutate) return { ok: false, error: "this server's tools cannot change" };
        handler.mutate(request.change);
        return { ok: true };
      default:
        return { ok: false, error: `unknown op \`${String((request as { op?: unknown }).op)}\`` };
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The harness's end: one request at a time, in order. */
export class ControlClient {
  private buffer = "";
  private readonly waiting: ((line: string) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let newline = this.buffer.indexOf("\n");
      while (newline !== -1) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.waiting.shift()?.(line);
        newline = this.buffer.indexOf("\n");
      }
    });
  }

  /** Connects, retrying while the server process starts. */
  static async connect(path: string, timeoutMs = 15_000): Promise<ControlClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path, () => resolve(s));
          s.once("error", reject);
        });
        return new ControlClient(socket);
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`cannot reach the suite server's control socket \`${path}\`: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private request(body: ControlRequest): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        const reply = JSON.parse(line) as JsonObject;
        if (reply["ok"] === true) resolve(reply);
        else reject(new Error(`suite server: ${String(reply["error"])}`));
      });
      this.socket.write(`${JSON.stringify(body)}\n`);
    });
  }

  /** The serving process's id: tells a fresh upstream from the one before it. */
  async hello(): Promise<number> {
    return Number((await this.request({ op: "hello" }))["pid"]);
  }

  async reset(tree: JsonObject): Promise<void> {
    await this.request({ op: "reset", tree });
  }

  async mutate(change: ToolChange): Promise<void> {
    await this.request({ op: "mutate", change });
  }

  async snapshot(): Promise<JsonObject> {
    return (await this.request({ op: "snapshot" }))["data"] as JsonObject;
  }

  async log(): Promise<ServedCall[]> {
    return (await this.request({ op: "log" }))["calls"] as unknown as ServedCall[];
  }

  close(): void {
    this.socket.end();
  }
}
