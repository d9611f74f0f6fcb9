import type { CountryCode } from "libphonenumber-js/min";
import { GuardError, type Issue } from "../errors.js";
import type { Encoding, Finding } from "../model/finding.js";
import { maskedTenantId } from "../model/data-class.js";
import { escapePointer } from "../model/pointer.js";
import { jsonLiterals, literalAt, type LiteralTree } from "./json-literals.js";
import type { Classifier } from "./classifier.js";
import type { Detector, Match, ScanContext } from "./detector.js";
import { accountDetector } from "./detectors/account.js";
import { addressDetector } from "./detectors/address.js";
import { cardDetector } from "./detectors/card.js";
import { customDetector, normalizeKey, tenantDetector, unsafePatternReason, type CompiledCustom, type CustomClass, type TenantPattern } from "./detectors/configured.js";
import { dobDetector } from "./detectors/dob.js";
import { emailDetector } from "./detectors/email.js";
import { healthDetector } from "./detectors/health.js";
import { ibanDetector } from "./detectors/iban.js";
import { ipDetector } from "./detectors/ip.js";
import { keysDetector } from "./detectors/keys.js";
import { namesDetector } from "./detectors/names.js";
import { nationalIdDetector } from "./detectors/national-id.js";
import { passportDetector } from "./detectors/passport.js";
import { phoneDetector } from "./detectors/phone.js";
import { secretsDetector } from "./detectors/secrets.js";
import { decodeCandidates, mayHoldJson, mayHoldTextEscapes } from "./decode.js";
import { foldedText } from "./fold.js";
import { Profile, type TextProfile } from "./profile.js";
import { keyWords } from "./text.js";

/** The detector families, in the order they run. */
export const DETECTOR_FAMILIES = [
  "secrets", "email", "card", "iban", "national-id", "passport", "account", "phone", "ip", "dob", "health", "keys",
  "names", "address", "tenant", "custom",
] as const;
export type DetectorFamily = (typeof DETECTOR_FAMILIES)[number];

export interface ClassifierOptions {
  /** Families to leave out, e.g. `["names", "address"]` for machine-only traffic. */
  readonly disable?: readonly DetectorFamily[];
  /** Findings below this confidence are dropped (default 0.5). */
  readonly minConfidence?: number;
  /** Countries whose national phone formats count without a `+` (default US, GB). */
  readonly phoneCountries?: readonly CountryCode[];
  /** How tenant ids look, for `tenant:<id>` classes. */
  readonly tenants?: TenantPattern;
  /** Classes of your own. */
  readonly custom?: readonly CustomClass[];
  /** Which encodings inside strings are decoded and scanned (all on by default), and how deep they nest (default 3). */
  readonly decode?: { readonly json?: boolean; readonly base64?: boolean; readonly hex?: boolean; readonly url?: boolean; readonly maxDepth?: number };
  /** Longest string scanned at once, in UTF-16 units (default 1 MiB); a longer one is scanned in overlapping windows of this size. */
  readonly maxStringLength?: number;
}

/**
 * Which families can possibly find something in a string, judged from its profile: an email needs an `@`, a card
 * twelve digits. A family without a gate always runs (secrets gate themselves; key-driven families need the key).
 * One `switch` rather than a closure per family: the stage asks this for every string and family.
 */
const enum Gate {
  None,
  Email,
  Card,
  Iban,
  NationalId,
  Passport,
  Account,
  Phone,
  Ip,
  Dob,
  Names,
  Address,
}

const GATE_OF: Partial<Record<DetectorFamily, Gate>> = {
  email: Gate.Email, card: Gate.Card, iban: Gate.Iban, "national-id": Gate.NationalId, passport: Gate.Passport, account: Gate.Account,
  phone: Gate.Phone, ip: Gate.Ip, dob: Gate.Dob, names: Gate.Names, address: Gate.Address,
};

function passes(gate: Gate, p: TextProfile, keyed: boolean): boolean {
  switch (gate) {
    case Gate.None:
      return true;
    case Gate.Email:
      return p.at;
    case Gate.Card:
      return p.digits >= 12;
    case Gate.Iban:
      return p.digits >= 2 && p.length >= 15;
    case Gate.NationalId:
    case Gate.Account:
      return p.digits >= 6;
    case Gate.Passport:
      return p.digits >= 1 && (keyed || p.upper >= 1 || p.length >= 30);
    case Gate.Phone:
      return p.digits >= 7;
    case Gate.Ip:
      // An IPv4 address has four numbers and three dots; an IPv6 one two colons.
      return p.digits >= 2 && ((p.digits >= 4 && p.dots >= 3) || p.colons >= 2);
    case Gate.Dob:
      return p.digits >= 2;
    case Gate.Names:
      return p.upper >= 1 || p.nonAscii;
    case Gate.Address:
      return p.digits >= 1 && (p.upper >= 1 || p.nonAscii);
  }
}

