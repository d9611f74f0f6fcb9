import { followAuditLog } from "../../../src/audit/follow.js";
import { matchesAudit, parseTimeBound, queryAuditLog, readAuditLog, withRotated, type AuditFilter, type UnreadableLine } from "../../../src/audit/query.js";
import { GuardError } from "../../../src/errors.js";
import type { AuditEvent, AuditRecord } from "../../../src/model/audit-record.js";
import type { Decision } from "../../../src/model/verdict.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command, type ParsedFlags } from "../command.js";
import { printable, printableJson } from "../terminal-text.js";

/** The filter flags `audit query`, `audit tail` and `report` share. */
export const FILTER_FLAGS = {
  session: { type: "string", value: "ID", description: "records of this session" },
  "thread-id": { type: "string", value: "ID", description: "records of one conversation (trace threadId or conversationId)" },
  "trace-id": { type: "string", value: "ID", description: "records of this trace (traceId, or the one in traceparent)" },
  tool: { type: "string", value: "SERVER/NAME", description: "records of this tool (a bare NAME matches any server)" },
  verdict: { type: "list", value: "V", description: "allow, deny, redact, ask or halt (repeatable)" },
  event: { type: "list", value: "E", description: "start, call, result, approval, containment or alert (repeatable)" },
  policy: { type: "string", value: "ID", description: "records citing this policy or drift rule id" },
  declaration: { type: "string", value: "ID", description: "records under this declaration id" },
  since: { type: "string", value: "TIME", description: "from this ISO 8601 time, or a duration ago (15m, 2h, 7d)" },
  until: { type: "string", value: "TIME", description: "before this ISO 8601 time, or a duration ago" },
} as const;

const VERDICTS: readonly Decision[] = ["allow", "deny", "redact", "ask", "halt"];
const EVENTS: readonly AuditEvent[] = ["start", "call", "result", "approval", "containment", "alert"];

/** Builds the filter from the shared flags, with a usage error that names the flag for each bad value. */
export function filterOf(flags: ParsedFlags<typeof FILTER_FLAGS>, now: number): AuditFilter {
  const time = (flag: "since" | "until") => {
    const text = flags[flag];
    if (text === undefined) return undefined;
    const ms = parseTimeBound(text, now);
    if (ms === undefined) throw new GuardError("USAGE", `\`--${flag} ${text}\` is not a time`, { issues: [{ message: "bad time", fix: "an ISO 8601 time (2026-12-01T09:00:00Z) or a duration (15m, 2h, 7d)" }] });
    return ms;
  };
  for (const verdict of flags.verdict ?? []) {
    if (!VERDICTS.includes(verdict as Decision)) throw new GuardError("USAGE", `\`--verdict ${verdict}\` is not a verdict`, { issues: [{ message: "unknown verdict", fix: VERDICTS.join(", ") }] });
  }
  for (const event of flags.event ?? []) {
    if (!EVENTS.includes(event as AuditEvent)) throw new GuardError("USAGE", `\`--event ${event}\` is not an event`, { issues: [{ message: "unknown event", fix: EVENTS.join(", ") }] });
  }
  const since = time("since");
  const until = time("until");
  return {
    ...(flags.session !== undefined ? { sessionId: flags.session } : {}),
    ...(flags["thread-id"] !== undefined ? { threadId: flags["thread-id"] } : {}),
    ...(flags["trace-id"] !== undefined ? { traceId: flags["trace-id"] } : {}),
    ...(flags.tool !== undefined ? { tool: flags.tool } : {}),
    ...(flags.verdict ? { decision: flags.verdict as Decision[] } : {}),
    ...(flags.event ? { event: flags.event as AuditEvent[] } : {}),
    ...(flags.policy !== undefined ? { policyId: flags.policy } : {}),
    ...(flags.declaration !== undefined ? { declarationId: flags.declaration } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
  };
}

/** The filter in words, for headers. */
export function describeFilter(flags: ParsedFlags<typeof FILTER_FLAGS>): string {
  const parts = Object.keys(FILTER_FLAGS).flatMap((name) => {
    const value = flags[name as keyof typeof FILTER_FLAGS];
    return value === undefined ? [] : [`${name} ${Array.isArray(value) ? value.join("|") : String(value)}`];
  });
  return parts.length === 0 ? "all records" : parts.join(", ");
}

const QUERY_FLAGS = {
  ...FILTER_FLAGS,
  limit: { type: "string", value: "N", description: "print only the last N matching records" },
  json: { type: "boolean", description: "print a JSON array of the records" },
  jsonl: { type: "boolean", description: "print one JSON record per line" },
  only: { type: "boolean", description: "read just the given files, not their rotated predecessors" },
} as const;

export const auditQueryCommand: Command = {
  name: "query",
  summary: "find audit records by session, thread, trace, tool, verdict, policy or time (table or JSON)",
  help: `Usage: purpose-guard audit query [filters] [--json|--jsonl] [--limit N] FILE [FILE...]

Prints the records of JSONL audit logs that match every filter given, oldest first. Rotated files (FILE.000000001234)
are read first unless --only is given. Exit code 0 when records matched, 1 when none did, 2 for invalid input.

Flags:
${describeFlags(QUERY_FLAGS)}

Examples:
  purpose-guard audit query --thread-id conv-7 .purpose-guard/audit.jsonl
  purpose-guard audit query --verdict deny --verdict halt --since 2h --json .purpose-guard/audit.jsonl
  purpose-guard audit query --policy support-records-halt --tool crm/list_orders audit.jsonl`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, QUERY_FLAGS);
    if (positionals.length === 0) throw new GuardError("USAGE", "no audit log given", { issues: [{ message: "pass the log file", fix: "purpose-guard audit query [filters] FILE" }] });
    const limit = flags.limit === undefined ? undefined : Number(flags.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new GuardError("USAGE", "--limit must be a positive whole number");
    const filter = filterOf(flags, Date.now());
    const files = flags.only ? positionals : (await Promise.all(positionals.map(withRotated))).flat();
    const unreadable: UnreadableLine[] = [];
    const records = await queryAuditLog(files, filter, { ...(limit !== undefined ? { limit } : {}), onUnreadable: (line) => unreadable.push(line) });
    if (flags.json) io.stdout.write(`${printableJson(JSON.stringify(records, null, 2))}\n`);
    else if (flags.jsonl) io.stdout.write(records.map((record) => `${printableJson(JSON.stringify(record))}\n`).join(""));
    else io.stdout.write(`${formatTable(records)}\n${records.length} record${records.length === 1 ? "" : "s"} (${describeFilter(flags)})\n`);
    for (const line of unreadable.slice(0, 5)) io.stderr.write(`purpose-guard audit query: skipped ${line.file}:${line.line}: ${printable(line.error)}\n`);
    if (unreadable.length > 5) io.stderr.write(`purpose-guard audit query: skipped ${unreadable.length - 5} more unreadable lines\n`);
    return records.length > 0 ? EXIT.ok : EXIT.denied;
  },
};

