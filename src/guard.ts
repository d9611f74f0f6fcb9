import { randomUUID } from "node:crypto";
import type { ApprovalRequest, Approver } from "./approve/approver.js";
import { requestApproval } from "./approve/request-approval.js";
import { auditRecord, type RecordInput } from "./audit/record.js";
import type { AuditSink } from "./audit/sink.js";
import { createSink } from "./audit/sinks.js";
import { createCedarEngine } from "./authorize/cedar/cedar-engine.js";
import { loadCedarPolicies } from "./authorize/cedar/load-policies.js";
import { decisionContext, unique } from "./authorize/context.js";
import { compileEgressAllow } from "./model/egress-pattern.js";
import type { Action, AuthorizationRequest, DecisionContext, DeterminingPolicy, EngineDecision, PolicyEngine, RuntimeBounds } from "./authorize/engine.js";
import { engineDecisionProblem, explain, GUARD_POLICY_IDS, isBuiltIn, outcomeOf, reasonsOf, type Outcome } from "./authorize/outcome.js";
import { createToolCatalog, type ToolHints } from "./catalog/tool-catalog.js";
import type { Classifier, Redactor, WrittenPlaces } from "./classify/classifier.js";
import { createClassifier } from "./classify/classify.js";
import { createRedactor, wasWritten } from "./classify/redact.js";
import { createMemoryFlowStore } from "./flow/memory-flow-store.js";
import { userTrustedValues } from "./flow/user-values.js";
import { DecisionCache } from "./authorize/decision-cache.js";
import { runtimeFromEnv, trustedKeyObjects, validateConfig, type GuardConfig } from "./config.js";
import { canonicalJson, sha256Hex } from "./declare/canonical.js";
import { declarationFromObject, loadDeclarationFile } from "./declare/load.js";
import { GuardError, issue, messageOf } from "./errors.js";
import type { FlowMatch, FlowStore } from "./flow/flow-store.js";
import type { AuditEvent } from "./model/audit-record.js";
import type { ToolCall, ToolResult } from "./model/call.js";
import { classCovers, scopeCovers, type DataClass } from "./model/data-class.js";
import type { LoadedDeclaration } from "./model/declaration.js";
import type { Finding } from "./model/finding.js";
import { toolKey, type ToolDescriptor } from "./model/tool.js";
import type { ApprovalRef, Verdict, VerdictBase } from "./model/verdict.js";
import { SessionStore } from "./monitor/session.js";
// --- monitor stage (issue 6) ---
import { ApprovalLedger } from "./approve/ledger.js";
import { EMPTY_SESSION } from "./authorize/session-attributes.js";
import type { DriftHit } from "./monitor/drift.js";
import { mergeDrift } from "./monitor/merge.js";
import { Monitor, type ContainmentStep } from "./monitor/monitor.js";
import type { MonitorConfig } from "./monitor/rules.js";
import { measureResult, type Volume } from "./monitor/volume.js";

export type { GuardConfig } from "./config.js";

export interface CallOptions {
  /** Resolves an `ask` for this call (e.g. MCP elicitation to this client); overrides the configured approver. */
  readonly approver?: Approver;
  /** Aborts a pending approval; the call is then denied. */
  readonly signal?: AbortSignal;
}

export interface ResultOptions {
  /**
   * The value is what a server sent beside a tool's output (its definition, a log line or progress text during the
   * call), not the output: the classes the tool is declared to return (`outputClasses`) are not assumed in it. It is
   * checked against the scope like a result all the same.
   */
  readonly incidental?: boolean;
}