const DEFAULT_TENANT_KEYS = ["tenant", "tenant_id", "tenantId", "org_id", "organization_id", "organisation_id"];

/** A detector as the stage runs it: its gate compiled in, and its place in every context's key facts. */
interface Slot {
  readonly detector: Detector<unknown>;
  /** `detector.scan`, read once (it does not use `this`). */
  readonly scan: Detector<unknown>["scan"];
  readonly gate: Gate;
  readonly index: number;
  /** A number family: it reads the folded copy of a text with digits, spaces or dashes beyond ASCII. */
  readonly folded: boolean;
}

/** The families that match ASCII digits, spaces and dashes only, and read a folded copy of other texts (`fold.ts`). */
const NUMBER_FAMILIES: ReadonlySet<string> = new Set<DetectorFamily>(["card", "iban", "national-id", "account", "phone", "ip"]);

/** A context as the stage keeps it: the key words and what each detector made of them, computed once per key. */
interface CompiledContext extends ScanContext {
  readonly keyed: boolean;
  readonly facts: readonly unknown[];
  /** The detectors that can find something under this key, in order; and those that can in a quiet text. */
  readonly slots: readonly Slot[];
  readonly quietSlots: readonly Slot[];
  readonly keySlots: readonly Slot[];
}

/** What the stage keeps of a property name: its context, and what the name itself holds once scanned. */
interface KeyEntry {
  readonly context: CompiledContext;
  matches: readonly Match[] | undefined;
}

/** A string that held JSON, while its parsed value is walked: the path within it, and its literals once needed. */
interface RawJson {
  /** The document's text, at `offset` in the string. */
  readonly text: string;
  readonly offset: number;
  readonly path: (string | number)[];
  literals?: LiteralTree;
}

