import { createHash, createHmac } from "node:crypto";
import type { AuditRecord } from "../model/audit-record.js";

export const GENESIS = "0".repeat(64);

/** A record's line ends with its hash, in this exact form: everything before it is what was hashed. */
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

/**
 * The link of one record: SHA-256 (or HMAC-SHA256 with a key, so that an attacker who can write the file still
 * cannot forge a consistent chain) over the previous hash and the exact bytes of the record's line without its
 * hash. Hashing the bytes written, not a re-serialization, means any change to the line is caught and verification
 * needs no canonical form.
 */
export function linkHash(prev: string, body: string, key?: string | Buffer): string {
  const hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  return hash.update(prev).update("\n").update(body).digest("hex");
}

/** Appends a record to a chain whose last link is (`seq`, `prev`): returns the line to write and its hash. */
export function chainLine(record: AuditRecord, seq: number, prev: string, key?: string | Buffer): { line: string; hash: string } {
  const body = JSON.stringify({ ...record, seq, prev });
  const hash = linkHash(prev, body, key);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** Splits a written line into the hashed body and the hash it claims; undefined when it has no hash suffix. */
export function splitLine(line: string): { body: string; hash: string } | undefined {
  const match = HASH_SUFFIX.exec(line);
  if (!match) return undefined;
  return { body: `${line.slice(0, match.index)}}`, hash: match[1]! };
}