/** Something the guard should record that is not a call decision (a changed tool description, a drift rule). */
export interface GuardAlert {
  readonly rule: string;
  readonly server?: string;
  readonly tool?: string;
  readonly sessionId?: string;
  readonly trace?: ToolCall["trace"];
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

export interface Guard {
  readonly declaration: LoadedDeclaration;
  readonly policyRevision: string;
  /** Decides a call before it runs: forward it only when `permitsForwarding(verdict)`, with `verdict.value` on redact. */
  beforeCall(call: ToolCall, options?: CallOptions): Promise<Verdict>;
  /** Decides a result before the agent sees it: return `verdict.value` on redact, an error on deny or halt. */
  afterCall(call: ToolCall, result: ToolResult, options?: ResultOptions): Promise<Verdict>;
  /** The deploy-time gate: may this declaration start where `bounds` says (default: the configured runtime)? */
  check(bounds?: RuntimeBounds): Promise<Verdict>;
  isDeclared(server: string, tool: string): boolean;
  describeTool(server: string, tool: string, hints?: ToolHints): ToolDescriptor;
  alert(alert: GuardAlert): void;
  /** Lifts a halt on a session (an operator's decision, audited); false when the session was not halted. */
  release(sessionId: string, operator: string): boolean;
  /** Forgets a session's state and remembered values. */
  endSession(sessionId: string): Promise<void>;
  /** Flushes and closes the audit sinks; later calls are denied. */
  close(): Promise<void>;
}

const DEFAULT_AUDIT = { type: "jsonl", path: ".purpose-guard/audit.jsonl" } as const;

/** Validates and compiles everything once (declaration, policies, sinks), then decides calls with no parsing. */
export async function createGuard(config: GuardConfig): Promise<Guard> {
  validateConfig(config);
  const loadOptions = {
    ...(config.trustedKeys ? { trustedKeys: trustedKeyObjects(config.trustedKeys)! } : {}),
    ...(config.allowBroadScopes !== undefined ? { allowBroadScopes: config.allowBroadScopes } : {}),
    ...(config.maxLifespanDays !== undefined ? { maxLifespanDays: config.maxLifespanDays } : {}),
  };
  const declaration = typeof config.declaration === "string"
    ? await loadDeclarationFile(config.declaration, loadOptions)
    : declarationFromObject(config.declaration, loadOptions);
  const compiled = config.engine ? undefined : await loadCedarPolicies({
    ...(config.policies !== undefined ? { policies: config.policies } : {}),
    ...(config.basePolicies !== undefined ? { basePolicies: config.basePolicies } : {}),
  });
  const engine: PolicyEngine = config.engine ?? createCedarEngine({
    policies: compiled!,
    ...(config.decisionCacheSize !== undefined ? { cacheSize: config.decisionCacheSize } : {}),
  });
  const salt = config.salt === undefined ? {} : { salt: config.salt };
  const classifier = config.classifier ?? createClassifier(config.classification);
  const redactor = config.redactor ?? createRedactor({ ...salt, ...config.redaction });
  const flowStore = config.flowStore ?? createMemoryFlowStore({ ...salt, ...config.flows });
  const sinks = (config.audit ?? [DEFAULT_AUDIT]).map(createSink);
  const pipeline = new GuardPipeline({
    declaration,
    engine,
    sinks,
    clock: config.clock ?? Date.now,
    runtime: config.runtime ?? runtimeFromEnv(process.env),
    catalog: createToolCatalog(declaration.declaration, config.tools),
    classifier,
    redactor,
    flowStore,
    approver: config.approver,
    approvalTimeoutMs: config.approvalTimeoutMs ?? 120_000,
    engineTimeoutMs: config.engineTimeoutMs ?? 10_000,
    approvalValidityMs: config.approvalValidityMs ?? 600_000,
    sessions: new SessionStore(config.maxSessions),
    monitor: config.monitor,
  });
  // Every remediation hook a policy or rule names must exist before the first call, not when it is needed.
  const missing = pipeline.missingHooks(compiled?.policies.flatMap((policy) => policy.remediate ?? []) ?? []);
  if (missing.length > 0) {
    await pipeline.close();
    throw new GuardError("CONFIG_INVALID", `remediation ${missing.join(", ")} names no configured hook`, {
      issues: missing.map((action) => ({ path: "monitor.hooks", message: `\`${action}\` is used by a policy or rule but no hook \`${action.slice(5)}\` is configured`, fix: `add monitor.hooks["${action.slice(5)}"]` })),
    });
  }
  return pipeline;
}

interface Parts {
  readonly declaration: LoadedDeclaration;
  readonly engine: PolicyEngine;
  readonly sinks: readonly AuditSink[];
  readonly clock: () => number;
  readonly runtime: RuntimeBounds;
  readonly catalog: ReturnType<typeof createToolCatalog>;
  readonly classifier: Classifier;
  readonly redactor: Redactor;
  readonly flowStore: FlowStore;
  readonly approver: Approver | undefined;
  readonly approvalTimeoutMs: number;
  readonly approvalValidityMs: number;
  readonly engineTimeoutMs: number;
  readonly sessions: SessionStore;
  readonly monitor: MonitorConfig | undefined;
}

/** What a verdict takes from an engine decision: its outcome, and the policy ids and reasons it cites. */
interface Derived {
  readonly outcome: Outcome;
  readonly ids: readonly string[];
  readonly reasons: VerdictBase["reasons"];
}

/** A decision in the making: the facts gathered so far, for the verdict and its audit record. */
interface Pending {
  readonly event: AuditEvent;
  readonly decisionId: string;
  readonly started: bigint;
  readonly call?: ToolCall;
  readonly tool?: ToolDescriptor;
  classes: readonly DataClass[];
  flows?: RecordInput["flows"];
  callDigest?: string;
  /** Microseconds spent waiting for a person, excluded from the latency. */
  waitedUs: number;
  detail?: Record<string, string | number | boolean>;
}

/**
 * The pipeline of DESIGN.md, one method per moment. Every public method returns a verdict and never throws for a
 * call: whatever fails inside becomes a deny with the error recorded.
 */
class GuardPipeline implements Guard {
  readonly declaration: LoadedDeclaration;
  readonly policyRevision: string;
  private readonly allowsDestination: (destination: string) => boolean;
  private readonly approvals = new ApprovalLedger();
  /** User messages already trusted, per session. */
  private readonly trusted = new DecisionCache<true>(4096);
  /**
   * Per session, the flow memory of its latest results while it is being written: after the answer has gone out,
   * awaited by the session's next decision. A write that failed stays here, so every later call of the session is
   * denied (its flows can no longer be vouched for) until the session ends.
   */
  private readonly remembering = new Map<string, Promise<void>>();
  private readonly derived = new WeakMap<EngineDecision, Derived>();
  /** Sinks whose `write` threw, with what they threw: every later decision is denied. */
  private readonly failedSinks = new Map<AuditSink, string>();
  private readonly monitor: Monitor;
  /** The declaration as every verdict cites it: one frozen object, not one per decision. */
  private readonly declarationRef: VerdictBase["declaration"];
  private readonly issuedMs: number;
  private readonly expiresMs: number;
  private closed = false;

