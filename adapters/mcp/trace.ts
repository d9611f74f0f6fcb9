/**
 * Trace linkage: what an MCP request says about where it came from, copied into the guard's `ToolCall.trace` so an
 * audit record leads back to the exact request (session, JSON-RPC id, W3C trace context).
 */
import type { TraceContext } from "../../src/model/call.js";
import type { Params, RequestId } from "./jsonrpc.js";

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/;

/**
 * Reads `traceparent` from the request's `_meta` (where MCP clients put it), or else from the HTTP header of the
 * POST that carried the request.
 */
export function traceOf(
  sessionId: string,
  requestId: RequestId,
  params: Params | undefined,
  headers?: Readonly<Record<string, string | string[] | undefined>>,
): TraceContext {
  const meta = params?._meta;
  const fromMeta = meta?.["traceparent"];
  const header = headers?.["traceparent"];
  const traceparent = typeof fromMeta === "string" ? fromMeta : typeof header === "string" ? header : undefined;
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim().toLowerCase());
  return {
    mcpSessionId: sessionId,
    requestId: String(requestId),
    ...(traceparent !== undefined && match ? { traceparent: traceparent.trim(), traceId: match[1]!, spanId: match[2]! } : {}),
  };
}