/**
 * The classification stage: every string and key of a JSON value through every detector family, strings holding
 * JSON, base64, hex or URL-encoded text decoded and scanned too. Options are validated and detectors compiled here,
 * once; `classify` never throws on a JSON value.
 *
 * The hot path allocates little: one profile and one match list per nesting level are reused for every string, the
 * JSON pointer of a string is only built when something is found in it, and each distinct key is compiled once.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const issues = validate(options);
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", "invalid classifier options", { issues });
  const disabled = new Set(options.disable ?? []);
  const minConfidence = options.minConfidence ?? 0.5;
  const decode = { json: true, base64: true, hex: true, url: true, maxDepth: 3, ...options.decode };
  const maxLength = options.maxStringLength ?? 1 << 20;
  // Longer than any value a detector reports whole with its cue (a PEM block of a 4096-bit key is about 3.3 KB).
  const overlap = Math.min(8192, maxLength >> 2);

  const detectors: Detector<unknown>[] = [];
  const add = (family: DetectorFamily, make: () => Detector<unknown>) => {
    if (!disabled.has(family)) detectors.push(make());
  };
  add("secrets", secretsDetector);
  add("email", emailDetector);
  add("card", cardDetector);
  add("iban", ibanDetector);
  add("national-id", nationalIdDetector);
  add("passport", passportDetector);
  add("account", accountDetector);
  add("phone", () => phoneDetector(options.phoneCountries ? { countries: options.phoneCountries } : {}));
  add("ip", ipDetector);
  add("dob", dobDetector);
  add("health", healthDetector);
  add("keys", keysDetector);
  add("names", () => namesDetector());
  add("address", addressDetector);
  if (!disabled.has("tenant")) {
    const tenant = options.tenants;
    const pattern = tenant ? new RegExp(tenant.pattern, `g${(tenant.flags ?? "").replace(/g/g, "")}`) : undefined;
    detectors.push(tenantDetector(pattern, new Set((tenant?.keys ?? DEFAULT_TENANT_KEYS).map(normalizeKey))));
  }
  if (!disabled.has("custom") && options.custom && options.custom.length > 0) {
    const compiled: CompiledCustom[] = options.custom.map((custom) => ({
      class: custom.class,
      ...(custom.pattern ? { pattern: new RegExp(custom.pattern, `g${(custom.flags ?? "").replace(/g/g, "")}`) } : {}),
      ...(custom.validate ? { validate: custom.validate } : {}),
      keys: new Set((custom.keys ?? []).map(normalizeKey)),
      confidence: custom.confidence ?? 0.9,
    }));
    detectors.push(customDetector(compiled));
  }
  const slots: Slot[] = detectors.map((detector, index) => ({ detector, scan: detector.scan, gate: GATE_OF[detector.family as DetectorFamily] ?? Gate.None, index, folded: NUMBER_FAMILIES.has(detector.family) }));
  // Keys are short and rarely names or addresses; scanning them with the word-level families only adds noise.
  const keySlots = slots.filter((s) => s.detector.family !== "names" && s.detector.family !== "address" && s.detector.family !== "keys" && s.detector.family !== "health");

  const compileContext = (words: readonly string[]): CompiledContext => {
    const facts = detectors.map((d) => (d.forKey ? d.forKey(words) : undefined));
    const active = (slot: Slot) => !slot.detector.idleFor?.(facts[slot.index]);
    const readsQuiet = (slot: Slot) => active(slot) && slot.detector.readsQuietText?.(facts[slot.index]) === true;
    return { keyWords: words, keyed: words.length > 0, facts, slots: slots.filter(active), quietSlots: slots.filter(readsQuiet), keySlots: keySlots.filter(active) };
  };
  const emptyContext = compileContext([]);
  // Per distinct property name: its compiled context and, once scanned, what the name itself holds (keys repeat across
  // calls: they are the tools' schemas). Bounded; past the bound, names are compiled each time.
  const keys = new Map<string, KeyEntry>();
  const keyEntry = (key: string): KeyEntry => {
    let entry = keys.get(key);
    if (!entry) {
      // A key the redactor renamed (`[REDACTED:pii.phone]`) names nothing about its value; any key could be named so.
      entry = { context: compileContext(RENAMED_KEY.test(key) ? [] : keyWords(key)), matches: undefined };
      if (keys.size < 4096 && key.length <= 256) keys.set(key, entry);
    }
    return entry;
  };

  // Reused per nesting level (decoded text is scanned one level deeper while the outer string's scan is still open).
  const profiles: Profile[] = [];
  const keyProfile = new Profile();
  // The profile of a folded copy; used within one `detect` only (no family scans deeper while it runs).
  const foldedProfile = new Profile();
  const matchLists: Match[][] = [];

  // The JSON path of the value being walked; a pointer string is only built when a finding needs one.
  const path: (string | number)[] = [];
  const pointerOf = (): string => {
    let pointer = "";
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      pointer += typeof segment === "number" ? `/${segment}` : `/${escapePointer(segment)}`;
    }
    return pointer;
  };

  /**
   * Runs the detectors over `text` into `matches`, and returns its profile. A text longer than the window is scanned
   * in windows that overlap by `overlap` characters, so a value across a window's edge is inside the next window
   * whole; a value both windows read is found twice, and `resolveOverlaps` keeps one.
   */
  function detect(text: string, context: CompiledContext, family: readonly Slot[], profile: Profile, matches: Match[]): Profile {
    const windowed = text.length > maxLength;
    for (let offset = 0; ; offset += maxLength - overlap) {
      const window = windowed ? text.slice(offset, offset + maxLength) : text;
      const before = matches.length;
      profile.fill(window);
      const run = profile.quiet && family === context.slots ? context.quietSlots : family;
      // Same length as the window, so what the number families find in it is where it is in the window.
      const folded = profile.folds ? foldedText(profile.codes, window.length) : undefined;
      if (folded !== undefined) foldedProfile.fill(folded);
      for (let i = 0; i < run.length; i++) {
        const slot = run[i]!;
        const numbers = folded !== undefined && slot.folded;
        const seen = numbers ? foldedProfile : profile;
        if (!passes(slot.gate, seen, context.keyed)) continue;
        try {
          slot.scan(numbers ? folded : window, context, matches, seen, context.facts[slot.index]);
        } catch {
          // A detector bug must not let a value through unclassified, nor break the call: report what it was on.
          matches.push({ class: "unknown", start: 0, end: window.length, detector: `error:${slot.detector.family}`, confidence: 1 });
        }
      }
      const last = !windowed || offset + maxLength >= text.length;
      // A labelled value cut by the window's end (`Diagnosis: [REDACTE`) is read whole by the next window, which
      // starts `overlap` characters earlier.
      if (!last) dropCutLabels(matches, before, window.length, window.length - overlap);
      if (offset > 0) for (let i = before; i < matches.length; i++) matches[i] = { ...matches[i]!, start: matches[i]!.start + offset, end: matches[i]!.end + offset };
      if (last) break;
    }
    // The decoding step reads the profile of the whole text.
    if (windowed) profile.fill(text);
    return profile;
  }

  function emit(kept: readonly Match[], pointer: string, encoding: Encoding, inKey: boolean, out: Finding[]): void {
    for (const match of kept) {
      if (match.confidence < minConfidence) continue;
      // The common finding (plain text, a value) as one literal: spreading optional fields costs an object each.
      if (encoding === "plain" && !inKey) out.push({ class: match.class, pointer, start: match.start, end: match.end, detector: match.detector, confidence: match.confidence });
      else {
        out.push({
          class: match.class,
          pointer,
          start: match.start,
          end: match.end,
          detector: match.detector,
          confidence: match.confidence,
          ...(encoding !== "plain" ? { encoding } : {}),
          ...(inKey ? { inKey: true } : {}),
        });
      }
    }
  }

  function scanKey(key: string, entry: KeyEntry, out: Finding[]): void {
    let kept = entry.matches;
    if (kept === undefined) {
      const matches: Match[] = [];
      detect(key, emptyContext, emptyContext.keySlots, keyProfile, matches);
      kept = entry.matches = matches.length === 0 ? NO_MATCHES : resolveOverlaps(matches);
    }
    if (kept.length > 0) emit(kept, pointerOf(), "plain", true, out);
  }

  /** Scans a string (and what it decodes to), then masks the tenant ids among its findings that are sensitive. */
  function scanText(text: string, pointer: string | undefined, context: CompiledContext, encoding: Encoding, depth: number, out: Finding[]): void {
    const first = out.length;
    scanString(text, pointer, context, encoding, depth, out);
    if (out.length > first) maskSensitiveTenants(out, first);
  }

  function scanString(text: string, pointer: string | undefined, context: CompiledContext, encoding: Encoding, depth: number, out: Finding[]): void {
    const matches = (matchLists[depth] ??= []);
    if (matches.length !== 0) matches.length = 0;
    const profile = detect(text, context, context.slots, (profiles[depth] ??= new Profile()), matches);
    const kept = matches.length <= 1 ? matches : resolveOverlaps(matches);
    if (kept.length > 0) emit(kept, (pointer ??= pointerOf()), encoding, false, out);
    if (depth >= decode.maxDepth || text.length < 8) return;
    const longRun = profile.maxRun >= 16;
    // A JSON document: the whole text, or lines of it (tools print `Found 2 records:` and then the records).
    const maybeJson = decode.json && mayHoldJson(text);
    // Escapes a reader decodes at sight (`jane&#64;example.com` in a web page, `\u0040` in a script) hide a value as
    // well as `%40` does.
    const url = decode.url && profile.percent;
    const escapes = decode.url && mayHoldTextEscapes(text);
    if (!maybeJson && !(longRun && (decode.base64 || decode.hex)) && !url && !escapes) return;
    const switches = { json: maybeJson, base64: decode.base64 && longRun, hex: decode.hex && longRun, url, escapes };
    // A run that is itself a credential (a JWT, a vendor token) is reported as such; what it decodes to adds nothing.
    let secretSpans: Match[] | undefined;
    for (const m of kept) if (m.class.startsWith("secret.")) (secretSpans ??= []).push(m);
    const insideSecret = secretSpans === undefined ? undefined : spanCover(secretSpans);
    const candidates = decodeCandidates(text, switches, insideSecret, profile);
    if (candidates.length === 0) return;
    // `kept` may be this level's reused list: copy what the comparisons below need before scanning deeper.
    const plainKept = kept.filter((m) => m.confidence >= minConfidence);
    for (const candidate of candidates) {
      if (candidate.encoding === "json") {
        const document = candidate.start === undefined ? text : text.slice(candidate.start, candidate.end);
        // What the earlier of two duplicate keys holds is in the text but not in the parsed value: the document is
        // reported as unknown data, which a scope never covers, so it is redacted whole or the call denied.
        if (candidate.duplicateKeys) {
          out.push({ class: "unknown", pointer: (pointer ??= pointerOf()), start: candidate.start ?? 0, end: candidate.end ?? text.length, detector: "json:duplicate-keys", confidence: 1, ...(encoding === "plain" ? {} : { encoding }) });
        }
        walk(candidate.value, context, depth + 1, out, { text: document, offset: candidate.start ?? 0, path: [] });
      } else {
        const inner: Finding[] = [];
        scanText(candidate.text, (pointer ??= pointerOf()), context, candidate.encoding, depth + 1, inner);
        // A value readable in the plain text too (a URL-encoded string whose `%20`s were the only encoding) is
        // reported once, where its offsets address the string itself: as many times as it is readable there. (A
        // base64 or hex run decodes to nothing but itself: what it holds is never also in clear.)
        let inClear: Map<string, number> | undefined;
        if (candidate.encoding === "url" && inner.length > 0) {
          inClear = new Map();
          for (const m of plainKept) {
            const value = `${m.class}\u0000${text.slice(m.start, m.end)}`;
            inClear.set(value, (inClear.get(value) ?? 0) + 1);
          }
        }
        for (const finding of inner) {
          if (inClear !== undefined && finding.encoding === "url") {
            const value = `${finding.class}\u0000${candidate.text.slice(finding.start, finding.end)}`;
            const left = inClear.get(value) ?? 0;
            if (left > 0) {
              inClear.set(value, left - 1);
              continue;
            }
          }
          // A JSON document inside the decoded text places its findings in that text: they are of this encoding
          // (redaction replaces the whole string; offsets into the decoded text must not be cut into the encoded one).
          out.push(finding.encoding === "json" ? { ...finding, encoding: candidate.encoding } : finding);
        }
      }
    }
  }

  /**
   * Walks a JSON value. Inside a string that held JSON (`raw`), findings keep the outer pointer and are moved to
   * where their string literal sits in that raw text, so redaction can replace them in place.
   */
  function walk(value: unknown, context: CompiledContext, depth: number, out: Finding[], raw?: RawJson): void {
    if (typeof value === "string") {
      if (raw === undefined) {
        scanText(value, undefined, context, "plain", depth, out);
        return;
      }
      const inner: Finding[] = [];
      scanText(value, undefined, context, "plain", depth, inner);
      if (inner.length === 0) return;
      // Not found (a number read as text has no string literal): the whole raw text, which redaction then replaces.
      const span = literalAt((raw.literals ??= jsonLiterals(raw.text)), raw.path);
      const exact = span !== undefined && span.end - span.start === value.length + 2;
      const at = raw.offset;
      for (const finding of inner) {
        const encoded = finding.encoding !== undefined && finding.encoding !== "json";
        const start = at + (span === undefined ? 0 : exact && !encoded ? span.start + 1 + finding.start : span.start + 1);
        const end = at + (span === undefined ? raw.text.length : exact && !encoded ? span.start + 1 + finding.end : span.end - 1);
        out.push({ ...finding, start, end, encoding: encoded ? finding.encoding! : "json" });
      }
      return;
    }
    if (typeof value === "number" || typeof value === "bigint") {
      // Numbers carry card numbers, SSNs and phone numbers too; small ones (counts, ids) are not worth a scan.
      if (context.keyed || Math.abs(Number(value)) >= 1e6) walk(String(value), context, depth, out, raw);
      return;
    }
    if (value === null || typeof value !== "object") return;
    // Inside a JSON string, findings keep the pointer of that string (it is what redaction can address); the path
    // within the raw text finds their literals. A throw leaves the paths as they were; `classify` resets them.
    const at = raw === undefined ? path : raw.path;
    if (at.length >= MAX_NESTING) {
      // Deeper than tool data nests: unknown data, which the guard does not let through, rather than a walk whose
      // pointers cost the square of the depth (and, under long keys, all the memory there is).
      out.push({ class: "unknown", pointer: pointerOf(), start: 0, end: 0, detector: "limit:nesting", confidence: 1 });
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        at.push(i);
        walk(value[i], context, depth, out, raw);
        at.pop();
      }
      return;
    }
    const record = value as Record<string, unknown>;
    // `{name: "DB_PASSWORD", value: "…"}`: the value is read as if the name were its key.
    const named = namedValue(record);
    for (const key of Object.keys(record)) {
      at.push(key);
      const entry = keyEntry(key);
      if (key.length >= 6 && raw === undefined) scanKey(key, entry, out);
      walk(record[key], named !== undefined && key === named.valueKey ? keyEntry(named.name).context : entry.context, depth, out, raw);
      at.pop();
    }
  }

  return {
    classify: function classify(value: unknown): readonly Finding[] {
      const out: Finding[] = [];
      if (path.length !== 0) path.length = 0;
      try {
        walk(value, emptyContext, 0, out);
      } catch (error) {
        // Fail closed: a value we could not walk is reported as unknown data at the root.
        out.push({ class: "unknown", pointer: "", start: 0, end: 0, detector: `error:walk:${error instanceof Error ? error.name : "throw"}`, confidence: 1 });
      }
      return dedupe(out);
    },
  };
}

