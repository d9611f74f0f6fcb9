/**
 * Classification quality and speed on the labeled PII/secrets corpus (README in the corpus folder), side by side with
 * the npm detectors that README names, all in this one process and run.
 *
 * - Quality: span classes at entity level (overlap of at least half of both, one to one), secrets at document level,
 *   near-miss negatives (placeholders, wrong prefixes, keywords without keys) flagged as secrets.
 * - Speed: one detector call per record over the whole corpus, median of 5 passes after warm-up passes for at least
 *   1.5 s (V8 takes a dozen passes to compile a detector written in JavaScript to its optimized code, and a
 *   long-running guard runs that code; a detector that is mostly regular expressions is fast from its first pass);
 *   the passes run in rounds across all detectors so that load from other processes weighs on all alike, each after a
 *   full GC so that no detector pays for another's garbage.
 * - Bulk speed: the same texts joined by newlines into documents of about 2 KB and about 64 KB, one call per
 *   document, timed the same way. The corpus averages under 100 bytes per record; the bulk figures show how the speed
 *   per byte changes when one call carries more text. Both are reported; neither replaces the other.
 * - Memory: V8 heap retained by the detector after loading and one warm-up pass, and the peak heap growth during one
 *   pass (sampled every 25 records, after a full GC).
 *
 * The corpus is read from $PII_CORPUS, default ../shared/datasets/pii-corpus beside the repository.
 * BENCH_LIST=1 (or BENCH_VERBOSE=1) also lists the secrets purpose-guard missed and the near misses it flagged.
 * PG_BASELINE=<path to another checkout's src/classify/classify.ts> adds that classifier's rows to the same run, each
 * pass timed right after the pass of the row it is compared with, and the median of those paired time ratios.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import { createClassifier, type ClassifierOptions } from "../src/classify/classify.js";
import { corpusPath, loadCorpus, prf, score, type CorpusRecord, type Prediction, type Scores } from "./pii-corpus.js";
import { table } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LABELS = ["email", "phone", "person", "address", "ssn", "credit_card", "iban", "ip", "secret"] as const;

interface Detector {
  readonly name: string;
  /** Labels it claims to detect (others are shown as "none"). */
  readonly labels: readonly string[];
  detect(text: string): Prediction[] | Promise<Prediction[]>;
}

interface Measured {
  readonly name: string;
  readonly labels: readonly string[];
  readonly scores?: Scores;
  readonly mbPerSecond?: number;
  readonly msPerPass?: number;
  readonly retainedMb?: number;
  readonly peakMb?: number;
  readonly error?: string;
}

const dir = corpusPath(ROOT, process.env);
if (!existsSync(`${dir}/corpus.jsonl`)) {
  console.log(`## Classification\n\nSkipped: no corpus at ${dir} (set PII_CORPUS to the pii-corpus folder).\n`);
  process.exit(0);
}
const records = loadCorpus(dir);
const bytes = records.reduce((sum, record) => sum + Buffer.byteLength(record.text), 0);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const heap = () => v8.getHeapStatistics().used_heap_size;

// ---- purpose-guard ------------------------------------------------------------------------------------------------

const CLASS_TO_LABEL: Record<string, string> = {
  "pii.email": "email", "pii.phone": "phone", "pii.name": "person", "pii.address": "address", "pii.ssn": "ssn",
  "financial.card": "credit_card", "financial.iban": "iban", "network.ip": "ip", "network.ip.internal": "ip",
};

type CreateClassifier = typeof createClassifier;

