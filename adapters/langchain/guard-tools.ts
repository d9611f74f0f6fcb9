import { randomUUID } from "node:crypto";
import type { BaseMessage } from "@langchain/core/messages";
import { Runnable, type RunnableConfig } from "@langchain/core/runnables";
import { v7 as uuidv7 } from "@langchain/core/utils/uuid";
import { GuardError, type CallOptions, type Guard, type ToolCall } from "../../src/index.js";
import { DEFAULT_LABEL_KEYS } from "../common/active-trace.js";
import { userValuesOf } from "../common/arguments.js";
import { createToolResolver } from "../common/tool-names.js";
import { forwardIfPermitted } from "./guarded-run.js";
import { sessionIdOf, type LangChainGuardOptions } from "./options.js";
import { lastUserText, parentRunIdOf, threadIdOf, traceOf } from "./trace.js";

/** What `guardTools` accepts: LangChain tools (`tool()`, `StructuredTool`, `DynamicTool`, `runnable.asTool()`). */
export interface InvocableTool {
  readonly name: string;
  invoke(input: never, config?: never): Promise<unknown>;
}

interface LangChainToolCall {
  readonly type: "tool_call";
  readonly id?: string;
  readonly name: string;
  readonly args: unknown;
}

/**
 * Wraps LangChain tools so each invocation is guarded, for code that does not use `createAgent` (LangGraph's
 * `ToolNode`, a hand-written loop, a plain `tool.invoke`). Each returned tool is the original with what runs it
 * replaced (`call` of a `StructuredTool`, the bound runnable of `runnable.asTool()`), so every entry point (`invoke`,
 * `stream`, `batch`, `streamEvents`) is guarded, and its name, description, schema and `instanceof` are unchanged.
 *
 * Invoked with a tool call (`{type: "tool_call", id, name, args}`, as `ToolNode` does), a refusal comes back as an
 * error `ToolMessage` naming the policy; invoked with bare arguments, it throws a `RefusalError`. A halt always throws.
 */
export function guardTools<T extends InvocableTool>(tools: readonly T[], guard: Guard, options: LangChainGuardOptions = {}): T[] {
  const resolve = createToolResolver(guard, options.tools, options.server ?? "langchain");
  const labelKeys = options.labelKeys ?? DEFAULT_LABEL_KEYS;
  const callOptions: CallOptions = options.approver ? { approver: options.approver } : {};
  // Without a thread id, calls through this set of tools share one session: flows between them stay visible.
  const fallbackSession = `langchain:${randomUUID()}`;

  return tools.map((tool, index) => {
    if (!tool || typeof tool.name !== "string" || typeof tool.invoke !== "function") {
      throw new GuardError("CONFIG_INVALID", `tools[${index}] is not a LangChain tool that runs in this process`, {
        issues: [{ path: `tools[${index}]`, message: "needs a `name` and an `invoke` method (tools the model provider runs cannot be guarded here)", fix: "pass tools made with `tool()` or `StructuredTool`" }],
      });
    }
    const resolved = resolve(tool.name);

    async function guarded(input: unknown, config: RunnableConfig & { toolCall?: { id?: string }; state?: { messages?: BaseMessage[] } }, forward: (input: unknown, config: RunnableConfig) => Promise<unknown>): Promise<unknown> {
      const toolCall = isToolCall(input) ? input : undefined;
      const toolCallId = toolCall?.id ?? config.toolCall?.id;
      const metadata = (config.metadata ?? {}) as Record<string, unknown>;
      const threadId = threadIdOf(config);
      const parentRunId = parentRunIdOf(config);
      const runId = uuidv7();
      const userValues = userValuesOf(lastUserText(config.state?.messages));
      const call: ToolCall = {
        server: resolved.server,
        tool: resolved.tool,
        args: toolCall ? toolCall.args : input,
        sessionId: sessionIdOf(options.sessionId, { threadId, parentRunId, metadata }) ?? threadId ?? fallbackSession,
        trace: traceOf({ threadId, runId, parentRunId, toolCallId }, metadata, labelKeys),
        ...(resolved.hints ? { hints: resolved.hints } : {}),
        ...(userValues ? { userValues } : {}),
      };
      const verdict = await guard.beforeCall(call, callOptions);
      const run = { guard, call, toolCall: { id: toolCallId, name: tool.name }, answersWithMessage: toolCallId !== undefined };
      return forwardIfPermitted(run, verdict, (args) =>
        forward(toolCall ? (args === toolCall.args ? toolCall : { ...toolCall, args }) : args, { ...config, runId }),
      );
    }

    const original = tool as unknown as {
      invoke(input: unknown, config?: RunnableConfig): Promise<unknown>;
      call?: (arg: unknown, config?: unknown, tags?: string[]) => Promise<unknown>;
      bound?: unknown;
    };
    // StructuredTool.invoke calls this.call, and its stream, batch and streamEvents go through invoke: replacing
    // `call` guards them all, and the deprecated direct `call` too.
    const call = original.call;
    if (typeof call === "function") {
      return Object.create(tool, {
        call: {
          value: (arg: unknown, configArg?: unknown, tags?: string[]) =>
            guarded(arg, configOf(configArg), (input, config) => call.call(original, input, config, tags)),
        },
      }) as T;
    }
    // A binding (`runnable.asTool()` is one) sends invoke, stream, batch, streamEvents, withConfig and withRetry
    // straight to its bound runnable: the bound runnable is what must be guarded, not one method of the binding.
    const bound = original.bound;
    if (Runnable.isRunnable(bound)) {
      return Object.create(tool, { bound: { value: new GuardedRunnable(bound, (input, config) => guarded(input, config, (forwarded, forwardedConfig) => bound.invoke(forwarded, forwardedConfig))) } }) as T;
    }
    // Any other runnable: invoke is guarded, and every other entry point is Runnable's own, which goes through invoke.
    const invoke = (input: unknown, config?: RunnableConfig) => guarded(input, config ?? {}, (forwarded, forwardedConfig) => original.invoke(forwarded, forwardedConfig));
    return Object.create(tool, { invoke: { value: invoke }, ...(Runnable.isRunnable(tool) ? THROUGH_INVOKE : {}) }) as T;
  });
}

/** Runnable's entry points that reach a runnable only through `this.invoke`. */
const THROUGH_INVOKE: PropertyDescriptorMap = Object.fromEntries(
  (["batch", "stream", "_streamIterator", "transform", "streamLog", "streamEvents"] as const).map((name) => [name, { value: Runnable.prototype[name] }]),
);

/** A runnable whose every entry point (Runnable's, built on `invoke`) runs through one guarded invoke. */
class GuardedRunnable extends Runnable {
  lc_namespace = ["purpose_guard", "langchain"];

  constructor(
    private readonly inner: Runnable,
    private readonly run: (input: unknown, config: RunnableConfig) => Promise<unknown>,
  ) {
    super();
  }

  override getName(suffix?: string): string {
    return this.inner.getName(suffix);
  }

  override invoke(input: unknown, config?: RunnableConfig): Promise<unknown> {
    return this.run(input, config ?? {});
  }
}

function isToolCall(input: unknown): input is LangChainToolCall {
  return input !== null && typeof input === "object" && (input as { type?: unknown }).type === "tool_call" && "args" in input;
}

/** `StructuredTool.call` takes a config or bare callbacks (a handler list or a callback manager). */
function configOf(configArg: unknown): RunnableConfig {
  if (!configArg) return {};
  if (Array.isArray(configArg) || "name" in (configArg as object)) return { callbacks: configArg as RunnableConfig["callbacks"] };
  return configArg as RunnableConfig;
}
