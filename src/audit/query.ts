import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { GuardError, messageOf } from "../errors.js";
import type { AuditEvent, AuditRecord } from "../model/audit-record.js";
import type { Decision } from "../model/verdict.js";

/** Which audit records to find. Every given field must match; lists match any of their entries. */
export interface AuditFilter {
  readonly sessionId?: string;
  /** Matches `trace.traceId`, or the trace id inside `trace.traceparent`. */
  readonly traceId?: string;
  /** One conversation: matches `trace.threadId` or `trace.conversationId`. */
  readonly threadId?: string;
  /** `server/name`, or a bare tool name on any server. */
  readonly tool?: string;
  readonly decision?: readonly Decision[];
  readonly event?: readonly AuditEvent[];
  /** Records that cite this policy or drift rule id. */
  readonly policyId?: string;
  readonly declarationId?: string;
  readonly decisionId?: string;
  /** Milliseconds since the epoch, inclusive. */
  readonly since?: number;
  /** Milliseconds since the epoch, exclusive. */
  readonly until?: number;
}

/** Compiles a filter into a predicate, once. */
export function matchesAudit(filter: AuditFilter): (record: AuditRecord) => boolean {
  const checks: ((record: AuditRecord) => boolean)[] = [];
  const { sessionId, traceId, threadId, tool, decision, event, policyId, declarationId, decisionId, since, until } = filter;
  if (sessionId !== undefined) checks.push((r) => r.sessionId === sessionId);
  if (traceId !== undefined) checks.push((r) => r.trace?.traceId === traceId || (r.trace?.traceparent?.split("-")[1] ?? "") === traceId);
  if (threadId !== undefined) checks.push((r) => r.trace?.threadId === threadId || r.trace?.conversationId === threadId);
  if (tool !== undefined) {
    const slash = tool.indexOf("/");
    const [server, name] = slash === -1 ? [undefined, tool] : [tool.slice(0, slash), tool.slice(slash + 1)];
    checks.push((r) => r.tool === name && (server === undefined || r.server === server));
  }
  if (decision && decision.length > 0) checks.push((r) => decision.includes(r.decision));
  if (event && event.length > 0) checks.push((r) => event.includes(r.event));
  if (policyId !== undefined) checks.push((r) => r.policyIds.includes(policyId));
  if (declarationId !== undefined) checks.push((r) => r.declaration.id === declarationId);
  if (decisionId !== undefined) checks.push((r) => r.decisionId === decisionId || r.detail?.["decisionId"] === decisionId || r.detail?.["approvalId"] === decisionId);
  if (since !== undefined) checks.push((r) => Date.parse(r.time) >= since);
  if (until !== undefined) checks.push((r) => Date.parse(r.time) < until);
  return (record) => checks.every((check) => check(record));
}

/** A line of an audit log that is not a record (a torn write, a foreign line). */
export interface UnreadableLine {
  readonly file: string;
  readonly line: number;
  readonly error: string;
}

/**
 * Streams the records of audit logs in file order (pass rotated files first: `withRotated`), one line at a time, so a
 * log of any size is read in constant memory. Lines that are not records are reported to `onUnreadable`.
 */
export async function* readAuditLog(files: readonly string[], onUnreadable?: (line: UnreadableLine) => void): AsyncGenerator<AuditRecord> {
  for (const file of files) {
    const stream = createReadStream(file, { encoding: "utf8" });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", reject);
    });
    try {
      await opened;
    } catch (error) {
      throw new GuardError("AUDIT_FAILED", `cannot read ${file}: ${messageOf(error)}`, { issues: [{ file, message: messageOf(error), fix: "check the path" }] });
    }
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let number = 0;
    for await (const text of lines) {
      number++;
      if (text.trim() === "") continue;
      const record = parseRecord(text);
      if (typeof record === "string") onUnreadable?.({ file, line: number, error: record });
      else yield record;
    }
  }
}

/** The records of the logs that match `filter`, oldest first; with `limit`, the last `limit` of them. */
export async function queryAuditLog(files: readonly string[], filter: AuditFilter = {}, options: { limit?: number; onUnreadable?: (line: UnreadableLine) => void } = {}): Promise<AuditRecord[]> {
  const matches = matchesAudit(filter);
  const out: AuditRecord[] = [];
  for await (const record of readAuditLog(files, options.onUnreadable)) {
    if (!matches(record)) continue;
    out.push(record);
    if (options.limit !== undefined && out.length > options.limit) out.shift();
  }
  return out;
}

