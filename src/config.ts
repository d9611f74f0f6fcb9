import { createPublicKey, KeyObject } from "node:crypto";
import { z } from "zod";
import type { Approver } from "./approve/approver.js";
import type { AuditSink } from "./audit/sink.js";
import type { AuditSinkConfig } from "./audit/sinks.js";
import type { PolicyEngine, RuntimeBounds } from "./authorize/engine.js";
import type { ToolConfig } from "./catalog/tool-catalog.js";
import type { Classifier, Redactor } from "./classify/classifier.js";
import type { ClassifierOptions } from "./classify/classify.js";
import type { RedactorOptions } from "./classify/redact.js";
import type { MemoryFlowStoreOptions } from "./flow/memory-flow-store.js";
import { formatPath } from "./declare/load.js";
import { readKey } from "./declare/sign.js";
import { GuardError } from "./errors.js";
import type { FlowStore } from "./flow/flow-store.js";
import type { Declaration } from "./model/declaration.js";
import { monitorConfigSchema, type MonitorConfig } from "./monitor/rules.js";

/** Everything `createGuard` accepts. Only `declaration` is required. */
export interface GuardConfig {
  /** A declaration file (YAML or JSON), or the declaration as an object. */
  readonly declaration: string | Declaration;
  /** Policy files or directories added to the built-in base policies. */
  readonly policies?: string | readonly string[];
  /** Replace the base policies instead of adding to them (expert use: you then own deny-by-default rules). */
  readonly basePolicies?: boolean;
  /** Audit sinks; default: a hash-chained JSONL file at `.purpose-guard/audit.jsonl`. `[]` turns auditing off. */
  readonly audit?: readonly (AuditSinkConfig | AuditSink)[];
  /** Where this workload runs; default from PURPOSE_GUARD_ENVIRONMENT, _REGION, _ACCOUNT, _TENANT. */
  readonly runtime?: RuntimeBounds;
  /** Milliseconds since the epoch; injectable so tests and replays do not depend on today's date. */
  readonly clock?: () => number;
  /** Ed25519 public keys (PEM text or KeyObjects); when set, only declarations signed by one of them load. */
  readonly trustedKeys?: readonly (string | KeyObject)[];
  readonly allowBroadScopes?: boolean;
  readonly maxLifespanDays?: number;
  /** Another policy engine instead of Cedar (OPA, a TypeScript function); `policies` must then be unset. */
  readonly engine?: PolicyEngine;
  /** Replaces the built-in classifier; or tune the built-in one with `classification`. */
  readonly classifier?: Classifier;
  readonly classification?: ClassifierOptions;
  /** Replaces the built-in redactor; or tune it (styles per class, salt) with `redaction`. */
  readonly redactor?: Redactor;
  readonly redaction?: RedactorOptions;
  /** Replaces the in-memory flow store (e.g. a shared one for several proxy replicas); or tune it with `flows`. */
  readonly flowStore?: FlowStore;
  readonly flows?: MemoryFlowStoreOptions;
  /**
   * Key of the salted hashes the redactor and flow store keep. Set it (from a secret store) when several processes
   * must agree on them; by default each process draws a random one.
   */
  readonly salt?: string;
  /** Resolves `ask` verdicts; adapters may pass their own per call (MCP elicitation). */
  readonly approver?: Approver;
  /** No answer within this many ms denies; default 120 000. */
  readonly approvalTimeoutMs?: number;
  /** An asynchronous policy engine (OPA over HTTP) that gives no decision within this many ms denies; default 10 000. */
  readonly engineTimeoutMs?: number;
  /** How long an approval covers repeats of the exact same call; default 600 000 (0: single use). */
  readonly approvalValidityMs?: number;
  /** Facts about tools beside the declaration's grants (intent, zone, destinations, output classes). */
  readonly tools?: readonly ToolConfig[];
  /** Remembered engine decisions; default 4096, 0 turns the cache off. */
  readonly decisionCacheSize?: number;
  readonly maxSessions?: number;
  /** Drift rules, their responses, notifications and remediation hooks (see docs/monitoring.md). */
  readonly monitor?: MonitorConfig;
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const object = (what: string, method: string) =>
  z.custom<object>((value) => typeof value === "object" && value !== null && typeof (value as Record<string, unknown>)[method] === "function", { error: `must be ${what} (an object with a \`${method}\` method)` });

const configSchema = z.object({
  declaration: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: "must be a file path or a declaration object" }),
  policies: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  basePolicies: z.boolean().optional(),
  audit: z
    .array(
      z.union([
        z.strictObject({ type: z.literal("jsonl"), path: z.string().min(1), maxBytes: positiveInt.optional(), key: z.string().min(16, { error: "an HMAC key needs at least 16 characters" }).optional(), fsync: z.boolean().optional(), batchMs: z.number().int().min(0).max(1000).optional() }),
        z.strictObject({ type: z.enum(["stdout", "stderr"]) }),
        z.strictObject({ type: z.literal("memory"), limit: positiveInt.optional() }),
        object("an AuditSink", "write"),
      ], { error: "must be {type: jsonl|stdout|stderr|memory, ...} or an AuditSink" }),
    )
    .optional(),
  runtime: z.strictObject({ environment: z.string().optional(), region: z.string().optional(), account: z.string().optional(), tenant: z.string().optional() }).optional(),
  clock: z.custom<() => number>((value) => typeof value === "function", { error: "must be a function returning milliseconds" }).optional(),
  trustedKeys: z.array(z.union([z.string(), z.custom<KeyObject>((value) => value instanceof KeyObject, { error: "must be PEM text or a KeyObject" })])).min(1, { error: "list at least one key, or leave trustedKeys unset" }).optional(),
  allowBroadScopes: z.boolean().optional(),
  maxLifespanDays: positiveInt.optional(),
  engine: object("a PolicyEngine", "authorize").optional(),
  classifier: object("a Classifier", "classify").optional(),
  classification: z.record(z.string(), z.unknown()).optional(),
  redactor: object("a Redactor", "redact").optional(),
  redaction: z.record(z.string(), z.unknown()).optional(),
  flowStore: object("a FlowStore", "match").optional(),
  flows: z.record(z.string(), z.unknown()).optional(),
  salt: z.string().min(16, { error: "a salt needs at least 16 characters" }).optional(),
  approver: object("an Approver", "request").optional(),
  approvalTimeoutMs: positiveInt.optional(),
  engineTimeoutMs: positiveInt.optional(),
  approvalValidityMs: nonNegativeInt.optional(),
  tools: z.array(z.object({ server: z.string().min(1), name: z.string().min(1) }).passthrough()).optional(),
  decisionCacheSize: nonNegativeInt.optional(),
  maxSessions: positiveInt.optional(),
  monitor: monitorConfigSchema.optional(),
});

