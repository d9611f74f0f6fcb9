import { randomUUID } from "node:crypto";
import type { ChatCompletionRunner } from "openai/lib/ChatCompletionRunner";
import type { ChatCompletionStreamingRunner } from "openai/lib/ChatCompletionStreamingRunner";
import { isAutoParsableTool, makeParseableTool } from "openai/lib/parser";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { GuardError, permitsForwarding, type CallOptions, type Guard, type ToolCall } from "../../src/index.js";
import { activeTrace } from "../common/active-trace.js";
import { argumentsOf, userValuesOf } from "../common/arguments.js";
import { refusalText, stopOnHalt } from "../common/refusal.js";
import { createToolResolver } from "../common/tool-names.js";
import { functionResult } from "./function-result.js";
import { optionOf, type OpenAIGuardOptions } from "./options.js";

type Runner = ChatCompletionRunner<unknown> | ChatCompletionStreamingRunner<unknown>;
type RunnerFunction = (args: unknown, runner: Runner, toolContext: unknown) => unknown;

/** What a `runTools` function sees of its run: the runner and the `toolContext` given to `runTools`. */
export interface RunToolsContext {
  readonly runner: Runner | undefined;
  readonly toolContext: unknown;
}

/**
 * Wraps the tools given to `client.chat.completions.runTools` (openai 6.x) so each invocation is guarded:
 * `{type: "function", function: {function, parse?, parameters, ...}}` entries, tools made with the SDK's helpers
 * (`zodFunction`), and bare `{function, parse?, parameters}` functions. Returns the same entries, in order, with their
 * functions guarded.
 *
 * A refused call never runs: the model gets the guard's sentence (which names the policy) as the function's result.
 * A redacted call runs with the redacted arguments; a result the guard redacts reaches the model redacted, one it
 * denies is withheld. A function that throws is answered with its error's text, decided like a result. A halt throws a `RefusalError` (the runner ends with an `OpenAIError` whose `cause` it is).
 * Trace: the completion id as run id, the tool call id, the active OpenTelemetry span and the configured labels.
 */
