import type { Verdict } from "./model/verdict.js";

/**
 * Every error the guard raises has one code from this table, so users can search for it. Messages name the input
 * and say how to fix it. A deny is never an error: it is a `Verdict`.
 */
export const ERROR_CODES = {
  DECLARATION_UNREADABLE: "the declaration file cannot be read",
  DECLARATION_SYNTAX: "the declaration is not valid YAML or JSON",
  DECLARATION_INVALID: "the declaration does not match the purpose-guard/v1 schema",
  DECLARATION_TOO_BROAD: "the declaration is too vague to bound the workload's intent",
  DECLARATION_SIGNATURE: "the declaration's signature is missing or does not verify",
  KEY_INVALID: "a signing or verification key cannot be used",
  POLICY_UNREADABLE: "a policy file or directory cannot be read",
  POLICY_INVALID: "a policy does not parse or does not validate against the schema",
  CONFIG_INVALID: "the guard configuration is invalid",
  ENGINE_ERROR: "the policy engine failed while deciding",
  AUDIT_FAILED: "an audit sink cannot write",
  FLOW_STORE_FAILED: "the flow store could not remember what a result carried",
  AUDIT_CHAIN_BROKEN: "an audit log's hash chain does not verify",
  APPROVAL_FAILED: "an approval could not be obtained",
  GUARD_CLOSED: "the guard was closed",
  CALL_REFUSED: "the guard refused a call where the framework can only be stopped by an exception",
  SESSION_HALTED: "the guard halted the session; an operator must release it",
  USAGE: "a command was called with invalid arguments",
  OUTPUT_FAILED: "a command's output cannot be written",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One precise complaint about an input: where it is, what is wrong, how to fix it. */
export interface Issue {
  readonly file?: string;
  /** 1-based, when the input is a text file. */
  readonly line?: number;
  readonly column?: number;
  /** Dotted field path, e.g. `dataScope.read[1]`. */
  readonly path?: string;
  readonly message: string;
  readonly fix?: string;
}

export class GuardError extends Error {
  override readonly name = "GuardError";
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, message: string, options?: { issues?: readonly Issue[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options?.issues ?? [];
  }

  /** The message followed by one line per issue, as the CLI prints it. */
  describe(): string {
    return [`${this.code}: ${this.message}`, ...this.issues.map(formatIssue)].join("\n");
  }
}

export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(":");
  const field = issue.path ? `${issue.path}: ` : "";
  const fix = issue.fix ? ` (fix: ${issue.fix})` : "";
  return `  ${where ? `${where}: ` : ""}${field}${issue.message}${fix}`;
}

export function isGuardError(error: unknown): error is GuardError {
  return error instanceof GuardError;
}

/** The message of anything thrown, for verdict errors and logs. */
export function messageOf(error: unknown): string {
  if (error instanceof GuardError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A verdict that an adapter can only deliver by throwing: a halt (the run must end), or a refusal where the framework
 * has no answer value to carry it (a plain `tool.invoke`, a callback handler). The verdict says which policies decided.
 */
/** Verdicts a guard returned: a refusal built on one of them, with its own message, is the guard's (`isGuardRefusal`). */
const issued = new WeakSet<object>();

/** Records a verdict as the guard's own (the guard calls it for every verdict it returns). */
export function issue<V extends Verdict>(verdict: V): V {
  issued.add(verdict);
  return verdict;
}

/**
 * Whether an error is a refusal the guard made: its verdict came from a guard and its message is the verdict's.
 * A tool can construct a `RefusalError` (the class is public) with any message; adapters pass only these through.
 */
export function isGuardRefusal(error: unknown): error is RefusalError {
  return error instanceof RefusalError && issued.has(error.verdict) && error.message === refusalMessageOf(error.verdict);
}

function refusalMessageOf(verdict: Exclude<Verdict, { decision: "allow" }>): string {
  return "message" in verdict ? verdict.message : `purpose-guard refused the call (decision ${verdict.decisionId})`;
}

export class RefusalError extends GuardError {
  readonly verdict: Exclude<Verdict, { decision: "allow" }>;

  constructor(verdict: Exclude<Verdict, { decision: "allow" }>, message = refusalMessageOf(verdict)) {
    super(verdict.decision === "halt" ? "SESSION_HALTED" : "CALL_REFUSED", message);
    this.verdict = verdict;
  }
}

/**
 * The `RefusalError` behind an error a framework threw, if any. Frameworks wrap what a tool or middleware throws
 * (LangChain's `MiddlewareError`, the OpenAI SDK's `OpenAIError`) and keep the original as `cause`.
 */
export function refusalOf(error: unknown): RefusalError | undefined {
  for (let current = error, depth = 0; current !== null && current !== undefined && depth < 16; depth++) {
    if (current instanceof RefusalError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
