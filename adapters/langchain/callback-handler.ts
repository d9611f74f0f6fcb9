import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import { isGraphBubbleUp } from "@langchain/langgraph";
import { GuardError, permitsForwarding, RefusalError, type CallOptions, type Guard, type ToolCall, type Verdict } from "../../src/index.js";
import { DEFAULT_LABEL_KEYS } from "../common/active-trace.js";
import { argumentsOf } from "../common/arguments.js";
import { createToolResolver, type ResolvedTool } from "../common/tool-names.js";
import { sessionIdOf, type PurposeGuardCallbackHandlerOptions } from "./options.js";
import { outputView } from "./tool-output.js";
import { traceOf } from "./trace.js";

/**
 * Guards tool runs from LangChain's callbacks, for stacks where neither the middleware nor `guardTools` fits (an
 * executor that builds its own tools, a third-party chain). Pass it in `callbacks` at invocation so it sees every run.
 *
 * Enforcing (the default) sets `raiseError` and `awaitHandlers`, so `handleToolStart` runs before the tool and a
 * refusal thrown there stops it, and `handleToolEnd` runs before the caller gets the result. The trade-off: a
 * callback can only throw, never answer. A refusal reaches the model as whatever the caller makes of a tool error
 * (`ToolNode` turns it into an error message; a plain `invoke` rejects), arguments and results cannot be redacted (a
 * redact verdict refuses instead), a halt cannot end an agent whose `ToolNode` catches tool errors (each later call is
 * refused instead), approvals go through an approver only, and LangChain logs each refusal to the console. Prefer
 * `purposeGuardMiddleware` or `guardTools` wherever they fit.
 *
 * A `runnable.asTool()` tool runs as a chain, not as a tool: its chain run is decided as a tool run, the call when the
 * chain starts and the result when it ends. Streamed, its chunks reach the caller before the end: only the middleware
 * and `guardTools` guard a streamed `asTool()` result.
 *
 * With `enforce: false` it is a shadow: every run is decided and audited in the background and nothing is blocked,
 * to try a declaration against real traffic before enforcing it.
 */
export class PurposeGuardCallbackHandler extends BaseCallbackHandler {
  readonly name = "PurposeGuardCallbackHandler";
  readonly enforce: boolean;
  private readonly guard: Guard;
  private readonly options: PurposeGuardCallbackHandlerOptions;
  private readonly resolve: (name: string) => ResolvedTool;
  private readonly callOptions: CallOptions;
  private readonly labelKeys: readonly string[];
  private readonly maxPending: number;
  private readonly pendingTimeoutMs: number;
  /** Tool runs between start and end: the call their result belongs to, and when they started. */
  private readonly pending = new Map<string, { readonly call: ToolCall; readonly since: number }>();
  /** Tool runs given up for being pending too long: a result that still comes is withheld. */
  private readonly expired = new Map<string, true>();
  /** Tool runs whose start is being decided. */
  private deciding = 0;
  /** Live runs → the root run of their tree: the session of a run that has no thread id. */
  private readonly roots = new Map<string, string>();

  constructor(guard: Guard, options: PurposeGuardCallbackHandlerOptions = {}) {
    const enforce = options.enforce ?? true;
    super({ raiseError: enforce, _awaitHandler: enforce, ignoreLLM: true, ignoreRetriever: true, ignoreCustomEvent: true });
    this.enforce = enforce;
    this.guard = guard;
    this.options = options;
    this.resolve = createToolResolver(guard, options.tools, options.server ?? "langchain");
    this.callOptions = options.approver ? { approver: options.approver } : {};
    this.labelKeys = options.labelKeys ?? DEFAULT_LABEL_KEYS;
    this.maxPending = options.maxPendingRuns ?? 10_000;
    this.pendingTimeoutMs = options.pendingTimeoutMs ?? 600_000;
  }

  /** LangChain copies handlers in places; the copy must share the pending runs, so it is this handler. */
  override copy(): this {
    return this;
  }

