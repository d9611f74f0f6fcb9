import { open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { AuditRecord } from "../model/audit-record.js";
import { parseRecord, type UnreadableLine } from "./query.js";

export interface FollowOptions {
  /** Byte offset to start from; default: the file's end (only new records). */
  readonly from?: number;
  /** How often to look for new records; default 200 ms. */
  readonly intervalMs?: number;
  readonly signal: AbortSignal;
  readonly onRecord: (record: AuditRecord) => void;
  readonly onUnreadable?: (line: UnreadableLine) => void;
}

/**
 * Follows an audit log as the guard appends to it, like `tail -f`, until `signal` aborts. Polls the file's size (fs
 * events are unreliable across platforms and renames); when the log is rotated or truncated, it starts over at the
 * new file's beginning. A partly written last line waits for its newline.
 */
export async function followAuditLog(file: string, options: FollowOptions): Promise<void> {
  const interval = options.intervalMs ?? 200;
  let offset = options.from;
  let inode: number | undefined;
  let partial = "";
  let line = 0;
  // Keeps a multi-byte character split across two reads whole.
  let decoder = new StringDecoder("utf8");
  while (!options.signal.aborted) {
    const info = await stat(file).catch(() => undefined);
    if (info) {
      if (offset === undefined) offset = info.size;
      if ((inode !== undefined && info.ino !== inode) || info.size < offset) {
        offset = 0;
        partial = "";
        line = 0;
        decoder = new StringDecoder("utf8");
      }
      inode = info.ino;
      if (info.size > offset) {
        const handle = await open(file, "r");
        try {
          const buffer = Buffer.alloc(info.size - offset);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          offset += bytesRead;
          const text = partial + decoder.write(buffer.subarray(0, bytesRead));
          const lines = text.split("\n");
          partial = lines.pop() ?? "";
          for (const entry of lines) {
            line++;
            if (entry.trim() === "") continue;
            const record = parseRecord(entry);
            if (typeof record === "string") options.onUnreadable?.({ file, line, error: record });
            else options.onRecord(record);
          }
        } finally {
          await handle.close();
        }
      }
    }
    await sleep(interval, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
