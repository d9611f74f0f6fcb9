import { randomUUID } from "node:crypto";
import type { ResponseFunctionToolCall, ResponseInputItem, ResponseOutputItem } from "openai/resources/responses/responses";
import { permitsForwarding, type CallOptions, type Guard, type ToolCall } from "../../src/index.js";
import { activeTrace } from "../common/active-trace.js";
import { userValuesOf } from "../common/arguments.js";
import { refusalText, stopOnHalt } from "../common/refusal.js";
import { createToolResolver } from "../common/tool-names.js";
import { functionResult } from "./function-result.js";
import { optionOf, type OpenAIGuardOptions } from "./options.js";

/** A function the model may call through the Responses API: parsed arguments in, any JSON value or text out. */
export type ResponsesFunction = (args: unknown, call: ResponseFunctionToolCall) => unknown;

/** What the helper reads of a `Response`: its id, conversation and output items. */
export interface ResponseLike {
  readonly id: string;
  readonly output: readonly ResponseOutputItem[];
  readonly conversation?: { readonly id: string } | null;
}

/** What a decision's session and labels are chosen from. */
export interface ResponsesContext {
  readonly response: ResponseLike;
}

export interface GuardedResponsesFunctions {
  /** The guard session of this loop, unless `sessionId` says otherwise. */
  readonly sessionId: string;
  /**
   * Runs the `function_call` items of a response through the guard, one after the other (so a later call sees the
   * flows of an earlier result), and returns the `function_call_output` items to send as the next request's input.
   * `userText` is what the user asked in this turn: trusted values for flow tracking.
   */
  run(response: ResponseLike, turn?: { readonly userText?: string }): Promise<ResponseInputItem.FunctionCallOutput[]>;
}

/**
 * The Responses API's manual loop, guarded: `function_call` items → `beforeCall` → the function → `afterCall` →
 * `function_call_output`. A refused call never runs and its output is the guard's sentence, naming the policy; a
 * redacted result is sent redacted; a halt throws a `RefusalError`. Calls of unknown functions, or with arguments
 * that are not JSON, are decided and audited like any other (their arguments as text), then answered with an error
 * and never run.
 */
export function guardResponsesFunctions(functions: Readonly<Record<string, ResponsesFunction>>, guard: Guard, options: OpenAIGuardOptions<ResponsesContext> = {}): GuardedResponsesFunctions {
  const resolve = createToolResolver(guard, options.tools, options.server ?? "openai");
  const callOptions: CallOptions = options.approver ? { approver: options.approver } : {};
  const ownSession = `openai:${randomUUID()}`;

  async function runOne(item: ResponseFunctionToolCall, response: ResponseLike, userValues: readonly string[] | undefined): Promise<string> {
    const fn = Object.hasOwn(functions, item.name) ? functions[item.name] : undefined;
    const parsed = parseArguments(item.arguments);
    // Arguments that are not JSON are decided as the text they are: every call the model makes is decided and audited.
    const args = typeof parsed === "string" ? item.arguments : parsed.value;
    const resolved = resolve(item.name);
    const context: ResponsesContext = { response };
    const labels = optionOf(options.labels, context);
    const call: ToolCall = {
      server: resolved.server,
      tool: resolved.tool,
      args,
      sessionId: optionOf(options.sessionId, context) ?? ownSession,
      trace: {
        runId: response.id,
        toolCallId: item.call_id,
        ...(response.conversation?.id ? { conversationId: response.conversation.id } : {}),
        ...activeTrace(),
        ...(labels ? { labels } : {}),
      },
      ...(resolved.hints ? { hints: resolved.hints } : {}),
      ...(userValues ? { userValues } : {}),
    };
    const verdict = await guard.beforeCall(call, callOptions);
    if (!permitsForwarding(verdict)) {
      stopOnHalt(verdict);
      return refusalText(verdict);
    }
    if (!fn) return `error: there is no function \`${item.name}\`; available: ${Object.keys(functions).join(", ")}`;
    if (typeof parsed === "string") return `error: the arguments of \`${item.name}\` are not valid JSON (${parsed}); call it again with a JSON object`;
    const forwarded = verdict.decision === "redact" ? { ...call, args: verdict.value } : call;
    return asOutput(await functionResult(guard, forwarded, () => fn(forwarded.args, item)));
  }

  return {
    sessionId: ownSession,
    async run(response, turn = {}) {
      const userValues = userValuesOf(turn.userText);
      const outputs: ResponseInputItem.FunctionCallOutput[] = [];
      for (const item of response.output) {
        if (item.type !== "function_call") continue;
        outputs.push({ type: "function_call_output", call_id: item.call_id, output: await runOne(item, response, userValues) });
      }
      return outputs;
    },
  };
}

function asOutput(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}

/** The parsed arguments, or why they are not JSON. */
function parseArguments(text: string): { readonly value: unknown } | string {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return (error as Error).message;
  }
}
