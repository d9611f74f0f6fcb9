import type { CountryCode } from "libphonenumber-js/min";
import { GuardError, type Issue } from "../errors.js";
import type { Encoding, Finding } from "../model/finding.js";
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
import { decodeCandidates } from "./decode.js";
import { keyWords, profileOf, type TextProfile } from "./text.js";

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
  /** Longest string scanned, in UTF-16 units (default 1 MiB); a longer string's tail is scanned in windows of this size. */
  readonly maxStringLength?: number;
}

/**
 * Which families can possibly find something in a string, judged from its profile: an email needs an `@`, a card
 * twelve digits. A family without a gate always runs (secrets gate themselves; key-driven families need the key).
 */
const GATES: Partial<Record<DetectorFamily, (p: TextProfile, keyed: boolean) => boolean>> = {
  email: (p) => p.at,
  card: (p) => p.digits >= 12,
  iban: (p) => p.digits >= 2 && p.length >= 15,
  "national-id": (p) => p.digits >= 6,
  passport: (p, keyed) => p.digits >= 1 && (keyed || p.upper >= 1 || p.length >= 30),
  account: (p) => p.digits >= 6,
  phone: (p) => p.digits >= 7,
  ip: (p) => p.digits >= 2 && (p.dots >= 3 || p.colons >= 2),
  dob: (p) => p.digits >= 2,
  names: (p) => p.upper >= 1 || p.nonAscii,
  address: (p) => p.digits >= 1 && (p.upper >= 1 || p.nonAscii),
};

const DEFAULT_TENANT_KEYS = ["tenant", "tenant_id", "tenantId", "org_id", "organization_id", "organisation_id"];

