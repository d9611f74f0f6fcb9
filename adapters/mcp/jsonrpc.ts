/**
 * The JSON-RPC shapes the proxy relays. The proxy does not validate MCP payloads against the SDK's schemas: it reads
 * the few fields it routes on and passes everything else through byte-for-byte, so a result or an error reaches the
 * client exactly as the upstream sent it (and a new protocol field needs no proxy release).
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export type RequestId = string | number;

/** Request and notification parameters; `_meta` carries progress tokens and trace context. */
export type Params = { readonly _meta?: Readonly<Record<string, unknown>> } & Readonly<Record<string, unknown>>;

export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** What a request produced: exactly one of a result or an error, as JSON-RPC has it. */
export type Outcome =
  | { readonly result: Readonly<Record<string, unknown>>; readonly error?: undefined }
  | { readonly error: RpcError; readonly result?: undefined };

export interface Request {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly method: string;
  readonly params?: Params;
}

export interface Notification {
  readonly jsonrpc: "2.0";
  readonly method: string;
  readonly params?: Params;
}

export interface Response {
  readonly jsonrpc: "2.0";
  readonly id: RequestId;
  readonly result?: Readonly<Record<string, unknown>>;
  readonly error?: RpcError;
}

export type Message = Request | Notification | Response;

/** JSON-RPC and MCP error codes the proxy itself produces (upstream errors are relayed unchanged). */
export const RPC = {
  connectionClosed: -32000,
  requestTimeout: -32001,
  resourceNotFound: -32002,
  /** A request (or an answer) the guard did not let through. */
  denied: -32003,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
} as const;

export function isRequest(message: Message): message is Request {
  return "method" in message && "id" in message && message.id !== undefined && message.id !== null;
}

export function isNotification(message: Message): message is Notification {
  return "method" in message && !("id" in message && message.id !== undefined && message.id !== null);
}

export function isResponse(message: Message): message is Response {
  return !("method" in message) && ("result" in message || "error" in message);
}

/** Converts between our read-only shapes and the SDK transport's message type (the same JSON). */
export function toWire(message: Message): JSONRPCMessage {
  return message as unknown as JSONRPCMessage;
}

export function fromWire(message: JSONRPCMessage): Message {
  return message as unknown as Message;
}

export function failure(code: number, message: string, data?: unknown): Outcome {
  return { error: data === undefined ? { code, message } : { code, message, data } };
}

export function success(result: Readonly<Record<string, unknown>>): Outcome {
  return { result };
}

/** The `_meta.progressToken` of a request's params, if any. */
export function progressTokenOf(params: Params | undefined): string | number | undefined {
  const token = params?._meta?.["progressToken"];
  return typeof token === "string" || typeof token === "number" ? token : undefined;
}

/** A plain object, as JSON-RPC params and results are. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
