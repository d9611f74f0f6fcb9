/** The Streamable HTTP listener in-process: session lifecycle and limits, with the memo server behind it. */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { passThrough } from "../../../adapters/mcp/enforcer.js";
import { listenHttp, type HttpListener } from "../../../adapters/mcp/http.js";
import { createProxy, type Proxy } from "../../../adapters/mcp/proxy.js";
import { connectMemo, createMemoState } from "./fixtures/memo-server.js";
import { connectHttp } from "./processes.js";
import { eventually, textOf } from "./helpers.js";

let proxy: Proxy | undefined;
let listener: HttpListener | undefined;
afterEach(async () => {
  await listener?.close();
  await proxy?.close();
  listener = undefined;
  proxy = undefined;
});

async function serve(options: { maxSessions?: number; sessionIdleMs?: number; bodyTimeoutMs?: number } = {}) {
  const state = createMemoState();
  proxy = createProxy({ upstreams: [{ name: "memo", transport: "in-process", connect: () => connectMemo(state) }], enforcer: passThrough, log: () => undefined });
  listener = await listenHttp(proxy, { port: 0, log: () => undefined, ...options });
  return { state, url: listener.url };
}

describe("listenHttp", () => {
  it("serves each session with its own upstream connection and closes both on DELETE", async () => {
    const { state, url } = await serve();
    const first = await connectHttp(url);
    const second = await connectHttp(url);
    expect(proxy!.sessions.size).toBe(2);
    expect(state.connections).toBe(2);
    expect(textOf(await first.client.callTool({ name: "read_note", arguments: { name: "welcome" } }))).toBe("hello from memo");
    await first.transport.terminateSession();
    await eventually(() => expect(proxy!.sessions.size).toBe(1));
    await eventually(() => expect(state.servers.size).toBe(1));
    await second.close();
  });

  it("answers 404 for an unknown session and 503 past the session limit", async () => {
    const { url } = await serve({ maxSessions: 1 });
    const unknown = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": "nope" }, body: "{}" });
    expect(unknown.status).toBe(404);
    const first = await connectHttp(url);
    await expect(connectHttp(url)).rejects.toThrow(/503|too many sessions/);
    await first.close();
  });

  it("closes sessions that stay idle, with their upstream", async () => {
    const { state, url } = await serve({ sessionIdleMs: 300 });
    const { client } = await connectHttp(url);
    await client.ping();
    // The client's standalone GET stream counts as activity: close it so the session is truly idle.
    await (client.transport as { close(): Promise<void> }).close();
    await eventually(() => expect(proxy!.sessions.size).toBe(0), 5000);
    await eventually(() => expect(state.servers.size).toBe(0));
  });

  it("counts sessions still opening against the limit: initializes sent together cannot pass it", async () => {
    const { url, state } = await serve({ maxSessions: 2 });
    const statuses = await Promise.all(Array.from({ length: 6 }, () => slowInitialize(url, 150)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(2);
    expect(statuses.filter((status) => status === 503)).toHaveLength(4);
    expect(proxy!.sessions.size).toBe(2);
    expect(state.connections).toBe(2);
  });

  it("frees the slot of a request that never sends its body", async () => {
    const { url } = await serve({ maxSessions: 1, bodyTimeoutMs: 100 });
    expect(await slowInitialize(url, undefined)).toBe(0); // dropped without an answer
    const { client, close } = await connectHttp(url);
    await client.ping();
    await close();
  });
});

const INITIALIZE = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });

/** An initialize POST whose body follows its headers after `delayMs` (never, when undefined); settles with the status. */
function slowInitialize(url: string, delayMs: number | undefined): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "content-length": Buffer.byteLength(INITIALIZE) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.flushHeaders();
    if (delayMs !== undefined) setTimeout(() => req.end(INITIALIZE), delayMs);
  });
}
