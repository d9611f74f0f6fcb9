import type { BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { TraceContext } from "../../src/index.js";
import { activeTrace, labelsOf } from "../common/active-trace.js";

/** The ids LangChain knows of one tool run. */
export interface RunIds {
  readonly threadId?: string | undefined;
  readonly runId?: string | undefined;
  readonly parentRunId?: string | undefined;
  readonly toolCallId?: string | undefined;
}

/** `configurable.thread_id` (LangGraph also copies it into the run's metadata). */
export function threadIdOf(config: RunnableConfig | undefined): string | undefined {
  const id = config?.configurable?.["thread_id"] ?? config?.metadata?.["thread_id"];
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

/**
 * The run a tool run is a child of. Inside a runnable, `config.callbacks` is the child callback manager of the
 * current run, so its parent run id is the enclosing run (LangGraph's `tools` node for an agent).
 */
export function parentRunIdOf(config: RunnableConfig | undefined): string | undefined {
  const callbacks = config?.callbacks as { getParentRunId?: () => string | undefined } | readonly unknown[] | undefined;
  if (!callbacks || Array.isArray(callbacks)) return undefined;
  const manager = callbacks as { getParentRunId?: () => string | undefined };
  return typeof manager.getParentRunId === "function" ? manager.getParentRunId() : undefined;
}

/** Trace linkage for the audit record: run ids, thread, metadata labels, and the active OpenTelemetry span. */
export function traceOf(ids: RunIds, metadata: Readonly<Record<string, unknown>> | undefined, labelKeys: readonly string[]): TraceContext {
  const otel = activeTrace();
  const labels = labelsOf(metadata, labelKeys);
  return {
    ...(ids.threadId !== undefined ? { threadId: ids.threadId } : {}),
    ...(ids.runId !== undefined ? { runId: ids.runId } : {}),
    ...(ids.parentRunId !== undefined ? { parentRunId: ids.parentRunId } : {}),
    ...(ids.toolCallId !== undefined ? { toolCallId: ids.toolCallId } : {}),
    ...otel,
    ...(labels ? { labels } : {}),
  };
}

/** The text of the last human message: what the user asked in this turn. */
export function lastUserText(messages: readonly BaseMessage[] | undefined): string | undefined {
  if (!messages) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.type === "human") return message.text;
  }
  return undefined;
}
