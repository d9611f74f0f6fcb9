import { createHmac, randomBytes, randomInt } from "node:crypto";
import { decodeCandidates, type Decoded } from "../classify/decode.js";
import { nationalPhoneNumber, normalizeValue } from "../classify/normalize.js";
import { GuardError } from "../errors.js";
import type { DataClass } from "../model/data-class.js";
import type { Finding } from "../model/finding.js";
import { evictOldest } from "../evict.js";
import { escapePointer, stringAt } from "../model/pointer.js";
import type { FlowMatch, FlowSource, FlowStore } from "./flow-store.js";
import { PROVENANCE_ONLY } from "./labels.js";
import { isPhrase, PHRASE_CLASS, scanPhrase, type PhraseHasher } from "./phrases.js";
import { isEmailAddress, webAddresses } from "./web-address.js";
import { haystacks, splitTexts, VIEW_KINDS, view, viewKindOf, type ViewKind } from "./views.js";

export interface MemoryFlowStoreOptions {
  /** Key of the salted hashes; random per store when absent. */
  readonly salt?: string | Uint8Array;
  /**
   * Values that trusted results carried, remembered per session; the least recently seen are forgotten first, and
   * counted (`forgotten`) so policies can fail closed (default 2048).
   */
  readonly maxValuesPerSession?: number;
  /**
   * Values that untrusted results carried and links (`network.url`), remembered per session apart from the above, so
   * that what an attacker's page holds never pushes out what a trusted tool returned (default 2048).
   */
  readonly maxUntrustedValuesPerSession?: number;
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
  /**
   * Trace phrases (`flow/phrases.ts`): an argument whose whole text is a run of words that an untrusted result held,
   * and that neither the user nor a trusted result stated, is reported as class `text.phrase`. Default true.
   */
  readonly tracePhrases?: boolean;
  /** Phrase fingerprints kept per session and per trust level; the oldest are forgotten first (default 50,000). */
  readonly maxPhrasesPerSession?: number;
}

/** A remembered value: never the value itself, only its salted fingerprints (to scan) and HMAC (to confirm). */
interface Entry {
  /** `kind:hmac`, its key in `Session.entries`. */
  readonly id: string;
  readonly kind: ViewKind;
  readonly length: number;
  readonly fingerprint: number;
  /** The fingerprint of its window (`windowOf`) of characters from `offset`: what a scan looks for. */
  readonly anchor: number;
  readonly offset: number;
  readonly hmac: string;
  readonly class: DataClass;
  readonly source: FlowSource;
  readonly pool: Pool;
  /** Found only as whole words (`wordsOf`): a name or an address, not letters inside other words. */
  readonly words: boolean;
  /** The id of the value this entry is a form of (its own id, or that of a phone number as read for its national form). */
  readonly value: string;
}

/**
 * Where an entry counts against a budget: `data` for values a trusted result carried as a data class (whatever source
 * also carried them later), `untrusted` for the rest (values of untrusted results, links). Only the attacker's own
 * values compete with what the attacker's pages hold.
 */
type Pool = "data" | "untrusted";

interface Session {
  /** Entries by id, per pool, least recently seen first (a Map iterates in insertion order). */
  readonly pools: Record<Pool, Map<string, Entry>>;
  /** Entries of the `data` pool forgotten for lack of room: their flows can no longer be seen. */
  forgotten: number;
  /** Distinct window lengths (`windowOf`) per view kind, so a scan only tries windows that can match. */
  lengths: Map<ViewKind, Map<number, number>>;
  /** Ids of values the user typed: never reported as flowing, whatever result also carried them. */
  readonly trusted: Set<string>;
  /** Phrase fingerprints of untrusted results, with the first source that held each. */
  readonly phrases: Map<number, FlowSource>;
  /** Phrase fingerprints of trusted results and of the user's words. */
  readonly trustedPhrases: Set<number>;
  /** Ids of whole strings that untrusted results listed (elements of a list: names of channels, users, files). */
  readonly names: Set<string>;
  /** Ids of values that a trusted result held as a whole field (a record's address), not inside text. */
  readonly fields: Set<string>;
  /** How many entries each anchor (`anchorKey`) finds: a new value takes one of its windows that few others use. */
  readonly anchorUse: Map<string, number>;
  /** Entries by view kind and (window length, anchor), for scanning; rebuilt on the first scan after the entries change. */
  index: Map<ViewKind, KindIndex> | undefined;
}