const NO_MATCHES: readonly Match[] = [];

/** Levels of objects and arrays walked (serde_json's default recursion limit). */
export const MAX_NESTING = 128;

/** Fields that name a setting, and the field that values it, of an object that is one name/value pair. */
const NAME_FIELDS = ["name", "Name", "key", "Key", "ParameterKey", "OptionName"] as const;
const VALUE_FIELDS = ["value", "Value", "ParameterValue"] as const;
/** A setting's name: an identifier, a path or a header's name, not a sentence. */
const SETTING_NAME = /^[A-Za-z_./][\w.\-/:]{0,127}$/;

/**
 * An object that names a setting in one field and values it in another: a container's environment variable
 * (`{name: "DB_PASSWORD", value}` in Kubernetes and ECS), a HAR header (`{name: "Authorization", value}`), an SSM
 * parameter (`{Name: "/prod/db/password", Value}`), a CloudFormation parameter (`ParameterKey`, `ParameterValue`).
 * Returns the value's field and the name it is read under: for an SSM `SecureString`, `SecureString` (a declared
 * secret, whatever its name).
 */
function namedValue(record: Record<string, unknown>): { valueKey: string; name: string } | undefined {
  let valueKey: string | undefined;
  for (const field of VALUE_FIELDS) {
    if (own(record, field)) {
      valueKey = field;
      break;
    }
  }
  if (valueKey === undefined) return undefined;
  if ((own(record, "Type") && record.Type === "SecureString") || (own(record, "type") && record.type === "SecureString")) return { valueKey, name: "SecureString" };
  for (const field of NAME_FIELDS) {
    if (!own(record, field)) continue;
    const name = record[field];
    return typeof name === "string" && SETTING_NAME.test(name) ? { valueKey, name } : undefined;
  }
  return undefined;
}