const TAIL_FLAGS = {
  ...FILTER_FLAGS,
  follow: { type: "boolean", short: "f", description: "keep printing records as they are appended (Ctrl-C stops)" },
  lines: { type: "string", short: "n", value: "N", description: "print the last N matching records first (default 10)" },
  json: { type: "boolean", description: "print records as JSON lines" },
} as const;

export const auditTailCommand: Command = {
  name: "tail",
  summary: "print the last records of an audit log, and follow it with -f",
  help: `Usage: purpose-guard audit tail [-f] [-n N] [filters] [--json] FILE

Prints the last N records of an audit log that match the filters; with -f, keeps printing matching records as the
guard appends them, across rotations, until interrupted.

Flags:
${describeFlags(TAIL_FLAGS)}

Examples:
  purpose-guard audit tail -f .purpose-guard/audit.jsonl
  purpose-guard audit tail -f --verdict deny --verdict halt .purpose-guard/audit.jsonl`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, TAIL_FLAGS);
    if (positionals.length !== 1) throw new GuardError("USAGE", "tail takes exactly one audit log", { issues: [{ message: `got ${positionals.length}`, fix: "purpose-guard audit tail -f FILE" }] });
    const file = positionals[0]!;
    const count = flags.lines === undefined ? 10 : Number(flags.lines);
    if (!(Number.isInteger(count) && count >= 0)) throw new GuardError("USAGE", "-n must be a whole number");
    const matches = matchesAudit(filterOf(flags, Date.now()));
    const print = (record: AuditRecord) => io.stdout.write(flags.json ? `${printableJson(JSON.stringify(record))}\n` : `${formatLine(record)}\n`);
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(file)).catch(() => ({ size: 0 }));
    // Read up to the size seen now, then follow from exactly there: no record is printed twice or skipped.
    const last: AuditRecord[] = [];
    if (size > 0 && count > 0) {
      for await (const record of readAuditLog([file])) {
        if (!matches(record)) continue;
        last.push(record);
        if (last.length > count) last.shift();
      }
    }
    last.forEach(print);
    if (!flags.follow) return EXIT.ok;
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      await followAuditLog(file, { from: size, signal: controller.signal, onRecord: (record) => matches(record) && print(record) });
    } finally {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    }
    return EXIT.ok;
  },
};

const COLUMNS = ["TIME", "EVENT", "VERDICT", "TOOL", "SESSION", "THREAD", "POLICIES", "CLASSES"] as const;

/** A record's cells, each one line of printable text (see printable). */
function cells(record: AuditRecord): string[] {
  return [
    record.time,
    record.event,
    record.decision,
    record.tool ? `${record.server ?? ""}/${record.tool}` : "-",
    record.sessionId ?? "-",
    record.trace?.threadId ?? record.trace?.conversationId ?? "-",
    record.policyIds.join(",") || "-",
    record.classes.join(",") || "-",
  ].map(printable);
}

export function formatTable(records: readonly AuditRecord[]): string {
  const rows = records.map(cells);
  // A loop, not Math.max(...lengths): spreading a large log's rows overflows the call stack.
  const widths: number[] = COLUMNS.map((title) => title.length);
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column]!, Math.min(48, cell.length))));
  const fit = (cell: string, width: number) => (cell.length > width ? `${cell.slice(0, width - 1)}…` : cell.padEnd(width));
  return [[...COLUMNS], ...rows].map((row) => row.map((cell, column) => fit(cell, widths[column]!)).join("  ").trimEnd()).join("\n");
}

function formatLine(record: AuditRecord): string {
  const [time, event, decision, tool, session, thread, policies, classes] = cells(record);
  return `${time} ${event!.padEnd(11)} ${decision!.padEnd(6)} ${tool} session=${session} thread=${thread} policies=${policies} classes=${classes}`;
}