/** The entries of one view kind, for scanning. */
interface KindIndex {
  /** By window length and anchor fingerprint (`length * MOD + anchor`). */
  readonly entries: Map<number, Bucket>;
  /**
   * A bit per (window length, anchor) of `entries`, tested before the map: nearly every window of an argument matches
   * nothing, and a map lookup by a key beyond the small-integer range costs some 100 ns (it boxes the number).
   */
  readonly filter: Uint32Array;
}

/** The entries that one (window length, anchor fingerprint) finds. */
interface Bucket {
  /** Values as long as the window: the window is the value. */
  readonly whole: Entry[];
  /**
   * Longer values, by where their anchor sits and how long they are (`offset * 8192 + length`), then by fingerprint:
   * where the anchor is found, one fingerprint per group tells whether any of its values is there, however many
   * values share the anchor (thousands can: the attacker chooses what results hold).
   */
  readonly longer: Map<number, Map<number, Entry[]>>;
}

const MOD = 2147483647; // 2^31 - 1: fingerprints stay exact in double arithmetic
const INVERSE = 1 / MOD;

/**
 * `x % MOD` for `0 <= x < 2^53`. The `%` operator on numbers beyond the small-integer range is a call to `fmod`,
 * which made it most of the cost of a scan; a multiplication by the inverse, rounded and corrected, is several times
 * cheaper and exact (the quotient is off by at most one, and `q * MOD` stays below 2^53).
 */
function reduce(x: number): number {
  const r = x - Math.floor(x * INVERSE) * MOD;
  return r < 0 ? r + MOD : r >= MOD ? r - MOD : r;
}
/** Bits of a `KindIndex.filter`: 2^21, so with the most values a session keeps, about one window in 500 passes. */
const FILTER_BITS = 21;
const FILTER_MASK = (1 << FILTER_BITS) - 1;

function filterBit(window: number, anchor: number): number {
  return (anchor ^ Math.imul(window, 0x9e3779b1)) & FILTER_MASK;
}

/**
 * The window lengths a scan slides. A value is looked for by a window of the longest of these lengths it holds (its
 * anchor), and checked whole where that is found. A scan slides one window per distinct length, so with a window per
 * value length a session that remembered values of thousands of lengths (the longest is 4,096) paid thousands of
 * passes over every argument (6 s for 1 MB); now it pays at most one per entry here, per view kind. 32 characters
 * name a value well enough to check it whole wherever they appear.
 */
const WINDOWS = [3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 32];
const LONGEST = 4096;
/** `WINDOW_OF[length]`: the longest window a value of `length` holds. */
const WINDOW_OF = new Uint8Array(LONGEST + 1);
for (let length = 0, w = 0; length <= LONGEST; length++) {
  while (w + 1 < WINDOWS.length && WINDOWS[w + 1]! <= length) w++;
  WINDOW_OF[length] = WINDOWS[w]!;
}
const MAX_WINDOW = WINDOWS[WINDOWS.length - 1]!;
const BORDER = new Int32Array(MAX_WINDOW);

function anchorKey(kind: ViewKind, window: number, anchor: number): string {
  return `${kind}:${window * MOD + anchor}`;
}

/** The window a scan slides to find a value of `length`. */
function windowOf(length: number): number {
  return WINDOW_OF[length]!;
}

/**
 * The first place, off the half-window steps `anchorFor` tries, of a window of `value` that repeats no unit of half its
 * length or less; -1 when there is none, which (windows one apart overlap by more than two such units, Fine and Wilf)
 * means the whole value repeats one (`abab…`). Such a window appears at places more than half a window apart, which
 * bounds the places where values are checked whole.
 */
function aperiodicOffset(value: string, window: number): number {
  const last = value.length - window;
  const step = window >> 1;
  for (let offset = 1; offset < last; offset++) if (offset % step !== 0 && periodOf(value, offset, window) > step) return offset;
  return -1;
}

