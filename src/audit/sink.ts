import type { AuditRecord } from "../model/audit-record.js";

/**
 * Where audit records go. `write` only enqueues (no I/O on the hot path) and must not throw for a full queue;
 * `flush` settles when everything written so far is durable; `close` flushes and releases the sink.
 */
export interface AuditSink {
  readonly name: string;
  write(record: AuditRecord): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