  /**
   * LangChain's callback manager passes `(chain, inputs, runId, parentRunId, tags, metadata, runType, runName)`,
   * whatever `BaseCallbackHandler` declares: the arguments are read in the order they come.
   */
  override async handleChainStart(chain: Serialized, inputs: unknown, runId: string, parentRunId?: unknown, _tags?: unknown, metadata?: Record<string, unknown>, _runType?: unknown, _runName?: unknown): Promise<void> {
    const parent = typeof parentRunId === "string" ? parentRunId : undefined;
    remember(this.roots, runId, parent ? (this.roots.get(parent) ?? parent) : runId, this.maxPending);
    // A `runnable.asTool()` tool runs as a chain, never as a tool: its run is decided here as a tool run.
    const toolName = asToolName(chain);
    if (toolName === undefined) return;
    const toolCall = isToolCall(inputs) ? inputs : undefined;
    await this.start(toolName, toolCall ? toolCall.args : inputs, runId, parent, metadata, toolCall?.id);
  }

  override async handleChainEnd(outputs: unknown, runId: string): Promise<void> {
    this.roots.delete(runId);
    if (!this.pending.has(runId) && !this.expired.has(runId)) return;
    // A chain's output comes as a record; a value that is not one is under `output`.
    const record = outputs as Record<string, unknown> | null;
    const output = record !== null && typeof record === "object" && Object.keys(record).length === 1 && "output" in record ? record["output"] : outputs;
    await this.end(output, runId);
  }

  override async handleChainError(error: unknown, runId: string): Promise<void> {
    this.roots.delete(runId);
    await this.failed(error, runId);
  }

  override async handleToolStart(tool: Serialized, input: string, runId: string, parentRunId?: string, _tags?: string[], metadata?: Record<string, unknown>, runName?: string, toolCallId?: string): Promise<void> {
    await this.start(runName ?? nameOf(tool), argumentsOf(input), runId, parentRunId, metadata, toolCallId);
  }

  override async handleToolEnd(output: unknown, runId: string): Promise<void> {
    await this.end(output, runId);
  }

  override async handleToolError(error: unknown, runId: string): Promise<void> {
    await this.failed(error, runId);
  }

  private async start(name: string, args: unknown, runId: string, parentRunId: string | undefined, metadata: Record<string, unknown> | undefined, toolCallId: string | undefined): Promise<void> {
    const resolved = this.resolve(name);
    // A run forgotten to make room would end unguarded: when enforcing, a full handler gives up runs pending too long
    // (their results are withheld if they still come), and refuses the new run if that makes no room.
    if (this.enforce && this.pending.size + this.deciding >= this.maxPending) this.giveUpStale(Date.now());
    if (this.enforce && this.pending.size + this.deciding >= this.maxPending) {
      throw new GuardError("CALL_REFUSED", `purpose-guard refused the call to ${resolved.server}/${resolved.tool}: ${this.pending.size} tool runs are already between start and end, the most this handler follows (maxPendingRuns)`, {
        issues: [{ path: "maxPendingRuns", message: "no room to remember this run until its result", fix: "raise maxPendingRuns, or run fewer tools at once" }],
      });
    }
    const meta = metadata ?? {};
    const threadId = typeof meta["thread_id"] === "string" ? meta["thread_id"] : undefined;
    const root = parentRunId ? (this.roots.get(parentRunId) ?? parentRunId) : runId;
    const call: ToolCall = {
      server: resolved.server,
      tool: resolved.tool,
      args,
      sessionId: sessionIdOf(this.options.sessionId, { threadId, parentRunId, metadata: meta }) ?? threadId ?? `langchain:${root}`,
      trace: traceOf({ threadId, runId, parentRunId, toolCallId }, meta, this.labelKeys),
      ...(resolved.hints ? { hints: resolved.hints } : {}),
    };
    // Runs being decided hold their place too: parallel starts would otherwise all see room for one.
    this.deciding++;
    let verdict: Verdict;
    try {
      verdict = await this.guard.beforeCall(call, this.callOptions);
    } finally {
      this.deciding--;
    }
    if (this.enforce && verdict.decision !== "allow") {
      if (verdict.decision === "redact") throw new RefusalError(verdict, `purpose-guard refused the call to ${call.server}/${call.tool}: its arguments must be redacted (${verdict.policyIds.join(", ")}), which a callback handler cannot do`);
      throw new RefusalError(verdict);
    }
    if (permitsForwarding(verdict) || !this.enforce) remember(this.pending, runId, { call, since: Date.now() }, this.maxPending);
  }