export function guardRunToolsFunctions<T extends readonly unknown[]>(functions: T, guard: Guard, options: OpenAIGuardOptions<RunToolsContext> = {}): T {
  const resolve = createToolResolver(guard, options.tools, options.server ?? "openai");
  const callOptions: CallOptions = options.approver ? { approver: options.approver } : {};
  const rawArguments = new WeakMap<object, string>();
  const sessions = new WeakMap<object, string>();
  const claimed = new WeakMap<object, Set<string>>();
  const fallbackSession = `openai:${randomUUID()}`;

  /** Keeps the raw arguments of each parsed value, so the call can be matched to its tool call id. */
  function tracked(parse: (input: string) => unknown) {
    return async function parseTracked(input: string): Promise<unknown> {
      const parsed = await parse(input);
      if (parsed !== null && typeof parsed === "object") {
        rawArguments.set(parsed, input);
        return parsed;
      }
      // A primitive cannot key a map: it goes to the guarded function (the runner's only consumer) in a holder.
      return new ParsedPrimitive(input, parsed, parse);
    };
  }

  function guarded(name: string, fn: RunnerFunction): RunnerFunction {
    const resolved = resolve(name);
    return async function guardedFunction(input: unknown, runner: Runner, toolContext: unknown): Promise<unknown> {
      const primitive = input instanceof ParsedPrimitive ? input : undefined;
      const args = primitive ? primitive.value : input;
      const raw = primitive ? primitive.raw : typeof args === "string" ? args : args !== null && typeof args === "object" ? rawArguments.get(args) : undefined;
      const context: RunToolsContext = { runner, toolContext };
      const call: ToolCall = {
        server: resolved.server,
        tool: resolved.tool,
        // What the model sent: a parse that keeps one value of it (an id) would hide the rest from the guard.
        args: primitive ? argumentsOf(primitive.raw) : typeof args === "string" ? argumentsOf(args) : args,
        sessionId: optionOf(options.sessionId, context) ?? sessionOf(runner),
        trace: traceOf(runner, toolCallIdOf(runner, name, raw), optionOf(options.labels, context)),
        ...(resolved.hints ? { hints: resolved.hints } : {}),
        ...userValuesField(runner?.messages),
      };
      const verdict = await guard.beforeCall(call, callOptions);
      if (!permitsForwarding(verdict)) {
        stopOnHalt(verdict);
        return refusalText(verdict);
      }
      const forwarded = verdict.decision !== "redact" ? args : primitive ? await primitive.parse(JSON.stringify(verdict.value)) : typeof args === "string" ? JSON.stringify(verdict.value) : verdict.value;
      return functionResult(guard, verdict.decision === "redact" ? { ...call, args: verdict.value } : call, () => fn(forwarded, runner, toolContext));
    };
  }

  function sessionOf(runner: Runner | undefined): string {
    if (!runner) return fallbackSession;
    let id = sessions.get(runner);
    if (!id) sessions.set(runner, (id = `openai:${randomUUID()}`));
    return id;
  }

  /**
   * The id of the tool call being run: the runner does not pass it to functions, but its last assistant message
   * holds the calls. Matched by name and raw arguments; each id is claimed once, so identical calls get distinct ids.
   */
  function toolCallIdOf(runner: Runner | undefined, name: string, raw: string | undefined): string | undefined {
    const messages = runner?.messages;
    if (!messages) return undefined;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i]!;
      if (message.role !== "assistant" || !message.tool_calls?.length) continue;
      let taken = claimed.get(runner!);
      if (!taken) claimed.set(runner!, (taken = new Set()));
      for (const toolCall of message.tool_calls) {
        if (toolCall.type !== "function" || toolCall.function.name !== name || taken.has(toolCall.id)) continue;
        if (raw !== undefined && toolCall.function.arguments !== raw) continue;
        taken.add(toolCall.id);
        return toolCall.id;
      }
      return undefined;
    }
    return undefined;
  }

  return functions.map((entry, index) => {
    const candidate = entry as Record<string, unknown> | null;
    if (isAutoParsableTool(candidate)) {
      const callback = candidate.$callback as RunnerFunction | undefined;
      if (!callback) return entry;
      const name = candidate.function.name;
      return makeParseableTool({ type: "function", function: candidate.function }, { parser: tracked(candidate.$parseRaw), callback: guarded(name, callback) as (args: unknown) => unknown });
    }
    if (candidate?.["type"] === "function" && typeof (candidate["function"] as { function?: unknown } | undefined)?.function === "function") {
      const spec = candidate["function"] as { function: RunnerFunction & { name: string }; name?: string; parse?: (input: string) => unknown };
      const name = spec.name || spec.function.name;
      return { ...candidate, function: { ...spec, function: guarded(name, spec.function), ...(spec.parse ? { parse: tracked(spec.parse) } : {}) } };
    }
    if (candidate && typeof candidate["function"] === "function") {
      const spec = candidate as unknown as { function: RunnerFunction & { name: string }; name?: string; parse?: (input: string) => unknown };
      const name = spec.name || spec.function.name;
      return { ...candidate, function: guarded(name, spec.function), ...(spec.parse ? { parse: tracked(spec.parse) } : {}) };
    }
    throw new GuardError("CONFIG_INVALID", `functions[${index}] is not a runTools function`, {
      issues: [{ path: `functions[${index}]`, message: "expected {type: \"function\", function: {function, parameters, ...}}, a zodFunction tool, or {function, parameters}", fix: "pass the entries you give runTools as `tools`" }],
    });
  }) as unknown as T;
}

/** A parsed value that is not an object, with the raw arguments it came from and the parser to apply to redacted ones. */
class ParsedPrimitive {
  constructor(
    readonly raw: string,
    readonly value: unknown,
    readonly parse: (input: string) => unknown,
  ) {}
}

function traceOf(runner: Runner | undefined, toolCallId: string | undefined, labels: Readonly<Record<string, string>> | undefined): ToolCall["trace"] {
  const completion = runner?.allChatCompletions().at(-1);
  return {
    ...(completion ? { runId: completion.id } : {}),
    ...(toolCallId ? { toolCallId } : {}),
    ...activeTrace(),
    ...(labels ? { labels } : {}),
  };
}

function userValuesField(messages: readonly ChatCompletionMessageParam[] | undefined): { userValues?: readonly string[] } {
  if (!messages) return {};
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== "user") continue;
    const text = typeof message.content === "string" ? message.content : message.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
    const userValues = userValuesOf(text);
    return userValues ? { userValues } : {};
  }
  return {};
}
