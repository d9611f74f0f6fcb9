import { readFile } from "node:fs/promises";
import { createGuard } from "../../../src/guard.js";
import { GuardError, isGuardError, formatIssue } from "../../../src/errors.js";
import type { RuntimeBounds } from "../../../src/authorize/engine.js";
import type { Verdict } from "../../../src/model/verdict.js";
import { runtimeFromEnv } from "../../../src/config.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";
import { clockAt } from "../time-flag.js";

const FLAGS = {
  declaration: { type: "string", value: "FILE", description: "the purpose declaration to gate (YAML or JSON)" },
  policies: { type: "list", value: "PATH", description: "policy file or directory added to the base policies (repeatable)" },
  environment: { type: "string", value: "E", description: "the target environment (default: $PURPOSE_GUARD_ENVIRONMENT)" },
  region: { type: "string", value: "R", description: "the target region (default: $PURPOSE_GUARD_REGION)" },
  account: { type: "string", value: "A", description: "the target account (default: $PURPOSE_GUARD_ACCOUNT)" },
  tenant: { type: "string", value: "T", description: "the tenant served (default: $PURPOSE_GUARD_TENANT)" },
  at: { type: "string", value: "TIME", description: "decide as of this ISO 8601 time instead of now" },
  "public-key": { type: "list", value: "PEM", description: "trusted Ed25519 public key: only a declaration it signed passes (repeatable)" },
  "allow-broad-scopes": { type: "boolean", description: "accept whole families (`pii`) in the data scope" },
  "max-lifespan-days": { type: "string", value: "N", description: "longest accepted lifespan (default 90)" },
  audit: { type: "string", value: "FILE", description: "also append the decision to this hash-chained audit log" },
  json: { type: "boolean", description: "print the verdict as JSON" },
} as const;

export const checkCommand: Command = {
  name: "check",
  summary: "deploy-time gate: may this declaration start here? (exit 0 allow, 1 deny, 2 invalid input)",
  help: `Usage: purpose-guard check --declaration FILE [--policies DIR] [--environment E --region R --account A]

Decides whether a workload with this purpose declaration may start in the target environment, with the same Cedar
policies the runtime guard enforces, and prints the decision and the policies behind it. Meant for CI/CD gates.

Exit codes: 0 allow, 1 deny (including a declaration refused as too vague or wrongly signed), 2 invalid input.

Flags:
${describeFlags(FLAGS)}

Examples:
  purpose-guard check --declaration examples/declarations/support.yaml \\
    --environment production --region eu-west-1 --account 123456789012 --at 2026-12-01T00:00:00Z
  purpose-guard check --declaration agent.yaml --policies policies/packs/support --public-key security.pub.pem`,
  run: runCheck,
};

async function runCheck(argv: readonly string[], io: CliIO): Promise<number> {
  const { flags, positionals } = parseArgs(argv, FLAGS);
  if (positionals.length > 0) throw new GuardError("USAGE", `unexpected argument \`${positionals[0]}\``, { issues: [{ message: "check takes flags only", fix: "pass the declaration with --declaration FILE" }] });
  if (!flags.declaration) throw new GuardError("USAGE", "--declaration is required", { issues: [{ message: "no declaration given", fix: "--declaration FILE" }] });
  const maxLifespanDays = flags["max-lifespan-days"] === undefined ? undefined : Number(flags["max-lifespan-days"]);
  if (maxLifespanDays !== undefined && !(Number.isInteger(maxLifespanDays) && maxLifespanDays > 0)) {
    throw new GuardError("USAGE", "--max-lifespan-days must be a positive whole number");
  }
  const fromEnv = runtimeFromEnv(io.env);
  const runtime: RuntimeBounds = {
    ...fromEnv,
    ...(flags.environment ? { environment: flags.environment } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.account ? { account: flags.account } : {}),
    ...(flags.tenant ? { tenant: flags.tenant } : {}),
  };
  const trustedKeys = await Promise.all((flags["public-key"] ?? []).map((file) => readKeyFile(file)));
  const clock = clockAt(flags.at);

  let guard;
  try {
    guard = await createGuard({
      declaration: flags.declaration,
      ...(flags.policies ? { policies: flags.policies } : {}),
      audit: flags.audit ? [{ type: "jsonl", path: flags.audit }] : [],
      runtime,
      ...(clock ? { clock } : {}),
      ...(trustedKeys.length > 0 ? { trustedKeys } : {}),
      ...(flags["allow-broad-scopes"] ? { allowBroadScopes: true } : {}),
      ...(maxLifespanDays ? { maxLifespanDays } : {}),
    });
  } catch (error) {
    // A well-formed declaration that is too vague or wrongly signed is a deny, not an input error: the gate says no.
    if (isGuardError(error) && (error.code === "DECLARATION_TOO_BROAD" || error.code === "DECLARATION_SIGNATURE")) {
      if (flags.json) io.stdout.write(`${JSON.stringify({ decision: "deny", refused: error.code, message: error.message, issues: error.issues }, null, 2)}\n`);
      else io.stdout.write(`DENY  ${error.message}\n${error.issues.map(formatIssue).join("\n")}\n`);
      return EXIT.denied;
    }
    throw error;
  }
  try {
    const verdict = await guard.check(runtime);
    io.stdout.write(flags.json ? `${JSON.stringify(verdict, null, 2)}\n` : `${describeVerdict(verdict, runtime)}\n`);
    return verdict.decision === "allow" ? EXIT.ok : EXIT.denied;
  } finally {
    await guard.close();
  }
}

function describeVerdict(verdict: Verdict, runtime: RuntimeBounds): string {
  const where = [runtime.environment ?? "?", runtime.region, runtime.account, runtime.tenant].filter(Boolean).join(" / ");
  const { id, version, digest } = verdict.declaration;
  const head = `${verdict.decision === "allow" ? "ALLOW" : "DENY "} ${id} v${version} (sha256:${digest.slice(0, 16)}) in ${where}`;
  const lines = verdict.reasons.map((reason) => `  ${reason.response === "permit" ? "permit" : reason.response.padEnd(6)} ${reason.policyId}: ${reason.reason}`);
  const errors = verdict.errors.map((error) => `  error  ${error}`);
  return [head, ...lines, ...errors, `  policy revision ${verdict.policyRevision}, decision ${verdict.decisionId}`].join("\n");
}

async function readKeyFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new GuardError("KEY_INVALID", `cannot read the key file ${file}`, { issues: [{ file, message: String((error as Error).message), fix: "check the path" }], cause: error });
  }
}
