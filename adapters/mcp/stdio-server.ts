/**
 * The server side of stdio for the proxy (the client is our parent process): newline-delimited JSON-RPC on stdin and
 * stdout. Unlike the SDK's `StdioServerTransport`, which drops a line it cannot parse and only reports it, a malformed
 * message is answered, with its id when one can be read, so the client learns why instead of waiting forever.
 */
import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { RPC, isRecord, type RequestId } from "./jsonrpc.js";

/** A line read from the client: a message to handle, or the error answers the proxy sends at once. */
export type Incoming =
  | { readonly message: JSONRPCMessage; readonly replies?: undefined }
  | { readonly replies: readonly JSONRPCMessage[]; readonly problem: string; readonly message?: undefined };

const PARSE_ERROR = -32700;

/** Reads one line of the client's input: a JSON-RPC 2.0 message MCP can carry, or the answers that say why not. */
export function readIncoming(line: string): Incoming {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return refuse(null, PARSE_ERROR, "Parse error: the line is not JSON", `a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (Array.isArray(value)) {
    // MCP (2025-06-18) has no batches; each request in one gets its own refusal, so none waits forever.
    const ids = value.map((item) => (isRecord(item) ? idOf(item["id"]) : undefined)).filter((id): id is RequestId => id !== undefined);
    const message = "Invalid Request: JSON-RPC batches are not supported";
    const replies = (ids.length > 0 ? ids : [null]).map((id) => reply(id, RPC.invalidRequest, message));
    return { replies, problem: `a batch of ${value.length}` };
  }
  if (!isRecord(value)) return refuse(null, RPC.invalidRequest, "Invalid Request: a message must be a JSON object", "a message that is not an object");
  const rawId = value["id"];
  const id = idOf(rawId);
  const answerable = id ?? null;
  if (value["jsonrpc"] !== "2.0") return refuse(answerable, RPC.invalidRequest, "Invalid Request: `jsonrpc` must be \"2.0\"", "a message that is not JSON-RPC 2.0");
  if (rawId !== undefined && rawId !== null && id === undefined) return refuse(null, RPC.invalidRequest, "Invalid Request: `id` must be a string or a number", "a message with an invalid id");
  if ("method" in value) {
    if (typeof value["method"] !== "string") return refuse(answerable, RPC.invalidRequest, "Invalid Request: `method` must be a string", "a message with an invalid method");
    // `"id": null` is neither a request (which must have an id to answer) nor a notification (which has none).
    if (rawId === null) return refuse(null, RPC.invalidRequest, "Invalid Request: a request's `id` must not be null", "a request with a null id");
    const params = value["params"];
    if (params !== undefined && !isRecord(params)) {
      // A notification gets no answer, even an error one (JSON-RPC 2.0, section 4.1).
      return id === undefined
        ? { replies: [], problem: `a notification \`${value["method"]}\` whose params are not an object` }
        : refuse(id, RPC.invalidParams, `Invalid params: \`params\` of \`${value["method"]}\` must be an object`, "a request whose params are not an object");
    }
    return { message: value as unknown as JSONRPCMessage };
  }
  if (id !== undefined && ("result" in value ? isRecord(value["result"]) : isRecord(value["error"]))) return { message: value as unknown as JSONRPCMessage };
  return refuse(answerable, RPC.invalidRequest, "Invalid Request: neither a request, a notification nor a response", "a message of no known kind");
}

function idOf(value: unknown): RequestId | undefined {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : undefined;
}

function reply(id: RequestId | null, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage;
}

function refuse(id: RequestId | null, code: number, message: string, problem: string): Incoming {
  return { replies: [reply(id, code, message)], problem };
}

export interface StdioServerOptions {
  /** Largest accepted line, in bytes (default 64 MiB); a longer one is answered with a parse error and dropped. */
  readonly maxMessageBytes?: number;
}

export class StdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #skipping = false;
  #started = false;

  constructor(stdin: Readable = process.stdin, stdout: Writable = process.stdout, options: StdioServerOptions = {}) {
    this.#stdin = stdin;
    this.#stdout = stdout;
    this.#maxBytes = options.maxMessageBytes ?? 64 * 2 ** 20;
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error("StdioServerTransport already started");
    this.#started = true;
    this.#stdin.on("data", this.#onData);
    this.#stdin.on("error", this.#onError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stdout.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.#stdout.once("drain", resolve);
    });
  }

  async close(): Promise<void> {
    this.#stdin.off("data", this.#onData);
    this.#stdin.off("error", this.#onError);
    if (this.#stdin.listenerCount("data") === 0) this.#stdin.pause();
    this.#chunks = [];
    this.onclose?.();
  }

  readonly #onError = (error: Error) => this.onerror?.(error);

  readonly #onData = (chunk: Buffer | string) => {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let start = 0;
    let newline = data.indexOf(10);
    while (newline !== -1) {
      const piece = data.subarray(start, newline);
      // A whole line longer than the limit that arrived in one chunk is refused like one that arrived in many.
      if (!this.#skipping && this.#buffered + piece.length > this.#maxBytes) {
        this.#chunks = [];
        this.#buffered = 0;
        this.#answer({ replies: [reply(null, PARSE_ERROR, `Parse error: a message longer than ${this.#maxBytes} bytes`)], problem: "a message too long to read" });
        start = newline + 1;
        newline = data.indexOf(10, start);
        continue;
      }
      const line = this.#chunks.length === 0 ? piece : Buffer.concat([...this.#chunks, piece]);
      this.#chunks = [];
      this.#buffered = 0;
      if (this.#skipping) this.#skipping = false; // the end of a line too long to read
      else this.#line(line.toString("utf8"));
      start = newline + 1;
      newline = data.indexOf(10, start);
    }
    if (start >= data.length || this.#skipping) return;
    this.#buffered += data.length - start;
    if (this.#buffered > this.#maxBytes) {
      this.#chunks = [];
      this.#buffered = 0;
      this.#skipping = true;
      this.#answer({ replies: [reply(null, PARSE_ERROR, `Parse error: a message longer than ${this.#maxBytes} bytes`)], problem: "a message too long to read" });
      return;
    }
    this.#chunks.push(data.subarray(start));
  };

  #line(text: string): void {
    // A byte order mark opens some editors' and tools' output: it is not part of the message.
    const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const line = unmarked.endsWith("\r") ? unmarked.slice(0, -1) : unmarked;
    if (line.trim() === "") return;
    const incoming = readIncoming(line);
    if (incoming.message) this.onmessage?.(incoming.message);
    else this.#answer(incoming);
  }

  #answer(incoming: Extract<Incoming, { replies: readonly JSONRPCMessage[] }>): void {
    this.onerror?.(new Error(`the client sent ${incoming.problem}; answered with an error`));
    for (const message of incoming.replies) void this.send(message);
  }
}
