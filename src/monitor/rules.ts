import { z } from "zod";
import type { DataClass } from "../model/data-class.js";
import type { Notifier, NotifierInput } from "./notify.js";
import type { RemediationHook } from "./remediate.js";

/**
 * The drift rules: behaviour over a session (not a single call) that departs from the declared purpose. Each has an
 * id (cited in verdicts and audit records like a policy id) and a configurable response.
 */
export const DRIFT_RULES = {
  "budget-calls-per-minute": { response: "block", reason: "the session exceeds the declaration's budgets.callsPerMinute" },
  "budget-calls-per-session": { response: "halt", reason: "the session exceeds the declaration's budgets.callsPerSession" },
  "budget-records-read": { response: "halt", reason: "the session has read more records than the declaration's budgets.recordsRead" },
  "budget-bytes-read": { response: "halt", reason: "the session has read more bytes than the declaration's budgets.bytesRead" },
  "burst-above-baseline": { response: "alert", reason: "the session calls tools far faster than its own earlier rate" },
  "sensitive-read-then-egress": { response: "ask", reason: "data leaves through an egress tool after the session read sensitive classes" },
  "repeated-denials": { response: "halt", reason: "the session keeps hitting denials, as an agent probing its bounds does" },
  "tool-definition-changed": { response: "block", reason: "the tool's description or schema changed since it was pinned" },
  "tool-unpinned": { response: "alert", reason: "the tool is not pinned: its description was never reviewed" },
} as const satisfies Record<string, { response: RuleResponse; reason: string }>;

export type DriftRuleId = keyof typeof DRIFT_RULES;

/** The rungs a rule may answer with: `block` denies the call, `halt` stops the session, `ask` needs a person. */
export type RuleResponse = "alert" | "block" | "ask" | "halt";

export interface RuleSetting {
  /** `off` disables the rule. */
  readonly response?: RuleResponse | "off";
  /** Remediations when the rule fires: `revoke-approvals`, `hook:<name>`. */
  readonly remediate?: readonly string[];
}

export interface MonitorConfig {
  /** Per rule: a response, or a setting with remediations. Unlisted rules keep their default response. */
  readonly rules?: { readonly [K in DriftRuleId]?: RuleResponse | "off" | RuleSetting };
  /** `burst-above-baseline`: the recent window, how many times the baseline rate, the fewest calls, the history needed. */
  readonly burst?: { readonly windowMs?: number; readonly factor?: number; readonly minCalls?: number; readonly baselineMs?: number };
  /** `repeated-denials`: this many denials among the last `window` decisions (at most 20). */
  readonly probing?: { readonly threshold?: number; readonly window?: number };
  /** `sensitive-read-then-egress`: the classes that count as sensitive (dotted: `secret` covers `secret.*`). */
  readonly sensitiveClasses?: readonly DataClass[];
  /** Known-good tool digests, `server/tool` → digest; other tools are pinned at first sight. */
  readonly pins?: Readonly<Record<string, string>>;
  /** Where alerts and containment steps are sent besides the audit log. */
  readonly notify?: readonly NotifierInput[];
  /** Remediation hooks that policies and rules name as `hook:<name>`. */
  readonly hooks?: Readonly<Record<string, RemediationHook>>;
}

export const DEFAULT_SENSITIVE_CLASSES: readonly DataClass[] = ["secret", "financial", "health", "pii.ssn", "pii.national_id", "pii.passport", "pii.driver_license"];

/** A rule as the monitor runs it. */
export interface ResolvedRule {
  readonly id: DriftRuleId;
  readonly response: RuleResponse;
  readonly reason: string;
  readonly remediate: readonly string[];
}

export interface ResolvedMonitorConfig {
  readonly rules: ReadonlyMap<DriftRuleId, ResolvedRule>;
  readonly burst: { readonly windowMs: number; readonly factor: number; readonly minCalls: number; readonly baselineMs: number };
  readonly probing: { readonly threshold: number; readonly window: number };
  readonly sensitiveClasses: readonly DataClass[];
  readonly pins: ReadonlyMap<string, string>;
}

const response = z.enum(["alert", "block", "ask", "halt"]);
const remediation = z.string().regex(/^(revoke-approvals|hook:[A-Za-z0-9_.-]+)$/, { error: "must be `revoke-approvals` or `hook:<name>`" });
const setting = z.union([response, z.literal("off"), z.strictObject({ response: z.union([response, z.literal("off")]).optional(), remediate: z.array(remediation).optional() })]);
const positive = z.number().positive();
const positiveInt = z.number().int().positive();

export const monitorConfigSchema = z.strictObject({
  rules: z.strictObject(Object.fromEntries(Object.keys(DRIFT_RULES).map((id) => [id, setting.optional()])) as Record<DriftRuleId, z.ZodOptional<typeof setting>>).optional(),
  burst: z.strictObject({ windowMs: positiveInt.optional(), factor: positive.optional(), minCalls: positiveInt.optional(), baselineMs: positiveInt.optional() }).optional(),
  probing: z.strictObject({ threshold: positiveInt.optional(), window: z.number().int().min(1).max(20).optional() }).optional(),
  sensitiveClasses: z.array(z.string().min(1)).optional(),
  pins: z.record(z.string().regex(/^[^/]+\/.+$/, { error: "keys are `server/tool`" }), z.string().min(1)).optional(),
  notify: z
    .array(
      z.union([
        z.strictObject({ type: z.literal("stderr") }),
        z.strictObject({ type: z.literal("webhook"), url: z.string().min(1), headers: z.record(z.string(), z.string()).optional(), timeoutMs: positiveInt.optional(), allowRemote: z.boolean().optional() }),
        z.custom<Notifier>((value) => typeof value === "function" || (typeof value === "object" && value !== null && typeof (value as Record<string, unknown>)["notify"] === "function")),
      ], { error: "must be {type: stderr}, {type: webhook, url}, a Notifier or a function" }),
    )
    .optional(),
  hooks: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.custom<RemediationHook>((value) => typeof value === "function", { error: "must be a function" })).optional(),
});

/** Applies defaults; `config` was validated by `monitorConfigSchema`. */
export function resolveMonitorConfig(config: MonitorConfig = {}): ResolvedMonitorConfig {
  const rules = new Map<DriftRuleId, ResolvedRule>();
  for (const [id, defaults] of Object.entries(DRIFT_RULES) as [DriftRuleId, (typeof DRIFT_RULES)[DriftRuleId]][]) {
    const given = config.rules?.[id];
    const chosen = typeof given === "string" ? given : given?.response ?? defaults.response;
    if (chosen === "off") continue;
    rules.set(id, { id, response: chosen, reason: defaults.reason, remediate: typeof given === "object" ? given.remediate ?? [] : [] });
  }
  return {
    rules,
    burst: { windowMs: 10_000, factor: 5, minCalls: 10, baselineMs: 60_000, ...config.burst },
    probing: { threshold: 5, window: 20, ...config.probing },
    sensitiveClasses: config.sensitiveClasses ?? DEFAULT_SENSITIVE_CLASSES,
    pins: new Map(Object.entries(config.pins ?? {})),
  };
}