function purposeGuard(name: string, options: ClassifierOptions = {}, create: CreateClassifier = createClassifier): () => Detector {
  return () => {
    const classifier = create(options);
    return {
      name,
      labels: LABELS.filter((label) => !(options.disable ?? []).some((family) => (family === "names" && label === "person") || (family === "address" && label === "address") || (family === "secrets" && label === "secret"))),
      detect(text) {
        const out: Prediction[] = [];
        for (const finding of classifier.classify(text)) {
          // Spans of findings in decoded text (base64, URL...) address another string than the corpus text.
          if (finding.encoding && finding.encoding !== "json") {
            if (finding.class.startsWith("secret.")) out.push({ start: 0, end: 0, label: "secret" });
            continue;
          }
          const label = finding.class.startsWith("secret.") ? "secret" : CLASS_TO_LABEL[finding.class];
          if (label) out.push({ start: finding.start, end: finding.end, label });
        }
        return out;
      },
    };
  };
}

// ---- peers --------------------------------------------------------------------------------------------------------

async function openRedaction(): Promise<Detector> {
  const { OpenRedaction } = await import("@openredaction/openredaction");
  const detector = new OpenRedaction();
  const label = (type: string): string | undefined => {
    if (type === "EMAIL") return "email";
    if (type.startsWith("PHONE")) return "phone";
    if (type === "NAME") return "person";
    if (type.startsWith("ADDRESS")) return "address";
    if (type === "SSN") return "ssn";
    if (type === "CREDIT_CARD") return "credit_card";
    if (type === "IBAN") return "iban";
    if (type === "IPV4" || type === "IPV6") return "ip";
    if (/TOKEN|API_KEY|SECRET|PRIVATE_KEY|ACCESS_KEY|WEBHOOK|STORAGE_KEY|PASSWORD|CREDENTIAL/.test(type)) return "secret";
    return undefined;
  };
  return {
    name: "@openredaction/openredaction",
    labels: LABELS,
    detect(text) {
      const out: Prediction[] = [];
      for (const d of detector.detect(text).detections) {
        const l = label(d.type);
        if (l) out.push({ start: d.position[0], end: d.position[1], label: l });
      }
      return out;
    },
  };
}

/**
 * Recovers spans from a redacted text: `pattern` finds the replacements (group 1 names them, `label` maps the name
 * to a corpus label); the literal text between replacements is located in the original, in order.
 */
function alignReplacements(original: string, redacted: string, pattern: RegExp, label: (name: string) => string | undefined): Prediction[] {
  const parts = redacted.split(pattern);
  const out: Prediction[] = [];
  let pos = parts[0]!.length;
  for (let i = 1; i < parts.length; i += 2) {
    const literal = parts[i + 1] ?? "";
    const last = i + 2 >= parts.length;
    const end = last ? original.length - literal.length : literal === "" ? pos : original.indexOf(literal, pos);
    if (end < pos) break;
    const l = label(parts[i]!);
    if (l) out.push({ start: pos, end, label: l });
    pos = end + literal.length;
  }
  return out;
}

const alignMarkers = (original: string, redacted: string) => alignReplacements(original, redacted, /\uE000([a-z_]+)\uE001/, (name) => (name === "none" ? undefined : name));

async function redactPii(): Promise<Detector> {
  const { SyncRedactor } = await import("redact-pii");
  // redact-pii ignores per-type `replaceWith` (checked with 3.4.0): its default tokens name the types instead.
  const redactor = new SyncRedactor();
  const tokens: Record<string, string | undefined> = {
    PERSON_NAME: "person", EMAIL_ADDRESS: "email", PHONE_NUMBER: "phone", CREDIT_CARD_NUMBER: "credit_card", US_SOCIAL_SECURITY_NUMBER: "ssn",
    IP_ADDRESS: "ip", STREET_ADDRESS: "address", PASSWORD: "secret", CREDENTIALS: "secret", ZIPCODE: undefined, USERNAME: undefined, DIGITS: undefined, URL: undefined,
  };
  const pattern = new RegExp(`(${Object.keys(tokens).join("|")})`);
  return { name: "redact-pii", labels: ["email", "phone", "person", "address", "ssn", "credit_card", "ip", "secret"], detect: (text) => alignReplacements(text, redactor.redact(text), pattern, (name) => tokens[name]) };
}

