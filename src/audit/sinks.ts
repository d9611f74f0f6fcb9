import type { AuditSink } from "./sink.js";
import { createJsonlSink } from "./jsonl-sink.js";
import { createMemorySink } from "./memory-sink.js";
import { createStreamSink } from "./stream-sink.js";

/** Audit sinks as configuration names them. */
export type AuditSinkConfig =
  | { readonly type: "jsonl"; readonly path: string; readonly maxBytes?: number; readonly key?: string; readonly fsync?: boolean; readonly batchMs?: number }
  | { readonly type: "stdout" }
  | { readonly type: "stderr" }
  | { readonly type: "memory"; readonly limit?: number };

export function createSink(config: AuditSinkConfig | AuditSink): AuditSink {
  if (!("type" in config)) return config;
  switch (config.type) {
    case "jsonl":
      return createJsonlSink(config);
    case "stdout":
      return createStreamSink(process.stdout, "stdout");
    case "stderr":
      return createStreamSink(process.stderr, "stderr");
    case "memory":
      return createMemorySink(config.limit);
  }
}
