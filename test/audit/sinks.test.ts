import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { createMemorySink } from "../../src/audit/memory-sink.js";
import { createStreamSink } from "../../src/audit/stream-sink.js";
import type { AuditRecord } from "../../src/model/audit-record.js";
import { tempDir } from "../helpers.js";
import { auditSinkContract } from "./audit-sink.contract.js";

const lines = (text: string) => text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);

auditSinkContract("memory", () => {
  const sink = createMemorySink();
  return { sink, readBack: async () => [...sink.records] };
});

auditSinkContract("stream", () => {
  let text = "";
  const stream = { write: (chunk: string, callback?: (error?: Error | null) => void) => { text += chunk; callback?.(); return true; } };
  return { sink: createStreamSink(stream), readBack: async () => lines(text) };
});

auditSinkContract("jsonl", () => {
  const path = join(tempDir(), "audit.jsonl");
  return { sink: createJsonlSink({ path }), readBack: async () => lines(readFileSync(path, "utf8")) };
});
