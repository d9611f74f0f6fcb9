import { createHash, createHmac } from "node:crypto";
import { canonicalJson } from "../declare/canonical.js";
import type { AuditRecord, ChainedAuditRecord } from "../model/audit-record.js";

export const GENESIS = "0".repeat(64);

/**
 * The link of one record: SHA-256 (or HMAC-SHA256 with a key, so that an attacker who can write the file still
 * cannot forge a consistent chain) over the previous hash and the canonical record including its `seq` and `prev`.
 */
export function linkHash(record: Omit<ChainedAuditRecord, "hash">, key?: string | Buffer): string {
  const hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  return hash.update(record.prev).update("\n").update(canonicalJson(record)).digest("hex");
}

/** Appends a record to a chain whose last link is (`seq`, `prev`). */
export function chainRecord(record: AuditRecord, seq: number, prev: string, key?: string | Buffer): ChainedAuditRecord {
  const linked = { ...record, seq, prev };
  return { ...linked, hash: linkHash(linked, key) };
}