/** Parses one JSONL line; a string is the reason it is not a record. */
export function parseRecord(text: string): AuditRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return messageOf(error);
  }
  return recordProblem(value) ?? (value as AuditRecord);
}

const EVENTS: ReadonlySet<unknown> = new Set<AuditEvent>(["start", "call", "result", "approval", "containment", "alert"]);
const DECISIONS: ReadonlySet<unknown> = new Set<Decision>(["allow", "deny", "redact", "ask", "halt"]);

type Check = (value: unknown) => boolean;
const isString: Check = (value) => typeof value === "string";
const isNumber: Check = (value) => typeof value === "number" && Number.isFinite(value);
const isStrings: Check = (value) => Array.isArray(value) && value.every(isString);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringMap: Check = (value) => isObject(value) && Object.values(value).every(isString);
const isTime: Check = (value) => typeof value === "string" && !Number.isNaN(Date.parse(value));
const isTrace: Check = (value) => isObject(value) && Object.entries(value).every(([key, field]) => (key === "labels" ? isStringMap(field) : isString(field)));
const isDetail: Check = (value) => isObject(value) && Object.values(value).every((field) => isString(field) || isNumber(field) || typeof field === "boolean");
const isDeclaration: Check = (value) => isObject(value) && isString(value["id"]) && isNumber(value["version"]) && isString(value["digest"]);
const isFlows: Check = (value) => isObject(value) && isStrings(value["classes"]) && isStrings(value["sources"]) && typeof value["untrusted"] === "boolean";

/**
 * The fields every reader of a record relies on: a line that parses as JSON but lacks one (a foreign line, an edited
 * or hostile record) is unreadable, so `query`, `tail` and `report` never meet a value of the wrong type.
 */
const REQUIRED: readonly (readonly [string, Check, string])[] = [
  ["v", (value) => value === 1, "1"],
  ["time", isTime, "an ISO 8601 time"],
  ["decisionId", isString, "a string"],
  ["event", (value) => EVENTS.has(value), "an audit event"],
  ["decision", (value) => DECISIONS.has(value), "a verdict"],
  ["policyIds", isStrings, "a list of strings"],
  ["errors", isStrings, "a list of strings"],
  ["policyRevision", isString, "a string"],
  ["declaration", isDeclaration, "{ id, version, digest }"],
  ["agent", isString, "a string"],
  ["classes", isStrings, "a list of strings"],
  ["latencyUs", isNumber, "a number"],
];
const OPTIONAL: readonly (readonly [string, Check, string])[] = [
  ["sessionId", isString, "a string"],
  ["server", isString, "a string"],
  ["tool", isString, "a string"],
  ["intent", isString, "a string"],
  ["intentSource", isString, "a string"],
  ["trace", isTrace, "an object of strings"],
  ["redacted", isStrings, "a list of strings"],
  ["redactedOmitted", isNumber, "a number"],
  ["flows", isFlows, "{ classes, sources, untrusted }"],
  ["callDigest", isString, "a string"],
  ["detail", isDetail, "an object of strings, numbers and booleans"],
];

/** Why a parsed line is not an audit record, naming the first field that is wrong; undefined for a record. */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "not an object";
  for (const [field, check, expected] of REQUIRED) {
    if (!check(value[field])) return `\`${field}\` is ${value[field] === undefined ? "missing" : `not ${expected}`}`;
  }
  for (const [field, check, expected] of OPTIONAL) {
    if (value[field] !== undefined && !check(value[field])) return `\`${field}\` is not ${expected}`;
  }
  return undefined;
}

/** A log and its rotated predecessors (`FILE.<last seq>`), oldest first. */
export async function withRotated(file: string): Promise<string[]> {
  const dir = dirname(file);
  const stem = basename(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  const rotated = names.filter((name) => name.startsWith(`${stem}.`) && /^\d{12}$/.test(name.slice(stem.length + 1))).sort();
  return [...rotated.map((name) => join(dir, name)), file];
}

/** Parses `--since`/`--until`: an ISO 8601 time, or a duration before `now` (`90s`, `15m`, `2h`, `7d`). */
export function parseTimeBound(text: string, now: number): number | undefined {
  const relative = /^(\d+)(s|m|h|d)$/.exec(text);
  if (relative) return now - Number(relative[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