  constructor(private readonly parts: Parts) {
    this.declaration = parts.declaration;
    this.policyRevision = parts.engine.revision;
    const { id, version } = parts.declaration.declaration;
    this.declarationRef = Object.freeze({ id, version, digest: parts.declaration.digest });
    this.issuedMs = Date.parse(parts.declaration.declaration.lifespan.issuedAt);
    this.expiresMs = Date.parse(parts.declaration.declaration.lifespan.expiresAt);
    this.allowsDestination = compileEgressAllow(parts.declaration.declaration.egress?.allow ?? []);
    const { agent, budgets } = parts.declaration.declaration;
    this.monitor = new Monitor({
      ...(parts.monitor ? { config: parts.monitor } : {}),
      declaration: { id, agent, ...(budgets ? { budgets } : {}) },
      sessions: parts.sessions,
      ledger: this.approvals,
      clock: parts.clock,
      emit: (step) => this.auditStep(step),
    });
  }

  missingHooks(actions: readonly string[]): string[] {
    return this.monitor.missingHooks(actions);
  }

  isDeclared(server: string, tool: string): boolean {
    return this.parts.catalog.isDeclared(server, tool);
  }

  describeTool(server: string, tool: string, hints?: ToolHints): ToolDescriptor {
    return this.parts.catalog.describe(server, tool, hints);
  }

  async beforeCall(call: ToolCall, options: CallOptions = {}): Promise<Verdict> {
    const pending = this.begin("call", call);
    try {
      const blocked = this.blocked(pending, call.sessionId);
      if (blocked) return this.finish(pending, blocked);
      const { parts } = this;
      const now = parts.clock();
      const session = parts.sessions.get(call.sessionId, now);
      const tool = pending.tool!;
      const findings = parts.classifier.classify(call.args);
      pending.classes = classesOf(findings);
      const writing = this.remembering.get(call.sessionId);
      if (writing) await writing;
      if (call.userValues?.length) await this.trustUserValues(call.sessionId, call.userValues);
      const flows: readonly FlowMatch[] = await parts.flowStore.match(call.sessionId, call.args, findings);
      const lost = parts.flowStore.forgotten?.(call.sessionId) ?? 0;
      const forgotten = (lost instanceof Promise ? await lost : lost) > 0;
      // The call digest (canonical arguments, µs per KB) is only needed where approvals are involved.
      if (this.approvals.has(call.sessionId)) pending.callDigest = callDigest(call);
      const watch = this.monitor.beforeCall(session, tool, now);
      const context = decisionContext({
        nowMs: now,
        runtime: parts.runtime,
        declaration: this.declaration.declaration,
        classes: pending.classes,
        session: watch.session,
        approvals: pending.callDigest ? this.approvals.standing(call.sessionId, pending.callDigest, this.declaration.digest, now) : [],
        call: { tool, args: call.args, flows, allowsDestination: this.allowsDestination, forgotten, ...(call.userValues ? { userValues: call.userValues } : {}) },
      });
      pending.flows = context.flows;
      let verdict = await this.decide(pending, "call_tool", context, call.args, findings, watch.hits);
      if (verdict.decision === "ask") verdict = await this.resolveAsk(pending, verdict, context, call, findings, options, watch.hits);
      // The decision's record first, then the containment steps it caused.
      const finished = this.finish(pending, verdict);
      this.monitor.afterCall(session, tool, verdict, context.flows.classes, call.trace, now, pending.callDigest);
      return finished;
    } catch (error) {
      return this.finish(pending, this.failure(pending, error));
    }
  }