/** The smallest period of `value.slice(start, start + window)`, from its longest border (the KMP failure function). */
function periodOf(value: string, start: number, window: number): number {
  const border = BORDER;
  border[0] = 0;
  for (let i = 1, k = 0; i < window; i++) {
    const code = value.charCodeAt(start + i);
    while (k > 0 && code !== value.charCodeAt(start + k)) k = border[k - 1]!;
    if (code === value.charCodeAt(start + k)) k++;
    border[i] = k;
  }
  return window - border[window - 1]!;
}

/** `a * b % MOD` for `a, b < 2^31`, exact in double arithmetic (the plain product is not). */
function mulMod(a: number, b: number): number {
  return reduce(reduce(a * (b >>> 16)) * 65536 + a * (b & 0xffff));
}

/**
 * The in-memory `FlowStore`: per session, the salted hashes of the normalised sensitive values that results carried,
 * with their class and source. `match` finds them again in later arguments: embedded in longer text, changed in case
 * or spacing, hidden with zero-width characters, base64-, hex- or URL-encoded, inside JSON strings, or split across
 * fields. Scanning slides a salted Rabin–Karp fingerprint over each argument string for every remembered length,
 * and confirms candidates with the HMAC, so the cost is linear in the arguments times the distinct lengths, of which
 * there are at most a dozen: a value is found by a window of one of a dozen lengths, and checked whole there.
 */
