/**
 * One connection from a proxy session to one upstream MCP server (a stdio command or a Streamable HTTP URL): the
 * handshake with the client's own `initialize` parameters, and recovery. A stdio server that crashes is restarted
 * with exponential backoff; an HTTP server that forgets our session is re-initialized. While an upstream is down,
 * requests to it fail at once with the reason, and nothing is queued to be forwarded later.
 */
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { RPC, failure, isRecord, type Notification, type Outcome, type Params, type Request, type RequestId } from "./jsonrpc.js";
import { RpcPeer, errorText, type RequestOptions } from "./peer.js";
import { StdioUpstreamTransport, describeExit } from "./stdio-upstream.js";

export type UpstreamSpec = StdioUpstreamSpec | HttpUpstreamSpec | InProcessUpstreamSpec;

interface UpstreamSpecBase {
  /** The name the declaration's `tools[].server` uses, and the prefix of its tools in aggregated mode. */
  readonly name: string;
  /** Per-request timeout, restarted by progress notifications (default 60 s; 0 waits forever). */
  readonly timeoutMs?: number;
}

export interface StdioUpstreamSpec extends UpstreamSpecBase {
  readonly transport: "stdio";
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface HttpUpstreamSpec extends UpstreamSpecBase {
  readonly transport: "http";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A server in this process (an SDK `McpServer` behind `InMemoryTransport`): for embedding and protocol tests. */
export interface InProcessUpstreamSpec extends UpstreamSpecBase {
  readonly transport: "in-process";
  /** Called on every (re)connection; returns the client side of a fresh transport pair. */
  readonly connect: () => Transport | Promise<Transport>;
}

export interface RestartPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** After this long without a crash, the next crash starts the backoff from the beginning again. */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000 };
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_START_TIMEOUT_MS = 60_000;

/** What the session hears from an upstream. */
export interface UpstreamListener {
  /** A server-to-client request (sampling, elicitation, roots, ping). */
  onRequest(upstream: Upstream, request: Request): void;
  onNotification(upstream: Upstream, notification: Notification): void;
  /** The upstream is initialized again after it was down (crash, lost session, failed first start). */
  onRecovered(upstream: Upstream): void;
  /** Diagnostics for stderr (never stdout: over stdio it is the protocol channel). */
  log(line: string): void;
}

export interface UpstreamOptions {
  readonly restart?: RestartPolicy;
  readonly startTimeoutMs?: number;
  /** Forward the server's stderr lines to `log` (default true). */
  readonly forwardStderr?: boolean;
}

export type UpstreamState = "idle" | "starting" | "ready" | "down" | "closed";

/** The parts of an `InitializeResult` the proxy reads; the rest is relayed as-is. */
export interface UpstreamInit {
  readonly protocolVersion: string;
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly serverInfo: Readonly<Record<string, unknown>>;
  readonly instructions?: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

export class Upstream {
  readonly spec: UpstreamSpec;
  readonly #listener: UpstreamListener;
  readonly #options: UpstreamOptions;
  #state: UpstreamState = "idle";
  #peer: RpcPeer | undefined;
  #init: UpstreamInit | undefined;
  #clientParams: Params | undefined;
  #clientInitialized = false;
  #downReason = "";
  #attempt = 0;
  #readySince = 0;
  #nextRestartAt = 0;
  #restartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(spec: UpstreamSpec, listener: UpstreamListener, options: UpstreamOptions = {}) {
    this.spec = spec;
    this.#listener = listener;
    this.#options = options;
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): UpstreamState {
    return this.#state;
  }

  /** The upstream's answer to `initialize`; undefined until it first succeeded. */
  get init(): UpstreamInit | undefined {
    return this.#init;
  }

  /** Whether the server declared a capability (`tools`, `resources`, `prompts`, `logging`, `completions`). */
  has(capability: string): boolean {
    return this.#init !== undefined && isRecord(this.#init.capabilities[capability]);
  }

