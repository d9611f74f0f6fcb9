import { closeSync, copyFileSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GuardError, isGuardError, messageOf } from "../errors.js";
import type { AuditRecord, ChainedAuditRecord } from "../model/audit-record.js";
import { chainLine, GENESIS } from "./chain.js";
import { formatHead, headPath, parseHead, type ChainHead } from "./head.js";
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
   * whatever waits, so only SIGKILL or power loss can lose the records of this window. The guard answers a call
   * before its record is written: the calls of one window are decided before the sink knows whether it can write
   * them. Once a write fails, `failure()` is set and the guard denies every later call; records still unwritten at
   * exit are reported on stderr and the exit code is made non-zero, and `close` rejects.
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
 * a time (a lock file says which). A record must not change after `write` (records are readonly throughout). After
 * each batch the chain's head is published in `<log>.head` (see head.ts), and a restart continues from it when the
 * log ends before it, so records removed from the end stay visible as a gap.
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
  const lockPath = `${resolve(path)}.lock`;
  acquireLock(lockPath);
  let fd: number;
  let size: number;
  let seq: number;
  let hash: string;
  let headFd: number;
  try {
    fd = openLog(path);
    const published = readHeadFile(path);
    const found = resumeChain(fd, fstatSync(fd).size, path, published !== undefined);
    if (found.torn) fd = setTornTailAside(path, fd, found.size);
    size = found.size;
    ({ seq, hash } = continueFrom(found, published));
    // Opened without truncating (`w` would empty it until the write below; a crash between the two left an empty head
    // file that stopped every later start): the fixed-size head is overwritten in place.
    headFd = openSync(headPath(path), existsSync(headPath(path)) ? "r+" : "w");
    writeSync(headFd, formatHead({ seq, hash }), 0);
  } catch (error) {
    releaseLock(lockPath);
    throw isGuardError(error) ? error : auditError(path, error);
  }
  let writtenSeq = seq;
  let writtenHash = hash;
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
      writeWhole(fd, size, Buffer.from(queue.slice(0, count).join("")));
      writtenHash = hashOf(queue[count - 1]!);
      queue = queue.slice(count);
      size += bytes;
      writtenSeq = seq - queue.length;
    }
    if (options.fsync) fdatasyncSync(fd);
    // After the records it names are written (and synced): the head file may lag the log, never lead it.
    writeSync(headFd, formatHead({ seq: writtenSeq, hash: writtenHash }), 0);
  }

  function rotate(): void {
    closeSync(fd);
    // Named by the last seq it holds, so rotated files sort in chain order.
    renameSync(path, `${path}.${String(writtenSeq).padStart(12, "0")}`);
    fd = openLog(path);
    size = 0;
  }

  /** At exit: write what waits, and when that fails say so on stderr and exit non-zero, never lose records quietly. */
  const flushAtExit = () => {
    drain();
    const lost = unwritten();
    if (!failure) return;
    process.stderr.write(`purpose-guard: the audit log ${path} is incomplete: ${failure}${lost ? `; ${lost} record${lost === 1 ? "" : "s"} not written` : ""}\n`);
    if (!process.exitCode) process.exitCode = 1;
  };
  const unwritten = () => records.length + queue.length + dropped;
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
      closeSync(headFd);
      releaseLock(lockPath);
      const lost = unwritten();
      if (failure) throw new GuardError("AUDIT_FAILED", `${failure}${lost ? `; ${lost} record${lost === 1 ? "" : "s"} not written` : ""}`, { issues: [{ file: path, message: "the audit log is incomplete", fix: "free space or fix the path's permissions, then verify the log" }] });
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

/**
 * Writes all of `bytes` at the end of the log, which is `size` bytes long. A short write (a full disk) is continued;
 * when a write fails, the part already written is cut off again, so the file holds whole records only and the retry
 * does not leave a torn line in the middle of the chain.
 */
function writeWhole(fd: number, size: number, bytes: Buffer): void {
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch (error) {
    if (done > 0) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // the write's error says what is wrong; verify will show the torn line
      }
    }
    throw error;
  }
}

/** A chained line ends with `"hash":"<64 hex>"}` and its newline. */
function hashOf(line: string): string {
  return line.slice(-67, -3);
}

/**
 * Finds the last whole record of the log to continue its chain, reading backwards in blocks until a whole line is
 * found however long it is (one record must not make a restart take the log for torn). `size` is where that record's
 * line ends; `torn` says whether anything but blank lines follows it. A non-empty log without a single record is an
 * error: restarting its chain at genesis would hide whatever it was.
 */
