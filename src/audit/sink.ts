import type { AuditRecord } from "../model/audit-record.js";

/**
 * Where audit records go. `write` only enqueues (no I/O on the hot path) and must not throw for a full queue;
 * `flush` settles when everything written so far is durable; `close` flushes and releases the sink.
 */
export interface AuditSink {
  readonly name: string;
  write(record: AuditRecord): void;
  /** Why the sink cannot write, once it cannot; the guard then denies every call (it cannot audit them). */
  failure?(): string | undefined;
  flush(): Promise<void>;
  close(): Promise<void>;
}
