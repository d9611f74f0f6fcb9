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
  if (ToolMessage.isInstance(output)) {
    const view = contentView(output.content);
    if (output.artifact === undefined) return { value: view.value, rebuild: (value) => withContent(output, view.restore(value), undefined) };
    // The artifact never reaches the model, but it reaches the application's state and UI: it is guarded too.
    return {
      value: { content: view.value, artifact: output.artifact as unknown },
      rebuild: (value) => {
        const parts = value as { content: unknown; artifact: unknown };
        return withContent(output, view.restore(parts.content), parts.artifact);
      },
    };
  }
  if (isCommand(output)) return { value: { update: plainUpdate(output.update) } };
  const view = contentView(output);
  return { value: view.value, rebuild: view.restore };
}

function withContent(message: ToolMessage, content: unknown, artifact: unknown): ToolMessage {
  return new ToolMessage({
    content: content as ToolMessage["content"],
    tool_call_id: message.tool_call_id,
    ...(message.name !== undefined ? { name: message.name } : {}),
    ...(message.id !== undefined ? { id: message.id } : {}),
    ...(message.status !== undefined ? { status: message.status } : {}),
    ...(artifact !== undefined ? { artifact } : {}),
    ...(message.metadata !== undefined ? { metadata: message.metadata } : {}),
    response_metadata: message.response_metadata,
  });
}

/** A Command's state update with its messages reduced to their type and content. */
function plainUpdate(update: unknown): unknown {
  if (Array.isArray(update)) return update.map(([key, value]: [string, unknown]) => [key, plainValue(value)]);
  if (update === null || typeof update !== "object") return update ?? null;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object" && "content" in value && "type" in value && typeof (value as { type: unknown }).type === "string") {
    const message = value as { type: string; content: unknown };
    return { type: message.type, content: contentView(message.content).value };
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
