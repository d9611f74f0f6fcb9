import { closeSync, fdatasyncSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { GuardError, messageOf } from "../errors.js";
import type { AuditRecord, ChainedAuditRecord } from "../model/audit-record.js";
import { chainLine, GENESIS } from "./chain.js";
import type { AuditSink } from "./sink.js";

export interface JsonlSinkOptions {
  readonly path: string;
  /** Rotate before the file grows past this many bytes (default 64 MiB); the chain continues in the next file. */
  readonly maxBytes?: number;
  /** HMAC key for the chain: without it, anyone who can write the file can also recompute the hashes. */
  readonly key?: string | Buffer;
  /** fdatasync after each batch, for durability across power loss (slower). */
  readonly fsync?: boolean;
  /**
   * Milliseconds records may wait to be written together (default 2): one write then carries the records of many
   * decisions. 0 writes on the next turn of the event loop. Exit, a crash, SIGTERM/SIGINT, `flush` and `close` write
   * whatever waits, so only SIGKILL or power loss can lose the records of this window.
   */
  readonly batchMs?: number;
}

export interface JsonlSink extends AuditSink {
  readonly path: string;
  /** The chain's head: the last record's seq and hash. */
  head(): { seq: number; hash: string };
}

/** Records waiting to be written, at most this many before a write happens inline. */
const MAX_QUEUE = 4096;
/** Records kept while the file cannot be written. */
const MAX_FAILED_QUEUE = 100_000;
const open = new Set<() => void>();

/**
 * Appends hash-chained JSON lines to a file. `write` only enqueues the record; once the batch window has passed (off
 * the decision path: an MCP proxy has by then sent the request upstream or the answer to the client) the queued
 * records are serialized, chained and written with one write, and whatever is queued is chained and written
 * synchronously on `flush` and `close`, and when the process exits, crashes with an uncaught exception, or receives
 * SIGTERM/SIGINT. Only SIGKILL or power loss can lose the records of the current window. One process writes a log at
 * a time (a lock file says which). A record must not change after `write` (records are readonly throughout).
 */
export function createJsonlSink(options: JsonlSinkOptions): JsonlSink {
  const { path } = options;
  const maxBytes = options.maxBytes ?? 64 * 2 ** 20;
  const batchMs = options.batchMs ?? 2;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw auditError(path, error);
  }
  const lockPath = `${path}.lock`;
  acquireLock(lockPath);
  let fd = openLog(path);
  let size = fstatSync(fd).size;
  let { seq, hash, torn } = resumeChain(fd, size);
  if (torn) {
    // The file ends in a torn write: set it aside untouched (verify will show where) and continue the chain from its
    // last whole record in a new file.
    closeSync(fd);
    renameSync(path, `${path}.damaged-${Date.now()}`);
    fd = openLog(path);
    size = 0;
  }
  let writtenSeq = seq;
  /** Records written but not yet chained; they follow `seq`. */
  let records: AuditRecord[] = [];
  /** Chained lines waiting to be written; the last of them has seq `seq`. */
  let queue: string[] = [];
  let scheduled = false;
  let closed = false;
  let failure: string | undefined;

  let dropped = 0;
  let unserializable: string | undefined;

  /** Serializes and links the records written since the last drain, in order. */
  function chain(): void {
    for (const record of records) {
      let link: { line: string; hash: string };
      try {
        link = chainLine(record, seq + 1, hash, options.key);
      } catch (error) {
        // Cannot happen with the guard's records (strings, numbers, booleans); if it does, the sink fails for good
        // and the guard denies every later call, rather than write a log with a silent gap.
        unserializable ??= `cannot serialize an audit record for ${path}: ${messageOf(error)} (decision ${record.decisionId})`;
        continue;
      }
      seq++;
      hash = link.hash;
      queue.push(`${link.line}\n`);
    }
    records = [];
  }

  function drain(): void {
    scheduled = false;
    if (closed) return;
    chain();
    try {
      if (queue.length > 0) writeBatch();
      failure = unserializable;
    } catch (error) {
      // Keep the queue and retry on the next write; meanwhile the guard denies the calls it cannot audit. Memory
      // stays bounded: past MAX_FAILED_QUEUE the oldest waiting records are dropped, and the failure says how many.
      if (queue.length > MAX_FAILED_QUEUE) {
        dropped += queue.length - MAX_FAILED_QUEUE;
        queue.splice(0, queue.length - MAX_FAILED_QUEUE);
      }
      failure = `cannot write ${path}: ${messageOf(error)}${dropped ? ` (${dropped} records dropped)` : ""}`;
    }
  }

  /** Writes the queue in as few writes as rotation allows; a file holds whole records only. */
  function writeBatch(): void {
    while (queue.length > 0) {
      let bytes = 0;
      let count = 0;
      for (const line of queue) {
        const length = Buffer.byteLength(line);
        if (count > 0 && size + bytes + length > maxBytes) break;
        bytes += length;
        count++;
      }
      if (size > 0 && size + bytes > maxBytes) {
        rotate();
        continue;
      }
      writeSync(fd, queue.slice(0, count).join(""));
      queue = queue.slice(count);
      size += bytes;
      writtenSeq = seq - queue.length;
    }
    if (options.fsync) fdatasyncSync(fd);
  }

  function rotate(): void {
    closeSync(fd);
    // Named by the last seq it holds, so rotated files sort in chain order.
    renameSync(path, `${path}.${String(writtenSeq).padStart(12, "0")}`);
    fd = openLog(path);
    size = 0;
  }

  const flushAtExit = () => drain();
  open.add(flushAtExit);
  installExitHandlers();

  return {
    name: "jsonl",
    path,
    head() {
      chain();
      return { seq, hash };
    },
    failure: () => failure,
    write(record: AuditRecord) {
      if (closed) throw new GuardError("AUDIT_FAILED", `the audit log ${path} is closed`);
      records.push(record);
      if (records.length + queue.length >= MAX_QUEUE && !failure) {
        drain();
      } else if (!scheduled) {
        scheduled = true;
        // While the file fails, retry once a second instead of on every turn.
        if (failure) setTimeout(drain, 1000).unref();
        else if (batchMs > 0) setTimeout(drain, batchMs).unref();
        else setImmediate(drain);
      }
    },
    async flush() {
      drain();
      if (failure) throw new GuardError("AUDIT_FAILED", failure);
    },
    async close() {
      if (closed) return;
      drain();
      closed = true;
      open.delete(flushAtExit);
      closeSync(fd);
      releaseLock(lockPath);
    },
  };
}