/** Checks a configuration once, at construction; every problem is reported with its field and a fix. */
export function validateConfig(config: GuardConfig): void {
  const parsed = configSchema.safeParse(config);
  const issues = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message.replace(/^Invalid input: /, ""), fix: "see GuardConfig in the README" }));
  for (const [instance, options] of [["classifier", "classification"], ["redactor", "redaction"], ["flowStore", "flows"]] as const) {
    if (config[instance] && config[options]) {
      issues.push({ path: options, message: `\`${options}\` tunes the built-in ${instance}, but another ${instance} is configured`, fix: `remove \`${options}\` or \`${instance}\`` });
    }
  }
  if (config.engine && config.policies !== undefined) {
    issues.push({ path: "policies", message: "policies are Cedar files, but a custom engine is configured", fix: "remove `policies` or `engine`" });
  }
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", "the guard configuration is invalid", { issues });
}

export function runtimeFromEnv(env: Readonly<Record<string, string | undefined>>): RuntimeBounds {
  const pick = (name: string) => (env[`PURPOSE_GUARD_${name}`] ? { [name.toLowerCase()]: env[`PURPOSE_GUARD_${name}`] } : {});
  return { ...pick("ENVIRONMENT"), ...pick("REGION"), ...pick("ACCOUNT"), ...pick("TENANT") };
}

export function trustedKeyObjects(keys: readonly (string | KeyObject)[] | undefined): KeyObject[] | undefined {
  return keys?.map((key, index) => (typeof key === "string" ? readKey(key, "public", `trustedKeys[${index}]`) : key.type === "private" ? createPublicKey(key) : key));
}
