/**
 * One side of a JSON-RPC connection over an SDK `Transport`: outgoing requests with their own ids, timeouts that
 * restart on progress, cancellation; incoming requests and notifications handed to callbacks. It is the SDK's
 * `Protocol` without schemas or inheritance: the proxy needs ids, timers and routing, not payload validation.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import {
  RPC,
  failure,
  fromWire,
  isRequest,
  isResponse,
  progressTokenOf,
  toWire,
  type Message,
  type Notification,
  type Outcome,
  type Params,
  type Request,
  type RequestId,
} from "./jsonrpc.js";

export interface PeerCallbacks {
  /** Who is on the other side, for error messages: "upstream `fs`", "the client". */
  readonly name: string;
  readonly onRequest: (request: Request, extra: MessageExtraInfo | undefined) => void;
  readonly onNotification: (notification: Notification, extra: MessageExtraInfo | undefined) => void;
  /** The transport closed, for whatever reason; requests still pending after this callback fail. */
  readonly onClose?: () => void;
  readonly onError?: (error: Error) => void;
}

export interface RequestOptions {
  /** Fails the request when no answer (or progress) arrives for this long; 0 or absent waits forever. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Lets a Streamable HTTP server transport send the request on the stream of the request it belongs to. */
  readonly relatedRequestId?: RequestId;
}

interface Pending {
  readonly id: number;
  readonly method: string;
  readonly resolve: (outcome: Outcome) => void;
  readonly timeoutMs: number;
  readonly progressToken: string | number | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  cleanup: (() => void) | undefined;
}

export class RpcPeer {
  readonly transport: Transport;
  readonly #callbacks: PeerCallbacks;
  readonly #pending = new Map<number, Pending>();
  readonly #byToken = new Map<string | number, Pending>();
  #nextId = 1;
  #closed = false;

  constructor(transport: Transport, callbacks: PeerCallbacks) {
    this.transport = transport;
    this.#callbacks = callbacks;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Number of requests waiting for an answer (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  async start(): Promise<void> {
    this.transport.onmessage = (message, extra) => this.#receive(fromWire(message), extra);
    this.transport.onclose = () => this.#onTransportClosed();
    this.transport.onerror = (error) => this.#callbacks.onError?.(error);
    await this.transport.start();
  }

  /**
   * Sends a request and settles with the peer's result or error, or with an error of our own (timeout, closed
   * connection, cancelled). It never rejects: a failure is an `Outcome` the caller relays.
   */
  request(method: string, params: Params | undefined, options: RequestOptions = {}): Promise<Outcome> {
    if (this.#closed) return Promise.resolve(failure(RPC.connectionClosed, `connection to ${this.#callbacks.name} is closed`));
    if (options.signal?.aborted) return Promise.resolve(failure(RPC.requestTimeout, `request cancelled before it was sent to ${this.#callbacks.name}`));
    const id = this.#nextId++;
    return new Promise<Outcome>((resolve) => {
      const pending: Pending = {
        id,
        method,
        resolve,
        timeoutMs: options.timeoutMs ?? 0,
        progressToken: progressTokenOf(params),
        timer: undefined,
        cleanup: undefined,
      };
      this.#pending.set(id, pending);
      if (pending.progressToken !== undefined) this.#byToken.set(pending.progressToken, pending);
      this.#arm(pending);
      const signal = options.signal;
      if (signal) {
        const onAbort = () => this.#cancel(pending, "cancelled by the client", failure(RPC.requestTimeout, "request cancelled"));
        signal.addEventListener("abort", onAbort, { once: true });
        pending.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      const message: Request = params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
      this.transport.send(toWire(message), options.relatedRequestId === undefined ? undefined : { relatedRequestId: options.relatedRequestId })
        .catch((error: unknown) => {
          this.#settle(pending, failure(RPC.connectionClosed, `cannot send \`${method}\` to ${this.#callbacks.name}: ${errorText(error)}`, { reason: "send-failed" }));
          this.#callbacks.onError?.(asError(error));
        });
    });
  }

  notify(method: string, params?: Params, relatedRequestId?: RequestId): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const message: Notification = params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
    return this.transport.send(toWire(message), relatedRequestId === undefined ? undefined : { relatedRequestId })
      .catch((error: unknown) => this.#callbacks.onError?.(asError(error)));
  }

  /** Answers an incoming request. Send failures (a client that went away) are reported, not thrown. */
  respond(id: RequestId, outcome: Outcome): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const message = outcome.error === undefined
      ? { jsonrpc: "2.0" as const, id, result: outcome.result }
      : { jsonrpc: "2.0" as const, id, error: outcome.error };
    return this.transport.send(toWire(message)).catch((error: unknown) => this.#callbacks.onError?.(asError(error)));
  }

  /** Fails every pending request and closes the transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#failAll(`connection to ${this.#callbacks.name} was closed`);
    this.#closed = true;
    await this.transport.close().catch(() => undefined);
  }

  #receive(message: Message, extra: MessageExtraInfo | undefined): void {
    if (isResponse(message)) {
      const pending = typeof message.id === "number" ? this.#pending.get(message.id) : undefined;
      if (!pending) return; // late answer to a request we timed out or cancelled
      this.#settle(pending, message.error === undefined ? { result: message.result ?? {} } : { error: message.error });
      return;
    }
    if (isRequest(message)) {
      this.#callbacks.onRequest(message, extra);
      return;
    }
    if (message.method === "notifications/progress") {
      const token = (message.params as Params | undefined)?.["progressToken"];
      const pending = typeof token === "string" || typeof token === "number" ? this.#byToken.get(token) : undefined;
      if (pending) this.#arm(pending); // progress proves the peer is alive: restart the clock
    }
    this.#callbacks.onNotification(message, extra);
  }

  #arm(pending: Pending): void {
    if (pending.timeoutMs <= 0) return;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      const seconds = pending.timeoutMs / 1000;
      this.#cancel(pending, "timeout", failure(RPC.requestTimeout,
        `${this.#callbacks.name} did not answer \`${pending.method}\` within ${seconds} s; the request was cancelled`,
        { reason: "upstream-timeout", timeoutMs: pending.timeoutMs }));
    }, pending.timeoutMs);
  }

  #cancel(pending: Pending, reason: string, outcome: Outcome): void {
    if (!this.#pending.has(pending.id)) return;
    this.#settle(pending, outcome);
    void this.notify("notifications/cancelled", { requestId: pending.id, reason });
  }

  #settle(pending: Pending, outcome: Outcome): void {
    if (this.#pending.get(pending.id) !== pending) return;
    this.#pending.delete(pending.id);
    if (pending.progressToken !== undefined && this.#byToken.get(pending.progressToken) === pending) this.#byToken.delete(pending.progressToken);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.cleanup?.();
    pending.resolve(outcome);
  }

  /** Fails every pending request with `message` (e.g. why the upstream went away). */
  failPending(message: string, data?: Readonly<Record<string, unknown>>): void {
    for (const pending of [...this.#pending.values()]) {
      this.#settle(pending, failure(RPC.connectionClosed, `${message} while \`${pending.method}\` was pending`, { reason: "connection-closed", ...data }));
    }
  }

  #failAll(message: string): void {
    this.failPending(message);
  }

  #onTransportClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The owner may know why (an exit code, a stderr line) and fail pending requests with that first.
    this.#callbacks.onClose?.();
    this.#failAll(`connection to ${this.#callbacks.name} closed`);
  }
}

/** An error's message, with its cause when the message alone says little (fetch's "fetch failed"). */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
