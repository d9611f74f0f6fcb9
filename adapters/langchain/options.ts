import type { Approver } from "../../src/index.js";
import type { ToolMap } from "../common/tool-names.js";

/** What a session id is chosen from: the run a tool call belongs to. */
export interface SessionContext {
  /** `configurable.thread_id`, when the caller set one. */
  readonly threadId?: string;
  readonly parentRunId?: string;
  /** The run's metadata (`config.metadata`: tenant, user, LangGraph's keys). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Options every LangChain entry point takes. */
export interface LangChainGuardOptions {
  /**
   * Tool name → declaration server (`"crm"`), or `{server, name?, intent?, zone?}`. Unlisted tools take the server
   * of the one declaration grant that allows their name.
   */
  readonly tools?: ToolMap;
  /** Server for tools that neither `tools` nor the declaration names (the guard denies them); default `langchain`. */
  readonly server?: string;
  /** Resolves `ask` verdicts (the same interface the MCP proxy uses); default: the guard's configured approver. */
  readonly approver?: Approver;
  /**
   * The guard session a call belongs to (flow memory, budgets, halts). Default: `configurable.thread_id`; without
   * one, the middleware uses one session per conversation (per agent invocation without a checkpointer), `guardTools` one per set of wrapped tools, and the
   * callback handler one per root run.
   */
  readonly sessionId?: string | ((context: SessionContext) => string | undefined);
  /** Run metadata keys copied into the audit record's trace labels; default `tenant`, `tenant_id`, `user`, `user_id`. */
  readonly labelKeys?: readonly string[];
}

export interface PurposeGuardMiddlewareOptions extends LangChainGuardOptions {
  /**
   * On `ask` (when no approver answered), pause the run with LangGraph's `interrupt` in LangChain's
   * human-in-the-loop format (`HITLRequest`, with the call's `toolCallId` and `callDigest` under `purposeGuard`), one
   * interrupt per call. Resume each by its interrupt id with `{ decisions: [{ type: "approve" | "reject", toolCallId
   * }] }`: an answer counts only for the call it names (an unnamed one only when the turn asked for a single call).
   * Needs a checkpointer and a `thread_id`. Default false: an `ask` is refused.
   */
  readonly humanInTheLoop?: boolean;
}

export interface PurposeGuardCallbackHandlerOptions extends LangChainGuardOptions {
  /**
   * true (default): refuse by throwing from the callbacks (`raiseError` and `awaitHandlers` set). false: shadow mode,
   * decisions are audited in the background and nothing is blocked.
   */
  readonly enforce?: boolean;
  /**
   * Most tool runs remembered between start and end; default 10 000. When enforcing, a run past it is refused (a
   * forgotten run's result could not be decided); in shadow mode the oldest is forgotten.
   */
  readonly maxPendingRuns?: number;
  /**
   * A tool run pending longer than this (ms; default 600 000) is given up when the handler is full: a stream its
   * consumer abandoned never ends, and would hold its place for good. A result that still comes is withheld.
   */
  readonly pendingTimeoutMs?: number;
}

export function sessionIdOf(option: LangChainGuardOptions["sessionId"], context: SessionContext): string | undefined {
  return typeof option === "function" ? option(context) : option;
}
