/**
 * The proxy as a Streamable HTTP server (`--listen 127.0.0.1:PORT`): one SDK `StreamableHTTPServerTransport` and
 * one proxy session per `Mcp-Session-Id`, checked before anything reaches a transport: DNS rebinding protection
 * (the Host header must name an allowed host, an Origin header must be an allowed origin), an optional bearer
 * token, a bound on concurrent sessions, and idle sessions closed.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { GuardError } from "../../src/errors.js";
import type { Proxy } from "./proxy.js";
import type { ProxySession } from "./session.js";

export interface HttpListenOptions {
  /** Interface to bind; default 127.0.0.1. Binding beyond loopback needs `allowedHosts` and should use `token`. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Endpoint path; default `/mcp`. */
  readonly path?: string;
  /** Clients must send `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Host names (without port) the Host header may carry; default: the loopback names when bound to loopback. */
  readonly allowedHosts?: readonly string[];
  /** Origins (`scheme://host:port`) a browser may call from; default: the allowed hosts on this port over http. */
  readonly allowedOrigins?: readonly string[];
  /** Default 64: each session holds its own upstream connections (processes, for stdio servers). */
  readonly maxSessions?: number;
  /** Sessions without requests or open streams for this long are closed; default 30 minutes. */
  readonly sessionIdleMs?: number;
  /** How long a request that opens a session may take to send its body (it holds a session slot); default 10 s. */
  readonly bodyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface HttpListener {
  /** `http://host:port/path`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes every session. */
  close(): Promise<void>;
}

interface Entry {
  readonly transport: StreamableHTTPServerTransport;
  readonly session: ProxySession;
  open: number;
  lastSeen: number;
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

export async function listenHttp(proxy: Proxy, options: HttpListenOptions): Promise<HttpListener> {
  const host = options.host ?? "127.0.0.1";
  const path = options.path ?? "/mcp";
  const maxSessions = options.maxSessions ?? 64;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const log = options.log ?? ((line: string) => void process.stderr.write(`purpose-guard: ${line}\n`));
  const loopback = isLoopback(host);
  if (!loopback && !options.allowedHosts?.length) {
    throw new GuardError("USAGE", `listening on \`${host}\` needs the host names clients will use`, {
      issues: [{ message: "without an allowed-host list, DNS rebinding protection cannot be enforced", fix: "pass --allowed-host NAME (repeatable), and --token" }],
    });
  }
  const allowedHosts = new Set((options.allowedHosts ?? LOOPBACK_NAMES).map((name) => name.toLowerCase()));
  const tokenDigest = options.token ? sha256(options.token) : undefined;
  const sessions = new Map<string, Entry>();
  /** Sessions whose first request is being handled: they count against `maxSessions` already. */
  let opening = 0;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  let allowedOrigins: Set<string> = new Set();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log(`HTTP ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) reject(res, 500, -32603, "internal error in the purpose-guard proxy");
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://placeholder");
    if (url.pathname !== path) return reject(res, 404, -32601, `not found: the MCP endpoint is ${path}`);
    const hostHeader = req.headers.host;
    if (!hostHeader || !allowedHosts.has(hostnameOf(hostHeader))) {
      return reject(res, 403, -32000, `forbidden: host \`${hostHeader ?? ""}\` is not allowed (DNS rebinding protection)`);
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) {
      return reject(res, 403, -32000, `forbidden: origin \`${origin}\` is not allowed`);
    }
    if (tokenDigest && !bearerMatches(req.headers.authorization, tokenDigest)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="purpose-guard"');
      return reject(res, 401, -32000, "unauthorized: send `Authorization: Bearer <token>`");
    }
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const entry = sessions.get(sessionId);
      if (!entry) return reject(res, 404, -32001, "Session not found");
      return serve(entry, req, res);
    }
    if (req.method !== "POST") return reject(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
    // The slot is taken now, before the body is read: requests that arrive together all passed a check of
    // `sessions` alone, since a session is registered only once its initialize is handled.
    if (sessions.size + opening >= maxSessions) return reject(res, 503, -32000, `too many sessions (${maxSessions}); close one or raise the limit`);
    opening++;
    let reserved = true;
    const release = () => {
      if (reserved) opening--;
      reserved = false;
    };
    // A client that sends headers and no body holds a slot: it has a little time to send it.
    const bodyTimer = setTimeout(() => req.destroy(new Error(`no request body within ${bodyTimeoutMs} ms`)), bodyTimeoutMs);
    req.once("end", () => clearTimeout(bodyTimer));
    req.once("close", () => clearTimeout(bodyTimer));
    try {
      const id = randomUUID();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => id,
        onsessioninitialized: () => {
          sessions.set(id, entry);
          release();
        },
      });
      const session = await proxy.connect(transport, { sessionId: id });
      const entry: Entry = { transport, session, open: 0, lastSeen: Date.now() };
      void session.closed.then(() => sessions.delete(id));
      await serve(entry, req, res);
      // A first POST that was not an initialize request leaves a session nobody can address: drop it.
      if (!sessions.has(id)) await session.close();
    } finally {
      clearTimeout(bodyTimer);
      release();
    }
  }

  async function serve(entry: Entry, req: IncomingMessage, res: ServerResponse): Promise<void> {
    entry.open++;
    entry.lastSeen = Date.now();
    res.once("close", () => {
      entry.open--;
      entry.lastSeen = Date.now();
    });
    await entry.transport.handleRequest(req, res);
  }

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, entry] of sessions) {
      if (entry.open === 0 && now - entry.lastSeen > idleMs) {
        log(`closing idle session ${id}`);
        sessions.delete(id);
        void entry.session.close();
      }
    }
  }, Math.min(60_000, Math.max(1000, idleMs / 2)));
  sweeper.unref();

  await new Promise<void>((resolve, rejectListen) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      rejectListen(new GuardError("USAGE", `cannot listen on ${host}:${options.port}: ${error.code === "EADDRINUSE" ? "the port is in use" : error.message}`, {
        cause: error,
        issues: [{ message: error.message, fix: error.code === "EADDRINUSE" ? "choose another port with --listen HOST:PORT" : "check the --listen address" }],
      }));
    });
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedOrigins = new Set(
    (options.allowedOrigins ?? [...allowedHosts].flatMap((name) => [`http://${name}:${port}`, `https://${name}:${port}`])).map((origin) => origin.toLowerCase()),
  );
  const shownHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    async close() {
      clearInterval(sweeper);
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions.values()].map((entry) => entry.session.close()));
      server.closeAllConnections();
      await closing;
    },
  };
}

function reject(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

/** The host name of a Host header, lower-cased, without the port (`[::1]:8080` → `[::1]`). */
function hostnameOf(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  const colon = value.lastIndexOf(":");
  return colon === -1 ? value : value.slice(0, colon);
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host.startsWith("127.");
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Constant-time comparison of the presented bearer token with ours (hashed first, so lengths never leak). */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  return timingSafeEqual(sha256(match[1]!), expected);
}
