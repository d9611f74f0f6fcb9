/**
 * The proxy's boundary against a hostile server and client (found by a review of the fixes that checked server data
 * outside results and built forwarded requests from decided fields): what still crossed unchecked.
 */
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterEach, describe, expect, it } from "vitest";
import { createGuard } from "../../../src/guard.js";
import { createMemorySink } from "../../../src/audit/memory-sink.js";
import type { Declaration } from "../../../src/model/declaration.js";
import { guardedEnforcer } from "../../../adapters/mcp/guarded.js";
import { createProxy, type Proxy } from "../../../adapters/mcp/proxy.js";
import { quiet, rawClient, scriptedUpstream, type Raw, type Script } from "./fixtures/scripted.js";

const NOW = Date.parse("2026-11-15T12:00:00Z");
const AWS_KEY = "AKIAQ3EGRA7SYXWJHT4N";
const CARD_NUM = 4111111111111111;

function declaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    apiVersion: "purpose-guard/v1", kind: "Declaration", id: "notes-reader", version: 1, agent: "notes-assistant",
    use: { id: "notes-help", description: "Read the user's notes and summarize them on request" },
    dataScope: { read: ["pii.email", "pii.name"], write: [] },
    tools: [
      { server: "up", allow: ["read_note", "resources/read", "prompts/get"], intent: "read" },
      { server: "up", allow: ["send_mail"], intent: "egress" },
    ],
    egress: { allow: ["*@example.com"] },
    bounds: { environment: "test" },
    lifespan: { issuedAt: "2026-11-01T00:00:00Z", expiresAt: "2026-12-01T00:00:00Z" },
    ...overrides,
  };
}

const proxies: Proxy[] = [];
afterEach(async () => { await Promise.all(proxies.splice(0).map((p) => p.close())); });

async function boundary(script?: Script, decl?: Declaration) {
  const audit = createMemorySink();
  const guard = await createGuard({ declaration: decl ?? declaration(), audit: [audit], runtime: { environment: "test" }, clock: () => NOW });
  const upstream = scriptedUpstream(script);
  const proxy = createProxy({ upstreams: [{ name: "up", transport: "in-process", connect: () => upstream.connect() }], enforcer: guardedEnforcer(guard, { undeclared: "hide" }), log: () => undefined });
  proxies.push(proxy);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await proxy.connect(serverSide);
  const client = await rawClient(clientSide);
  return { client, upstream, audit, received: (m: string) => upstream.received.filter((x: Raw) => x.method === m) };
}

describe("server -> client leaks", () => {
  it("checks progress that carries more than its token and small counts: a secret as a key, a card number as a count", async () => {
    const { client } = await boundary(async (message, up) => {
      if (message.method === "tools/call") {
        const token = message.params._meta.progressToken;
        await up.send({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: token, progress: CARD_NUM, [AWS_KEY]: 1 } });
        // control: the same data in the result is redacted
        return { result: { content: [{ type: "text", text: `${AWS_KEY} ${CARD_NUM}` }] } };
      }
      return undefined;
    });
    const answer = await client.request("tools/call", { name: "read_note", arguments: {}, _meta: { progressToken: "p" } });
    const progress = client.received.find((m: Raw) => m.method === "notifications/progress");
    expect(JSON.stringify(answer.result)).not.toContain(AWS_KEY);
    expect(JSON.stringify(progress?.params ?? {})).not.toContain(AWS_KEY);
    expect(progress?.params.progress).not.toBe(CARD_NUM);
  });

  it("passes a server's name and version and the capabilities MCP defines, nothing else of its initialize answer", async () => {
    const { client } = await boundary(async (message) => {
      if (message.method === "initialize") return { result: { protocolVersion: "2025-06-18",
        capabilities: { tools: {}, experimental: { note: `key ${AWS_KEY}` } },
        serverInfo: { name: "s", version: "1", title: `title ${AWS_KEY}`, description: `card ${CARD_NUM}`, extra: AWS_KEY },
        instructions: `use ${AWS_KEY}` } };
      return undefined;
    });
    const init = client.received.find((m: Raw) => m.id === 1 && m.result);
    expect(init.result.instructions).toBeUndefined(); // checked and dropped (initialize not granted)
    expect(init.result.serverInfo).toEqual({ name: "s", version: "1" });
    expect(init.result.capabilities).toEqual({ tools: { listChanged: true } });
  });
});

describe("client -> server without verdict", () => {
  it("does not forward an unsubscribe from a resource this client never subscribed to", async () => {
    const decl = declaration({ tools: [{ server: "up", allow: ["read_note"], intent: "read" }] });
    const { client, received, audit } = await boundary(undefined, decl);
    const before = audit.records.length;
    const answer = await client.request("resources/unsubscribe", { uri: `note://x?leak=${AWS_KEY}` });
    expect(answer.result).toEqual({});
    expect(received("resources/unsubscribe")).toHaveLength(0);
    expect(audit.records.length).toBe(before);
  });

  it("forwards only the log levels MCP defines", async () => {
    const { client, received } = await boundary();
    const refused = await client.request("logging/setLevel", { level: `debug ${AWS_KEY}` });
    expect(refused.error.code).toBe(-32602);
    expect(received("logging/setLevel")).toHaveLength(0);
  });

  it("passes back only a list cursor the server handed out (single server)", async () => {
    const { client, received } = await boundary();
    const refused = await client.request("resources/list", { cursor: `c ${AWS_KEY}` });
    expect(refused.error.code).toBe(-32602);
    expect(received("resources/list").some((m: Raw) => String(m.params?.cursor).includes(AWS_KEY))).toBe(false);
  });

  it("tells servers the client's protocol version, capability flags, name and version, and nothing else", async () => {
    const guard = await createGuard({ declaration: declaration(), audit: [createMemorySink()], runtime: { environment: "test" }, clock: () => NOW });
    const upstream = scriptedUpstream();
    const proxy = createProxy({ upstreams: [{ name: "up", transport: "in-process", connect: () => upstream.connect() }], enforcer: guardedEnforcer(guard), log: () => undefined });
    proxies.push(proxy);
    const [c, s] = InMemoryTransport.createLinkedPair();
    await proxy.connect(s);
    const got = new Promise((r) => (c.onmessage = r));
    await c.start();
    await c.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: { experimental: { x: AWS_KEY } }, clientInfo: { name: "raw", version: "1", description: AWS_KEY }, extra: AWS_KEY, _meta: { note: AWS_KEY } } } as never);
    await got;
    const forwarded = upstream.received.find((m: Raw) => m.method === "initialize").params;
    expect(forwarded).toEqual({ protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } });
  });
});
