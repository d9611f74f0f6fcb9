/**
 * The client side of a stdio MCP server: spawns the command, writes newline-delimited JSON to its stdin, reads it
 * from its stdout. Unlike the SDK's `StdioClientTransport` it keeps what the proxy needs to explain a crash (exit
 * code, signal, the last lines of stderr) and skips per-message schema parsing: the proxy relays, it does not
 * validate.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export interface StdioUpstreamOptions {
  readonly command: string;
  readonly args?: readonly string[];
  /** Added to the SDK's default environment (HOME, PATH, ...): the child does not inherit every variable. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Receives each line the server writes to stderr (its logs). */
  readonly onStderrLine?: (line: string) => void;
  /** Largest accepted message, in bytes (default 64 MiB). */
  readonly maxMessageBytes?: number;
}

/** How the process ended, for error messages. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT, EACCES). */
  readonly spawnError?: string;
  /** The last lines it wrote to stderr. */
  readonly stderrTail: readonly string[];
}

const STDERR_TAIL_LINES = 8;
/**
 * Longest stderr line kept whole: a server that draws progress bars with `\r` and never ends a line would otherwise
 * grow one string without bound, and re-splitting it on each chunk costs the square of its length.
 */
const MAX_STDERR_LINE = 16 * 1024;

export class StdioUpstreamTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #options: StdioUpstreamOptions;
  #child: ChildProcessWithoutNullStreams | undefined;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #stderrRest = "";
  #stderrCut = false;
  readonly #stderrTail: string[] = [];
  #exit: ExitInfo | undefined;
  #closing = false;

  constructor(options: StdioUpstreamOptions) {
    this.#options = options;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How the process ended; undefined while it runs. */
  get exit(): ExitInfo | undefined {
    return this.#exit;
  }

  start(): Promise<void> {
    if (this.#child) throw new Error("StdioUpstreamTransport already started");
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.#options.command, [...(this.#options.args ?? [])], {
        env: { ...getDefaultEnvironment(), ...this.#options.env },
        cwd: this.#options.cwd,
        stdio: ["pipe", "pipe", "pipe"],
        shell: false,
        windowsHide: true,
      });
      this.#child = child;
      let spawned = false;
      child.once("spawn", () => {
        spawned = true;
        resolve();
      });
      child.once("error", (error) => {
        if (!spawned) {
          this.#finish({ code: null, signal: null, spawnError: error.message, stderrTail: [] });
          reject(error);
          return;
        }
        this.onerror?.(error);
      });
      child.once("close", (code, signal) => this.#finish({ code, signal, stderrTail: [...this.#stderrTail] }));
      child.stdout.on("data", (chunk: Buffer) => this.#onStdout(chunk));
      child.stderr.on("data", (chunk: Buffer) => this.#onStderr(chunk));
      // A write to a dead child errors here; the close event reports the exit.
      child.stdin.on("error", (error) => this.onerror?.(error));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#child?.stdin;
    if (!stdin || this.#exit || !stdin.writable) return Promise.reject(new Error("the server process is not running"));
    const line = `${JSON.stringify(message)}\n`;
    return new Promise<void>((resolve) => {
      if (stdin.write(line)) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Ends stdin, then escalates to SIGTERM and SIGKILL if the server does not exit on its own. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child || this.#exit) return;
    this.#closing = true;
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const within = (ms: number) => Promise.race([exited.then(() => true), delay(ms).then(() => false)]);
    child.stdin.end();
    if (await within(2000)) return;
    child.kill("SIGTERM");
    if (await within(2000)) return;
    child.kill("SIGKILL");
    await within(1000);
  }

  /** True when `close()` was asked for, so an exit is not a crash. */
  get closing(): boolean {
    return this.#closing;
  }

  #onStdout(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      const line = this.#chunks.length === 0 ? piece : Buffer.concat([...this.#chunks, piece]);
      this.#chunks = [];
      this.#buffered = 0;
      this.#deliver(line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#buffered += rest.length;
      if (this.#buffered > (this.#options.maxMessageBytes ?? 64 * 2 ** 20)) {
        this.#chunks = [];
        this.#buffered = 0;
        this.onerror?.(new Error(`the server wrote a message larger than ${this.#options.maxMessageBytes ?? 64 * 2 ** 20} bytes; dropped`));
        return;
      }
      this.#chunks.push(rest);
    }
  }

  #deliver(line: Buffer): void {
    let text = line.toString("utf8");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() === "") return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // A server that prints logs to stdout breaks the protocol; say so instead of failing silently.
      this.onerror?.(new Error(`the server wrote a line to stdout that is not JSON-RPC: ${text.slice(0, 200)}`));
      return;
    }
    if (typeof message !== "object" || message === null || (message as { jsonrpc?: unknown }).jsonrpc !== "2.0") {
      this.onerror?.(new Error(`the server wrote a message that is not JSON-RPC 2.0: ${text.slice(0, 200)}`));
      return;
    }
    this.onmessage?.(message as JSONRPCMessage);
  }

  #onStderr(chunk: Buffer): void {
    const text = this.#stderrRest + chunk.toString("utf8");
    const lines = text.split("\n");
    let rest = lines.pop() ?? "";
    if (this.#stderrCut) {
      // The rest of a line already cut: dropped up to its end.
      if (lines.length === 0) rest = "";
      else {
        lines.shift();
        this.#stderrCut = false;
      }
    }
    if (rest.length > MAX_STDERR_LINE) {
      lines.push(`${rest.slice(0, MAX_STDERR_LINE)} … (line cut at ${MAX_STDERR_LINE} characters)`);
      rest = "";
      this.#stderrCut = true;
    }
    this.#stderrRest = rest;
    for (const raw of lines) {
      const line = raw.replace(/\r$/, "");
      if (line === "") continue;
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
      this.#options.onStderrLine?.(line);
    }
  }

  #finish(exit: ExitInfo): void {
    if (this.#exit) return;
    if (this.#stderrRest !== "") {
      this.#stderrTail.push(this.#stderrRest);
      this.#options.onStderrLine?.(this.#stderrRest);
      this.#stderrRest = "";
    }
    this.#exit = { ...exit, stderrTail: [...this.#stderrTail] };
    this.onclose?.();
  }
}

/** One sentence describing how a server process ended. */
export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return `could not be started: ${exit.spawnError}`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? "unknown"}`;
  const last = exit.stderrTail.at(-1);
  return last ? `${how} (last stderr line: ${last.slice(0, 300)})` : how;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