async function arcjetRedact(): Promise<Detector> {
  const { redact } = await import("@arcjet/redact");
  const labels: Record<string, string> = { email: "email", "phone-number": "phone", "ip-address": "ip", "credit-card-number": "credit_card" };
  return {
    name: "@arcjet/redact",
    labels: ["email", "phone", "credit_card", "ip"],
    async detect(text) {
      const [redacted] = await redact(text, { entities: ["email", "phone-number", "ip-address", "credit-card-number"], replace: (entity) => `\uE000${labels[entity] ?? "none"}\uE001` });
      return alignMarkers(text, redacted);
    },
  };
}

async function openaiGuardrails(): Promise<Detector> {
  const { pii } = await import("@openai/guardrails/dist/checks/pii.js");
  const entities = { EMAIL_ADDRESS: "email", PHONE_NUMBER: "phone", US_SSN: "ssn", CREDIT_CARD: "credit_card", IBAN_CODE: "iban", IP_ADDRESS: "ip" } as Record<string, string>;
  const config = { entities: Object.keys(entities), block: false, detect_encoded_pii: false } as Parameters<typeof pii>[2];
  return {
    name: "@openai/guardrails",
    labels: ["email", "phone", "ssn", "credit_card", "iban", "ip"],
    async detect(text) {
      if (text.trim() === "") return [];
      const result = await pii({}, text, config);
      const info = result.info as { checked_text?: string; detected_entities?: Record<string, string[]> };
      const found = info.detected_entities ?? {};
      // `checked_text` has `<TYPE>` where each value was; the values come in text order per type.
      const queue = Object.fromEntries(Object.entries(found).map(([type, values]) => [type, [...values]]));
      const out: Prediction[] = [];
      let pos = 0;
      for (const m of (info.checked_text ?? "").matchAll(/<([A-Z_]+)>/g)) {
        const value = queue[m[1]!]?.shift();
        if (value === undefined) continue;
        const at = text.indexOf(value, pos);
        if (at < 0) continue;
        const label = entities[m[1]!];
        if (label) out.push({ start: at, end: at + value.length, label });
        pos = at + value.length;
      }
      return out;
    },
  };
}

// ---- measurement --------------------------------------------------------------------------------------------------

interface Loaded {
  readonly name: string;
  readonly detector?: Detector;
  readonly predictions?: Prediction[][];
  readonly retainedMb?: number;
  readonly error?: string;
}