  async afterCall(call: ToolCall, result: ToolResult, options?: ResultOptions): Promise<Verdict> {
    const pending = this.begin("result", call);
    try {
      const blocked = this.blocked(pending, call.sessionId);
      if (blocked) return this.finish(pending, blocked);
      const { parts } = this;
      const now = parts.clock();
      const session = parts.sessions.get(call.sessionId, now);
      const tool = pending.tool!;
      const findings = parts.classifier.classify(result);
      const assumed = options?.incidental ? undefined : tool.outputClasses;
      pending.classes = unique([...classesOf(findings), ...(assumed ?? [])]);
      const volume = measureResult(result, findings, assumed);
      const watch = this.monitor.beforeResult(session, volume, now);
      const context = decisionContext({
        nowMs: now,
        runtime: parts.runtime,
        declaration: this.declaration.declaration,
        classes: pending.classes,
        session: watch.session,
      });
      const verdict = await this.decide(pending, "receive_result", context, result, findings, watch.hits);
      let delivered: Volume | undefined;
      if (verdict.decision === "allow" || verdict.decision === "redact") {
        const seen = verdict.decision === "redact" ? verdict.value : result;
        const seenFindings = verdict.decision === "redact" ? parts.classifier.classify(seen) : findings;
        // Remember what the agent saw: the original result, less the values redaction removed. (Remembering the
        // redacted value instead would lose the values beside a redacted one when a whole encoded string is replaced.)
        const removed = verdict.decision === "redact" ? new Set(verdict.redactions.map((redaction) => redaction.class)) : undefined;
        const visible = removed ? findings.filter((finding) => !removed.has(finding.class)) : findings;
        const source = { server: tool.server, tool: tool.name, untrusted: tool.zone === "open-world" };
        this.rememberLater(call.sessionId, () => parts.flowStore.remember(call.sessionId, result, visible, source));
        delivered = removed ? measureResult(seen, seenFindings, assumed?.filter((cls) => !removed.has(cls))) : volume;
      }
      const finished = this.finish(pending, verdict);
      this.monitor.afterResult(session, tool, verdict, delivered, call.trace, now);
      return finished;
    } catch (error) {
      return this.finish(pending, this.failure(pending, error));
    }
  }

  async check(bounds?: RuntimeBounds): Promise<Verdict> {
    const pending = this.begin("start");
    try {
      const blocked = this.blocked(pending);
      if (blocked) return this.finish(pending, blocked);
      const now = this.parts.clock();
      const context = decisionContext({
        nowMs: now,
        runtime: bounds ?? this.parts.runtime,
        declaration: this.declaration.declaration,
        classes: [],
        session: EMPTY_SESSION,
      });
      return this.finish(pending, await this.decide(pending, "start", context, undefined, []));
    } catch (error) {
      return this.finish(pending, this.failure(pending, error));
    }
  }

  alert(alert: GuardAlert): void {
    this.recordAlert(alert);
    const reason = alert.detail?.["detail"];
    this.monitor.report({
      rule: alert.rule,
      ...(alert.server ? { server: alert.server } : {}),
      ...(alert.tool ? { tool: alert.tool } : {}),
      ...(alert.sessionId !== undefined ? { sessionId: alert.sessionId } : {}),
      ...(alert.trace ? { trace: alert.trace } : {}),
      ...(typeof reason === "string" ? { reason } : {}),
    });
  }

  private recordAlert(alert: GuardAlert): void {
    const tool = alert.server && alert.tool ? this.parts.catalog.describe(alert.server, alert.tool) : undefined;
    const pending: Pending = { event: "alert", decisionId: randomUUID(), started: process.hrtime.bigint(), ...(tool ? { tool } : {}), classes: [], waitedUs: 0, detail: { rule: alert.rule, ...alert.detail } };
    const verdict: Verdict = { ...this.base(pending, [], []), decision: "allow", policyIds: [alert.rule] };
    this.audit(pending, verdict, alert.sessionId, alert.trace);
  }

  release(sessionId: string, operator: string): boolean {
    const released = this.parts.sessions.release(sessionId);
    if (released) {
      this.monitor.released(sessionId, operator);
      this.recordAlert({ rule: "session-released", sessionId, detail: { operator } });
    }
    return released;
  }

  async endSession(sessionId: string): Promise<void> {
    await this.remembering.get(sessionId)?.catch(() => undefined);
    this.remembering.delete(sessionId);
    this.parts.sessions.delete(sessionId);
    this.approvals.forget(sessionId);
    await this.parts.flowStore.forget(sessionId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.remembering.values()].map((writing) => writing.catch(() => undefined)));
    this.parts.engine.close?.();
    // Remediation hooks still running write their outcome to the audit log: let them, then close the sinks.
    await this.monitor.close();
    await Promise.all(this.parts.sinks.map((sink) => sink.close()));
  }

