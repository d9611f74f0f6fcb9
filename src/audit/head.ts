/**
 * The head of a JSONL audit log's chain (its last record's seq and hash), published beside the log as `<log>.head`
 * after every batch. Without it, removing the last records of a log leaves a shorter chain that is still intact;
 * with it, `audit verify` sees the chain end before the head it was told. The file is as writable as the log, so it
 * catches an accidental or careless truncation; against someone who rewrites both, copy the head elsewhere (or read
 * `JsonlSink.head()`) and check it with `audit verify --expect-head SEQ:HASH`.
 */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** Bytes of the head file: fixed, so each update overwrites the last in place with one positioned write. */
export const HEAD_BYTES = 128;

export function headPath(log: string): string {
  return `${log}.head`;
}

/** The head as the head file holds it: one JSON object, padded with spaces to HEAD_BYTES with the newline. */
export function formatHead(head: ChainHead): string {
  return `${JSON.stringify({ seq: head.seq, hash: head.hash }).padEnd(HEAD_BYTES - 1)}\n`;
}

/** Parses a head file's text, or `SEQ:HASH` as `--expect-head` takes it; a string is the reason it is not a head. */
export function parseHead(text: string): ChainHead | string {
  const pair = /^(\d{1,16}):([0-9a-f]{64})$/.exec(text.trim());
  if (pair) return { seq: Number(pair[1]), hash: pair[2]! };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "neither SEQ:HASH nor a head file's JSON";
  }
  const head = value as Partial<ChainHead> | null;
  if (typeof head !== "object" || head === null || !Number.isSafeInteger(head.seq) || head.seq! < 0 || typeof head.hash !== "string" || !/^[0-9a-f]{64}$/.test(head.hash)) {
    return "not { seq, hash } with a whole seq and a 64-digit hex hash";
  }
  return { seq: head.seq!, hash: head.hash };
}
