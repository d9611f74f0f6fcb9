import type { FamilyCounts } from "../authorize/engine.js";
import { familyBucket, familyOf } from "../authorize/session-attributes.js";
import type { DataClass } from "../model/data-class.js";
import type { Finding } from "../model/finding.js";
import { escapePointer } from "../model/pointer.js";

type Family = keyof FamilyCounts;

const NOTHING: Readonly<Partial<Record<Family, number>>> = Object.freeze({});
const NONE: readonly string[] = Object.freeze([]);

/** What one result carries into a session: records and bytes, in total and per class family. */
export interface Volume {
  readonly records: number;
  readonly bytes: number;
  readonly recordsByFamily: Readonly<Partial<Record<Family, number>>>;
  readonly bytesByFamily: Readonly<Partial<Record<Family, number>>>;
  /** The classes the result carries (found, or declared as the tool's output classes). */
  readonly classes: readonly DataClass[];
  readonly families: readonly string[];
}

/**
 * Measures a result as the agent receives it. A record is an item of the result's main list (an array result, the
 * array of an object's only list, an MCP result's structured content or content items); anything else is one
 * record. A family's records are the items in which a finding of that family sits; a finding outside the list
 * counts as one more record. Classes a tool declares as output but the classifier did not locate count in every
 * record. Bytes per family are the lengths of the classified values.
 */
export function measureResult(result: unknown, findings: readonly Finding[], declared: readonly DataClass[] = []): Volume {
  const layout = recordLayout(result, "");
  const bytes = jsonLength(result ?? null);
  // Most results carry no class at all: nothing per family to count.
  if (findings.length === 0 && declared.length === 0) return { records: layout.count, bytes, recordsByFamily: NOTHING, bytesByFamily: NOTHING, classes: NONE, families: NONE };
  const items = new Map<Family, Set<string>>();
  const bytesByFamily: Partial<Record<Family, number>> = {};
  const classes = new Set<DataClass>();
  for (const finding of findings) {
    const family = familyBucket(finding.class);
    classes.add(finding.class);
    bytesByFamily[family] = (bytesByFamily[family] ?? 0) + Math.max(0, finding.end - finding.start);
    let set = items.get(family);
    if (!set) items.set(family, (set = new Set()));
    set.add(itemOf(finding.pointer, layout.prefix));
  }
  const recordsByFamily: Partial<Record<Family, number>> = {};
  for (const [family, set] of items) recordsByFamily[family] = Math.min(set.size, Math.max(layout.count, 1));
  for (const cls of declared) {
    const family = familyBucket(cls);
    classes.add(cls);
    if (items.has(family)) continue;
    recordsByFamily[family] = layout.count;
    bytesByFamily[family] = (bytesByFamily[family] ?? 0) + bytes;
  }
  const list = [...classes];
  return { records: layout.count, bytes, recordsByFamily, bytesByFamily, classes: list, families: [...new Set(list.map(familyOf))] };
}

// Characters JSON writes as escapes (`"`, `\\`, controls) and lone surrogates (written as `\uXXXX`).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(value).length` without building the string: a result is measured on every call, and serializing
 * it (only to count it) costs more than walking it. Plain JSON data (what tools return) is walked; anything JSON
 * would transform (`toJSON`, class instances, strings with escapes) is handed to `JSON.stringify` for its part.
 */
export function jsonLength(value: unknown): number {
  switch (typeof value) {
    case "string":
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value).length : value.length + 2;
    case "number":
      return Number.isFinite(value) ? String(value).length : 4;
    case "boolean":
      return value ? 4 : 5;
    case "object": {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let length = 1 + Math.max(0, value.length - 1) + 1;
        for (const item of value) length += item === undefined || typeof item === "function" || typeof item === "symbol" ? 4 : jsonLength(item);
        return length;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") return JSON.stringify(value)?.length ?? 0;
      let length = 2;
      let members = 0;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        length += jsonLength(key) + 1 + jsonLength(item);
        members++;
      }
      return length + Math.max(0, members - 1);
    }
    default:
      // undefined, functions, symbols: JSON leaves them out; bigint makes JSON throw, and counts as its digits here.
      return typeof value === "bigint" ? String(value).length : 0;
  }
}

/** The number of records of a result and the JSON pointer of the list that holds them (when there is one). */
export function recordLayout(result: unknown, at: string): { count: number; prefix?: string } {
  if (Array.isArray(result)) return { count: result.length, prefix: at };
  if (result === null || typeof result !== "object") return { count: result === undefined ? 0 : 1 };
  const record = result as Record<string, unknown>;
  // An MCP CallToolResult: prefer its structured content, else count its content items.
  if ("structuredContent" in record) return recordLayout(record["structuredContent"], `${at}/structuredContent`);
  if (Array.isArray(record["content"])) return { count: record["content"].length, prefix: `${at}/content` };
  const lists = Object.entries(record).filter(([, value]) => Array.isArray(value));
  if (lists.length === 1) {
    const [key, value] = lists[0]!;
    return { count: (value as unknown[]).length, prefix: `${at}/${escapePointer(key)}` };
  }
  return { count: 1 };
}

/** The record a finding sits in: the list item's index, or "" for a finding outside the list. */
function itemOf(pointer: string, prefix: string | undefined): string {
  if (prefix === undefined || !pointer.startsWith(`${prefix}/`)) return "";
  const rest = pointer.slice(prefix.length + 1);
  const slash = rest.indexOf("/");
  return slash === -1 ? rest : rest.slice(0, slash);
}
