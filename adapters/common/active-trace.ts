import type { TraceContext } from "../../src/index.js";

type OtelApi = typeof import("@opentelemetry/api");

// Optional: without @opentelemetry/api installed (or with no SDK registered) there is simply no active trace.
const otel: OtelApi | undefined = await import("@opentelemetry/api").catch(() => undefined);

/** The active OpenTelemetry span as trace linkage (trace id, span id, W3C traceparent), or undefined. */
export function activeTrace(): Pick<TraceContext, "traceId" | "spanId" | "traceparent"> | undefined {
  const span = otel?.trace.getActiveSpan();
  if (!span) return undefined;
  const context = span.spanContext();
  if (!otel!.isSpanContextValid(context)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, "0");
  return { traceId: context.traceId, spanId: context.spanId, traceparent: `00-${context.traceId}-${context.spanId}-${flags}` };
}

/** Short scalar metadata values under `keys`, as audit labels (never payloads: longer values are cut). */
export function labelsOf(metadata: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]): Record<string, string> | undefined {
  if (!metadata) return undefined;
  let labels: Record<string, string> | undefined;
  for (const key of keys) {
    const value = metadata[key];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      (labels ??= {})[key] = String(value).slice(0, MAX_LABEL_LENGTH);
    }
  }
  return labels;
}

const MAX_LABEL_LENGTH = 128;

/** Metadata keys copied into labels by default: who the run serves. */
export const DEFAULT_LABEL_KEYS: readonly string[] = ["tenant", "tenant_id", "user", "user_id"];