export function createMemoryFlowStore(options: MemoryFlowStoreOptions = {}): FlowStore & { trust(sessionId: string, values: readonly string[]): void; size(sessionId: string): number; forgotten(sessionId: string): number } {
  const maxValues = options.maxValuesPerSession ?? 2048;
  const maxUntrusted = options.maxUntrustedValuesPerSession ?? 2048;
  const maxSessions = options.maxSessions ?? 10_000;
  const minLength = options.minLength ?? 6;
  const rememberUrls = options.rememberUntrustedUrls ?? true;
  const tracePhrases = options.tracePhrases ?? true;
  const maxPhrases = options.maxPhrasesPerSession ?? 50_000;
  if (!(Number.isInteger(maxValues) && maxValues > 0) || !(Number.isInteger(maxUntrusted) && maxUntrusted > 0) || !(Number.isInteger(maxSessions) && maxSessions > 0) || !(Number.isInteger(minLength) && minLength >= 3) || !(Number.isInteger(maxPhrases) && maxPhrases > 0)) {
    throw new GuardError("CONFIG_INVALID", "invalid flow store options", {
      issues: [{ path: "flowStore", message: "maxValuesPerSession, maxUntrustedValuesPerSession, maxPhrasesPerSession and maxSessions must be positive integers, minLength an integer of at least 3" }],
    });
  }
  const salt = options.salt === undefined ? randomBytes(32) : typeof options.salt === "string" ? Buffer.from(options.salt, "utf8") : Buffer.from(options.salt);
  // A secret base makes the fingerprint a keyed hash too: without the store, it says nothing about the value. Below
  // 2^21 so that `h * base` (h < 2^31) stays below 2^53 and double arithmetic remains exact.
  const base = randomInt(65_537, 1 << 21);
  // base^k for every length a value may have: a window's fingerprint from prefix fingerprints of the text.
  const powers = new Float64Array(LONGEST + 1);
  powers[0] = 1;
  for (let k = 1; k <= LONGEST; k++) powers[k] = reduce(powers[k - 1]! * base);
  // Phrase fingerprints are keyed too: without the store, a fingerprint says nothing about the words.
  const hasher: PhraseHasher = { seed: randomInt(1, 2 ** 32 - 1), key: randomInt(1, 2 ** 32 - 1) };
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
    session = { pools: { data: new Map(), untrusted: new Map() }, forgotten: 0, lengths: new Map(), trusted: new Set(), phrases: new Map(), trustedPhrases: new Set(), names: new Set(), fields: new Set(), anchorUse: new Map(), index: undefined };
    sessions.set(id, session);
    // One at a time (see evict.ts for the cost): a session dropped early would lose the memory of what it read.
    if (sessions.size > maxSessions) sessions.delete(sessions.keys().next().value as string);
    return session;
  };

  const add = (session: Session, cls: DataClass, raw: string, source: FlowSource, formOf?: string, kind: ViewKind = viewKindOf(cls)): string | undefined => {
    const normalized = view(kind, normalizeValue(cls, raw));
    const min = kind === "digits" ? Math.max(minLength, 7) : minLength;
    if (normalized.length < min || normalized.length > LONGEST) return undefined;
    const digest = hmac(kind, normalized);
    const id = `${kind}:${digest}`;
    const existing = entryOf(session, id);
    // Once a trusted result carried it, it is data: an attacker's page repeating it does not move it where pages flood.
    const pool: Pool = existing?.pool === "data" || (!source.untrusted && !PROVENANCE_ONLY.has(cls)) ? "data" : "untrusted";
    // The same value from a trusted and an untrusted source stays untrusted: the attacker may have planted it.
    if (existing && (existing.source.untrusted || !source.untrusted)) {
      // Seen again, it is recent again: the customer the agent reads anew is the last the memory forgets.
      session.pools[existing.pool].delete(id);
      keep(session, existing.pool === pool ? existing : { ...existing, pool });
      return id;
    }
    if (existing) session.pools[existing.pool].delete(id);
    session.index = undefined;
    const length = normalized.length;
    const window = windowOf(length);
    const chosen = anchorFor(session, kind, normalized, window);
    // A long value that is one short unit repeated names nothing, and would be checked at every place of an argument
    // that repeats the unit (a short one, `123123123`, may be an id: it keeps the window at 0).
    if (chosen === undefined) return undefined;
    const { offset, anchor } = chosen;
    bumpLength(session, kind, normalized.length, 1);
    bumpAnchor(session, kind, window, anchor, 1);
    if (existing) forget(session, existing);
    keep(session, { id, kind, length, fingerprint: length === window ? anchor : fingerprint(normalized, 0, length), anchor, offset, hmac: digest, class: cls, source, pool, words: kind === "text" && wordsOf(cls), value: formOf ?? id });
    return id;
  };

  /** Adds `entry` as its pool's most recent, forgetting that pool's least recent beyond its budget. */
  const keep = (session: Session, entry: Entry) => {
    const pool = session.pools[entry.pool];
    pool.set(entry.id, entry);
    if (entry.pool === "untrusted") evictOldest(pool, maxUntrusted, (_, oldest) => forget(session, oldest));
    else {
      evictOldest(pool, maxValues, (_, oldest) => {
        forget(session, oldest);
        session.forgotten++;
      });
    }
  };

  const forget = (session: Session, entry: Entry) => {
    session.index = undefined;
    bumpLength(session, entry.kind, entry.length, -1);
    bumpAnchor(session, entry.kind, windowOf(entry.length), entry.anchor, -1);
  };

  const bumpAnchor = (session: Session, kind: ViewKind, window: number, anchor: number, delta: number) => {
    const key = anchorKey(kind, window, anchor);
    const next = (session.anchorUse.get(key) ?? 0) + delta;
    if (next <= 0) session.anchorUse.delete(key);
    else session.anchorUse.set(key, next);
  };

  /**
   * The window a value is looked for by: of its windows half a window apart that repeat no short unit, the one fewest
   * remembered values use (the first unused one). Every place an anchor appears in an argument checks each length
   * among the values it finds, so values that an attacker made share a start (`Y.slice(0, 40 + i)`) would each be
   * checked at every place; they are given windows of their own instead. When no such window serves, the first that
   * repeats no short unit at any place; undefined for a long value that is one unit repeated.
   */
  const anchorFor = (session: Session, kind: ViewKind, value: string, window: number): { offset: number; anchor: number } | undefined => {
    const last = value.length - window;
    if (last === 0) return { offset: 0, anchor: fingerprint(value, 0, window) };
    const step = window >> 1;
    let best: { offset: number; anchor: number; uses: number } | undefined;
    for (let offset = 0; ; offset = Math.min(offset + step, last)) {
      if (periodOf(value, offset, window) > step) {
        const anchor = fingerprint(value, offset, offset + window);
        const uses = session.anchorUse.get(anchorKey(kind, window, anchor)) ?? 0;
        if (best === undefined || uses < best.uses) best = { offset, anchor, uses };
        if (uses === 0) break;
      }
      if (offset === last) break;
    }
    if (best !== undefined) return best;
    // Only a value that nearly repeats pays for trying every place.
    let offset = aperiodicOffset(value, window);
    if (offset < 0) {
      if (value.length > MAX_WINDOW) return undefined;
      offset = 0;
    }
    return { offset, anchor: fingerprint(value, offset, offset + window) };
  };

  const bumpLength = (session: Session, kind: ViewKind, length: number, delta: number) => {
    let byLength = session.lengths.get(kind);
    if (!byLength) session.lengths.set(kind, (byLength = new Map()));
    const window = windowOf(length);
    const next = (byLength.get(window) ?? 0) + delta;
    if (next <= 0) byLength.delete(window);
    else byLength.set(window, next);
  };

  const nameId = (text: string): string => hmac("text", view("text", text.trim()));

  const emailId = (address: string): string => {
    const kind = viewKindOf("pii.email");
    return `${kind}:${hmac(kind, view(kind, normalizeValue("pii.email", address)))}`;
  };

  /** The id of `text` when it is, whole, an email address a trusted result held as a field (and no untrusted one carried). */
  const fieldAddress = (session: Session, text: string): string | undefined => {
    if (session.fields.size === 0) return undefined;
    const trimmed = text.trim();
    if (trimmed.length > 320 || !isEmailAddress(trimmed)) return undefined;
    const id = emailId(trimmed);
    const entry = entryOf(session, id);
    return session.fields.has(id) && entry !== undefined && !entry.source.untrusted ? id : undefined;
  };

  /**
   * Remembers the names an untrusted result lists, the email addresses a trusted result holds as whole fields (a
   * participant, a contact: not an address inside text), and (when tracing phrases) every result's phrases by trust.
   */
  const rememberTexts = (session: Session, strings: readonly (readonly [string, boolean])[], source: FlowSource) => {
    for (const [text, listed] of strings) {
      if (source.untrusted && listed && text.length <= 4096) bounded(session.names, nameId(text), maxPhrases);
      if (!source.untrusted && text.length <= 320 && isEmailAddress(text)) bounded(session.fields, emailId(text.trim()), maxValues);
      if (!tracePhrases) continue;
      for (const h of scanPhrase(text, hasher).shingles) {
        if (source.untrusted) {
          if (!session.phrases.has(h)) session.phrases.set(h, source);
          evictOldest(session.phrases, maxPhrases);
        } else {
          bounded(session.trustedPhrases, h, maxPhrases);
        }
      }
    }
  };

  /**
   * The untrusted source that dictated `text` whole: every run of words in it comes from untrusted results, and not
   * every one is also stated by the user or a trusted result. Undefined when `text` is no phrase or was not dictated.
   */
  const dictatedBy = (session: Session, text: string): FlowSource | undefined => {
    // Prose has spaces: a single token (a link, an address, a file name) is left to the value detectors.
    if (!/\s/.test(text.trim())) return undefined;
    const scan = scanPhrase(text, hasher);
    if (!isPhrase(scan)) return undefined;
    const hashes = scan.shingles;
    let vouched = true;
    for (const h of hashes) {
      if (!session.phrases.has(h)) return undefined;
      if (vouched && !session.trustedPhrases.has(h)) vouched = false;
    }
    return vouched ? undefined : session.phrases.get(hashes[0]!);
  };

  function fingerprint(text: string, start: number, end: number): number {
    let h = 0;
    for (let i = start; i < end; i++) h = reduce(h * base + text.charCodeAt(i));
    return h;
  }

  /** The entries by kind and (length, fingerprint): built once per change of the entries, not per scanned string. */
  const indexOf = (session: Session): Map<ViewKind, KindIndex> => {
    if (session.index) return session.index;
    const index = new Map<ViewKind, KindIndex>();
    for (const entry of entriesOf(session)) {
      let kindIndex = index.get(entry.kind);
      if (!kindIndex) index.set(entry.kind, (kindIndex = { entries: new Map(), filter: new Uint32Array(1 << (FILTER_BITS - 5)) }));
      const window = windowOf(entry.length);
      const bit = filterBit(window, entry.anchor);
      kindIndex.filter[bit >>> 5]! |= 1 << (bit & 31);
      const key = window * MOD + entry.anchor;
      let bucket = kindIndex.entries.get(key);
      if (!bucket) kindIndex.entries.set(key, (bucket = { whole: [], longer: new Map() }));
      if (entry.length === window) bucket.whole.push(entry);
      else {
        const group = entry.offset * 8192 + entry.length;
        let prints = bucket.longer.get(group);
        if (!prints) bucket.longer.set(group, (prints = new Map()));
        const list = prints.get(entry.fingerprint);
        if (list) list.push(entry);
        else prints.set(entry.fingerprint, [entry]);
      }
    }
    return (session.index = index);
  };

  /** Fingerprints of every prefix of `text`: `prefixes[i]` is that of `text.slice(0, i)`. */
  const prefixPrints = (text: string): Float64Array => {
    const prefixes = new Float64Array(text.length + 1);
    for (let i = 0; i < text.length; i++) prefixes[i + 1] = reduce(prefixes[i]! * base + text.charCodeAt(i));
    return prefixes;
  };

  /**
   * Slides a window of each remembered window length over `text`; returns the ids of entries found. A long entry
   * whose anchor is found is checked whole there: its fingerprint from the text's prefix fingerprints (computed once
   * per text, on the first such place), then its HMAC.
   */
  const scan = (session: Session, kind: ViewKind, text: string, found: Map<string, Entry>) => {
    const byLength = session.lengths.get(kind);
    if (!byLength || byLength.size === 0) return;
    const kindIndex = indexOf(session).get(kind);
    if (!kindIndex) return;
    const { entries: fingerprints, filter } = kindIndex;
    let prefixes: Float64Array | undefined;
    for (const length of byLength.keys()) {
      if (length > text.length) continue;
      const power = powers[length - 1]!;
      const salt = Math.imul(length, 0x9e3779b1);
      let h = fingerprint(text, 0, length);
      for (let start = 0; ; start++) {
        const bit = (h ^ salt) & FILTER_MASK;
        const bucket = (filter[bit >>> 5]! & (1 << (bit & 31))) === 0 ? undefined : fingerprints.get(length * MOD + h);
        if (bucket) {
          if (bucket.whole.some((entry) => !found.has(entry.id))) {
            const digest = hmac(kind, text.slice(start, start + length));
            const alone = standsAlone(text, start, start + length);
            for (const entry of bucket.whole) if (entry.hmac === digest && (alone || !entry.words)) found.set(entry.id, entry);
          }
          for (const [group, prints] of bucket.longer) {
            const valueLength = group % 8192;
            const from = start - (group - valueLength) / 8192;
            const end = from + valueLength;
            if (from < 0 || end > text.length) continue;
            prefixes ??= prefixPrints(text);
            const whole = prefixes[end]! - mulMod(prefixes[from]!, powers[valueLength]!);
            const candidates = prints.get(whole < 0 ? whole + MOD : whole);
            if (!candidates) continue;
            // A value already found here needs no second HMAC (an argument may repeat it thousands of times).
            let digest: string | undefined;
            for (const entry of candidates) {
              if (found.has(entry.id)) continue;
              digest ??= hmac(kind, text.slice(from, end));
              if (entry.hmac === digest && (!entry.words || standsAlone(text, from, end))) found.set(entry.id, entry);
            }
          }
        }
        if (start + length >= text.length) break;
        // Roll: drop text[start], add text[start + length].
        h -= reduce(text.charCodeAt(start) * power);
        h = reduce((h < 0 ? h + MOD : h) * base + text.charCodeAt(start + length));
      }
    }
  };

  return {
    remember(sessionId: string, value: unknown, findings: readonly Finding[], source: FlowSource): void {
      const session = sessionFor(sessionId, true)!;
      // The decodings of each string that holds encoded findings, made once for all of them (not once per finding:
      // a URL-encoded text of 20,000 addresses took minutes).
      const decodings = new Map<string, readonly Decoded[]>();
      for (const finding of findings) {
        if (finding.class === "unknown") continue;
        const text = stringAt(value, finding.pointer, finding.inKey === true);
        if (text === undefined) continue;
        for (const raw of valuesOf(text, finding, decodings)) {
          const cls = finding.class;
          const loose = separable(cls) && view("alnum", raw).length >= MIN_ALNUM_FORM;
          // A key, by its letters and digits alone: wherever it stands as written, they stand too, however re-separated.
          const secret = loose && cls.startsWith("secret.");
          const id = add(session, cls, raw, source, undefined, secret ? "alnum" : viewKindOf(cls));
          if (id === undefined) continue;
          // A phone number read with its country code is also found in its national form.
          const national = nationalPhoneNumber(cls, raw);
          if (national !== undefined) add(session, cls, national, source, id);
          // A name or an address, also by its letters and digits alone (its words form keeps word boundaries).
          if (loose && !secret) add(session, cls, raw, source, id, "alnum");
        }
      }
      // The result's strings, a JSON document in a text (an MCP text content) read as that document: parsed once for
      // the links and the texts below.
      const strings = texts(value);
      if (source.untrusted && rememberUrls) {
        // Its escapes (`\n`) are no part of a link.
        for (const [text] of strings) {
          // Without its scheme, so `https://x.example/a` is also found where the agent writes `x.example/a`.
          for (const address of webAddresses(text)) add(session, "network.url", address, source);
        }
      }
      rememberTexts(session, strings, source);
    },

    match(sessionId: string, args: unknown, _findings: readonly Finding[]): readonly FlowMatch[] {
      const session = sessionFor(sessionId, false);
      if (!session || (sizeOf(session) === 0 && session.phrases.size === 0)) return [];
      const matches: FlowMatch[] = [];
      const seen = new Set<string>();
      const stacks = haystacks(args);
      // Whole-field and decoded matches first, so a split match is only reported when nothing simpler explains it.
      stacks.sort((a, b) => (a.encoding === "split" ? 1 : 0) - (b.encoding === "split" ? 1 : 0));
      for (const stack of stacks) {
        const listed = stack.encoding === "plain" && session.names.size > 0 && session.names.has(nameId(stack.text));
        const address = stack.encoding === "plain" ? fieldAddress(session, stack.text) : undefined;
        for (const kind of VIEW_KINDS) {
          if (!session.lengths.get(kind)?.size) continue;
          const found = new Map<string, Entry>();
          if (stack.parts === undefined) scan(session, kind, view(kind, stack.text), found);
          else for (const text of splitTexts(kind, stack.parts)) scan(session, kind, text, found);
          for (const [id, entry] of found) {
            // Once per argument (a value in a destination and again in a body is both), and split only when no
            // argument holds it whole.
            // A value found in two forms (a phone number, international and national) is reported once.
            const value = entry.value;
            const at = `${value}\u0000${stack.pointer}`;
            if ((stack.encoding === "split" ? seen.has(value) : seen.has(at)) || session.trusted.has(id) || session.trusted.has(value)) continue;
            seen.add(value);
            seen.add(at);
            // An argument that is, whole, an address a trusted record held carries that address and nothing else: a
            // surname remembered from some text is not leaving because it is part of the address's local part (and,
            // seen here whole, it is not reported split across the arguments either).
            if (address !== undefined && id !== address) continue;
            const field = !entry.source.untrusted && session.fields.has(id);
            matches.push({ class: entry.class, source: entry.source, pointer: stack.pointer, encoding: stack.encoding, ...(listed ? { listed } : {}), ...(field ? { field } : {}) });
          }
        }
      }
      if (tracePhrases && session.phrases.size > 0) {
        for (const [pointer, text] of plainStrings(args)) {
          const source = dictatedBy(session, text);
          if (!source) continue;
          const listed = session.names.has(nameId(text));
          matches.push({ class: PHRASE_CLASS, source, pointer, encoding: "plain", ...(listed ? { listed } : {}) });
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
        evictOldest(session.trusted, maxValues * 2);
        if (tracePhrases) for (const h of scanPhrase(trimmed, hasher).shingles) bounded(session.trustedPhrases, h, maxPhrases);
      }
    },

    size(sessionId: string): number {
      const session = sessions.get(sessionId);
      return session ? sizeOf(session) : 0;
    },

    forgotten(sessionId: string): number {
      return sessions.get(sessionId)?.forgotten ?? 0;
    },
  };
}