  // --- stages -------------------------------------------------------------------------------------------------

  private begin(event: AuditEvent, call?: ToolCall): Pending {
    const started = process.hrtime.bigint();
    const decisionId = randomUUID();
    if (!call) return { event, decisionId, started, classes: [], waitedUs: 0 };
    const tool = this.parts.catalog.describe(call.server, call.tool, call.hints);
    return { event, decisionId, started, call, tool, classes: [], waitedUs: 0 };
  }

  /** Refusals that need no policy: a closed guard, an audit log that cannot be written, a halted session. */
  private blocked(pending: Pending, sessionId?: string): Verdict | undefined {
    if (this.closed) return this.guardDeny(pending, GUARD_POLICY_IDS.guardClosed, "the guard was closed");
    const failure = this.auditFailure();
    if (failure) return this.guardDeny(pending, GUARD_POLICY_IDS.auditUnavailable, `decisions cannot be audited: ${failure}`);
    const halted = sessionId === undefined ? undefined : this.parts.sessions.peek(sessionId)?.halted;
    if (halted) {
      return {
        ...this.base(pending, [GUARD_POLICY_IDS.sessionHalted, ...halted.policyIds], []),
        decision: "halt",
        message: `purpose-guard halted this session (decision ${halted.decisionId}); an operator must release it: ${halted.message}`,
      };
    }
    return undefined;
  }

  private auditFailure(): string | undefined {
    if (this.failedSinks.size > 0) return this.failedSinks.values().next().value;
    for (const sink of this.parts.sinks) {
      const failure = sink.failure?.();
      if (failure) return failure;
    }
    return undefined;
  }

  private async decide(pending: Pending, action: Action, context: DecisionContext, value: unknown, findings: readonly Finding[], drift: readonly DriftHit[] = []): Promise<Verdict> {
    const request: AuthorizationRequest = { action, declaration: this.declaration, ...(pending.tool ? { tool: pending.tool } : {}), context };
    const answer = this.parts.engine.authorize(request);
    const decision = answer instanceof Promise ? await withinTime(answer, this.parts.engineTimeoutMs, this.parts.engine.name) : answer;
    // The built-in engine's answers are frozen and well formed; another engine's are checked for their shape.
    const problem = isBuiltIn(decision) ? undefined : engineDecisionProblem(decision);
    const checked: EngineDecision = problem === undefined ? decision : { decision: "deny", determining: [], errors: [problem] };
    const verdict = this.verdictOf(pending, this.outcome(mergeDrift(checked, drift, context.approvals)), context, value, findings);
    return verdict.decision === "deny" || verdict.decision === "halt" ? verdict : (this.outsideDeclaration(pending) ?? verdict);
  }

  /**
   * The floor under every engine: a declaration outside its lifespan, or a tool it does not grant, is denied whatever
   * the engine says. Cedar's base policies deny both already; another engine (a function, OPA) that forgot them, or a
   * Cedar set without the base policies, must not turn them into an allow.
   */
  private outsideDeclaration(pending: Pending): Verdict | undefined {
    const now = this.parts.clock();
    if (now >= this.expiresMs) return this.guardDeny(pending, "declaration-expired", `the declaration expired at ${this.declaration.declaration.lifespan.expiresAt}; it must be re-approved`);
    if (now < this.issuedMs) return this.guardDeny(pending, "declaration-not-yet-valid", `the declaration is valid from ${this.declaration.declaration.lifespan.issuedAt}`);
    const tool = pending.tool;
    if (tool && !this.parts.catalog.isDeclared(tool.server, tool.name)) return this.guardDeny(pending, "tool-outside-declaration", `${toolKey(tool.server, tool.name)} is not among the declaration's tools`);
    return undefined;
  }

  /**
   * The outcome of an engine decision with the ids and reasons a verdict cites. A cached decision of the built-in
   * engine is the same frozen object call after call (and `mergeDrift` returns it as is when no rule fires): its
   * outcome is derived once. Only those are remembered: an engine that reuses one mutable object would otherwise be
   * answered from the outcome of an earlier decision.
   */
  private outcome(decision: EngineDecision): Derived {
    let derived = this.derived.get(decision);
    if (!derived) {
      const outcome = outcomeOf(decision);
      derived = { outcome, ids: Object.freeze(outcome.policies.map((policy) => policy.id)), reasons: Object.freeze(reasonsOf(outcome.policies)) };
      if (isBuiltIn(decision)) this.derived.set(decision, derived);
    }
    return derived;
  }