/**
 * The classification stage: every string and key of a JSON value through every detector family, strings holding
 * JSON, base64, hex or URL-encoded text decoded and scanned too. Options are validated and detectors compiled here,
 * once; `classify` never throws on a JSON value.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const issues = validate(options);
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", "invalid classifier options", { issues });
  const disabled = new Set(options.disable ?? []);
  const minConfidence = options.minConfidence ?? 0.5;
  const decode = { json: true, base64: true, hex: true, url: true, maxDepth: 3, ...options.decode };
  const maxLength = options.maxStringLength ?? 1 << 20;

  const detectors: Detector[] = [];
  const add = (family: DetectorFamily, make: () => Detector) => {
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
  // Keys are short and rarely names or addresses; scanning them with the word-level families only adds noise.
  const keyDetectors = detectors.filter((d) => d.family !== "names" && d.family !== "address" && d.family !== "keys" && d.family !== "health");

  const contexts = new Map<string, ScanContext>();
  const contextFor = (key: string | undefined): ScanContext => {
    if (key === undefined) return EMPTY_CONTEXT;
    let context = contexts.get(key);
    if (!context) {
      context = { keyWords: keyWords(key) };
      if (contexts.size < 4096) contexts.set(key, context);
    }
    return context;
  };

  function scanText(text: string, pointer: string, context: ScanContext, encoding: Encoding, depth: number, inKey: boolean, out: Finding[]): void {
    const matches: Match[] = [];
    const family = inKey ? keyDetectors : detectors;
    let textProfile: TextProfile | undefined;
    for (let offset = 0; offset < text.length || offset === 0; offset += maxLength) {
      const window = text.length > maxLength ? text.slice(offset, offset + maxLength) : text;
      const before = matches.length;
      const profile = window === text ? (textProfile ??= profileOf(text)) : profileOf(window);
      const keyed = context.keyWords.length > 0;
      for (const detector of family) {
        const gate = GATES[detector.family as DetectorFamily];
        if (gate && !gate(profile, keyed)) continue;
        try {
          detector.profile = profile;
          detector.scan(window, context, matches);
        } catch {
          // A detector bug must not let a value through unclassified, nor break the call: report what it was on.
          matches.push({ class: "unknown", start: 0, end: window.length, detector: `error:${detector.family}`, confidence: 1 });
        }
      }
      if (offset > 0) for (let i = before; i < matches.length; i++) matches[i] = { ...matches[i]!, start: matches[i]!.start + offset, end: matches[i]!.end + offset };
      if (text.length <= maxLength) break;
    }
    const kept = matches.length === 0 ? matches : resolveOverlaps(matches);
    for (const match of kept) {
      if (match.confidence < minConfidence) continue;
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
    if (inKey || depth >= decode.maxDepth || text.length < 8) return;
    const profile = (textProfile ??= profileOf(text));
    const longRun = profile.maxRun >= 16;
    const maybeJson = decode.json && (text.charCodeAt(0) === 123 || text.charCodeAt(0) === 91 || /^\s+[[{]/.test(text));
    if (!maybeJson && !(longRun && (decode.base64 || decode.hex)) && !(profile.percent && decode.url)) return;
    const switches = { json: maybeJson, base64: decode.base64 && longRun, hex: decode.hex && longRun, url: decode.url && profile.percent };
    let plainValues: Set<string> | undefined;
    // A run that is itself a credential (a JWT, a vendor token) is reported as such; what it decodes to adds nothing.
    const secretSpans = kept.filter((m) => m.class.startsWith("secret."));
    const insideSecret = secretSpans.length === 0 ? undefined : (start: number, end: number) => secretSpans.some((m) => start >= m.start && end <= m.end);
    for (const candidate of decodeCandidates(text, switches, insideSecret)) {
      if (candidate.encoding === "json") {
        walk(candidate.value, pointer, context, depth + 1, out, text);
      } else {
        // A value readable in the plain text too (a URL-encoded string whose `%20`s were the only encoding) is
        // reported once, where its offsets address the string itself.
        const inner: Finding[] = [];
        scanText(candidate.text, pointer, context, candidate.encoding, depth + 1, false, inner);
        if (inner.length > 0) plainValues ??= new Set(kept.filter((m) => m.confidence >= minConfidence).map((m) => `${m.class}\u0000${text.slice(m.start, m.end)}`));
        for (const finding of inner) {
          if (finding.encoding === candidate.encoding && plainValues!.has(`${finding.class}\u0000${candidate.text.slice(finding.start, finding.end)}`)) continue;
          out.push(finding);
        }
      }
    }
  }

  /**
   * Walks a JSON value. Inside a string that held JSON (`rawJson`), findings keep the outer pointer and are moved to
   * where their string literal sits in that raw text, so redaction can replace them in place.
   */
  function walk(value: unknown, pointer: string, context: ScanContext, depth: number, out: Finding[], rawJson?: string): void {
    if (typeof value === "string") {
      if (rawJson === undefined) {
        scanText(value, pointer, context, "plain", depth, false, out);
        return;
      }
      const inner: Finding[] = [];
      scanText(value, pointer, context, "plain", depth, false, inner);
      if (inner.length === 0) return;
      const literal = JSON.stringify(value);
      const at = rawJson.indexOf(literal);
      const exact = at >= 0 && literal.length === value.length + 2;
      for (const finding of inner) {
        const encoded = finding.encoding !== undefined && finding.encoding !== "json";
        const start = exact && !encoded ? at + 1 + finding.start : at >= 0 ? at + 1 : 0;
        const end = exact && !encoded ? at + 1 + finding.end : at >= 0 ? at + literal.length - 1 : rawJson.length;
        out.push({ ...finding, start, end, encoding: encoded ? finding.encoding! : "json" });
      }
      return;
    }
    if (typeof value === "number" || typeof value === "bigint") {
      // Numbers carry card numbers, SSNs and phone numbers too; small ones (counts, ids) are not worth a scan.
      if (context.keyWords.length > 0 || Math.abs(Number(value)) >= 1e6) walk(String(value), pointer, context, depth, out, rawJson);
      return;
    }
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) walk(value[i], rawJson === undefined ? `${pointer}/${i}` : pointer, context, depth, out, rawJson);
      return;
    }
    for (const key of Object.keys(value)) {
      // Inside a JSON string, findings keep the pointer of that string: it is what redaction can address.
      const child = rawJson === undefined ? `${pointer}/${escapePointer(key)}` : pointer;
      if (key.length >= 6 && rawJson === undefined) scanText(key, child, EMPTY_CONTEXT, "plain", depth, true, out);
      walk((value as Record<string, unknown>)[key], child, contextFor(key), depth, out, rawJson);
    }
  }

  return {
    classify: function classify(value: unknown): readonly Finding[] {
      const out: Finding[] = [];
      try {
        walk(value, "", EMPTY_CONTEXT, 0, out);
      } catch (error) {
        // Fail closed: a value we could not walk is reported as unknown data at the root.
        out.push({ class: "unknown", pointer: "", start: 0, end: 0, detector: `error:walk:${error instanceof Error ? error.name : "throw"}`, confidence: 1 });
      }
      return dedupe(out);
    },
  };
}

const EMPTY_CONTEXT: ScanContext = { keyWords: [] };

export function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Keeps one finding per place: of two findings that overlap without one containing the other, the more confident
 * (then the longer) wins; a finding inside a longer one of another class is dropped when the container is about as
 * confident. Whole values classified by their key (`key:*`) never suppress, nor are suppressed by, what is inside.
 */
export function resolveOverlaps(matches: Match[]): Match[] {
  if (matches.length <= 1) return matches;
  const sorted = matches.slice().sort((a, b) => a.start - b.start || b.end - a.end || b.confidence - a.confidence);
  const keep = new Array<boolean>(sorted.length).fill(true);
  for (let i = 0; i < sorted.length; i++) {
    if (!keep[i]) continue;
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.start >= a.end) break;
      if (!keep[j]) continue;
      const aKey = a.detector.startsWith("key:");
      const bKey = b.detector.startsWith("key:");
      if (aKey !== bKey) continue;
      if (a.class === b.class && a.start === b.start && a.end === b.end) {
        keep[j] = false;
        continue;
      }
      const aContainsB = a.start <= b.start && a.end >= b.end;
      if (aContainsB) {
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

function dedupe(findings: Finding[]): Finding[] {
  if (findings.length <= 1) return findings;
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    // A finding inside a JSON string addresses the string like a plain one: the same span is the same finding.
    const encoding = f.encoding === "json" ? "" : f.encoding ?? "";
    const id = `${f.pointer}\u0000${f.class}\u0000${f.start}\u0000${f.end}\u0000${encoding}\u0000${f.inKey ? 1 : 0}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(f);
  }
  return out;
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
