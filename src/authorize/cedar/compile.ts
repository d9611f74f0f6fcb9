import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { basename } from "node:path";
import { canonicalJson, sha256Hex } from "../../declare/canonical.js";
import { GuardError, type Issue } from "../../errors.js";
import type { DeterminingPolicy } from "../engine.js";
import type { Response } from "../../model/verdict.js";
import type { PolicySource } from "./policy-source.js";

export type PolicyJson = cedar.PolicyJson;

/** One policy, parsed, validated and annotated, ready for the engine. */
export interface CompiledPolicy extends DeterminingPolicy {
  readonly file: string;
  readonly line: number;
  /**
   * The policy's Cedar text, what the engine evaluates; `ask` forbids carry an extra `unless` that lifts them for an
   * approved call, and `alert` forbids are evaluated as permits (see `observeAsPermit`).
   */
  readonly text: string;
  /** The same policy as Cedar JSON, for analysis. */
  readonly json: PolicyJson;
  /**
   * False when the policy holds an integer beyond 2^53: JSON numbers in JavaScript cannot carry it, so the engine
   * must not round-trip this policy through JSON (partial evaluation returns JSON).
   */
  readonly exactAsJson: boolean;
}

export interface CompiledPolicySet {
  readonly schemaText: string;
  readonly policies: readonly CompiledPolicy[];
  readonly byId: ReadonlyMap<string, CompiledPolicy>;
  /** Short digest of the schema and every policy: the policy-set revision recorded in each verdict. */
  readonly revision: string;
}

const RESPONSES: readonly Response[] = ["deny", "ask", "redact", "halt", "alert"];
/** `revoke-approvals`, or `hook:<name>` for a hook configured in `monitor.hooks`. */
const REMEDIATION = /^(revoke-approvals|hook:[A-Za-z0-9_.-]+)$/;

/**
 * Parses and strictly validates every policy against the schema, once, at start. Any problem stops start-up with the
 * file, line and Cedar's message: a guard never runs with a policy it could not check.
 */
export function compilePolicies(schema: PolicySource, sources: readonly PolicySource[]): CompiledPolicySet {
  const schemaCheck = cedar.checkParseSchema(schema.text);
  if (schemaCheck.type === "failure") {
    throw new GuardError("POLICY_INVALID", `the Cedar schema ${schema.file} does not parse`, {
      issues: schemaCheck.errors.map((error) => cedarIssue(schema, error)),
    });
  }
  const issues: Issue[] = [];
  const policies: CompiledPolicy[] = [];
  for (const source of sources) policies.push(...compileFile(schema, source, issues));

  const byId = new Map<string, CompiledPolicy>();
  for (const policy of policies) {
    const earlier = byId.get(policy.id);
    if (earlier) {
      issues.push({ file: policy.file, line: policy.line, message: `policy id \`${policy.id}\` is already used at ${earlier.file}:${earlier.line}`, fix: "give each policy a unique @id" });
    }
    byId.set(policy.id, policy);
  }
  if (issues.length > 0) {
    throw new GuardError("POLICY_INVALID", `${issues.length} problem${issues.length === 1 ? "" : "s"} in the policies`, { issues });
  }
  const revision = sha256Hex(canonicalJson({ schema: schema.text, policies: policies.map((policy) => [policy.id, policy.json]) })).slice(0, 12);
  return { schemaText: schema.text, policies, byId, revision };
}

function compileFile(schema: PolicySource, source: PolicySource, issues: Issue[]): CompiledPolicy[] {
  const parsed = cedar.checkParsePolicySet({ staticPolicies: source.text });
  if (parsed.type === "failure") {
    issues.push(...parsed.errors.map((error) => cedarIssue(source, error)));
    return [];
  }
  const parts = cedar.policySetTextToParts(source.text);
  if (parts.type === "failure") {
    issues.push(...parts.errors.map((error) => cedarIssue(source, error)));
    return [];
  }
  if (parts.policy_templates.length > 0) {
    issues.push({ file: source.file, message: "policy templates are not supported", fix: "write static policies" });
  }
  const compiled: CompiledPolicy[] = [];
  const idsByIndex: string[] = [];
  let cursor = 0;
  parts.policies.forEach((text, index) => {
    const at = source.text.indexOf(text, cursor);
    if (at >= 0) cursor = at + text.length;
    const line = at >= 0 ? lineColumn(source.text, Buffer.byteLength(source.text.slice(0, at))).line : 1;
    const json = cedar.policyToJson(text);
    if (json.type === "failure") {
      issues.push(...json.errors.map((error) => cedarIssue(source, error)));
      return;
    }
    const policy = annotate(json.json, text, source.file, line, index, issues);
    if (policy) compiled.push(policy);
    idsByIndex[index] = policy?.id ?? `policy${index}`;
  });

  // Cedar names policies of a text `policy0`, `policy1`...: say the @id instead, and report a problem once even
  // when Cedar finds it for each action the policy applies to.
  const validation = cedar.validate({ schema: schema.text, policies: { staticPolicies: source.text }, validationSettings: { mode: "strict" } });
  const errors = validation.type === "failure" ? validation.errors : validation.validationErrors.map((error) => error.error);
  const seen = new Set<string>();
  for (const error of errors) {
    const issue = cedarIssue(source, error);
    const key = `${issue.line}:${issue.column}:${issue.fix ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ ...issue, message: issue.message.replace(/policy `policy(\d+)`/g, (_, n: string) => `policy \`${idsByIndex[Number(n)] ?? `policy${n}`}\``) });
  }
  return compiled;
}

