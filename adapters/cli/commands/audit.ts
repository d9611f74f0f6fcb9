import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { withRotated } from "../../../src/audit/query.js";
import { headPath, parseHead } from "../../../src/audit/head.js";
import { verifyAuditLog, type ExpectedHead } from "../../../src/audit/verify.js";
import { GuardError, messageOf } from "../../../src/errors.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";
import { printable } from "../terminal-text.js";
import { auditQueryCommand, auditTailCommand } from "./audit-query.js";

const VERIFY_FLAGS = {
  "key-env": { type: "string", value: "VAR", description: "environment variable holding the log's HMAC key, if it was written with one" },
  only: { type: "boolean", description: "verify just the given files, not their rotated predecessors; they may start after the chain's genesis (a log pruned on purpose)" },
  "expect-head": { type: "string", value: "SEQ:HASH", description: "a head kept elsewhere (from FILE.head or an earlier verify): the chain must reach it, unchanged" },
  json: { type: "boolean", description: "print the report as JSON" },
} as const;

export const auditVerifyCommand: Command = {
  name: "verify",
  summary: "check an audit log's hash chain (exit 0 intact, 1 tampered, 2 invalid input)",
  help: `Usage: purpose-guard audit verify [--key-env VAR] [--only] [--expect-head SEQ:HASH] FILE [FILE...]

Walks the hash chain of a JSONL audit log and reports the first record that was altered, removed, reordered or is
not a record. Rotated files (FILE.000000001234) are verified first, in chain order, unless --only is given; without
--only the chain must start at its first record. The head the guard published beside the log (FILE.head), and the
one given with --expect-head, must be in the chain: records removed from its end are reported as removed. The head
file is as writable as the log: keep a copy elsewhere to check against a writer who rewrites both.

Flags:
${describeFlags(VERIFY_FLAGS)}

Examples:
  purpose-guard audit verify .purpose-guard/audit.jsonl
  purpose-guard audit verify --expect-head "$(cat /backup/audit.head)" .purpose-guard/audit.jsonl
  purpose-guard audit verify --only .purpose-guard/audit.jsonl   # a log whose oldest records were pruned`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, VERIFY_FLAGS);
    if (positionals.length === 0) throw new GuardError("USAGE", "no audit log given", { issues: [{ message: "pass the log file", fix: "purpose-guard audit verify FILE" }] });
    const key = flags["key-env"] ? io.env[flags["key-env"]] : undefined;
    if (flags["key-env"] && !key) throw new GuardError("USAGE", `$${flags["key-env"]} is not set`);
    const files = flags.only ? positionals : (await Promise.all(positionals.map(withRotated))).flat();
    const expectHeads: ExpectedHead[] = [];
    if (flags["expect-head"] !== undefined) {
      const head = parseHead(flags["expect-head"]);
      if (typeof head === "string") throw new GuardError("USAGE", `\`--expect-head ${flags["expect-head"]}\` is not a head: ${head}`, { issues: [{ message: "bad head", fix: "SEQ:HASH as the OK line prints it (12:3f5c…), or the content of FILE.head" }] });
      expectHeads.push({ ...head, source: "--expect-head" });
    }
    const published = await readHeadFile(files.at(-1)!);
    if (typeof published === "string") {
      io.stdout.write(`TAMPERED  malformed at ${headPath(files.at(-1)!)}:1: ${printable(published)}\n`);
      return EXIT.denied;
    }
    if (published) expectHeads.push(published);
    let report = await verifyAuditLog(files, { ...(key ? { key } : {}), partial: flags.only === true, expectHeads });
    // A live log rotated between listing its files and reading them reads as records removed: list again and retry.
    if (!report.ok && !flags.only) {
      const again = (await Promise.all(positionals.map(withRotated))).flat();
      if (again.join("\n") !== files.join("\n")) {
        files.splice(0, files.length, ...again);
        report = await verifyAuditLog(files, { ...(key ? { key } : {}), partial: false, expectHeads });
      }
    }
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.ok) {
      const start = report.startsAt ? ` (starts at record ${report.startsAt.seq}: earlier records were not verified)` : "";
      const checked = expectHeads.length > 0 ? `; reaches the head in ${expectHeads.map((head) => head.source).join(" and ")}` : "";
      io.stdout.write(`OK  ${report.records} records in ${files.length} file${files.length === 1 ? "" : "s"}, chain intact${start}; head ${report.head ? `${report.head.seq} ${report.head.hash}` : "(empty)"}${checked}\n`);
      // No head to reach: records removed from the end (with the head file) cannot be told from a log that ended there.
      if (expectHeads.length === 0 && report.records > 0) {
        io.stdout.write(`WARN ${headPath(files.at(-1)!)} is missing and no --expect-head was given: records removed from the end of the log would not be noticed\n`);
      }
    } else {
      const found = report.firstBreak!;
      io.stdout.write(`TAMPERED  ${found.kind} at ${found.file}:${found.line}${found.seq !== undefined ? ` (record ${found.seq})` : ""}: ${printable(found.message)}\n  ${report.records} records verified before it\n`);
    }
    return report.ok ? EXIT.ok : EXIT.denied;
  },
};

/** The head a JSONL sink published beside `log`; undefined when there is none, a string when it is unreadable. */
async function readHeadFile(log: string): Promise<ExpectedHead | string | undefined> {
  const file = headPath(log);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new GuardError("AUDIT_FAILED", `cannot read ${file}: ${messageOf(error)}`, { issues: [{ file, message: messageOf(error), fix: "check the file's permissions" }] });
  }
  const head = parseHead(text);
  return typeof head === "string" ? `not a head: ${head}` : { ...head, source: basename(file) };
}

/** `audit` groups subcommands; more register here. */
export const AUDIT_SUBCOMMANDS: Command[] = [auditVerifyCommand, auditQueryCommand, auditTailCommand];

export const auditCommand: Command = {
  name: "audit",
  summary: "work with audit logs: verify, query, tail",
  get help() {
    return `Usage: purpose-guard audit <subcommand> [flags]

Subcommands:
${AUDIT_SUBCOMMANDS.map((command) => `  ${command.name.padEnd(8)}  ${command.summary}`).join("\n")}

Run \`purpose-guard audit <subcommand> --help\` for its flags.`;
  },
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const [name, ...rest] = argv;
    const sub = AUDIT_SUBCOMMANDS.find((command) => command.name === name);
    if (!sub) {
      io.stderr.write(`purpose-guard audit: ${name ? `unknown subcommand \`${name}\`` : "missing subcommand"}\n\n${auditCommand.help}\n`);
      return EXIT.invalidInput;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(`${sub.help}\n`);
      return EXIT.ok;
    }
    return sub.run(rest, io);
  },
};