function resumeChain(fd: number, fileSize: number, path: string, headPublished: boolean): { seq: number; hash: string; size: number; torn: boolean } {
  let torn = false;
  for (const line of linesBackward(fd, fileSize)) {
    if (line.text.replace(/\0/g, "").trim() === "") continue;
    const link = line.terminated ? parseLink(line.text) : undefined;
    if (link) return { ...link, size: line.end, torn };
    torn = true;
  }
  // Only a torn first write (after a rotation, or in a new log) and a published head: the head says where the chain
  // is, so the bytes are set aside and the chain continues from the head.
  if (!torn || headPublished) return { seq: 0, hash: GENESIS, size: 0, torn };
  throw new GuardError("AUDIT_FAILED", `the audit log ${path} holds no whole audit record`, {
    issues: [{ file: path, message: "its chain cannot be continued, and starting a new one would hide it", fix: "move the file aside (keep it for inspection) and start again" }],
  });
}

/** Block size for reading a log backwards. */
const BLOCK = 64 * 1024;

/**
 * The lines of the first `fileSize` bytes of a file, last first, with the offset just past each (its newline
 * included). The first one yielded is whatever follows the last newline (empty when the file ends with one), and is
 * not terminated. Reads blocks from the end, joining a line's blocks only once its start is found.
 */
function* linesBackward(fd: number, fileSize: number): Generator<{ text: string; end: number; terminated: boolean }> {
  let parts: Buffer[] = [];
  let end = fileSize;
  let terminated = false;
  for (let position = fileSize; position > 0; ) {
    const length = Math.min(BLOCK, position);
    position -= length;
    const block = Buffer.alloc(length);
    readSync(fd, block, 0, length, position);
    let cut = length;
    for (let newline = block.lastIndexOf(10, cut - 1); cut > 0 && newline !== -1; newline = cut > 0 ? block.lastIndexOf(10, cut - 1) : -1) {
      yield { text: Buffer.concat([block.subarray(newline + 1, cut), ...parts]).toString("utf8"), end, terminated };
      parts = [];
      end = position + newline + 1;
      terminated = true;
      cut = newline;
    }
    if (cut > 0) parts.unshift(block.subarray(0, cut));
  }
  yield { text: Buffer.concat(parts).toString("utf8"), end, terminated };
}

/**
 * Sets a log that ends in a torn write (or lines that are no records) aside untouched as `<log>.damaged-<ms>`, and
 * continues in a copy of its first `keep` bytes, its whole records: the chain stays in one file and verifies from its
 * genesis, and nothing is lost. Returns the new file's descriptor.
 */
function setTornTailAside(path: string, fd: number, keep: number): number {
  closeSync(fd);
  const damaged = `${path}.damaged-${Date.now()}`;
  renameSync(path, damaged);
  copyFileSync(damaged, path);
  truncateSync(path, keep);
  return openLog(path);
}

/** The head file's head, when there is one; an unreadable head file stops the sink (writing would overwrite it). */
function readHeadFile(path: string): ChainHead | undefined {
  let text: string;
  try {
    text = readFileSync(headPath(path), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw auditError(headPath(path), error);
  }
  // Created but never written: the sink died between creating the file and its first write (some file systems leave
  // zeros after a power loss, not an empty file).
  if (/^[\0\s]*$/.test(text)) return undefined;
  const head = parseHead(text);
  if (typeof head === "string") {
    throw new GuardError("AUDIT_FAILED", `the audit log's head file ${headPath(path)} is unreadable: ${head}`, {
      issues: [{ file: headPath(path), message: head, fix: "verify the log (purpose-guard audit verify), then restore or remove the head file" }],
    });
  }
  return head;
}

/**
 * Where the chain continues: from the log's last record, unless the head file names a later or another record. Then
 * records were removed from the log's end, or the log was emptied by a rotation or by hand: the chain continues from
 * the head file's record, so the gap stays in the log for verify to report, instead of being papered over.
 */
function continueFrom(log: ChainHead, published: ChainHead | undefined): ChainHead {
  if (!published || published.seq < log.seq) return log;
  return published.seq === log.seq && published.hash === log.hash ? log : published;
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

/** The logs this process writes: a second sink on one of them (two guards with the default path) would fork the chain. */
const lockedHere = new Set<string>();

function acquireLock(lockPath: string): void {
  if (lockedHere.has(lockPath)) {
    throw new GuardError("AUDIT_FAILED", "this process already writes this audit log (another guard or sink on the same path)", {
      issues: [{ file: lockPath, message: "two writers would break the hash chain", fix: "give each guard its own audit file, or share one guard" }],
    });
  }
  try {
    writeFileSync(lockPath, String(process.pid), { flag: "wx" });
    lockedHere.add(lockPath);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw auditError(lockPath, error);
  }
  // A lock file without a process id (a crash between creating and writing it) holds nothing.
  const holder = Number(readFileSync(lockPath, "utf8").trim() || "0");
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
    throw new GuardError("AUDIT_FAILED", `another process (pid ${holder}) is writing this audit log`, {
      issues: [{ file: lockPath, message: "two writers would break the hash chain", fix: "give each guard process its own audit file" }],
    });
  }
  writeFileSync(lockPath, String(process.pid));
  lockedHere.add(lockPath);
}

function releaseLock(lockPath: string): void {
  lockedHere.delete(lockPath);
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