function annotate(json: PolicyJson, text: string, file: string, line: number, index: number, issues: Issue[]): CompiledPolicy | undefined {
  const annotations = json.annotations ?? {};
  const id = annotations["id"] ?? `${basename(file, ".cedar")}:${index + 1}`;
  const response = annotations["response"];
  if (response !== undefined && !RESPONSES.includes(response as Response)) {
    issues.push({ file, line, path: id, message: `@response("${response}") is not one of ${RESPONSES.join(", ")}`, fix: "use deny, ask, redact, halt or alert" });
    return undefined;
  }
  if (response !== undefined && json.effect === "permit") {
    issues.push({ file, line, path: id, message: "@response on a permit has no effect", fix: "put @response on forbid policies only" });
    return undefined;
  }
  const effect = json.effect;
  const reason = annotations["reason"] ?? `${effect === "permit" ? "permitted" : "forbidden"} by policy ${id}`;
  const redact = annotations["redact"]?.split(/[\s,]+/).filter(Boolean);
  const remediate = annotations["remediate"]?.split(/[\s,]+/).filter(Boolean);
  const bad = remediate?.find((action) => !REMEDIATION.test(action));
  if (bad !== undefined) {
    issues.push({ file, line, path: id, message: `@remediate action \`${bad}\` is not known`, fix: "use revoke-approvals or hook:<name> (a hook configured in monitor.hooks)" });
    return undefined;
  }
  if (remediate !== undefined && effect === "permit") {
    issues.push({ file, line, path: id, message: "@remediate on a permit has no effect", fix: "put @remediate on forbid policies only" });
    return undefined;
  }
  const lifted = response === "ask" ? liftOnApproval(json, id) : response === "alert" ? observeAsPermit(json) : json;
  return {
    text: response === "ask" ? liftTextOnApproval(text, id) : response === "alert" ? textAsPermit(text) : text,
    exactAsJson: !hasUnsafeInteger(json),
    id,
    effect,
    ...(effect === "forbid" ? { response: (response as Response | undefined) ?? "deny" } : {}),
    reason,
    ...(redact && redact.length > 0 ? { redactClasses: redact } : {}),
    ...(remediate && remediate.length > 0 ? { remediate } : {}),
    file,
    line,
    json: lifted,
  };
}

/**
 * An `ask` forbid stops applying once a person approved this exact call: the guard puts the policy's id into
 * `context.approvals` and re-decides, so approval is visible to every policy and recorded in the audit log.
 */
function liftOnApproval(json: PolicyJson, id: string): PolicyJson {
  const approvals: cedar.Expr = { ".": { left: { Var: "context" }, attr: "approvals" } };
  const clause: cedar.Clause = { kind: "unless", body: { contains: { left: approvals, right: { Value: id } } } };
  return { ...json, conditions: [...json.conditions, clause] };
}

/**
 * An `alert` forbid must be seen without deciding anything. Evaluated as a permit, it shows up among the determining
 * policies of every allow it matches and can never turn an allow into a deny; the guard ignores it when it is the
 * only permit (the call is then denied by default, as without it). On a deny, Cedar reports only the forbids, so an
 * alert is not seen on calls another policy denies anyway.
 */
function observeAsPermit(json: PolicyJson): PolicyJson {
  return { ...json, effect: "permit" };
}

/** The textual twin of `observeAsPermit`: the effect keyword after the annotations becomes `permit`. */
export function textAsPermit(text: string): string {
  let i = 0;
  const skipSpace = () => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (!text.startsWith("//", i)) return;
      while (i < text.length && text[i] !== "\n") i++;
    }
  };
  for (;;) {
    skipSpace();
    if (text[i] !== "@") break;
    i++;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
    skipSpace();
    if (text[i] !== "(") continue;
    i++;
    skipSpace();
    if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      i++;
    }
    skipSpace();
    if (text[i] === ")") i++;
  }
  if (!text.startsWith("forbid", i)) throw new Error("an alert policy must be a forbid");
  return `${text.slice(0, i)}permit${text.slice(i + "forbid".length)}`;
}

/** The textual twin of `liftOnApproval` (Cedar accepts any number of when/unless clauses). */
function liftTextOnApproval(text: string, id: string): string {
  return text.replace(/;\s*$/, ` unless { context.approvals.contains(${JSON.stringify(id)}) };`);
}

function hasUnsafeInteger(node: unknown): boolean {
  if (typeof node === "number") return Number.isInteger(node) && !Number.isSafeInteger(node);
  if (node === null || typeof node !== "object") return false;
  return Object.values(node as Record<string, unknown>).some(hasUnsafeInteger);
}

function cedarIssue(source: PolicySource, error: cedar.DetailedError): Issue {
  const location = error.sourceLocations?.[0];
  const position = location ? lineColumn(source.text, location.start) : undefined;
  return {
    file: source.file,
    ...(position ?? {}),
    message: error.message,
    ...(error.help ? { fix: error.help } : {}),
  };
}

/** 1-based line and column of a UTF-8 byte offset, the unit Cedar's source locations count in. */
function lineColumn(text: string, byteOffset: number): { line: number; column: number } {
  const offset = Buffer.from(text).subarray(0, byteOffset).toString().length;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
