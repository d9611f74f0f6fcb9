import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { v7 as uuidv7 } from "@langchain/core/utils/uuid";
import { createMiddleware } from "langchain";
import type { CallOptions, Guard, ToolCall, Verdict } from "../../src/index.js";
import { userValuesOf } from "../common/arguments.js";
import { DEFAULT_LABEL_KEYS } from "../common/active-trace.js";
import { createToolResolver } from "../common/tool-names.js";
import { forwardIfPermitted } from "./guarded-run.js";
import { approverFromInterrupt } from "./human-in-the-loop.js";
import { sessionIdOf, type PurposeGuardMiddlewareOptions } from "./options.js";
import { lastUserText, parentRunIdOf, threadIdOf, traceOf } from "./trace.js";

/**
 * Agent middleware for `createAgent` (langchain 1.x): every tool call passes `guard.beforeCall` before it runs and
 * `guard.afterCall` before the model sees its result.
 *
 * - allow: the tool runs; redact: it runs with the redacted arguments.
 * - deny, or an `ask` nobody approved: the tool never runs, and the model gets an error `ToolMessage` that names
 *   the policy, so it can recover.
 * - a result the guard redacts reaches the model redacted; a result it denies is withheld (an error `ToolMessage`).
 * - halt: the run ends with a `RefusalError` (code `SESSION_HALTED`; LangChain wraps it in a `MiddlewareError`,
 *   `refusalOf(error)` finds it).
 * - ask: the approver (options, else the guard's) decides; with `humanInTheLoop`, the run pauses with LangGraph's
 *   interrupt in LangChain's human-in-the-loop format.
 *
 * Each decision's trace holds the thread id, the tool run's id (the middleware gives the tool run that id, so the
 * audit record and LangChain's tracers name the same run), its parent run, the tool call id, run metadata labels and
 * the active OpenTelemetry span.
 */
export function purposeGuardMiddleware(guard: Guard, options: PurposeGuardMiddlewareOptions = {}) {
  const resolve = createToolResolver(guard, options.tools, options.server ?? "langchain");
  const labelKeys = options.labelKeys ?? DEFAULT_LABEL_KEYS;
  const callOptions: CallOptions = options.approver ? { approver: options.approver } : {};
  const humanInTheLoop = options.humanInTheLoop === true;

  return createMiddleware({
    name: "PurposeGuardMiddleware",
    wrapToolCall: async function purposeGuardToolCall(request, handler) {
      const { toolCall } = request;
      const config = AsyncLocalStorageProviderSingleton.getRunnableConfig() as RunnableConfig | undefined;
      const metadata = (config?.metadata ?? {}) as Record<string, unknown>;
      const threadId = stringOf(request.runtime.configurable?.thread_id) ?? threadIdOf(config);
      const parentRunId = parentRunIdOf(config);
      const runId = uuidv7();
      const resolved = resolve(toolCall.name);
      const userValues = userValuesOf(lastUserText(request.state.messages));
      const call: ToolCall = {
        server: resolved.server,
        tool: resolved.tool,
        args: toolCall.args,
        sessionId: sessionIdOf(options.sessionId, { threadId, parentRunId, metadata }) ?? threadId ?? conversationOf(request.state.messages) ?? `langchain:${parentRunId ?? runId}`,
        trace: traceOf({ threadId, runId, parentRunId, toolCallId: toolCall.id }, metadata, labelKeys),
        ...(resolved.hints ? { hints: resolved.hints } : {}),
        ...(userValues ? { userValues } : {}),
      };

      let verdict: Verdict = await guard.beforeCall(call, callOptions);
      if (verdict.decision === "ask" && humanInTheLoop) {
        // Throws GraphInterrupt on the first pass; on resume, the same call is decided again with the answer.
        const uniqueId = toolCall.id !== undefined && toolCall.id !== "" && callsWithId(request.state.messages, toolCall.id) === 1;
        verdict = await guard.beforeCall(call, { approver: approverFromInterrupt(toolCall, verdict, uniqueId) });
      }
      const run = { guard, call, toolCall, answersWithMessage: true };
      return (await forwardIfPermitted(run, verdict, async (args) =>
        handler({
          ...request,
          toolCall: args === toolCall.args ? toolCall : { ...toolCall, args: args as Record<string, unknown> },
          tool: request.tool ? withRunId(request.tool, runId) : undefined,
        }),
      )) as Awaited<ReturnType<typeof handler>>;
    },
  });
}

/**
 * The tool, made to start its run under `runId`: LangChain takes a run id from the invocation config, so the tool
 * run that LangSmith or any tracer records has the id the audit record holds.
 */
function withRunId<T extends object>(tool: T, runId: string): T {
  const invoke = (tool as { invoke?: unknown }).invoke;
  if (typeof invoke !== "function") return tool;
  return Object.create(tool, {
    invoke: { value: (input: unknown, config?: RunnableConfig) => invoke.call(tool, input, { ...config, runId }) },
  }) as T;
}

/**
 * The session of a conversation without a thread id: LangGraph gives every message an id as it enters the state, so
 * the first message's id names one conversation (one invocation without a checkpointer) at no cost: no extra state
 * key, no extra graph node.
 */
function conversationOf(messages: readonly { readonly id?: string | undefined }[] | undefined): string | undefined {
  const id = messages?.[0]?.id;
  return id ? `langchain:${id}` : undefined;
}

/** How many tool calls of the model's last turn have the id `id` (a model can repeat one). */
function callsWithId(messages: readonly { readonly type?: unknown; readonly tool_calls?: readonly { readonly id?: unknown }[] | undefined }[] | undefined, id: string): number {
  if (!messages) return 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.type === "ai") return message.tool_calls?.filter((call) => call.id === id).length ?? 0;
  }
  return 0;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
