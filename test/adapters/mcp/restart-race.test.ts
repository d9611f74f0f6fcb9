/** An upstream started again by the client while its restart timer runs: one connection survives, none is orphaned. */
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { afterEach, expect, it } from "vitest";
import { passThrough } from "../../../adapters/mcp/enforcer.js";
import { createProxy, type Proxy } from "../../../adapters/mcp/proxy.js";
import { quiet, type Raw } from "./fixtures/scripted.js";

const proxies: Proxy[] = [];
afterEach(async () => { await Promise.all(proxies.splice(0).map((p) => p.close())); });

it("leaves no connection open after a retried initialize raced the restart timer", { timeout: 20_000 }, async () => {
  let connects = 0;
  const open = new Set<number>();
  const logs: string[] = [];
  const connect = async (): Promise<Transport> => {
    const n = ++connects;
    if (n === 1) throw new Error("first start fails");
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    open.add(n);
    serverSide.onclose = () => open.delete(n);
    serverSide.onmessage = async (m: Raw) => {
      if (m.method === "initialize") {
        await new Promise((r) => setTimeout(r, 800)); // a server that takes a while to start
        await serverSide.send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name: `s${n}`, version: "1" } } } as never).catch(() => undefined);
      } else if (m.method === "tools/list") {
        await serverSide.send({ jsonrpc: "2.0", id: m.id, result: { tools: [] } } as never);
      }
    };
    await serverSide.start();
    return clientSide;
  };
  const proxy = createProxy({
    upstreams: [{ name: "up", transport: "in-process", connect }],
    enforcer: passThrough, log: (l) => logs.push(l),
    upstream: { restart: { initialDelayMs: 300, maxDelayMs: 300, stableAfterMs: 60_000 } },
  });
  proxies.push(proxy);
  const [c, s] = InMemoryTransport.createLinkedPair();
  const session = await proxy.connect(s);
  const got: Raw[] = [];
  c.onmessage = (m) => got.push(m);
  await c.start();
  const init = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "c", version: "1" } };
  await c.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: init } as never);
  await quiet(50);
  // The client retries at once; the restart timer (300 ms) fires while this start (800 ms) runs.
  await c.send({ jsonrpc: "2.0", id: 2, method: "initialize", params: init } as never);
  await quiet(3000);
  const up = session.upstreams[0]!;
  await c.send({ jsonrpc: "2.0", id: 3, method: "ping" } as never);
  await quiet(50);
  await session.close();
  await quiet(50);
  expect(got.find((m) => m.id === 2)?.result).toBeDefined();
  expect(open.size).toBe(0);
});