/** Whether `field` is the record's own (an inherited getter is never read). */
const own = (record: object, field: string) => Object.prototype.hasOwnProperty.call(record, field);

/**
 * Below this confidence a finding inside a longer one of another class is taken for part of it (a street name in an
 * address, digits of a card read as a phone number); at or above it, it is a value of its own that the container's
 * class must not hide: a card number or an SSN as an email address's local part stays a card number or an SSN, so a
 * scope that allows email addresses does not let it through.
 */
const STANDS_INSIDE = 0.8;
/** Classes read from words, which name parts of what contains them (streets, towns) too often to stand inside. */
const WORDS_INSIDE: ReadonlySet<string> = new Set(["pii.name", "pii.address"]);

/** Whether `inner`, strictly inside `outer`, is a value of its own rather than a reading of part of `outer`. */
function standsInside(outer: Match, inner: Match): boolean {
  if (inner.confidence < STANDS_INSIDE || outer.class === inner.class || WORDS_INSIDE.has(inner.class)) return false;
  // Two kinds of secret on one token are two readings of it (a JWT sent as a bearer token).
  if (outer.class.startsWith("secret.") && inner.class.startsWith("secret.")) return false;
  return inner.start > outer.start || inner.end < outer.end;
}

/**
 * Keeps one finding per place: of two findings that overlap without one containing the other, the more confident
 * (then the longer) wins; a finding inside a longer one of another class is dropped when the container is about as
 * confident, unless it stands on its own (`standsInside`). Whole values classified by their key (`key:*`) never
 * suppress, nor are suppressed by, what is inside.
 */
