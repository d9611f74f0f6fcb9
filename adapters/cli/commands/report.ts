import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { queryAuditLog, withRotated, type UnreadableLine } from "../../../src/audit/query.js";
import { renderReport } from "../../../src/audit/report-html.js";
import { GuardError, messageOf } from "../../../src/errors.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";
import { describeFilter, FILTER_FLAGS, filterOf } from "./audit-query.js";

const FLAGS = {
  ...FILTER_FLAGS,
  out: { type: "string", value: "FILE", description: "where to write the page (default: purpose-guard-report.html); - for stdout" },
  title: { type: "string", value: "TEXT", description: "the page's title" },
  "max-rows": { type: "string", value: "N", description: "timeline rows at most, the most recent kept (default 5000)" },
  only: { type: "boolean", description: "read just the given files, not their rotated predecessors" },
} as const;

export const reportCommand: Command = {
  name: "report",
  summary: "render an audit log (a session, a conversation, a time range) as a self-contained HTML page",
  help: `Usage: purpose-guard report [filters] [--out FILE] FILE [FILE...]

Writes one HTML page with no external resources: a summary of verdicts, the declarations and policy revisions in
force, a timeline of calls and verdicts per session (filterable by verdict and session), the classes touched,
containment steps and alerts, and approvals with their answers. Records hold no raw values, so neither does the page.

Flags:
${describeFlags(FLAGS)}

Examples:
  purpose-guard report --session s-42 --out s-42.html .purpose-guard/audit.jsonl
  purpose-guard report --thread-id conv-7 --since 2026-12-01T00:00:00Z .purpose-guard/audit.jsonl`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length === 0) throw new GuardError("USAGE", "no audit log given", { issues: [{ message: "pass the log file", fix: "purpose-guard report FILE" }] });
    const maxRows = flags["max-rows"] === undefined ? undefined : Number(flags["max-rows"]);
    if (maxRows !== undefined && !(Number.isInteger(maxRows) && maxRows > 0)) throw new GuardError("USAGE", "--max-rows must be a positive whole number");
    const now = Date.now();
    const files = flags.only ? positionals : (await Promise.all(positionals.map(withRotated))).flat();
    const unreadable: UnreadableLine[] = [];
    const records = await queryAuditLog(files, filterOf(flags, now), { onUnreadable: (line) => unreadable.push(line) });
    const html = renderReport(records, {
      generatedAt: new Date(now),
      scope: describeFilter(flags),
      ...(flags.title ? { title: flags.title } : {}),
      ...(maxRows ? { maxRows } : {}),
    });
    if (unreadable.length > 0) io.stderr.write(`purpose-guard report: skipped ${unreadable.length} unreadable line${unreadable.length === 1 ? "" : "s"} (first: ${unreadable[0]!.file}:${unreadable[0]!.line}: ${unreadable[0]!.error})\n`);
    if (flags.out === "-") {
      io.stdout.write(html);
      return EXIT.ok;
    }
    const out = resolve(io.cwd, flags.out ?? "purpose-guard-report.html");
    try {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, html);
    } catch (error) {
      throw new GuardError("AUDIT_FAILED", `cannot write the report ${out}: ${messageOf(error)}`, { issues: [{ file: out, message: messageOf(error), fix: "choose a writable --out" }] });
    }
    io.stdout.write(`wrote ${out}: ${records.length} record${records.length === 1 ? "" : "s"} (${describeFilter(flags)})\n`);
    return EXIT.ok;
  },
};
