import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Tracer } from "@opentelemetry/api";
import type { AuditSink } from "../../src/audit/sink.js";
import type { AuditRecord } from "../../src/model/audit-record.js";

export interface OtelSinkOptions {
  /** Default: `trace.getTracer("purpose-guard")` from the globally registered provider. */
  readonly tracer?: Tracer;
  /**
   * `span` (default): one span per decision, a child of the caller's active span (or of the call's `traceparent`).
   * `event`: an event on the caller's active span, falling back to a span when no span is active.
   */
  readonly mode?: "span" | "event";
}

/**
 * An audit sink that puts every guard decision into the agent's existing OpenTelemetry traces, with the verdict,
 * the deciding policy ids and the declaration digest as attributes. Opt in by passing it in `audit`:
 *
 *   import { createOtelSink } from "purpose-guard/otel";
 *   createGuard({ declaration, audit: [{ type: "jsonl", path }, createOtelSink()] })
 *
 * It lives outside the core so that `src/` never loads OpenTelemetry; the provider (and its flushing) stays the
 * application's.
 */
export function createOtelSink(options: OtelSinkOptions = {}): AuditSink {
  const tracer = options.tracer ?? trace.getTracer("purpose-guard");
  const mode = options.mode ?? "span";
  return {
    name: "otel",
    write(record: AuditRecord) {
      const attributes = decisionAttributes(record);
      const end = Date.parse(record.time);
      const active = trace.getSpan(context.active());
      if (mode === "event" && active) {
        active.addEvent(`purpose_guard.${record.event}`, attributes, end);
        return;
      }
      const parent = active ? context.active() : remoteParent(record) ?? context.active();
      const span = tracer.startSpan(spanName(record), { kind: SpanKind.INTERNAL, startTime: end - record.latencyUs / 1000, attributes }, parent);
      if (record.errors.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: record.errors[0] ?? "error" });
      span.end(end);
    },
    flush: async () => {},
    close: async () => {},
  };
}

function spanName(record: AuditRecord): string {
  return record.tool ? `purpose-guard ${record.event} ${record.server ?? ""}/${record.tool}` : `purpose-guard ${record.event}`;
}

/** The attributes of one decision: ids, classes and digests only, like the record itself. */
export function decisionAttributes(record: AuditRecord): Attributes {
  const attributes: Attributes = {
    "purpose_guard.decision": record.decision,
    "purpose_guard.event": record.event,
    "purpose_guard.decision_id": record.decisionId,
    "purpose_guard.policy_ids": [...record.policyIds],
    "purpose_guard.policy_revision": record.policyRevision,
    "purpose_guard.declaration.id": record.declaration.id,
    "purpose_guard.declaration.version": record.declaration.version,
    "purpose_guard.declaration.digest": record.declaration.digest,
    "purpose_guard.agent": record.agent,
    "purpose_guard.classes": [...record.classes],
    "purpose_guard.latency_us": record.latencyUs,
  };
  if (record.sessionId !== undefined) attributes["purpose_guard.session_id"] = record.sessionId;
  if (record.tool !== undefined) {
    attributes["purpose_guard.tool.server"] = record.server ?? "";
    attributes["purpose_guard.tool.name"] = record.tool;
    attributes["gen_ai.tool.name"] = record.tool;
  }
  if (record.intent !== undefined) attributes["purpose_guard.tool.intent"] = record.intent;
  if (record.callDigest !== undefined) attributes["purpose_guard.call_digest"] = record.callDigest;
  if (record.errors.length > 0) attributes["purpose_guard.errors"] = [...record.errors];
  if (record.redacted) attributes["purpose_guard.redacted"] = [...record.redacted];
  const thread = record.trace?.threadId ?? record.trace?.conversationId;
  if (thread !== undefined) attributes["gen_ai.conversation.id"] = thread;
  for (const [key, value] of Object.entries(record.detail ?? {})) attributes[`purpose_guard.detail.${key}`] = value;
  return attributes;
}

/** The caller's span from the call's trace context (`traceparent`, or trace and span ids), when no span is active. */
function remoteParent(record: AuditRecord): Context | undefined {
  const traceparent = record.trace?.traceparent;
  const parsed = traceparent ? /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/.exec(traceparent) : null;
  const traceId = parsed?.[1] ?? record.trace?.traceId;
  const spanId = parsed?.[2] ?? record.trace?.spanId;
  if (!traceId || !spanId || !/^[\da-f]{32}$/.test(traceId) || !/^[\da-f]{16}$/.test(spanId)) return undefined;
  const flags = parsed ? Number.parseInt(parsed[3]!, 16) & TraceFlags.SAMPLED : TraceFlags.SAMPLED;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: flags, isRemote: true });
}
