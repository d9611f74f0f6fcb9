/**
 * What of a client's request reaches an upstream. The guard decides the arguments (`arguments`, `{uri}`, a prompt's
 * `{name, arguments}`); anything else in the params would reach the server undecided, so a forwarded request is
 * built from the decided fields and a short allow-list of `_meta`, never by copying the client's params.
 */
import { isRecord, type Params } from "./jsonrpc.js";

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The `_meta` an upstream receives: the proxy's own progress token (the client's token is a string of its choosing,
 * so it is replaced, not relayed) and a well-formed W3C `traceparent`, which carries ids and flags only.
 * `tracestate` and other keys are free text and stay here.
 */
export function forwardedMeta(meta: Params["_meta"], progressToken: string | number | undefined): Record<string, unknown> | undefined {
  const traceparent = meta?.["traceparent"];
  const trace = typeof traceparent === "string" && TRACEPARENT.test(traceparent) ? traceparent : undefined;
  if (progressToken === undefined && trace === undefined) return undefined;
  return { ...(progressToken === undefined ? {} : { progressToken }), ...(trace === undefined ? {} : { traceparent: trace }) };
}

/** The params an upstream receives: the decided `fields`, and `_meta` as `forwardedMeta` keeps it. */
export function forwardedParams(params: Params | undefined, fields: Readonly<Record<string, unknown>>, progressToken: string | number | undefined): Params {
  const meta = forwardedMeta(params?._meta, progressToken);
  return meta ? { ...fields, _meta: meta } : { ...fields };
}


/**
 * `arguments` of a tool call or a prompt as the guard decides them: absent is `{}`, and anything but an object is
 * refused (undefined): MCP allows only an object, and a redacted string or array would have no place to go.
 */
export function argumentsOf(params: Params): Readonly<Record<string, unknown>> | undefined {
  const args = params["arguments"];
  if (args === undefined) return {};
  return isRecord(args) ? args : undefined;
}
