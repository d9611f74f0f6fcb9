import type { Json, JsonObject } from "./dataset.js";

/**
 * The generic judge's vocabulary. An effect is the list of changes a run made to the environment's state. Arrays of
 * records with an `id` are collections keyed by id; other arrays are multisets; objects are maps. Items a run adds
 * are compared without their `id` (a run that adds something after another run's additions gets other ids).
 */
export type Change =
  | { readonly op: "add"; readonly at: string; readonly value: Json }
  | { readonly op: "remove"; readonly at: string; readonly value: Json }
  | { readonly op: "set"; readonly at: string; readonly value: Json }
  | { readonly op: "unset"; readonly at: string };

export type Effect = readonly Change[];

/** The changes that turn `before` into `after`. */
export function diff(before: Json, after: Json, at = ""): Change[] {
  const out: Change[] = [];
  walk(before, after, at, out);
  return out;
}

function walk(before: Json, after: Json, at: string, out: Change[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    if (isKeyed(before) && isKeyed(after)) keyedDiff(before as JsonObject[], after as JsonObject[], at, out);
    else multisetDiff(before, after, at, out);
    return;
  }
  if (isMap(before) && isMap(after)) {
    for (const key of Object.keys(before)) {
      const path = `${at}/${escape(key)}`;
      if (!(key in after)) out.push({ op: "unset", at: path });
      else walk(before[key]!, after[key]!, path, out);
    }
    for (const key of Object.keys(after)) if (!(key in before)) out.push({ op: "set", at: `${at}/${escape(key)}`, value: after[key]! });
    return;
  }
  if (canonical(before) !== canonical(after)) out.push({ op: "set", at, value: after });
}

function keyedDiff(before: JsonObject[], after: JsonObject[], at: string, out: Change[]): void {
  const old = new Map(before.map((item) => [String(item["id"]), item]));
  const now = new Map(after.map((item) => [String(item["id"]), item]));
  for (const [id, item] of old) {
    const next = now.get(id);
    if (next === undefined) out.push({ op: "remove", at, value: { id: item["id"]! } });
    else walk(item, next, `${at}[id=${id}]`, out);
  }
  for (const [id, item] of now) if (!old.has(id)) out.push({ op: "add", at, value: withoutId(item) });
}

function multisetDiff(before: readonly Json[], after: readonly Json[], at: string, out: Change[]): void {
  const counts = new Map<string, { value: Json; n: number }>();
  for (const value of before) bump(counts, value, 1);
  for (const value of after) bump(counts, value, -1);
  for (const { value, n } of counts.values()) {
    for (let i = 0; i < n; i++) out.push({ op: "remove", at, value });
    for (let i = 0; i < -n; i++) out.push({ op: "add", at, value });
  }
}

function bump(counts: Map<string, { value: Json; n: number }>, value: Json, by: number): void {
  const key = canonical(value);
  const entry = counts.get(key);
  if (entry) entry.n += by;
  else counts.set(key, { value, n: by });
}

/** True when every change of `expected` is among `actual` (as a multiset). */
export function contains(actual: Effect, expected: Effect): boolean {
  return subtract(expected, actual).length === 0;
}

/** The changes of `a` not matched by a change of `b` (multiset difference). */
export function subtract(a: Effect, b: Effect): Change[] {
  const pool = new Map<string, number>();
  for (const change of b) pool.set(canonical(change as unknown as Json), (pool.get(canonical(change as unknown as Json)) ?? 0) + 1);
  const out: Change[] = [];
  for (const change of a) {
    const key = canonical(change as unknown as Json);
    const left = pool.get(key) ?? 0;
    if (left > 0) pool.set(key, left - 1);
    else out.push(change);
  }
  return out;
}

/** JSON with sorted keys: equal values give equal strings. */
export function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isMap(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key]!)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** One line per change, for reports and test failures. */
export function describeEffect(effect: Effect, width = 120): string[] {
  return effect.map((change) => {
    const value = change.op === "unset" ? "" : ` ${canonical(change.value)}`;
    const line = `${change.op} ${change.at || "/"}${value}`;
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  });
}

function isKeyed(items: readonly Json[]): boolean {
  return items.every((item) => isMap(item) && (typeof item["id"] === "string" || typeof item["id"] === "number"));
}

function withoutId(item: JsonObject): JsonObject {
  const { id: _id, ...rest } = item;
  return rest;
}

function isMap(value: Json): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escape(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}