export function resolveOverlaps(matches: Match[]): Match[] {
  if (matches.length <= 1) return matches;
  // Matches already apart and in order (the usual case: families report left to right, places rarely collide) are
  // kept as they are, without sorting a copy.
  let apart = true;
  for (let i = 1; i < matches.length && apart; i++) apart = matches[i]!.start > matches[i - 1]!.start && matches[i]!.start >= matches[i - 1]!.end;
  if (apart) return matches;
  const sorted = matches.slice().sort((a, b) => a.start - b.start || b.end - a.end || b.confidence - a.confidence);
  const keep = new Array<boolean>(sorted.length).fill(true);
  for (let i = 0; i < sorted.length; i++) {
    if (!keep[i]) continue;
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.start >= a.end) break;
      if (!keep[j]) continue;
      // Findings by key or label, and tenant ids (a pattern the user configured), are a layer of their own: they never
      // hide what the families find in the value (a card number as a tenant id, an email address in a diagnosis).
      const aKey = a.detector.startsWith("key:") || a.detector.startsWith("label:") || a.class.startsWith("tenant:");
      const bKey = b.detector.startsWith("key:") || b.detector.startsWith("label:") || b.class.startsWith("tenant:");
      if (aKey !== bKey) continue;
      if (a.class === b.class && a.start === b.start && a.end === b.end) {
        keep[j] = false;
        continue;
      }
      const aContainsB = a.start <= b.start && a.end >= b.end;
      if (aContainsB) {
        if (standsInside(a, b)) continue;
        if (a.class === b.class || a.confidence >= b.confidence - 0.2) keep[j] = false;
        else if (b.confidence > a.confidence) keep[i] = false;
      } else if (b.confidence > a.confidence || (b.confidence === a.confidence && b.end - b.start > a.end - a.start)) {
        keep[i] = false;
      } else {
        keep[j] = false;
      }
      if (!keep[i]) break;
    }
  }
  return sorted.filter((_, i) => keep[i]);
}