  private giveUpStale(now: number): void {
    for (const [runId, run] of this.pending) {
      if (now - run.since < this.pendingTimeoutMs) break; // in start order: the rest are younger
      this.pending.delete(runId);
      remember(this.expired, runId, true, this.maxPending);
    }
  }

  /**
   * A tool that threw: its error's text is what it returned, as far as the caller can tell, so it is decided like a
   * result. A callback cannot rewrite it: an error the guard would redact or deny is replaced by a refusal (thrown
   * from here, it is what the tool's caller gets instead of the original).
   */
  private async failed(error: unknown, runId: string): Promise<void> {
    this.expired.delete(runId);
    const call = this.pending.get(runId)?.call;
    if (!call) return;
    this.pending.delete(runId);
    if (error instanceof GuardError || isGraphBubbleUp(error)) return;
    const verdict = await this.guard.afterCall(call, outputView(error instanceof Error ? error.message : String(error)).value);
    if (this.enforce && verdict.decision !== "allow") {
      if (verdict.decision === "redact") throw new RefusalError(verdict, `purpose-guard withheld the error of ${call.server}/${call.tool}: it must be redacted (${verdict.policyIds.join(", ")}), which a callback handler cannot do`);
      throw new RefusalError(verdict);
    }
  }

  private async end(output: unknown, runId: string): Promise<void> {
    this.expired.delete(runId);
    const call = this.pending.get(runId)?.call;
    if (!call) {
      // Every run this handler let start is pending: an unknown one's result was never decided, so it is refused.
      if (this.enforce) throw new GuardError("CALL_REFUSED", `purpose-guard withheld the result of tool run ${runId}: the handler did not see it start, so it cannot decide it`);
      return;
    }
    this.pending.delete(runId);
    const verdict = await this.guard.afterCall(call, outputView(output).value);
    if (this.enforce && verdict.decision !== "allow") {
      if (verdict.decision === "redact") throw new RefusalError(verdict, `purpose-guard withheld the result of ${call.server}/${call.tool}: it must be redacted (${verdict.policyIds.join(", ")}), which a callback handler cannot do`);
      throw new RefusalError(verdict);
    }
  }
}

/**
 * The tool name of a `runnable.asTool()` run: such a tool is a sequence whose first step is a lambda named
 * `<tool>:parse_input` (how `RunnableToolLike` is built). The name comes from that step: the run's own name is the
 * caller's to set (`invoke(input, { runName })`), and a run renamed so was not taken for a tool (fourth review).
 */
function asToolName(chain: Serialized): string | undefined {
  type Config = { readonly config?: { readonly runName?: unknown } };
  const sequence = chain as { id?: unknown; kwargs?: { first?: Config & { kwargs?: Config } } };
  if (!Array.isArray(sequence.id) || sequence.id.at(-1) !== "RunnableSequence") return undefined;
  // The first step is the binding itself (a sequence's `toJSON` keeps its steps as runnables) or its serialized form.
  const first = sequence.kwargs?.first;
  const stepName = first?.config?.runName ?? first?.kwargs?.config?.runName;
  if (typeof stepName !== "string" || !stepName.endsWith(PARSE_INPUT) || stepName.length === PARSE_INPUT.length) return undefined;
  return stepName.slice(0, -PARSE_INPUT.length);
}

const PARSE_INPUT = ":parse_input";

function isToolCall(input: unknown): input is { readonly id?: string; readonly args: unknown } {
  return input !== null && typeof input === "object" && (input as { type?: unknown }).type === "tool_call" && "args" in input;
}

/** A tool's name from its serialized form, when the run has no name (LangChain sets the tool name as run name). */
function nameOf(tool: Serialized): string {
  const named = (tool as { name?: unknown; kwargs?: { name?: unknown } }).kwargs?.name ?? (tool as { name?: unknown }).name;
  return typeof named === "string" && named ? named : "<unnamed tool>";
}

/** Sets a key in a bounded map: past `max` entries the oldest goes (a run that never ended must not leak). */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
