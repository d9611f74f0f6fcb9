import { readFile } from "node:fs/promises";
import { GuardError, messageOf } from "../errors.js";
import type { ChainedAuditRecord } from "../model/audit-record.js";
import { GENESIS, linkHash, splitLine } from "./chain.js";
import type { ChainHead } from "./head.js";

/** The kinds of tampering a chain reveals. */
export type Tampering = "malformed" | "altered" | "removed" | "reordered";

export interface ChainBreak {
  readonly kind: Tampering;
  readonly file: string;
  /** 1-based line in that file. */
  readonly line: number;
  readonly seq?: number;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly files: readonly string[];
  readonly records: number;
  /** The first problem in chain order; later ones may be consequences of it. */
  readonly firstBreak?: ChainBreak;
  /** Set when the first file does not start at the chain's genesis (an earlier rotated file was not given). */
  readonly startsAt?: { readonly seq: number; readonly prev: string };
  /** The last record verified: compare with a head kept elsewhere to detect truncation of the tail. */
  readonly head?: { readonly seq: number; readonly hash: string };
  /** The heads the chain was checked against (each found in it, when ok). */
  readonly expected?: readonly ExpectedHead[];
}

/** A head kept apart from the log (its `.head` file, or one stored elsewhere): the chain must reach it. */
export interface ExpectedHead extends ChainHead {
  /** Where it came from, for messages (`--expect-head`, `audit.jsonl.head`). */
  readonly source: string;
}

export interface VerifyOptions {
  readonly key?: string | Buffer;
  /**
   * The files need not start at the chain's genesis: a deliberately pruned log, or rotated files verified without
   * their predecessors. Without it, a first record other than record 1 means records were removed from the start.
   */
  readonly partial?: boolean;
  /** Heads the chain must reach: records removed from its end leave an intact but shorter chain, which only they reveal. */
  readonly expectHeads?: readonly ExpectedHead[];
}

interface Entry {
  readonly file: string;
  readonly line: number;
  readonly record?: ChainedAuditRecord;
  /** The bytes the record's hash covers. */
  readonly body?: string;
  readonly error?: string;
}

/**
 * Verifies one chain written over `files` (in chain order: rotated files first). Reports the first record that was
 * altered (its hash does not match its content, or its link does not match the record before it), removed (a gap
 * in `seq`), reordered (a `seq` that appears out of place) or is not a record at all.
 */
export async function verifyAuditLog(files: readonly string[], options: VerifyOptions = {}): Promise<VerifyReport> {
  const entries: Entry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new GuardError("AUDIT_FAILED", `cannot read ${file}: ${messageOf(error)}`, { issues: [{ file, message: messageOf(error), fix: "check the path" }] });
    }
    text.split("\n").forEach((line, index) => {
      if (line.trim() === "") return;
      entries.push(parseEntry(file, index + 1, line));
    });
  }
  const seqs = new Set(entries.flatMap((entry) => (entry.record ? [entry.record.seq] : [])));
  let previous: ChainedAuditRecord | undefined;
  let startsAt: VerifyReport["startsAt"];
  let verified = 0;
  const expectHeads = options.expectHeads ?? [];
  // A head at seq 0 is the genesis hash: an empty chain reaches it.
  const reached = new Set<ExpectedHead>(expectHeads.filter((head) => head.seq === 0 && head.hash === GENESIS));
  const report = (firstBreak: ChainBreak): VerifyReport => ({
    ok: false,
    files,
    records: verified,
    firstBreak,
    ...(startsAt ? { startsAt } : {}),
    ...(previous ? { head: { seq: previous.seq, hash: previous.hash } } : {}),
    ...(expectHeads.length > 0 ? { expected: expectHeads } : {}),
  });

  for (const entry of entries) {
    const at = { file: entry.file, line: entry.line };
    const record = entry.record;
    if (!record) return report({ ...at, kind: "malformed", message: `not an audit record: ${entry.error}` });
    if (linkHash(record.prev, entry.body!, options.key) !== record.hash) {
      return report({ ...at, seq: record.seq, kind: "altered", message: `record ${record.seq} does not match its hash: its content was changed${options.key ? " (or the key is wrong)" : ""}` });
    }
    if (!previous) {
      if (record.seq !== 1 || record.prev !== GENESIS) {
        if (record.seq === 1) return report({ ...at, seq: 1, kind: "altered", message: "the first record does not link to the genesis hash" });
        if (!options.partial) {
          return report({ ...at, seq: record.seq, kind: "removed", message: `${missing(1, record.seq)} before record ${record.seq}: the log does not start at the chain's genesis and no earlier file precedes it (a log pruned on purpose: verify it with --only, and check its head with --expect-head)` });
        }
        startsAt = { seq: record.seq, prev: record.prev };
      }
    } else {
      const expected = previous.seq + 1;
      if (record.seq > expected) {
        const kind: Tampering = seqs.has(expected) ? "reordered" : "removed";
        const message = kind === "removed"
          ? `${missing(expected, record.seq)} before record ${record.seq}`
          : `record ${record.seq} appears where record ${expected} belongs`;
        return report({ ...at, seq: record.seq, kind, message });
      }
      if (record.seq < expected) {
        return report({ ...at, seq: record.seq, kind: "reordered", message: `record ${record.seq} appears after record ${previous.seq}` });
      }
      if (record.prev !== previous.hash) {
        return report({ ...at, seq: record.seq, kind: "altered", message: `record ${record.seq} does not link to record ${previous.seq}: one of them was replaced` });
      }
    }
    for (const head of expectHeads) {
      if (head.seq !== record.seq) continue;
      if (head.hash !== record.hash) return report({ ...at, seq: record.seq, kind: "altered", message: `record ${record.seq} is not the one ${head.source} names (another hash): the log was rewritten from here` });
      reached.add(head);
    }
    previous = record;
    verified++;
  }
  for (const head of expectHeads) {
    if (reached.has(head)) continue;
    const last = entries.at(-1);
    const at = { file: last?.file ?? files.at(-1) ?? "", line: (last?.line ?? 0) + 1 };
    if (!previous || head.seq > previous.seq) {
      const from = (previous?.seq ?? 0) + 1;
      return report({ ...at, kind: "removed", message: `${missing(from, head.seq + 1)} at the end: the chain ends ${previous ? `at record ${previous.seq}` : "before its first record"}, but ${head.source} says it reached record ${head.seq}` });
    }
    return report({ ...at, kind: "removed", message: `record ${head.seq}, which ${head.source} names, is not in the files given` });
  }
  return {
    ok: true,
    files,
    records: verified,
    ...(startsAt ? { startsAt } : {}),
    ...(previous ? { head: { seq: previous.seq, hash: previous.hash } } : {}),
    ...(expectHeads.length > 0 ? { expected: expectHeads } : {}),
  };
}

/** `record 3 is missing` or `records 3..5 are missing`, for records `from` up to (not including) `to`. */
function missing(from: number, to: number): string {
  return to - from > 1 ? `records ${from}..${to - 1} are missing` : `record ${from} is missing`;
}

function parseEntry(file: string, line: number, text: string): Entry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { file, line, error: messageOf(error) };
  }
  const record = value as Partial<ChainedAuditRecord>;
  const split = splitLine(text);
  if (typeof record !== "object" || record === null || typeof record.seq !== "number" || typeof record.prev !== "string" || typeof record.hash !== "string" || !split) {
    return { file, line, error: "missing seq, prev or hash" };
  }
  return { file, line, record: record as ChainedAuditRecord, body: split.body };
}
