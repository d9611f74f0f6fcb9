import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
import { createApprovalClient, readApprovalEndpoint, type ApprovalClient, type ApprovalEndpoint } from "../../../src/approve/http-client.js";
import type { PendingApproval } from "../../../src/approve/http-approver.js";
import { GuardError } from "../../../src/errors.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";

const DEFAULT_STATE = ".purpose-guard/approvals.json";

const FLAGS = {
  url: { type: "string", value: "URL", description: "the guard's approval endpoint (default: from the state file)" },
  "token-env": { type: "string", value: "VAR", description: "environment variable holding the token (default: PURPOSE_GUARD_APPROVAL_TOKEN, else the state file's)" },
  state: { type: "string", value: "FILE", description: `state file the guard's HTTP approver wrote (default: ${DEFAULT_STATE})` },
  as: { type: "string", value: "NAME", description: "who answers (default: $USER@host); recorded in the audit log" },
  note: { type: "string", value: "TEXT", description: "a note recorded with the answer" },
  json: { type: "boolean", description: "print JSON" },
} as const;

export const approvalsCommand: Command = {
  name: "approvals",
  summary: "list, approve or deny the calls a running guard is waiting on",
  help: `Usage: purpose-guard approvals list [--json]
       purpose-guard approvals show ID [--json]
       purpose-guard approvals approve ID [--as NAME] [--note TEXT]
       purpose-guard approvals deny ID [--as NAME] [--note TEXT]

Answers the guard's conditional approvals through its HTTP approver (startHttpApprover, loopback by default). An
approval covers the exact call that was asked for (tool and arguments, by digest) under the same declaration, until it
expires; a call with other arguments asks again. No answer before the guard's timeout denies the call. ID may be any
unique prefix of the approval id.

Exit codes: 0 done, 1 no such pending approval (answered, expired or unknown), 2 invalid input, 3 endpoint unreachable.

Flags:
${describeFlags(FLAGS)}

Examples:
  purpose-guard approvals list
  purpose-guard approvals approve 3f2a --as alice@acme.example --note "customer asked for it"`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, FLAGS);
    const [verb, id, ...extra] = positionals;
    if (extra.length > 0) throw new GuardError("USAGE", `unexpected argument \`${extra[0]}\``);
    if (verb !== "list" && verb !== "show" && verb !== "approve" && verb !== "deny") {
      throw new GuardError("USAGE", verb ? `unknown action \`${verb}\`` : "missing action", { issues: [{ message: "expected list, show, approve or deny", fix: "purpose-guard approvals list" }] });
    }
    if (verb !== "list" && !id) throw new GuardError("USAGE", `\`approvals ${verb}\` needs an approval ID`, { issues: [{ message: "no ID given", fix: "see `purpose-guard approvals list`" }] });
    const client = createApprovalClient(await endpointOf(flags, io));
    if (verb === "list") {
      const pending = await client.list();
      io.stdout.write(flags.json ? `${JSON.stringify(pending, null, 2)}\n` : `${table(pending)}\n`);
      return EXIT.ok;
    }
    const found = await findPending(client, id!);
    if (typeof found === "string") {
      io.stderr.write(`purpose-guard approvals: ${found}\n`);
      return EXIT.denied;
    }
    if (verb === "show") {
      io.stdout.write(flags.json ? `${JSON.stringify(found, null, 2)}\n` : `${describe(found)}\n`);
      return EXIT.ok;
    }
    const approver = flags.as ?? defaultIdentity(io);
    const answer = await client.answer(found.approvalId, { approved: verb === "approve", approver, ...(flags.note ? { note: flags.note } : {}), callDigest: found.callDigest });
    io.stdout.write(`${answer.approved ? "APPROVED" : "DENIED"}  ${found.server}/${found.tool} (approval ${found.approvalId}) by ${answer.approver}\n`);
    return EXIT.ok;
  },
};

async function endpointOf(flags: { url?: string; "token-env"?: string; state?: string }, io: CliIO): Promise<ApprovalEndpoint> {
  const tokenVar = flags["token-env"] ?? "PURPOSE_GUARD_APPROVAL_TOKEN";
  const envToken = io.env[tokenVar];
  if (flags["token-env"] && !envToken) throw new GuardError("USAGE", `$${tokenVar} is not set`);
  if (flags.url && envToken) return { url: flags.url, token: envToken };
  const state = await readApprovalEndpoint(resolve(io.cwd, flags.state ?? DEFAULT_STATE));
  return { url: flags.url ?? state.url, token: envToken ?? state.token };
}

/** The pending approval an id or unique id prefix names, or why there is none. */
async function findPending(client: ApprovalClient, id: string): Promise<PendingApproval | string> {
  const exact = await client.get(id).catch(() => undefined);
  if (exact) return exact;
  const matches = (await client.list()).filter((approval) => approval.approvalId.startsWith(id));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) return `\`${id}\` matches ${matches.length} pending approvals; give more of the id`;
  return `no pending approval \`${id}\`: answered, expired or unknown`;
}

function table(pending: readonly PendingApproval[]): string {
  if (pending.length === 0) return "no approvals are pending";
  const rows = pending.map((approval) => [approval.approvalId.slice(0, 8), `${approval.server}/${approval.tool}`, approval.sessionId, approval.policyIds.join(","), approval.expiresAt]);
  const head = ["ID", "TOOL", "SESSION", "POLICIES", "EXPIRES"];
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [head, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n");
}

function describe(approval: PendingApproval): string {
  return [
    `approval  ${approval.approvalId}`,
    `tool      ${approval.server}/${approval.tool}`,
    `session   ${approval.sessionId}`,
    `declared  ${approval.declarationId} (sha256:${approval.declarationDigest.slice(0, 16)})`,
    `call      sha256:${approval.callDigest}`,
    `asked by  ${approval.policyIds.join(", ")}`,
    ...approval.reasons.map((reason) => `          - ${reason}`),
    `arguments ${JSON.stringify(approval.argsPreview, null, 2).split("\n").join("\n          ")}`,
    `expires   ${approval.expiresAt}`,
  ].join("\n");
}

function defaultIdentity(io: CliIO): string {
  const user = io.env["USER"] ?? io.env["LOGNAME"] ?? safeUser();
  return `${user}@${hostname()}`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "operator";
  }
}