/**
 * Renames to its mask (`maskedTenantId`) a tenant id of one string's findings (`found` from `first`) that is itself
 * sensitive: class names travel into audit records, labels and reasons, and must not carry it. An id under a tenant
 * key is the whole string, so any other finding in it (`org_id` holding a card number, in clear or encoded) makes it
 * sensitive; an id the configured pattern matched (or one in a JSON document printed in the string), a finding over
 * its place, or one in the string's decoded text (whose place in the string is unknown). A number beyond 2^53 is masked too: its text is already rounded, and
 * nothing then tells a card number's leading digits from an id.
 */
function maskSensitiveTenants(found: Finding[], first: number): void {
  let tenants: number[] | undefined;
  for (let i = first; i < found.length; i++) {
    const cls = found[i]!.class;
    if (cls.startsWith("tenant:") && !cls.startsWith("tenant:~")) (tenants ??= []).push(i);
  }
  if (tenants === undefined) return;
  // The other findings by pointer and by what their offsets address, sorted by start with the running furthest end:
  // one bisection per tenant id tells whether any of them overlaps it (a list of 10,000 records printed as JSON Lines
  // holds 10,000 ids among 20,000 findings).
  const others = new Map<string, Placed>();
  const pointers = new Map<string, Set<string>>();
  for (let j = first; j < found.length; j++) {
    const other = found[j]!;
    if (other.class === "unknown" || other.class.startsWith("tenant:")) continue;
    const place = placedIn(other);
    const key = `${other.pointer}\u0000${place}`;
    let placed = others.get(key);
    if (!placed) others.set(key, (placed = { spans: [], furthest: [] }));
    placed.spans.push(other);
    let places = pointers.get(other.pointer);
    if (!places) pointers.set(other.pointer, (places = new Set()));
    places.add(place);
  }
  for (const placed of others.values()) {
    placed.spans.sort((a, b) => a.start - b.start);
    let furthest = -1;
    for (const span of placed.spans) placed.furthest.push((furthest = Math.max(furthest, span.end)));
  }
  for (const i of tenants) {
    const tenant = found[i]!;
    const id = tenant.class.slice(7);
    const places = pointers.get(tenant.pointer);
    // In clear, an id under a key is its whole string; in a JSON document printed in a text, only its own literal.
    const whole = tenant.detector === "key:tenant" && (tenant.encoding === undefined || tenant.encoding === "plain");
    const place = placedIn(tenant);
    const sensitive =
      (/^[0-9]{16,}$/.test(id) && !Number.isSafeInteger(Number(id))) ||
      (places !== undefined && (whole || places.size > 1 || !places.has(place) || overlaps(others.get(`${tenant.pointer}\u0000${place}`)!, tenant)));
    if (sensitive) found[i] = { ...tenant, class: `tenant:${maskedTenantId(id)}` };
  }
}

/** Findings sorted by start, and the furthest end among each one and those before it. */
interface Placed {
  readonly spans: Finding[];
  readonly furthest: number[];
}

/** Whether a finding of `placed` overlaps `[tenant.start, tenant.end)`. */
function overlaps(placed: Placed, tenant: Finding): boolean {
  let low = 0;
  let high = placed.spans.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (placed.spans[mid]!.start < tenant.end) low = mid + 1;
    else high = mid;
  }
  return low > 0 && placed.furthest[low - 1]! > tenant.start;
}

/**
 * Drops, from `matches[from]` on, the labelled values that run to `end` and whose line the next window, starting at
 * `reread`, reads whole: their value starts far enough past `reread` for the label before it (`LABEL_REACH`).
 */
function dropCutLabels(matches: Match[], from: number, end: number, reread: number): void {
  let kept = from;
  for (let i = from; i < matches.length; i++) {
    const match = matches[i]!;
    if (!(match.detector.startsWith("label:") && match.end === end && match.start >= reread + LABEL_REACH)) matches[kept++] = match;
  }
  matches.length = kept;
}

/** The most characters a label line puts before its value: indent, bullet, bold markers, the label, `: `. */
const LABEL_REACH = 96;