  private verdictOf(pending: Pending, { outcome, ids, reasons }: Derived, context: DecisionContext, value: unknown, findings: readonly Finding[]): Verdict {
    const errors = outcome.kind === "allow" ? [] : outcome.errors;
    const base = this.base(pending, ids, errors, reasons);
    switch (outcome.kind) {
      case "allow":
        return { ...base, decision: "allow" };
      case "deny":
      case "halt":
        return { ...base, decision: outcome.kind, message: explain(outcome.kind, outcome.policies, this.subject(pending)) };
      case "ask":
        pending.callDigest ??= pending.call ? callDigest(pending.call) : undefined;
        return { ...base, decision: "ask", message: explain("ask", outcome.policies, this.subject(pending)), callDigest: pending.callDigest ?? "" };
      case "redact":
        return this.redact(pending, base, outcome.policies, context, value, findings, this.subject(pending));
    }
  }

  /**
   * Removes the classes the redact policies name (default: those outside the scope) and checks the result again.
   * When nothing locatable can be removed, or the classes survive, the call is denied rather than passed through.
   */
  private redact(pending: Pending, base: VerdictBase, policies: readonly DeterminingPolicy[], context: DecisionContext, value: unknown, findings: readonly Finding[], subject: string): Verdict {
    const outside = pending.event === "call" && pending.tool?.intent === "write" ? context.classesOutsideWriteScope : context.classesOutsideReadScope;
    const targets = unique(policies.flatMap((policy) => policy.redactClasses ?? outside));
    const chosen = findings.filter((finding) => targets.some((target) => classCovers(target, finding.class)));
    const { redactor, classifier } = this.parts;
    const unlocated = targets.filter((target) => context.classes.some((cls) => classCovers(target, cls)) && !chosen.some((finding) => classCovers(target, finding.class)));
    if (chosen.length === 0 || unlocated.length > 0) {
      const why = `the data of class ${(unlocated[0] ?? targets[0]) ?? "?"} cannot be located in the value`;
      return this.guardDeny(pending, GUARD_POLICY_IDS.redactionFailed, `${subject} must be redacted, but ${why}`, base.policyIds);
    }
    const written: WrittenPlaces = { values: new Map(), keys: new Map() };
    const redacted = redactor.redact(value, chosen, written);
    // What the redactor wrote may read as data of the class it replaced (`[REDACTED:health.diagnosis]` under
    // `diagnosis`, a mask's last letters): only what it did not write can survive.
    const survivors = classifier.classify(redacted).filter((finding) => targets.some((target) => classCovers(target, finding.class)) && !wasWritten(finding, written, redacted));
    if (survivors.length > 0) {
      return this.guardDeny(pending, GUARD_POLICY_IDS.redactionFailed, `redaction left ${survivors[0]!.class} in ${subject}`, base.policyIds);
    }
    return {
      ...base,
      decision: "redact",
      value: redacted,
      redactions: chosen.map((finding) => ({ pointer: finding.pointer, class: finding.class })),
    };
  }

  /** Asks a person when an approver is available; re-decides with the approval in the context. */
  private async resolveAsk(pending: Pending, verdict: Verdict & { decision: "ask" }, context: DecisionContext, call: ToolCall, findings: readonly Finding[], options: CallOptions, drift: readonly DriftHit[]): Promise<Verdict> {
    const approver = options.approver ?? this.parts.approver;
    if (!approver) return verdict;
    const now = this.parts.clock();
    const askIds = verdict.reasons.filter((reason) => reason.response === "ask").map((reason) => reason.policyId);
    const request: ApprovalRequest = {
      approvalId: randomUUID(),
      callDigest: pending.callDigest!,
      declarationId: this.declaration.declaration.id,
      declarationDigest: this.declaration.digest,
      policyIds: askIds,
      reasons: verdict.reasons.map((reason) => reason.reason),
      server: call.server,
      tool: call.tool,
      sessionId: call.sessionId,
      // A copy: the approver must not see, nor be able to change, the object the adapter will forward.
      argsPreview: copyOf(this.previewFor(call.args, findings)),
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.parts.approvalTimeoutMs).toISOString(),
    };
    this.audit({ ...pending, event: "approval", decisionId: request.approvalId, detail: { approvalId: request.approvalId, approver: approver.name, phase: "requested" } }, verdict, call.sessionId, call.trace);
    const waitStart = process.hrtime.bigint();
    const result = await requestApproval(approver, request, this.parts.approvalTimeoutMs, options.signal);
    pending.waitedUs += Number(process.hrtime.bigint() - waitStart) / 1000;

