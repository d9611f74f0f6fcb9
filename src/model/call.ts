import type { ToolAnnotations, Intent, Zone } from "./tool.js";

/**
 * Trace linkage: whatever the caller knows of the conversation that caused a call. Every field is optional and
 * copied as-is into the audit record, so an auditor can walk from a decision to the exact turn that caused it.
 */
export interface TraceContext {
  readonly traceId?: string;
  readonly spanId?: string;
  /** W3C `traceparent` header value, when the caller has one. */
  readonly traceparent?: string;
  readonly conversationId?: string;
  readonly threadId?: string;
  readonly runId?: string;
  readonly parentRunId?: string;
  readonly toolCallId?: string;
  /** MCP JSON-RPC request id (string or number, stored as a string). */
  readonly requestId?: string;
  readonly mcpSessionId?: string;
  /** Caller-defined labels (tenant, user, ...); values are short strings, never payloads. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * One tool invocation as adapters hand it to the guard. `server` and `tool` name the tool as the declaration's
 * `tools[].server` and `allow` entries do; the rest of the descriptor is resolved by the guard's tool catalog.
 */
export interface ToolCall {
  readonly server: string;
  readonly tool: string;
  readonly args: unknown;
  readonly sessionId: string;
  readonly trace?: TraceContext;
  /** What the adapter knows of the tool (MCP annotations, a description digest); configuration still wins. */
  readonly hints?: {
    readonly annotations?: ToolAnnotations;
    readonly intent?: Intent;
    readonly zone?: Zone;
    readonly digest?: string;
  };
  /** Values the user typed in this turn: trusted sources for flow tracking (see DESIGN.md, provenance). */
  readonly userValues?: readonly string[];
}

/** A tool result as the adapter saw it: any JSON value (MCP `CallToolResult`, a string, an object). */
export type ToolResult = unknown;
