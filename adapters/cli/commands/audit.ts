import { withRotated } from "../../../src/audit/query.js";
import { verifyAuditLog } from "../../../src/audit/verify.js";
import { GuardError } from "../../../src/errors.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";
import { printable } from "../terminal-text.js";
import { auditQueryCommand, auditTailCommand } from "./audit-query.js";

const VERIFY_FLAGS = {
  "key-env": { type: "string", value: "VAR", description: "environment variable holding the log's HMAC key, if it was written with one" },
  only: { type: "boolean", description: "verify just the given files, not their rotated predecessors" },
  json: { type: "boolean", description: "print the report as JSON" },
} as const;

export const auditVerifyCommand: Command = {
  name: "verify",
  summary: "check an audit log's hash chain (exit 0 intact, 1 tampered, 2 invalid input)",
  help: `Usage: purpose-guard audit verify [--key-env VAR] [--only] FILE [FILE...]

Walks the hash chain of a JSONL audit log and reports the first record that was altered, removed, reordered or is
not a record. Rotated files (FILE.000000001234) are verified first, in chain order, unless --only is given.

Flags:
${describeFlags(VERIFY_FLAGS)}

Example:
  purpose-guard audit verify .purpose-guard/audit.jsonl`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, VERIFY_FLAGS);
    if (positionals.length === 0) throw new GuardError("USAGE", "no audit log given", { issues: [{ message: "pass the log file", fix: "purpose-guard audit verify FILE" }] });
    const key = flags["key-env"] ? io.env[flags["key-env"]] : undefined;
    if (flags["key-env"] && !key) throw new GuardError("USAGE", `$${flags["key-env"]} is not set`);
    const files = flags.only ? positionals : (await Promise.all(positionals.map(withRotated))).flat();
    const report = await verifyAuditLog(files, key ? { key } : {});
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.ok) {
      const start = report.startsAt ? ` (starts at record ${report.startsAt.seq}: earlier files were not given)` : "";
      io.stdout.write(`OK  ${report.records} records in ${files.length} file${files.length === 1 ? "" : "s"}, chain intact${start}; head ${report.head ? `${report.head.seq} ${report.head.hash}` : "(empty)"}\n`);
    } else {
      const found = report.firstBreak!;
      io.stdout.write(`TAMPERED  ${found.kind} at ${found.file}:${found.line}${found.seq !== undefined ? ` (record ${found.seq})` : ""}: ${printable(found.message)}\n  ${report.records} records verified before it\n`);
    }
    return report.ok ? EXIT.ok : EXIT.denied;
  },
};

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
