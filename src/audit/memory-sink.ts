import type { AuditRecord } from "../model/audit-record.js";
import type { AuditSink } from "./sink.js";

export interface MemorySink extends AuditSink {
  readonly records: readonly AuditRecord[];
  clear(): void;
}

/** Keeps records in memory (tests, embedding); past `limit`, the oldest are dropped and counted. */
export function createMemorySink(limit = 100_000): MemorySink & { readonly dropped: number } {
  const records: AuditRecord[] = [];
  let dropped = 0;
  return {
    name: "memory",
    records,
    get dropped() {
      return dropped;
    },
    write(record) {
      records.push(record);
      if (records.length > limit) {
        records.shift();
        dropped++;
      }
    },
    clear() {
      records.length = 0;
    },
    flush: async () => {},
    close: async () => {},
  };
}