    // The answer is an audit record of its own, beside the request and the call's final decision.
    const answered = result.status === "answered" ? result.answer : undefined;
    const phase = answered ? (answered.approved ? "approved" : "declined") : result.status;
    const answerBase = this.base(pending, askIds, []);
    this.audit(
      { ...pending, event: "approval", detail: { approvalId: request.approvalId, approver: answered?.approver ?? approver.name, broker: approver.name, phase } },
      answered?.approved ? { ...answerBase, decision: "allow" } : { ...answerBase, decision: "deny", message: `approval ${phase}` },
      call.sessionId,
      call.trace,
    );
    if (result.status !== "answered" || !result.answer.approved) {
      const [id, why] = result.status === "answered"
        ? [GUARD_POLICY_IDS.approvalDenied, `${result.answer.approver} declined${result.answer.note ? `: ${result.answer.note}` : ""}`]
        : [result.status === "timeout" ? GUARD_POLICY_IDS.approvalTimeout : GUARD_POLICY_IDS.approvalDenied, result.error];
      pending.detail = { approvalId: request.approvalId, phase };
      return this.guardDeny(pending, id, `approval for ${this.subject(pending)} was not given: ${why}`, askIds);
    }
    // The person approved the arguments as they were asked about; arguments changed meanwhile are another call.
    if (callDigest(call) !== request.callDigest) {
      pending.detail = { approvalId: request.approvalId, phase: "changed" };
      return this.guardDeny(pending, GUARD_POLICY_IDS.approvalDenied, `the arguments of ${this.subject(pending)} changed while approval was pending`, askIds);
    }
    const approval: ApprovalRef = { approvalId: request.approvalId, approver: result.answer.approver, policyIds: askIds };
    const grantedAt = this.parts.clock();
    this.approvals.grant(call.sessionId, { ...approval, callDigest: request.callDigest, declarationDigest: this.declaration.digest, grantedAt, expiresAt: grantedAt + this.parts.approvalValidityMs });
    pending.detail = { approvalId: request.approvalId, approver: result.answer.approver, phase: "approved" };
    const approved = await this.decide(pending, "call_tool", { ...context, approvals: unique([...context.approvals, ...askIds]) }, call.args, findings, drift);
    return approved.decision === "allow" || approved.decision === "redact" ? { ...approved, approval } : approved;
  }

  /**
   * Values the user typed this turn are trusted: they may shape the call even if an untrusted result also held them.
   * Adapters pass the same message with every call of a turn, so each message is classified once.
   */
  private async trustUserValues(sessionId: string, values: readonly string[]): Promise<void> {
    const { flowStore, classifier } = this.parts;
    if (!flowStore.trust) return;
    const key = `${sessionId}\u0000${values.join("\u0000")}`;
    if (this.trusted.get(key)) return;
    await flowStore.trust(sessionId, userTrustedValues(values, classifier));
    this.trusted.set(key, true);
  }

  /**
   * What an approver sees of the arguments: what the declaration lets the agent read stays readable (a person must
   * see the recipient to judge a mail), anything outside the read scope and every secret is redacted.
   */
  private previewFor(args: unknown, findings: readonly Finding[]): unknown {
    const read = this.declaration.declaration.dataScope.read;
    const hidden = findings.filter((finding) => finding.class.startsWith("secret") || !scopeCovers(read, finding.class));
    return hidden.length > 0 ? this.parts.redactor.redact(args, hidden) : args;
  }

  // --- verdict helpers ------------------------------------------------------------------------------------------

  private base(pending: Pending, policyIds: readonly string[], errors: readonly string[], reasons: VerdictBase["reasons"] = []): VerdictBase {
    return {
      decisionId: pending.decisionId,
      policyIds,
      reasons,
      errors,
      declaration: this.declarationRef,
      policyRevision: this.policyRevision,
      classes: pending.classes,
    };
  }

  private guardDeny(pending: Pending, id: string, reason: string, alsoCited: readonly string[] = []): Verdict {
    const policyIds = unique([id, ...alsoCited]);
    return {
      ...this.base(pending, policyIds, []),
      reasons: [{ policyId: id, response: "deny", reason }],
      decision: "deny",
      message: `purpose-guard denied ${this.subject(pending)}: [${id}] ${reason}`,
    };
  }

  private failure(pending: Pending, error: unknown): Verdict {
    const message = this.withoutData(messageOf(error));
    const verdict = this.guardDeny(pending, GUARD_POLICY_IDS.pipelineError, `the guard failed and fails closed: ${message}`);
    return { ...verdict, errors: [message] };
  }

  /**
   * An error's message as verdicts and audit records may carry it: a stage that failed may quote the value it choked
   * on (`engine down 219-09-9991`), and neither the agent nor the log may keep a raw sensitive value.
   */
  private withoutData(message: string): string {
    try {
      const findings = this.parts.classifier.classify(message);
      if (findings.length === 0) return message;
      const redacted = this.parts.redactor.redact(message, findings);
      return typeof redacted === "string" ? redacted : "(the error message held data and is withheld)";
    } catch {
      // The classifier itself failed: keep the words, not what could be a value (numbers, addresses, tokens).
      return message.split(/(\s+)/).map((word) => (word.length >= 16 || /[@\d]/.test(word) ? "…" : word)).join("");
    }
  }

  private subject(pending: Pending): string {
    if (!pending.tool) return `the start of ${this.declaration.declaration.id}`;
    const what = pending.event === "result" ? "the result of" : "the call to";
    return `${what} ${toolKey(pending.tool.server, pending.tool.name)}`;
  }

  /**
   * Writes a result's values to the flow memory once the answer has gone out (`setImmediate` runs after the adapter's
   * continuation has sent it): the hashing is off the answer's path, and the session's next decision waits for it.
   * The guard reads the result until then; adapters hand over results they no longer change.
   */
  private rememberLater(sessionId: string, write: () => void | Promise<void>): void {
    const previous = this.remembering.get(sessionId);
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => previous)
      .then(write)
      .then(
        () => {
          if (this.remembering.get(sessionId) === done) this.remembering.delete(sessionId);
        },
        (error: unknown) => {
          throw error instanceof GuardError && error.code === "FLOW_STORE_FAILED"
            ? error
            : new GuardError("FLOW_STORE_FAILED", `the flow memory of an earlier result in this session could not be written, so its flows cannot be vouched for: ${messageOf(error)}`, { cause: error });
        },
      );
    // Observed by the session's next decision (which is denied); never an unhandled rejection.
    done.catch(() => undefined);
    this.remembering.set(sessionId, done);
  }

  private finish(pending: Pending, verdict: Verdict): Verdict {
    issue(verdict);
    if (this.audit(pending, verdict, pending.call?.sessionId, pending.call?.trace) || verdict.decision === "deny" || verdict.decision === "halt") return verdict;
    // A decision that could not be recorded does not stand: the deny goes to the sinks that still write.
    const denied = this.guardDeny(pending, GUARD_POLICY_IDS.auditUnavailable, `the decision could not be audited: ${this.auditFailure() ?? "a sink failed"}`);
    this.audit(pending, denied, pending.call?.sessionId, pending.call?.trace);
    return issue(denied);
  }

  /** A containment step of the monitor as an audit record (event `containment` or `alert`). */
  private auditStep(step: ContainmentStep): void {
    const tool = step.server && step.tool ? this.parts.catalog.describe(step.server, step.tool) : undefined;
    const pending: Pending = { event: step.event, decisionId: randomUUID(), started: process.hrtime.bigint(), ...(tool ? { tool } : {}), classes: [], waitedUs: 0, detail: { ...step.detail } };
    const base = this.base(pending, step.policyIds, []);
    const verdict: Verdict = step.decision === "allow" ? { ...base, decision: "allow" } : { ...base, decision: step.decision === "halt" ? "halt" : "deny", message: `containment: ${step.level}` };
    this.audit(pending, verdict, step.sessionId, step.trace);
  }

  /** Writes the decision's record to every sink; false when one of them threw (it is then failed for good). */
  private audit(pending: Pending, verdict: Verdict, sessionId: string | undefined, trace: ToolCall["trace"]): boolean {
    if (this.parts.sinks.length === 0) return true;
    const latencyUs = Math.max(0, Number(process.hrtime.bigint() - pending.started) / 1000 - pending.waitedUs);
    // Absent fields are passed as undefined and left out by auditRecord (no object spread per decision).
    const record = auditRecord({
      event: pending.event,
      verdict,
      declaration: this.declaration,
      time: this.parts.clock(),
      latencyUs,
      sessionId,
      tool: pending.tool,
      trace,
      flows: pending.flows,
      callDigest: pending.callDigest,
      detail: pending.detail,
    });
    let written = true;
    for (const sink of this.parts.sinks) {
      try {
        sink.write(record);
      } catch (error) {
        // One sink's throw (an exporter's full queue) must neither escape a decision nor starve the sinks after it.
        this.failedSinks.set(sink, `${sink.name}: ${messageOf(error)}`);
        written = false;
      }
    }
    return written;
  }
}

/** A deep copy of JSON-like arguments; what cannot be cloned (functions) goes through JSON. */
function copyOf(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
  }
}

/**
 * An asynchronous engine's answer, or a throw once `ms` pass without one: an engine that never answers (OPA behind a
 * dead connection) would otherwise hold the call forever, with no verdict and no audit record.
 */
async function withinTime<T>(answer: Promise<T>, ms: number, engine: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GuardError("ENGINE_ERROR", `the policy engine ${engine} gave no decision within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

function classesOf(findings: readonly Finding[]): DataClass[] {
  return unique(findings.map((finding) => finding.class));
}

/** SHA-256 of server, tool and canonical arguments: what an approval is bound to. */
export function callDigest(call: Pick<ToolCall, "server" | "tool" | "args">): string {
  return sha256Hex(canonicalJson({ server: call.server, tool: call.tool, args: call.args ?? null }));
}

