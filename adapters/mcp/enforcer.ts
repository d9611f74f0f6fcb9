/**
 * The seam between the proxy's routing and the guard. A session asks its `Enforcer` before forwarding anything that
 * acts or reads (`tools/call`, `resources/read`, `prompts/get`) and again with what came back. The guarded
 * implementation is `guardedEnforcer` (guarded.ts); `passThrough` exists to measure the proxy itself
 * ("enforcement off" in the benchmark) and is never what the CLI runs.
 */
import type { TraceContext } from "../../src/model/call.js";
import type { Outcome, Params } from "./jsonrpc.js";

/**
 * What a client asked for, as the guard sees it: a tool call, a resource read, a prompt, or another MCP method
 * (decided as a pseudo-tool named by the method).
 */
export type RequestKind = "tool" | "resource" | "prompt" | "method";

/** The pseudo-tool names under which a declaration grants resource reads and prompts on a server. */
export const RESOURCE_READ = "resources/read";
export const PROMPT_GET = "prompts/get";

export interface CallContext {
  readonly kind: RequestKind;
  readonly sessionId: string;
  /** The upstream's name (the declaration's `tools[].server`). */
  readonly server: string;
  /** The tool's name on the upstream, `resources/read` / `prompts/get`, or the MCP method. */
  readonly tool: string;
  /** What the client named: `fs__read_file` when aggregated, a URI for resources, a prompt name. */
  readonly target: string;
  /** The tool's definition as the upstream listed it (annotations, schemas); absent for resources and prompts. */
  readonly definition?: Readonly<Record<string, unknown>>;
  /** The pinned digest of the definition. */
  readonly digest?: string;
  /** Tool arguments; `{uri}` for a resource; `{name, arguments}` for a prompt. */
  readonly args: unknown;
  readonly trace: TraceContext;
  /** Aborted when the client cancels the request or the session closes. */
  readonly signal: AbortSignal;
  /**
   * Sends an MCP elicitation (form mode) to the client, on this request's stream. Absent when the client did not
   * declare the elicitation capability.
   */
  readonly elicit?: (params: Params, signal: AbortSignal) => Promise<Outcome>;
  /** The client's `clientInfo.name`, to say who approved. */
  readonly clientName?: string;
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
  /** `guard` or `off`, for logs and benchmark labels. */
  readonly name: string;
  /** Whether lists show this tool (or `resources/read`, `prompts/get`): false hides what the declaration lacks. */
  visible(server: string, tool: string): boolean;
  before(context: CallContext): Promise<Admission>;
  /** Decides what the client receives: the upstream's result or error, redacted, or replaced by a refusal. */
  after(context: CallContext, outcome: Outcome): Promise<Outcome>;
  /**
   * Checks data that crosses the proxy outside a decided call's own answer (a server-to-client request and the
   * client's answer to it, a notification, a list, instructions) like a result of `context`'s tool: the value to
   * pass on, redacted where the guard says so, or undefined when it must not pass.
   */
  screen(context: CallContext, value: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>> | undefined>;
  alert(alert: ToolAlert): void;
  /** The client went away: forget what the session remembered. */
  endSession(sessionId: string): Promise<void>;
  /** Flushes whatever the enforcer records (the audit log). */
  close(): Promise<void>;
}

/** Relays everything unchanged. For benchmarks and protocol tests of the routing; the CLI never uses it. */
export const passThrough: Enforcer = {
  name: "off",
  visible: () => true,
  before: async (context) => ({ forward: true, args: context.args }),
  after: async (_context, outcome) => outcome,
  screen: async (_context, value) => value,
  alert: () => undefined,
  endSession: async () => undefined,
  close: async () => undefined,
};