/** A key as the redactor renames it: a label or a hash of classes, with a `#n` when two would collide. */
const RENAMED_KEY = /^\[(?:REDACTED:[\w.:~,@-]{1,4096}|[\w.:~@-]{1,300}:[0-9a-f]{16})\](?:#\d{1,9})?$/;

/** What a finding's offsets address: the string itself (in clear, or a JSON document printed in it) or decoded text. */
function placedIn(finding: Finding): string {
  const encoding = finding.encoding;
  return encoding === undefined || encoding === "plain" || encoding === "json" ? "text" : encoding;
}

function dedupe(findings: Finding[]): Finding[] {
  if (findings.length <= 1) return findings;
  // A few findings (the usual case) are compared pairwise; many through a set of their identities.
  if (findings.length <= 16) {
    let out: Finding[] | undefined;
    for (let i = 1; i < findings.length; i++) {
      let duplicate = false;
      // Sameness is an equivalence: a repeat of a dropped finding repeats the kept one it repeated.
      for (let j = 0; j < i && !duplicate; j++) duplicate = sameFinding(findings[i]!, findings[j]!);
      if (duplicate) out ??= findings.slice(0, i);
      else out?.push(findings[i]!);
    }
    return out ?? findings;
  }
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    const id = `${f.pointer}\u0000${f.class}\u0000${f.start}\u0000${f.end}\u0000${encodingKey(f)}\u0000${f.inKey ? 1 : 0}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(f);
  }
  return out;
}

// A finding inside a JSON string addresses the string like a plain one: the same span is the same finding.
const encodingKey = (f: Finding) => (f.encoding === "json" ? "" : f.encoding ?? "");

function sameFinding(a: Finding, b: Finding): boolean {
  return a.start === b.start && a.end === b.end && a.class === b.class && a.pointer === b.pointer && encodingKey(a) === encodingKey(b) && (a.inKey === true) === (b.inKey === true);
}

function validate(options: ClassifierOptions): Issue[] {
  const issues: Issue[] = [];
  const known = new Set<string>(DETECTOR_FAMILIES);
  for (const [i, family] of (options.disable ?? []).entries()) {
    if (!known.has(family)) issues.push({ path: `disable[${i}]`, message: `unknown detector family \`${family}\``, fix: `use one of ${DETECTOR_FAMILIES.join(", ")}` });
  }
  if (options.minConfidence !== undefined && !(options.minConfidence >= 0 && options.minConfidence <= 1)) {
    issues.push({ path: "minConfidence", message: "must be a number between 0 and 1", fix: "use e.g. 0.5" });
  }
  if (options.maxStringLength !== undefined && !(Number.isInteger(options.maxStringLength) && options.maxStringLength >= 1024)) {
    issues.push({ path: "maxStringLength", message: "must be an integer of at least 1024", fix: "use e.g. 1048576" });
  }
  const checkPattern = (path: string, source: string | undefined, flags: string | undefined) => {
    if (source === undefined) return;
    try {
      new RegExp(source, flags);
    } catch (error) {
      issues.push({ path, message: `invalid regular expression: ${(error as Error).message}`, fix: "write a JavaScript regular expression source, without slashes" });
      return;
    }
    if (flags !== undefined && !/^[imsu]*$/.test(flags)) issues.push({ path: `${path.replace(/pattern$/, "flags")}`, message: `unsupported flags \`${flags}\``, fix: "use only i, m, s and u" });
    const unsafe = unsafePatternReason(source);
    if (unsafe) issues.push({ path, message: unsafe, fix: "rewrite the pattern without nested quantifiers, or bound the inner repetition" });
  };
  if (options.tenants) checkPattern("tenants.pattern", options.tenants.pattern, options.tenants.flags);
  for (const [i, custom] of (options.custom ?? []).entries()) {
    if (typeof custom.class !== "string" || !/^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$|^tenant:[^\s]+$/.test(custom.class)) {
      issues.push({ path: `custom[${i}].class`, message: `\`${String(custom.class)}\` is not a dotted class name`, fix: "use lowercase dotted names such as commerce.order_id" });
    }
    if (!custom.pattern && (!custom.keys || custom.keys.length === 0)) issues.push({ path: `custom[${i}]`, message: "needs a pattern or keys", fix: "add `pattern` (a regex source) or `keys` (property names)" });
    checkPattern(`custom[${i}].pattern`, custom.pattern, custom.flags);
    if (custom.confidence !== undefined && !(custom.confidence >= 0 && custom.confidence <= 1)) issues.push({ path: `custom[${i}].confidence`, message: "must be between 0 and 1" });
  }
  return issues;
}

/**
 * Whether [start, end) lies inside one of `spans`, in O(log n) per question: a text with thousands of secrets and as
 * many encoded runs asked `some` over every secret for every run (quadratic: 32 s for 4 MB of cookies and URLs).
 * Among the spans that start at or before `start`, the one that ends last covers the range if any does.
 */
export function spanCover(spans: readonly { readonly start: number; readonly end: number }[]): (start: number, end: number) => boolean {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const starts = sorted.map((span) => span.start);
  const reach: number[] = [];
  let furthest = -1;
  for (const span of sorted) reach.push((furthest = Math.max(furthest, span.end)));
  return (start, end) => {
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! <= start) low = mid + 1;
      else high = mid;
    }
    return low > 0 && reach[low - 1]! >= end;
  };
}
