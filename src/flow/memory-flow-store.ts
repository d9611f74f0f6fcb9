import { createHmac, randomBytes, randomInt } from "node:crypto";
import { decodeCandidates } from "../classify/decode.js";
import { normalizeValue } from "../classify/normalize.js";
import { GuardError } from "../errors.js";
import type { DataClass } from "../model/data-class.js";
import type { Finding } from "../model/finding.js";
import type { FlowMatch, FlowSource, FlowStore } from "./flow-store.js";
import { webAddresses } from "./web-address.js";
import { haystacks, VIEW_KINDS, view, viewKindOf, type ViewKind } from "./views.js";

export interface MemoryFlowStoreOptions {
  /** Key of the salted hashes; random per store when absent. */
  readonly salt?: string | Uint8Array;
  /** Values remembered per session; the oldest are forgotten first (default 2048). */
  readonly maxValuesPerSession?: number;
  /** Sessions kept; the least recently used is forgotten first (default 10,000). */
  readonly maxSessions?: number;
  /** Shortest normalised value remembered (default 6; 7 for digit-only classes), so `Bob` or `2024` never "flow". */
  readonly minLength?: number;
  /**
   * Also remember URLs in results of untrusted (open-world) tools, even though they are no data class, as class
   * `network.url`: a link planted in a web page that later becomes a call's destination is how injections exfiltrate.
   * Default true.
   */
  readonly rememberUntrustedUrls?: boolean;
}

/** A remembered value: never the value itself, only its salted fingerprint (to scan) and HMAC (to confirm). */
interface Entry {
  readonly kind: ViewKind;
  readonly length: number;
  readonly fingerprint: number;
  readonly hmac: string;
  readonly class: DataClass;
  readonly source: FlowSource;
}

interface Session {
  readonly entries: Map<string, Entry>;
  /** Distinct lengths per view kind, so a scan only tries windows that can match. */
  lengths: Map<ViewKind, Map<number, number>>;
  /** Ids of values the user typed: never reported as flowing, whatever result also carried them. */
  readonly trusted: Set<string>;
}

const MOD = 2147483647; // 2^31 - 1: fingerprints stay exact in double arithmetic

/**
 * The in-memory `FlowStore`: per session, the salted hashes of the normalised sensitive values that results carried,
 * with their class and source. `match` finds them again in later arguments: embedded in longer text, changed in case
 * or spacing, hidden with zero-width characters, base64-, hex- or URL-encoded, inside JSON strings, or split across
 * fields. Scanning slides a salted Rabin–Karp fingerprint over each argument string for every remembered length,
 * and confirms candidates with the HMAC, so the cost is linear in the arguments times the distinct lengths.
 */
