/**
 * Loading and scoring for the labeled PII/secrets corpus (../shared/datasets/pii-corpus, README there): span classes
 * at entity level (a prediction matches a gold span when they overlap by at least half of both, one to one), secrets
 * at document level. Offsets in the corpus count code points; detectors report UTF-16 offsets.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface Span {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

export interface CorpusRecord {
  readonly id: string;
  readonly text: string;
  readonly spans: readonly Span[];
  readonly docLabels: readonly string[];
  readonly level: "span" | "doc";
  readonly secretType?: string;
  readonly negativeKind?: string;
}

/** What a detector reports for one record: labelled spans (UTF-16 offsets) in the corpus's label vocabulary. */
export type Prediction = Span;

export function corpusPath(repoRoot: string, env: Readonly<Record<string, string | undefined>>): string {
  return resolve(repoRoot, env["PII_CORPUS"] ?? "../shared/datasets/pii-corpus");
}

export function loadCorpus(dir: string): CorpusRecord[] {
  const text = readFileSync(resolve(dir, "corpus.jsonl"), "utf8");
  const out: CorpusRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const raw = JSON.parse(line) as {
      id: string; text: string; spans: { start: number; end: number; label: string }[]; doc_labels: string[];
      level: "span" | "doc"; secret_type?: string | null; negative_kind?: string | null;
    };
    const map = codePointToUtf16(raw.text);
    out.push({
      id: raw.id,
      text: raw.text,
      spans: raw.spans.map((s) => ({ start: map[s.start]!, end: map[s.end]!, label: s.label })),
      docLabels: raw.doc_labels,
      level: raw.level,
      ...(raw.secret_type ? { secretType: raw.secret_type } : {}),
      ...(raw.negative_kind ? { negativeKind: raw.negative_kind } : {}),
    });
  }
  return out;
}

function codePointToUtf16(text: string): number[] {
  const map: number[] = [];
  let unit = 0;
  for (const ch of text) {
    map.push(unit);
    unit += ch.length;
  }
  map.push(unit);
  return map;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores {
  /** Span classes, entity level. */
  readonly spans: ReadonlyMap<string, Counts>;
  /** Secrets, document level, over the doc records. */
  readonly secret: Counts;
  /** Near-miss negatives (doc records with a negative kind) that the detector flagged as a secret. */
  readonly nearMissFlagged: number;
  readonly nearMissTotal: number;
  /** Secret positives missed and near-misses flagged, for inspection. */
  readonly secretMisses: readonly string[];
  readonly secretFalseAlarms: readonly string[];
}

/** Scores predictions (one array per record, aligned with `records`) for the labels a detector claims to detect. */
export function score(records: readonly CorpusRecord[], predictions: readonly (readonly Prediction[])[], labels: readonly string[]): Scores {
  const spans = new Map<string, Counts>(labels.filter((l) => l !== "secret").map((l) => [l, { tp: 0, fp: 0, fn: 0 }]));
  const secret: Counts = { tp: 0, fp: 0, fn: 0 };
  let nearMissFlagged = 0;
  let nearMissTotal = 0;
  const secretMisses: string[] = [];
  const secretFalseAlarms: string[] = [];
  records.forEach((record, i) => {
    const predicted = predictions[i] ?? [];
    if (record.level === "span") {
      for (const [label, counts] of spans) {
        const gold = record.spans.filter((s) => s.label === label);
        const pred = predicted.filter((p) => p.label === label);
        const used = new Set<number>();
        for (const p of pred) {
          const hit = gold.findIndex((g, j) => !used.has(j) && overlapsByHalf(g, p));
          if (hit >= 0) {
            used.add(hit);
            counts.tp++;
          } else counts.fp++;
        }
        counts.fn += gold.length - used.size;
      }
      return;
    }
    // Document records: the secret question only (ip_public records from detect-secrets carry `ip`, scored apart).
    const flagged = predicted.some((p) => p.label === "secret");
    const positive = record.docLabels.includes("secret");
    if (positive && flagged) secret.tp++;
    else if (positive) {
      secret.fn++;
      secretMisses.push(`${record.secretType}: ${record.text.slice(0, 120)}`);
    } else if (flagged) {
      secret.fp++;
      secretFalseAlarms.push(`${record.negativeKind ?? "?"}: ${record.text.slice(0, 120)}`);
    }
    if (record.negativeKind) {
      nearMissTotal++;
      if (flagged) nearMissFlagged++;
    }
  });
  return { spans, secret, nearMissFlagged, nearMissTotal, secretMisses, secretFalseAlarms };
}

function overlapsByHalf(a: Span, b: Span): boolean {
  const overlap = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return overlap > 0 && overlap >= 0.5 * (a.end - a.start) && overlap >= 0.5 * (b.end - b.start);
}

export function prf(c: Counts): { p: number; r: number; f1: number } {
  const p = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const r = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  return { p, r, f1: p + r === 0 ? 0 : (2 * p * r) / (p + r) };
}
