import * as crypto from "node:crypto";
import type { AuditRecord } from "../model/audit-record.js";

export const GENESIS = "0".repeat(64);

/** `crypto.hash` (Node >= 20.12), absent on older Node 20 releases. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

/** A record's line ends with its hash, in this exact form: everything before it is what was hashed. */
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

/**
 * The link of one record: SHA-256 (or HMAC-SHA256 with a key, so that an attacker who can write the file still
 * cannot forge a consistent chain) over the previous hash and the exact bytes of the record's line without its
 * hash. Hashing the bytes written, not a re-serialization, means any change to the line is caught and verification
 * needs no canonical form.
 */
export function linkHash(prev: string, body: string, key?: string | Buffer): string {
  // One call instead of a Hash object and three updates: about half the cost at a record's size.
  if (key === undefined && oneShot) return oneShot("sha256", `${prev}\n${body}`, "hex");
  const hash = key === undefined ? crypto.createHash("sha256") : crypto.createHmac("sha256", key);
  return hash.update(prev).update("\n").update(body).digest("hex");
}

/** Appends a record to a chain whose last link is (`seq`, `prev`): returns the line to write and its hash. */
export function chainLine(record: AuditRecord, seq: number, prev: string, key?: string | Buffer): { line: string; hash: string } {
  // The same bytes as JSON.stringify({ ...record, seq, prev }) (a record has no `seq` or `prev` of its own), without
  // copying the record.
  const json = JSON.stringify(record);
  const body = `${json.slice(0, -1)},"seq":${seq},"prev":${JSON.stringify(prev)}}`;
  const hash = linkHash(prev, body, key);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** Splits a written line into the hashed body and the hash it claims; undefined when it has no hash suffix. */
export function splitLine(line: string): { body: string; hash: string } | undefined {
  const match = HASH_SUFFIX.exec(line);
  if (!match) return undefined;
  return { body: `${line.slice(0, match.index)}}`, hash: match[1]! };
}
