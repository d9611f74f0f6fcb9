import type { AuditRecord } from "../model/audit-record.js";
import type { AuditSink } from "./sink.js";

interface Writable {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
}

/**
 * One JSON line per record to a stream (stdout, stderr). Never use stdout under an MCP stdio proxy: stdout is the
 * protocol channel there.
 */
export function createStreamSink(stream: Writable, name = "stream"): AuditSink {
  let pending: Promise<void> = Promise.resolve();
  return {
    name,
    write(record: AuditRecord) {
      const line = `${JSON.stringify(record)}\n`;
      pending = new Promise((resolve) => stream.write(line, () => resolve()));
    },
    flush: () => pending,
    close: () => pending,
  };
}
