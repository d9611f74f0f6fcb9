/** Shared set-up for the proxy tests: a real SDK client on one side, real MCP servers on the other. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { createProxy, type Proxy, type ProxyOptions } from "../../../adapters/mcp/proxy.js";
import type { ProxySession } from "../../../adapters/mcp/session.js";

export interface ClientLog {
  readonly sampling: unknown[];
  readonly elicitations: unknown[];
  readonly logs: unknown[];
  readonly updated: string[];
  toolListChanges: number;
}

/** An SDK client that declares sampling, elicitation and roots, and records what servers asked of it. */
export function createTestClient(options: { elicitationAnswer?: "accept" | "decline"; approve?: boolean; elicitation?: boolean } = {}): { client: Client; log: ClientLog } {
  const elicitation = options.elicitation ?? true;
  const client = new Client(
    { name: "test-client", version: "1.0.0" },
    { capabilities: { sampling: {}, roots: { listChanged: true }, ...(elicitation ? { elicitation: { form: {} } } : {}) } },
  );
  const log: ClientLog = { sampling: [], elicitations: [], logs: [], updated: [], toolListChanges: 0 };
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    log.sampling.push(request.params);
    return { role: "assistant", model: "test-model", content: { type: "text", text: "a short summary" } };
  });
  if (elicitation) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      log.elicitations.push(request.params);
      // Answer like a user who fills in what is required and ticks every box with `approve`.
      const schema = (request.params as { requestedSchema?: { properties?: Record<string, { type?: string }>; required?: string[] } }).requestedSchema;
      const content: Record<string, string | boolean> = {};
      for (const [key, property] of Object.entries(schema?.properties ?? {})) {
        if (property.type === "boolean") content[key] = options.approve ?? true;
        else if (property.type === "string" && schema?.required?.includes(key)) content[key] = "Test User";
      }
      return options.elicitationAnswer === "decline" ? { action: "decline" } : { action: "accept", content };
    });
  }
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///work/project", name: "project" }] }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void log.logs.push(notification.params));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void log.updated.push(notification.params.uri));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void log.toolListChanges++);
  return { client, log };
}

export interface InMemoryRig {
  readonly proxy: Proxy;
  readonly session: ProxySession;
  readonly client: Client;
  readonly log: ClientLog;
  readonly proxyLog: string[];
  close(): Promise<void>;
}

/** Proxy with the given upstreams, and a real SDK client connected to it in memory. */
export async function connectInMemory(
  options: Omit<ProxyOptions, "log">,
  clientOptions: Parameters<typeof createTestClient>[0] = {},
): Promise<InMemoryRig> {
  const proxyLog: string[] = [];
  const proxy = createProxy({ ...options, log: (line) => void proxyLog.push(line) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const session = await proxy.connect(serverSide);
  const { client, log } = createTestClient(clientOptions);
  await client.connect(clientSide as Transport);
  return {
    proxy,
    session,
    client,
    log,
    proxyLog,
    async close() {
      await client.close().catch(() => undefined);
      await proxy.close();
    },
  };
}

/** Polls until `check` passes (for notifications that arrive asynchronously); fails with the last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await check();
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw last;
}

/** The text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((block) => block.text ?? "").join("\n");
}
