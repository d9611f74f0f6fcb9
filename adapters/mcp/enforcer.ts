/**
 * The seam between the proxy's routing and the guard. A session asks its `Enforcer` before forwarding a tool call,
 * and after any result that carries data (tool results, resource contents, prompt messages). The guarded
 * implementation lives in `guarded.ts`; `passThrough` exists for measuring the proxy itself (`enforcement off` in
 * the benchmark) and is never what the CLI runs.
 */
import type { TraceContext } from "../../src/model/call.js";
import type { Outcome, Params } from "./jsonrpc.js";

/** One `tools/call` as the session resolved it. */
export interface ToolContext {
  readonly sessionId: string;
  /** The upstream's name (the declaration's `tools[].server`). */
  readonly server: string;
  /** The tool's name on the upstream. */
  readonly tool: string;
  /** The name the client used (`fs__read_file` when aggregated). */
  readonly exposedName: string;
  /** The tool's definition as the upstream listed it (annotations, schemas). */
  readonly definition: Readonly<Record<string, unknown>>;
  /** The pinned digest of the definition. */
  readonly digest: string;
  readonly args: unknown;
  readonly trace: TraceContext;
  /** Aborted when the client cancels the request or the session closes. */
  readonly signal: AbortSignal;
  /**
   * Sends an MCP elicitation (form mode) to the client, on this request's stream. Absent when the client did not
   * declare the elicitation capability.
   */
  readonly elicit?: (params: Params, signal: AbortSignal) => Promise<Outcome>;
}

/** A read that returns data without being a tool call: `resources/read` and `prompts/get`. */
export interface ReadContext {
  readonly sessionId: string;
  readonly server: string;
  readonly kind: "resource" | "prompt";
  /** The resource URI, or the prompt's name on the upstream. */
  readonly target: string;
  /** The prompt's arguments (absent for resources). */
  readonly args?: unknown;
  readonly trace: TraceContext;
  readonly signal: AbortSignal;
}

/** Forward (with these arguments: the original ones, or a redacted copy), or answer the client now. */
export type Admission =
  | { readonly forward: true; readonly args: unknown }
  | { readonly forward: false; readonly outcome: Outcome };

/** Something an operator must look at: a pinned tool changed, a tool appeared that no pin covers. */
export interface ToolAlert {
  readonly server: string;
  readonly tool: string;
  readonly sessionId?: string;
  readonly rule: "tool-definition-changed" | "tool-unpinned";
  readonly detail: string;
}

export interface Enforcer {
  readonly name: string;
  /** Whether `tools/list` shows this tool (false hides undeclared tools in `hide` mode). */
  visible(server: string, tool: string): boolean;
  beforeTool(context: ToolContext): Promise<Admission>;
  /** Decides what the client receives for a tool result or an upstream error. */
  afterTool(context: ToolContext, outcome: Outcome): Promise<Outcome>;
  afterRead(context: ReadContext, outcome: Outcome): Promise<Outcome>;
  alert(alert: ToolAlert): void;
  /** Flushes whatever the enforcer records (the audit log). */
  close(): Promise<void>;
}

/** Relays everything unchanged. For benchmarks and protocol tests of the routing; the CLI never uses it. */
export const passThrough: Enforcer = {
  name: "off",
  visible: () => true,
  beforeTool: async (context) => ({ forward: true, args: context.args }),
  afterTool: async (_context, outcome) => outcome,
  afterRead: async (_context, outcome) => outcome,
  alert: () => undefined,
  close: async () => undefined,
};