/** Loads a detector, runs the warm-up pass (whose predictions are scored) and measures the heap it retains. */
async function load(name: string, make: () => Detector | Promise<Detector>): Promise<Loaded> {
  gc();
  const before = heap();
  try {
    const detector = await make();
    const predictions: Prediction[][] = [];
    for (const record of records) predictions.push(await detector.detect(record.text));
    gc();
    return { name: detector.name, detector, predictions, retainedMb: (heap() - before) / 2 ** 20 };
  } catch (error) {
    return { name, error: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
  }
}

async function timedPass(detector: Detector, texts: readonly string[] = recordTexts): Promise<number> {
  // The garbage the previous detector left is collected before the clock starts, not on this detector's time.
  gc();
  const start = process.hrtime.bigint();
  for (const text of texts) await detector.detect(text);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const recordTexts = records.map((record) => record.text);

/** How long each detector runs untimed passes before its timed ones, on each set of texts. */
const WARM_UP_MS = 1500;

/** Untimed passes for at least `WARM_UP_MS` (one at least: a slow detector's single pass may take longer). */
async function warmUp(detector: Detector, texts: readonly string[] = recordTexts): Promise<void> {
  let spent = 0;
  do spent += await timedPass(detector, texts);
  while (spent < WARM_UP_MS);
}

/** The corpus texts joined by newlines, in order, into documents of at least `size` bytes (the last may be shorter). */
function documentsOf(size: number): string[] {
  const documents: string[] = [];
  let parts: string[] = [];
  let length = 0;
  for (const text of recordTexts) {
    parts.push(text);
    length += Buffer.byteLength(text) + 1;
    if (length >= size) {
      documents.push(parts.join("\n"));
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) documents.push(parts.join("\n"));
  return documents;
}

async function peakGrowth(detector: Detector): Promise<number> {
  gc();
  const base = heap();
  let peak = base;
  for (let i = 0; i < records.length; i++) {
    await detector.detect(records[i]!.text);
    if (i % 25 === 0) peak = Math.max(peak, heap());
  }
  return (peak - base) / 2 ** 20;
}

const fmt = (x: number) => x.toFixed(2).replace(/^0\./, ".").replace(/^1\.00$/, "1.00");

function cell(m: Measured, label: string): string {
  if (m.error) return "error";
  if (!m.labels.includes(label)) return "none";
  const counts = label === "secret" ? m.scores!.secret : m.scores!.spans.get(label)!;
  const { p, r, f1 } = prf(counts);
  return `${fmt(p)}/${fmt(r)}/${fmt(f1)}`;
}

const detectors: [string, () => Detector | Promise<Detector>][] = [
  ["purpose-guard", purposeGuard("purpose-guard")],
  ["@openredaction/openredaction", openRedaction],
  ["redact-pii", redactPii],
  ["@arcjet/redact", arcjetRedact],
  ["@openai/guardrails", openaiGuardrails],
  ["purpose-guard (no names, no addresses)", purposeGuard("purpose-guard (no names, no addresses)", { disable: ["names", "address"] })],
  // The classes @openai/guardrails checks here (email, phone, SSN, card, IBAN, IP), without decoding: like for like.
  [
    "purpose-guard (guardrails' six classes, no decoding)",
    purposeGuard("purpose-guard (guardrails' six classes, no decoding)", {
      disable: ["names", "address", "secrets", "passport", "account", "dob", "health", "keys", "tenant", "custom"],
      decode: { json: false, base64: false, hex: false, url: false },
    }),
  ],
];

// PG_BASELINE=<another checkout>/src/classify/classify.ts adds that classifier as more rows of the same run, so a
// change is judged by a ratio measured side by side rather than by figures from runs under different load.
const baseline = process.env["PG_BASELINE"];
if (baseline) {
  const { createClassifier: createBaseline } = (await import(pathToFileURL(resolve(baseline)).href)) as { createClassifier: CreateClassifier };
  detectors.push(
    ["purpose-guard baseline", purposeGuard("purpose-guard baseline", {}, createBaseline)],
    ["purpose-guard baseline (no names, no addresses)", purposeGuard("purpose-guard baseline (no names, no addresses)", { disable: ["names", "address"] }, createBaseline)],
  );
}

/** The baseline row a row of ours is compared with, when PG_BASELINE is set. */
const baselineOf = (name: string): string | undefined =>
  !baseline ? undefined : name === "purpose-guard" ? "purpose-guard baseline" : name === "purpose-guard (no names, no addresses)" ? "purpose-guard baseline (no names, no addresses)" : undefined;

const loaded: Loaded[] = [];
for (const [name, make] of detectors) {
  process.stderr.write(`classify bench: loading and scoring ${name}...\n`);
  loaded.push(await load(name, make));
}
// Timed passes in rounds, every detector once per round: load from other processes on this shared machine then
// weighs on all of them alike, and the ratios stay fair.
// Each baseline row is timed right after the row it is compared with: on a shared machine the load changes within a
// round, and a ratio of two passes seconds apart says more than one of passes a minute apart.
const timingOrder = loaded.flatMap((entry) => (entry.name.startsWith("purpose-guard baseline") ? [] : [entry, ...loaded.filter((other) => other.name === baselineOf(entry.name))]));
const passes = new Map<string, number[]>();
for (const entry of timingOrder) {
  if (!entry.detector) continue;
  process.stderr.write(`classify bench: warming up ${entry.name}...\n`);
  await warmUp(entry.detector);
}
for (let round = 0; round < 5; round++) {
  process.stderr.write(`classify bench: timing round ${round + 1}/5...\n`);
  for (const entry of timingOrder) if (entry.detector) passes.set(entry.name, [...(passes.get(entry.name) ?? []), await timedPass(entry.detector)]);
}
// Bulk: the same texts in documents of about 2 KB and 64 KB, for our detectors and the fastest peer (the slower
// peers would take minutes per pass at 64 KB), in rounds like the per-record passes.
const BULK_SIZES = [2048, 65536] as const;
const bulkDocuments = BULK_SIZES.map((size) => ({ size, documents: documentsOf(size), bytes: 0 }));
for (const bulk of bulkDocuments) bulk.bytes = bulk.documents.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
const bulkNames = new Set(["@openai/guardrails", ...loaded.filter((entry) => entry.name.startsWith("purpose-guard")).map((entry) => entry.name)]);
const bulkEntries = timingOrder.filter((entry) => entry.detector && bulkNames.has(entry.name));
const bulkPasses = new Map<string, number[]>();
for (const entry of bulkEntries) for (const bulk of bulkDocuments) await warmUp(entry.detector!, bulk.documents);
for (let round = 0; round < 5; round++) {
  process.stderr.write(`classify bench: bulk timing round ${round + 1}/5...\n`);
  for (const entry of bulkEntries) {
    for (const bulk of bulkDocuments) {
      const id = `${entry.name}\u0000${bulk.size}`;
      bulkPasses.set(id, [...(bulkPasses.get(id) ?? []), await timedPass(entry.detector!, bulk.documents)]);
    }
  }
}
const median = (samples: readonly number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

const results: Measured[] = [];
for (const entry of loaded) {
  if (!entry.detector) {
    results.push({ name: entry.name, labels: [], error: entry.error ?? "unknown error" });
    continue;
  }
  const sorted = [...passes.get(entry.name)!].sort((a, b) => a - b);
  const msPerPass = sorted[2]!;
  results.push({
    name: entry.name,
    labels: entry.detector.labels,
    scores: score(records, entry.predictions!, entry.detector.labels),
    mbPerSecond: bytes / 1e6 / (msPerPass / 1000),
    msPerPass,
    retainedMb: entry.retainedMb!,
    peakMb: await peakGrowth(entry.detector),
  });
}

const main = results.slice(0, 5);
const ours = results[0]!;
const peers = results.slice(1, 5).filter((m) => !m.error);

console.log(`## Classification (pii-corpus, ${records.length} records, ${(bytes / 1e6).toFixed(2)} MB)\n`);
console.log("Precision/recall/F1 per class; `none`: the detector has no such class.\n");
console.log(table(["class", ...main.map((m) => m.name), "best peer F1", "ours - best peer"], LABELS.map((label) => {
  const f1 = (m: Measured) => (m.error || !m.labels.includes(label) ? undefined : prf(label === "secret" ? m.scores!.secret : m.scores!.spans.get(label)!).f1);
  const peerF1s = peers.map(f1).filter((x): x is number => x !== undefined);
  const best = peerF1s.length > 0 ? Math.max(...peerF1s) : undefined;
  const mine = f1(ours);
  return [label === "secret" ? "secret (document)" : label, ...main.map((m) => cell(m, label)), best === undefined ? "-" : fmt(best), best === undefined || mine === undefined ? "-" : (mine - best >= 0 ? "+" : "") + (mine - best).toFixed(2)];
})));

console.log("\nSecrets, document level: recall over secret records, and near-miss negatives flagged as a secret.\n");
console.log(table(["detector", "secret recall", "near-miss flagged"], results.filter((m) => !m.error && m.labels.includes("secret")).map((m) => {
  const s = m.scores!;
  return [m.name, fmt(prf(s.secret).r), `${s.nearMissFlagged}/${s.nearMissTotal} (${((100 * s.nearMissFlagged) / s.nearMissTotal).toFixed(1)}%)`];
})));

console.log(`\nSpeed and memory, same process, same run (median of 5 passes after ${WARM_UP_MS / 1000} s of warm-up passes per detector; MB = 10^6 bytes of UTF-8 text).\n`);
const fastestPeer = Math.max(...peers.map((m) => m.mbPerSecond ?? 0));
console.log(table(["detector", "MB/s", "ms per pass", "x fastest peer", "heap retained (MiB)", "peak heap growth (MiB)"], results.map((m) =>
  m.error ? [m.name, "error", "-", "-", "-", "-"] : [m.name, m.mbPerSecond!, m.msPerPass!, `${(m.mbPerSecond! / fastestPeer).toFixed(1)}x`, m.retainedMb!, m.peakMb!],
)));
for (const m of results.filter((r) => r.error)) console.log(`\n${m.name} could not run: ${m.error}`);

console.log(`\nBulk speed, same run: the same texts joined into documents, one call per document (median of 5 passes after ${WARM_UP_MS / 1000} s of warm-up). ${bulkDocuments.map((b) => `~${b.size / 1024} KB: ${b.documents.length} documents`).join("; ")}.\n`);
console.log(table(["detector", "MB/s per record (above)", ...bulkDocuments.map((b) => `MB/s, ~${b.size / 1024} KB documents`), ...bulkDocuments.map((b) => `ms per pass, ~${b.size / 1024} KB`)], bulkEntries.map((entry) => {
  const perRecord = results.find((m) => m.name === entry.name)?.mbPerSecond;
  const ms = bulkDocuments.map((b) => median(bulkPasses.get(`${entry.name}\u0000${b.size}`)!));
  return [entry.name, perRecord ?? "-", ...ms.map((t, i) => bulkDocuments[i]!.bytes / 1e6 / (t / 1000)), ...ms];
})));

if (baseline) {
  /** Median over rounds of this row's pass time divided by its baseline's pass in the same round. */
  const paired = (ours: readonly number[] | undefined, base: readonly number[] | undefined) =>
    ours && base && ours.length === base.length ? median(ours.map((t, i) => t / base[i]!)) : undefined;
  const rows = [...bulkEntries, ...loaded.filter((entry) => !bulkEntries.includes(entry))].filter((entry) => baselineOf(entry.name) !== undefined);
  console.log(`\nAgainst the baseline (${baseline}), same run: median over the 5 rounds of this row's time / the baseline's time, each pass right after the baseline's (below 1: faster).\n`);
  console.log(table(["detector", "per record", ...bulkDocuments.map((b) => `~${b.size / 1024} KB documents`)], rows.map((entry) => {
    const base = baselineOf(entry.name)!;
    const ratio = (x: number | undefined) => (x === undefined ? "-" : `${x.toFixed(2)}x`);
    return [entry.name, ratio(paired(passes.get(entry.name), passes.get(base))), ...bulkDocuments.map((b) => ratio(paired(bulkPasses.get(`${entry.name}\u0000${b.size}`), bulkPasses.get(`${base}\u0000${b.size}`))))];
  })));
}

if (process.env["BENCH_VERBOSE"] || process.env["BENCH_LIST"]) {
  const s = ours.scores!;
  console.log(`\nMissed secrets:\n${s.secretMisses.map((line) => `  ${line.replace(/\n/g, "\\n")}`).join("\n")}`);
  console.log(`\nNear misses flagged:\n${s.secretFalseAlarms.map((line) => `  ${line.replace(/\n/g, "\\n")}`).join("\n")}`);
}

export type { CorpusRecord };