/**
 * Classes whose values keep their meaning with other separators (`sk_live_51Hx-Q2vK-…`, an address laid out on two
 * lines without its commas): remembered by their letters and digits alone, upper-cased, when that form is long enough
 * (`MIN_ALNUM_FORM`) to name one value wherever letters run together in an argument; a key in that form only.
 */
function separable(cls: DataClass): boolean {
  return cls.startsWith("secret.") || cls.startsWith("pii.name") || cls.startsWith("pii.address");
}

/** 20 letters and digits: a specific key or street address; a short name (`JANEDOE` in `JANEDOESNT`) is not. */
const MIN_ALNUM_FORM = 20;

/**
 * Classes whose values are words people write (`Mark Li`, a street): found only where they stand as words, or a
 * short name would be found in `bookmark link`. Other text values (addresses of mail, links) are found glued too.
 */
function wordsOf(cls: DataClass): boolean {
  return cls.startsWith("pii.name") || cls.startsWith("pii.address");
}

/** Whether `text.slice(from, end)` has no letter or digit glued to either side. */
function standsAlone(text: string, from: number, end: number): boolean {
  return !isWordChar(text, from - 1) && !isWordChar(text, end);
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

function isWordChar(text: string, at: number): boolean {
  if (at < 0 || at >= text.length) return false;
  const code = text.charCodeAt(at);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return WORD_CHAR.test(text[at]!);
}

function entryOf(session: Session, id: string): Entry | undefined {
  return session.pools.data.get(id) ?? session.pools.untrusted.get(id);
}

function* entriesOf(session: Session): Iterable<Entry> {
  yield* session.pools.data.values();
  yield* session.pools.untrusted.values();
}

function sizeOf(session: Session): number {
  return session.pools.data.size + session.pools.untrusted.size;
}

/** The raw values a finding denotes: its span, or (for an encoded finding) the span in each same-encoded decoding. */
function valuesOf(text: string, finding: Finding, decodings: Map<string, readonly Decoded[]>): string[] {
  if (!finding.encoding || finding.encoding === "plain" || finding.encoding === "json") {
    return finding.end <= text.length && finding.end > finding.start ? [text.slice(finding.start, finding.end)] : [];
  }
  let decodedTexts = decodings.get(text);
  if (decodedTexts === undefined) decodings.set(text, (decodedTexts = decodeCandidates(text, { json: false, base64: true, hex: true, url: true })));
  const out: string[] = [];
  for (const decoded of decodedTexts) {
    if (decoded.encoding === "json" || decoded.encoding !== finding.encoding) continue;
    if (finding.end <= decoded.text.length) out.push(decoded.text.slice(finding.start, finding.end));
  }
  return out;
}

function bounded<T>(set: Set<T>, item: T, max: number): void {
  if (set.has(item)) return;
  set.add(item);
  evictOldest(set, max);
}

/**
 * Every string of a result with whether it is an element of a list (a name among names). A string holding a JSON
 * document (an MCP text content) is read as that document.
 */
function texts(value: unknown, listed = false, out: [string, boolean][] = [], depth = 0): [string, boolean][] {
  if (depth > 32) return out;
  if (typeof value === "string") {
    const first = value.trimStart()[0];
    if ((first === "{" || first === "[") && value.length < 1_000_000) {
      try {
        return texts(JSON.parse(value), false, out, depth + 1);
      } catch {
        // not JSON after all: plain text
      }
    }
    out.push([value, listed]);
  } else if (Array.isArray(value)) {
    for (const item of value) texts(item, true, out, depth + 1);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) texts(item, false, out, depth + 1);
  }
  return out;
}

/** The plain strings of a call's arguments with their JSON pointers (keys are structure, not text). */
function plainStrings(value: unknown, pointer = "", out: [string, string][] = [], depth = 0): [string, string][] {
  if (depth > 32) return out;
  if (typeof value === "string") out.push([pointer, value]);
  else if (Array.isArray(value)) value.forEach((item, i) => plainStrings(item, `${pointer}/${i}`, out, depth + 1));
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) plainStrings(item, `${pointer}/${escapePointer(key)}`, out, depth + 1);
  }
  return out;
}