function openLog(path: string): number {
  try {
    return openSync(path, "a+");
  } catch (error) {
    throw auditError(path, error);
  }
}

/** Finds the last whole record of the log (in its final MiB) to continue its chain. */
function resumeChain(fd: number, size: number): { seq: number; hash: string; torn: boolean } {
  if (size === 0) return { seq: 0, hash: GENESIS, torn: false };
  const length = Math.min(size, 1 << 20);
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, size - length);
  const text = buffer.toString("utf8");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  let torn = !text.endsWith("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const record = parseLink(lines[i]!);
    if (record) return { ...record, torn };
    torn = true;
  }
  return { seq: 0, hash: GENESIS, torn: true };
}

function parseLink(line: string): { seq: number; hash: string } | undefined {
  try {
    const record = JSON.parse(line) as Partial<ChainedAuditRecord>;
    if (typeof record.seq === "number" && typeof record.hash === "string") return { seq: record.seq, hash: record.hash };
  } catch {
    // a torn or foreign line
  }
  return undefined;
}

function acquireLock(lockPath: string): void {
  try {
    writeFileSync(lockPath, String(process.pid), { flag: "wx" });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw auditError(lockPath, error);
  }
  const holder = Number(readFileSync(lockPath, "utf8"));
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new GuardError("AUDIT_FAILED", `another process (pid ${holder}) is writing this audit log`, {
      issues: [{ file: lockPath, message: "two writers would break the hash chain", fix: "give each guard process its own audit file" }],
    });
  }
  writeFileSync(lockPath, String(process.pid));
}

function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone: nothing to release
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

let handlersInstalled = false;

/** Flush every open log on exit and on SIGTERM/SIGINT; re-raise the signal when nobody else handles it. */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const flushAll = () => {
    for (const flush of open) {
      try {
        flush();
      } catch {
        // exiting: one failing log must not keep the others from flushing
      }
    }
  };
  process.on("exit", flushAll);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const onSignal = () => {
      flushAll();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

function auditError(path: string, error: unknown): GuardError {
  return new GuardError("AUDIT_FAILED", `cannot write the audit log ${path}: ${messageOf(error)}`, {
    issues: [{ file: path, message: messageOf(error), fix: "choose a writable path for the audit log" }],
    cause: error,
  });
}
