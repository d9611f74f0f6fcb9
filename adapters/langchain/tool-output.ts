import { ToolMessage } from "@langchain/core/messages";
import { isCommand } from "@langchain/langgraph";
import { contentView } from "../common/result-view.js";
import type { Verdict } from "../../src/index.js";
import { decisionFacts } from "../common/refusal.js";

/**
 * A tool's output (a `ToolMessage`, a LangGraph `Command`, or the bare content of a plain `tool.invoke`) as the
 * guard reads it, and how to rebuild it around a redacted value. `rebuild` is absent when the output cannot be
 * rebuilt faithfully (a `Command`): a redaction then withholds the whole output.
 */
export interface OutputView {
  readonly value: unknown;
  readonly rebuild?: (value: unknown) => unknown;
}

export function outputView(output: unknown): OutputView {
  if (ToolMessage.isInstance(output)) return messageView(output);
  if (isCommand(output)) return { value: commandValue(output) };
  const view = contentView(output);
  return { value: view.value, rebuild: view.restore };
}

/**
 * The fields of a `ToolMessage` besides its content that carry what a tool returned. The model reads only the
 * content, but the application's state, its UI, checkpoints and tracers get all of them: they are guarded too.
 */
const SIDE_FIELDS = ["artifact", "additional_kwargs", "response_metadata", "metadata"] as const;

type SideFields = Partial<Record<(typeof SIDE_FIELDS)[number], unknown>>;

function messageView(message: ToolMessage): OutputView {
  const view = contentView(message.content);
  const side = sideFieldsOf(message);
  if (!side) return { value: view.value, rebuild: (value) => withContent(message, view.restore(value), {}) };
  return {
    value: { content: view.value, ...side },
    rebuild: (value) => {
      const { content, ...rest } = value as { content: unknown } & SideFields;
      return withContent(message, view.restore(content), rest);
    },
  };
}

/** The side fields that hold anything (LangChain gives every message empty `additional_kwargs` and `response_metadata`). */
function sideFieldsOf(message: ToolMessage): SideFields | undefined {
  let side: SideFields | undefined;
  for (const field of SIDE_FIELDS) {
    const value = (message as unknown as Record<string, unknown>)[field];
    if (value === undefined || value === null || (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0)) continue;
    (side ??= {})[field] = value;
  }
  return side;
}

/** The message with its content, and the side fields the guard decided, replaced (the others are kept as they were). */
function withContent(message: ToolMessage, content: unknown, side: SideFields): ToolMessage {
  const artifact = "artifact" in side ? side.artifact : message.artifact;
  const metadata = "metadata" in side ? side.metadata : message.metadata;
  return new ToolMessage({
    content: content as ToolMessage["content"],
    tool_call_id: message.tool_call_id,
    ...(message.name !== undefined ? { name: message.name } : {}),
    ...(message.id !== undefined ? { id: message.id } : {}),
    ...(message.status !== undefined ? { status: message.status } : {}),
    ...(artifact !== undefined ? { artifact } : {}),
    ...(metadata !== undefined ? { metadata: metadata as ToolMessage["metadata"] } : {}),
    additional_kwargs: ("additional_kwargs" in side ? side.additional_kwargs : message.additional_kwargs) as ToolMessage["additional_kwargs"],
    response_metadata: ("response_metadata" in side ? side.response_metadata : message.response_metadata) as ToolMessage["response_metadata"],
  });
}

/**
 * What a Command carries: its state update, and what it sends on (each `Send`'s node and arguments, which reach
 * another node, the model's included) and resumes with. A Command cannot be rebuilt, only decided.
 */
function commandValue(command: { readonly update?: unknown; readonly goto?: unknown; readonly resume?: unknown }): Record<string, unknown> {
  const value: Record<string, unknown> = { update: plainUpdate(command.update) };
  const goto = Array.isArray(command.goto) ? command.goto : command.goto === undefined ? [] : [command.goto];
  if (goto.length > 0) value["goto"] = goto.map((target: unknown) => (isSend(target) ? { node: target.node, args: plainUpdate(target.args) } : target));
  if (command.resume !== undefined) value["resume"] = plainUpdate(command.resume);
  return value;
}

function isSend(value: unknown): value is { readonly node: string; readonly args: unknown } {
  return value !== null && typeof value === "object" && typeof (value as { node?: unknown }).node === "string" && "args" in value;
}

/** A Command's state update, its messages read whole. */
function plainUpdate(update: unknown): unknown {
  if (Array.isArray(update)) return update.map(([key, value]: [string, unknown]) => [key, plainValue(value)]);
  if (update === null || typeof update !== "object") return update ?? null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) out[key] = plainValue(value);
  return out;
}

/**
 * A value of a state update as the guard reads it. A message is read with every field it carries (an artifact,
 * `additional_kwargs`, an AI message's tool calls), its content parsed when it is JSON text; LangChain's own
 * bookkeeping (`lc_kwargs` repeats the fields) is left out.
 */
function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object" && "content" in value && "type" in value && typeof (value as { type: unknown }).type === "string") {
    const message: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (key.startsWith("lc_") || field === undefined) continue;
      message[key] = key === "content" ? contentView(field).value : plainValue(field);
    }
    return message;
  }
  return value;
}

/** The `ToolMessage` a refused call or a withheld result becomes: an error the model can read and recover from. */
export function refusalMessage(verdict: Verdict, toolCall: { readonly id?: string | undefined; readonly name: string }, text: string): ToolMessage {
  return new ToolMessage({
    content: text,
    tool_call_id: toolCall.id ?? "",
    name: toolCall.name,
    status: "error",
    metadata: { purposeGuard: decisionFacts(verdict) },
  });
}