  /**
   * Connects and runs `initialize` with the client's parameters. Settles with the upstream's answer or with an
   * error saying why it could not start; on failure a restart is scheduled (unless the session closes first).
   */
  async start(clientParams: Params): Promise<Outcome> {
    this.#clientParams = clientParams;
    // A restart that was due would race this start: this start is the restart.
    if (this.#restartTimer !== undefined) {
      clearTimeout(this.#restartTimer);
      this.#restartTimer = undefined;
    }
    return this.#connect();
  }

  /** Relays the client's `notifications/initialized`; repeated after every restart. */
  initialized(): void {
    this.#clientInitialized = true;
    if (this.#state === "ready") void this.#peer?.notify("notifications/initialized");
  }

  request(method: string, params: Params | undefined, options: RequestOptions = {}): Promise<Outcome> {
    const peer = this.#peer;
    if (this.#state !== "ready" || !peer) return Promise.resolve(this.unavailable(method));
    const timeoutMs = options.timeoutMs ?? this.spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return peer.request(method, params, { ...options, timeoutMs });
  }

  notify(method: string, params?: Params): void {
    if (this.#state === "ready") void this.#peer?.notify(method, params);
  }

  respond(id: RequestId, outcome: Outcome): void {
    if (this.#state === "ready") void this.#peer?.respond(id, outcome);
  }

  /** The error a request gets while the upstream is not ready. */
  unavailable(method: string): Outcome {
    const name = `upstream \`${this.name}\``;
    if (this.#state === "closed") return failure(RPC.connectionClosed, `${name} is closed`, { reason: "upstream-closed", upstream: this.name });
    if (this.#state === "down") {
      const wait = Math.max(0, Math.ceil((this.#nextRestartAt - Date.now()) / 1000));
      return failure(RPC.connectionClosed,
        `${name} is unavailable: it ${this.#downReason}; restart ${this.#attempt} in ${wait} s; \`${method}\` was not forwarded`,
        { reason: "upstream-down", upstream: this.name });
    }
    return failure(RPC.connectionClosed, `${name} is still starting; \`${method}\` was not forwarded`, { reason: "upstream-starting", upstream: this.name });
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#restartTimer !== undefined) clearTimeout(this.#restartTimer);
    const peer = this.#peer;
    this.#peer = undefined;
    if (!peer) return;
    const transport = peer.transport;
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
    await peer.close();
  }

  async #connect(): Promise<Outcome> {
    if (this.#state === "closed") return this.unavailable("initialize");
    this.#state = "starting";
    let transport: Transport;
    try {
      transport = await this.#createTransport();
    } catch (error) {
      return this.#failStart(undefined, `could not be connected: ${errorText(error)}`);
    }
    // A live connection is never replaced without being closed: its process would outlive the session.
    const previous = this.#peer;
    if (previous && !previous.closed) void previous.close();
    const peer = new RpcPeer(transport, {
      name: `upstream \`${this.name}\``,
      onRequest: (request) => this.#listener.onRequest(this, request),
      onNotification: (notification) => this.#listener.onNotification(this, notification),
      onClose: () => this.#onClosed(peer),
      onError: (error) => this.#onError(peer, error),
    });
    this.#peer = peer;
    try {
      await peer.start();
    } catch (error) {
      const reason = transport instanceof StdioUpstreamTransport && transport.exit ? describeExit(transport.exit) : `could not be reached: ${errorText(error)}`;
      return this.#failStart(peer, reason);
    }
    const answer = await peer.request("initialize", this.#clientParams, { timeoutMs: this.#options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS });
    // close() may have run while we waited (TypeScript cannot see that through the await).
    if ((this.#state as UpstreamState) === "closed") return this.unavailable("initialize");
    // A newer start replaced this connection while it initialized: it is closed, and the newer one stands.
    if (this.#peer !== peer) {
      if (!peer.closed) void peer.close();
      return failure(RPC.connectionClosed, `upstream \`${this.name}\` was started again while it initialized`, { reason: "upstream-starting", upstream: this.name });
    }
    if (answer.error) {
      if (peer.closed) return this.#failStart(peer, this.#exitReason(peer) ?? answer.error.message);
      // The server answered with a protocol error (e.g. an unsupported version): relay it, as the server meant it.
      void this.#failStart(peer, `refused to initialize: ${answer.error.message}`);
      return answer;
    }
    const init = readInit(answer.result);
    if (!init) return this.#failStart(peer, "answered `initialize` without a protocol version or capabilities");
    this.#init = init;
    transport.setProtocolVersion?.(init.protocolVersion);
    const recovered = this.#downReason !== "";
    this.#state = "ready";
    this.#readySince = Date.now();
    this.#downReason = "";
    if (this.#clientInitialized) void peer.notify("notifications/initialized");
    if (recovered) {
      this.#listener.log(`upstream \`${this.name}\` is back after restart ${this.#attempt}`);
      this.#listener.onRecovered(this);
    }
    return answer;
  }

  async #createTransport(): Promise<Transport> {
    const spec = this.spec;
    if (spec.transport === "in-process") return spec.connect();
    if (spec.transport === "http") {
      return new StreamableHTTPClientTransport(new URL(spec.url), spec.headers ? { requestInit: { headers: { ...spec.headers } } } : undefined);
    }
    const forward = this.#options.forwardStderr ?? true;
    return new StdioUpstreamTransport({
      command: spec.command,
      ...(spec.args ? { args: spec.args } : {}),
      ...(spec.env ? { env: spec.env } : {}),
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      ...(forward ? { onStderrLine: (line: string) => this.#listener.log(`[${this.name}] ${line}`) } : {}),
    });
  }

  #failStart(peer: RpcPeer | undefined, reason: string): Outcome {
    // A start that a newer one replaced fails alone: the upstream is the newer start's.
    if (peer === undefined || peer === this.#peer) this.#goDown(peer, reason);
    else if (!peer.closed) void peer.close();
    return failure(RPC.internalError, `upstream \`${this.name}\` ${reason}`, { reason: "upstream-start-failed", upstream: this.name });
  }

  #exitReason(peer: RpcPeer): string | undefined {
    const transport = peer.transport;
    return transport instanceof StdioUpstreamTransport && transport.exit ? describeExit(transport.exit) : undefined;
  }

  #onClosed(peer: RpcPeer): void {
    if (this.#peer !== peer || this.#state === "closed") return;
    const reason = this.#exitReason(peer) ?? "closed the connection";
    peer.failPending(`upstream \`${this.name}\` ${reason}`, { upstream: this.name });
    this.#goDown(peer, reason);
  }

  #onError(peer: RpcPeer, error: Error): void {
    if (this.#peer !== peer || this.#state === "closed") return;
    // An HTTP server that restarted no longer knows our session: start a new one. The spec says 404; some servers
    // (server-everything among them) answer 400 with a message about the session id.
    if (error instanceof StreamableHTTPError && this.#state === "ready" && (error.code === 404 || (error.code === 400 && /session/i.test(error.message)))) {
      this.#goDown(peer, `lost our session (HTTP ${error.code})`);
      return;
    }
    this.#listener.log(`upstream \`${this.name}\`: ${error.message}`);
  }

  #goDown(peer: RpcPeer | undefined, reason: string): void {
    if (this.#state === "closed" || this.#state === "down") return;
    const wasReady = this.#state === "ready";
    this.#state = "down";
    this.#downReason = reason;
    this.#peer = undefined;
    if (peer && !peer.closed) void peer.close();
    const restart = this.#options.restart ?? DEFAULT_RESTART;
    if (wasReady && Date.now() - this.#readySince >= restart.stableAfterMs) this.#attempt = 0;
    const delay = Math.min(restart.maxDelayMs, restart.initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    this.#nextRestartAt = Date.now() + delay;
    this.#listener.log(`upstream \`${this.name}\` ${reason}; restart ${this.#attempt} in ${(delay / 1000).toFixed(1)} s`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#connect();
    }, delay);
    this.#restartTimer.unref();
  }
}

function readInit(result: Readonly<Record<string, unknown>>): UpstreamInit | undefined {
  const { protocolVersion, capabilities, serverInfo, instructions } = result;
  // A version is a date (`2025-06-18`): other text there would reach the client unchecked.
  if (typeof protocolVersion !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(protocolVersion) || !isRecord(capabilities)) return undefined;
  return {
    protocolVersion,
    capabilities,
    serverInfo: isRecord(serverInfo) ? serverInfo : {},
    ...(typeof instructions === "string" ? { instructions } : {}),
    raw: result,
  };
}

/** Reads every page of a list (`tools/list`, `prompts/list`, ...) from one upstream; stops at the first error. */
export async function fetchAllPages(
  upstream: Upstream,
  method: string,
  key: string,
  options: { readonly signal?: AbortSignal; readonly maxPages?: number } = {},
): Promise<{ readonly items: unknown[]; readonly error?: string }> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 100); page++) {
    const outcome = await upstream.request(method, cursor === undefined ? undefined : { cursor }, options.signal ? { signal: options.signal } : {});
    if (outcome.error) return { items, error: outcome.error.message };
    const list = outcome.result[key];
    if (Array.isArray(list)) items.push(...list);
    const next = outcome.result["nextCursor"];
    if (typeof next !== "string" || next === "") break;
    cursor = next;
  }
  return { items };
}