export function createMemoryFlowStore(options: MemoryFlowStoreOptions = {}): FlowStore & { trust(sessionId: string, values: readonly string[]): void; size(sessionId: string): number } {
  const maxValues = options.maxValuesPerSession ?? 2048;
  const maxSessions = options.maxSessions ?? 10_000;
  const minLength = options.minLength ?? 6;
  const rememberUrls = options.rememberUntrustedUrls ?? true;
  if (!(Number.isInteger(maxValues) && maxValues > 0) || !(Number.isInteger(maxSessions) && maxSessions > 0) || !(Number.isInteger(minLength) && minLength >= 3)) {
    throw new GuardError("CONFIG_INVALID", "invalid flow store options", {
      issues: [{ path: "flowStore", message: "maxValuesPerSession and maxSessions must be positive integers, minLength an integer of at least 3" }],
    });
  }
  const salt = options.salt === undefined ? randomBytes(32) : typeof options.salt === "string" ? Buffer.from(options.salt, "utf8") : Buffer.from(options.salt);
  // A secret base makes the fingerprint a keyed hash too: without the store, it says nothing about the value. Below
  // 2^21 so that `h * base` (h < 2^31) stays below 2^53 and double arithmetic remains exact.
  const base = randomInt(65_537, 1 << 21);
  const sessions = new Map<string, Session>();

  const hmac = (kind: ViewKind, normalized: string) => createHmac("sha256", salt).update(kind).update("\u0000").update(normalized).digest("base64url");

  const sessionFor = (id: string, create: boolean): Session | undefined => {
    let session = sessions.get(id);
    if (session) {
      // Refresh recency: Map iteration order is insertion order.
      sessions.delete(id);
      sessions.set(id, session);
      return session;
    }
    if (!create) return undefined;
    session = { entries: new Map(), lengths: new Map(), trusted: new Set() };
    sessions.set(id, session);
    if (sessions.size > maxSessions) sessions.delete(sessions.keys().next().value as string);
    return session;
  };

  const add = (session: Session, cls: DataClass, raw: string, source: FlowSource) => {
    const kind = viewKindOf(cls);
    const normalized = view(kind, normalizeValue(cls, raw));
    const min = kind === "digits" ? Math.max(minLength, 7) : minLength;
    if (normalized.length < min || normalized.length > 4096) return;
    const digest = hmac(kind, normalized);
    const id = `${kind}:${digest}`;
    const existing = session.entries.get(id);
    // The same value from a trusted and an untrusted source stays untrusted: the attacker may have planted it.
    if (existing && (existing.source.untrusted || !source.untrusted)) return;
    if (existing) session.entries.delete(id);
    session.entries.set(id, { kind, length: normalized.length, fingerprint: fingerprint(normalized, 0, normalized.length), hmac: digest, class: cls, source });
    bumpLength(session, kind, normalized.length, 1);
    if (existing) bumpLength(session, existing.kind, existing.length, -1);
    while (session.entries.size > maxValues) {
      const [oldestId, oldest] = session.entries.entries().next().value as [string, Entry];
      session.entries.delete(oldestId);
      bumpLength(session, oldest.kind, oldest.length, -1);
    }
  };

  const bumpLength = (session: Session, kind: ViewKind, length: number, delta: number) => {
    let byLength = session.lengths.get(kind);
    if (!byLength) session.lengths.set(kind, (byLength = new Map()));
    const next = (byLength.get(length) ?? 0) + delta;
    if (next <= 0) byLength.delete(length);
    else byLength.set(length, next);
  };

  function fingerprint(text: string, start: number, end: number): number {
    let h = 0;
    for (let i = start; i < end; i++) h = (h * base + text.charCodeAt(i)) % MOD;
    return h;
  }

  /** Slides a window of each remembered length over `text`; returns the ids of entries found. */
  const scan = (session: Session, kind: ViewKind, text: string, found: Map<string, Entry>) => {
    const byLength = session.lengths.get(kind);
    if (!byLength || byLength.size === 0) return;
    const fingerprints = new Map<number, Entry[]>();
    for (const entry of session.entries.values()) {
      if (entry.kind !== kind) continue;
      const key = entry.length * MOD + entry.fingerprint;
      const list = fingerprints.get(key);
      if (list) list.push(entry);
      else fingerprints.set(key, [entry]);
    }
    for (const length of byLength.keys()) {
      if (length > text.length) continue;
      let power = 1;
      for (let i = 1; i < length; i++) power = (power * base) % MOD;
      let h = fingerprint(text, 0, length);
      for (let start = 0; ; start++) {
        const candidates = fingerprints.get(length * MOD + h);
        if (candidates) {
          const digest = hmac(kind, text.slice(start, start + length));
          for (const entry of candidates) if (entry.hmac === digest) found.set(`${kind}:${digest}`, entry);
        }
        if (start + length >= text.length) break;
        // Roll: drop text[start], add text[start + length].
        h = (h - ((text.charCodeAt(start) * power) % MOD) + MOD) % MOD;
        h = (h * base + text.charCodeAt(start + length)) % MOD;
      }
    }
  };

  return {
    remember(sessionId: string, value: unknown, findings: readonly Finding[], source: FlowSource): void {
      const session = sessionFor(sessionId, true)!;
      for (const finding of findings) {
        if (finding.class === "unknown") continue;
        const text = stringAt(value, finding.pointer, finding.inKey === true);
        if (text === undefined) continue;
        for (const raw of valuesOf(text, finding)) add(session, finding.class, raw, source);
      }
      if (source.untrusted && rememberUrls) {
        for (const text of strings(value)) {
          // Without its scheme, so `https://x.example/a` is also found where the agent writes `x.example/a`.
          for (const address of webAddresses(text)) add(session, "network.url", address, source);
        }
      }
    },

    match(sessionId: string, args: unknown, _findings: readonly Finding[]): readonly FlowMatch[] {
      const session = sessionFor(sessionId, false);
      if (!session || session.entries.size === 0) return [];
      const matches: FlowMatch[] = [];
      const seen = new Set<string>();
      const stacks = haystacks(args);
      // Whole-field and decoded matches first, so a split match is only reported when nothing simpler explains it.
      stacks.sort((a, b) => (a.encoding === "split" ? 1 : 0) - (b.encoding === "split" ? 1 : 0));
      for (const stack of stacks) {
        for (const kind of VIEW_KINDS) {
          if (!session.lengths.get(kind)?.size) continue;
          const found = new Map<string, Entry>();
          scan(session, kind, view(kind, stack.text), found);
          for (const [id, entry] of found) {
            if (seen.has(id) || session.trusted.has(id)) continue;
            seen.add(id);
            matches.push({ class: entry.class, source: entry.source, pointer: stack.pointer, encoding: stack.encoding });
          }
        }
      }
      return matches;
    },

    forget(sessionId: string): void {
      sessions.delete(sessionId);
    },

    /**
     * Values the user typed (provenance: the user's own request is trusted). A remembered value equal to one of them
     * is never reported as flowing: the user chose it, whichever result also carried it, before or after.
     */
    trust(sessionId: string, values: readonly string[]): void {
      const session = sessionFor(sessionId, true)!;
      for (const value of values) {
        const trimmed = value.trim();
        for (const kind of VIEW_KINDS) {
          const normalized = view(kind, trimmed);
          if (normalized.length > 0) session.trusted.add(`${kind}:${hmac(kind, normalized)}`);
        }
        if (session.trusted.size > maxValues * 2) session.trusted.delete(session.trusted.values().next().value as string);
      }
    },

    size(sessionId: string): number {
      return sessions.get(sessionId)?.entries.size ?? 0;
    },
  };
}

/** The string a finding points into (a key, when the finding is about a key), or undefined. */
function stringAt(value: unknown, pointer: string, inKey: boolean): string | undefined {
  if (pointer === "") return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
  const parts = pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let current: unknown = value;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (inKey && i === parts.length - 1) return current !== null && typeof current === "object" && part in current ? part : undefined;
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return typeof current === "string" ? current : typeof current === "number" ? String(current) : undefined;
}

/** The raw values a finding denotes: its span, or (for an encoded finding) the span in each same-encoded decoding. */
function valuesOf(text: string, finding: Finding): string[] {
  if (!finding.encoding || finding.encoding === "plain" || finding.encoding === "json") {
    return finding.end <= text.length && finding.end > finding.start ? [text.slice(finding.start, finding.end)] : [];
  }
  const out: string[] = [];
  for (const decoded of decodeCandidates(text, { json: false, base64: true, hex: true, url: true })) {
    if (decoded.encoding === "json" || decoded.encoding !== finding.encoding) continue;
    if (finding.end <= decoded.text.length) out.push(decoded.text.slice(finding.start, finding.end));
  }
  return out;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value !== null && typeof value === "object") for (const item of Object.values(value)) strings(item, out);
  return out;
}
