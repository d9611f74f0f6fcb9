import { open, stat, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { AuditRecord } from "../model/audit-record.js";
import { parseRecord, type UnreadableLine } from "./query.js";

export interface FollowOptions {
  /** Byte offset to start from; default: the file's end when following starts (only new records). */
  readonly from?: number;
  /** How often to look for new records; default 200 ms. */
  readonly intervalMs?: number;
  readonly signal: AbortSignal;
  readonly onRecord: (record: AuditRecord) => void;
  readonly onUnreadable?: (line: UnreadableLine) => void;
}

/** The log file being read: an open handle, so a rotation cannot take unread records away with the old name. */
interface Reader {
  readonly handle: FileHandle;
  readonly inode: number;
  offset: number;
  partial: string;
  line: number;
  /** Keeps a multi-byte character split across two reads whole. */
  readonly decoder: StringDecoder;
}

/**
 * Follows an audit log as the guard appends to it, like `tail -F`, until `signal` aborts. It polls (fs events are
 * unreliable across platforms and renames) and reads through an open handle: when the log is rotated, it reads the
 * old file to its end before moving to the new one, so no record is lost or repeated. A partly written last line
 * waits for its newline. A truncated log is read again from its start.
 */
export async function followAuditLog(file: string, options: FollowOptions): Promise<void> {
  const interval = options.intervalMs ?? 200;
  let reader: Reader | undefined;
  let from = options.from;
  try {
    while (!options.signal.aborted) {
      if (!reader) {
        reader = await openReader(file, from);
        from = 0; // a file that appears later, or replaces this one, is read from its start
      }
      if (reader) {
        await drain(reader, file, options);
        const now = await stat(file).catch(() => undefined);
        if (now && now.ino !== reader.inode) {
          // Rotated: finish the old file (records may have landed since the last read), then switch.
          await drain(reader, file, options);
          await reader.handle.close();
          reader = await openReader(file, 0);
          continue;
        }
        if (now && now.size < reader.offset) {
          reader.offset = 0;
          reader.partial = "";
        }
      }
      await sleep(interval, options.signal);
    }
  } finally {
    await reader?.handle.close().catch(() => undefined);
  }
}

async function openReader(file: string, from: number | undefined): Promise<Reader | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch {
    return undefined; // not there (yet, or between a rotation's rename and the new file)
  }
  const info = await handle.stat();
  return { handle, inode: info.ino, offset: Math.min(from ?? info.size, info.size), partial: "", line: 0, decoder: new StringDecoder("utf8") };
}

async function drain(reader: Reader, file: string, options: FollowOptions): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    const { bytesRead } = await reader.handle.read(chunk, 0, chunk.length, reader.offset);
    if (bytesRead === 0) return;
    reader.offset += bytesRead;
    const lines = (reader.partial + reader.decoder.write(chunk.subarray(0, bytesRead))).split("\n");
    reader.partial = lines.pop() ?? "";
    for (const entry of lines) {
      reader.line++;
      if (entry.trim() === "") continue;
      const record = parseRecord(entry);
      if (typeof record === "string") options.onUnreadable?.({ file, line: reader.line, error: record });
      else options.onRecord(record);
    }
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
