import type { ApprovalLedger } from "../approve/ledger.js";
import type { ContainmentLevel, SessionCounters } from "../authorize/engine.js";
import { messageOf } from "../errors.js";
import type { TraceContext } from "../model/call.js";
import type { DataClass } from "../model/data-class.js";
import type { Budgets } from "../model/declaration.js";
import { toolKey, type ToolDescriptor } from "../model/tool.js";
import type { Decision, Verdict } from "../model/verdict.js";
import { callDrift, resultDrift, type DriftHit, type PinStatus } from "./drift.js";
import { createNotifier, type Notification, type Notifier } from "./notify.js";
import type { RemediationHook } from "./remediate.js";
import { DRIFT_RULES, resolveMonitorConfig, type DriftRuleId, type MonitorConfig, type ResolvedMonitorConfig } from "./rules.js";
import { INTENT_HISTORY, OUTCOME_HISTORY, PENDING_ASKS, pushBounded, type SessionState, type SessionStore } from "./session.js";
import type { Volume } from "./volume.js";

/** What the monitor adds to a decision: the session as policies see it, and the drift rules that fire. */
export interface Watch {
  readonly session: SessionCounters;
  readonly hits: readonly DriftHit[];
}

/** One step on the containment ladder, for the audit log (the guard turns it into an audit record). */
export interface ContainmentStep {
  readonly event: "containment" | "alert";
  /** The decision the step stands for: `allow` for an alert, `deny` for a block, `halt`. */
  readonly decision: Decision;
  readonly level: "alert" | "block" | "halt" | "remediate" | "release";
  readonly policyIds: readonly string[];
  readonly sessionId?: string;
  readonly server?: string;
  readonly tool?: string;
  readonly trace?: TraceContext;
  readonly detail: Readonly<Record<string, string | number | boolean>>;
}

/** An outside report (the MCP proxy's pin check, an operator tool) that the guard records and the monitor weighs. */
export interface MonitorReport {
  readonly rule: string;
  readonly server?: string;
  readonly tool?: string;
  readonly sessionId?: string;
  readonly trace?: TraceContext;
  readonly reason?: string;
}

export interface MonitorParts {
  readonly config?: MonitorConfig;
  readonly declaration: { readonly id: string; readonly agent: string; readonly budgets?: Budgets };
  readonly sessions: SessionStore;
  readonly ledger: ApprovalLedger;
  readonly clock: () => number;
  /** Writes a containment step to the audit sinks. */
  readonly emit: (step: ContainmentStep) => void;
}

const RANK: Readonly<Record<ContainmentLevel, number>> = { none: 0, alert: 1, block: 2, halt: 3 };
const MAX_PINS = 10_000;
const HOOK_TIMEOUT_MS = 10_000;

/**
 * The monitor stage: keeps each session's state, runs the drift rules before each decision, and climbs the
 * containment ladder after it (alert → block → halt → remediate) as the verdict's policies and rules say. It does no
 * I/O on the call's path: notifications are enqueued, hooks run afterwards.
 */
export class Monitor {
  private readonly config: ResolvedMonitorConfig;
  private readonly notifiers: readonly Notifier[];
  private readonly hooks: Readonly<Record<string, RemediationHook>>;
  private readonly pins: Map<string, string>;
  /** Tools an outside report said changed or are unpinned, until the guard is restarted with new pins. */
  private readonly reported = new Map<string, Exclude<PinStatus, "pinned">>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly parts: MonitorParts) {
    this.config = resolveMonitorConfig(parts.config);
    this.notifiers = (parts.config?.notify ?? []).map((input, index) => createNotifier(input, index));
    this.hooks = parts.config?.hooks ?? {};
    this.pins = new Map(this.config.pins);
  }

  /** Hook names that policies or rules name but nobody configured: a start-up error. */
  missingHooks(actions: Iterable<string>): string[] {
    const rules = [...this.config.rules.values()].flatMap((rule) => rule.remediate);
    return [...new Set([...actions, ...rules])].filter((action) => action.startsWith("hook:") && !(action.slice(5) in this.hooks));
  }

  // --- before a decision --------------------------------------------------------------------------------------

  beforeCall(session: SessionState, tool: ToolDescriptor, now: number): Watch {
    const counters = this.counters(session, now);
    const hits = callDrift(this.config, { session, counters, tool, pin: this.pinStatus(tool), budgets: this.parts.declaration.budgets, now });
    return { session: hits.length > 0 ? { ...counters, drift: hits.map((hit) => hit.rule) } : counters, hits };
  }

  /** On a result, the session's volumes count the result under decision. */
  beforeResult(session: SessionState, volume: Volume, now: number): Watch {
    const counters = this.counters(session, now);
    let { recordsByFamily, bytesByFamily } = counters;
    // Most results carry no class: the per-family counts stay the session's own.
    if (volume.classes.length > 0) {
      const records = { ...recordsByFamily };
      const bytes = { ...bytesByFamily };
      for (const [family, count] of Object.entries(volume.recordsByFamily)) records[family as keyof typeof records] += count;
      for (const [family, count] of Object.entries(volume.bytesByFamily)) bytes[family as keyof typeof bytes] += count;
      recordsByFamily = records;
      bytesByFamily = bytes;
    }
    const prospective: SessionCounters = { ...counters, recordsRead: counters.recordsRead + volume.records, bytesRead: counters.bytesRead + volume.bytes, recordsByFamily, bytesByFamily };
    const hits = resultDrift(this.config, { counters: prospective, budgets: this.parts.declaration.budgets });
    return { session: hits.length > 0 ? { ...prospective, drift: hits.map((hit) => hit.rule) } : prospective, hits };
  }

  // --- after a decision ---------------------------------------------------------------------------------------

  /**
   * Counts the call and applies its verdict's containment. A call is counted once: an `ask` nobody answered yet is
   * counted when it first asks, and the same call (`callDigest`) decided again while the question is open (each resume
   * of a human-in-the-loop run decides it anew, and once more with the answer) is not counted again; only the outcome
   * of its answer is. An `ask` is a question, not a refusal; a declined one is a deny.
   */
  afterCall(session: SessionState, tool: ToolDescriptor, verdict: Verdict, flowClasses: readonly DataClass[], trace: TraceContext | undefined, now: number, callDigest?: string): void {
    const asking = verdict.decision === "ask";
    const askedBefore = callDigest !== undefined && (asking ? session.pendingAsks.has(callDigest) : session.pendingAsks.delete(callDigest));
    if (!askedBefore) {
      session.calls++;
      session.recent.push(now);
      session.tools.add(toolKey(tool.server, tool.name));
      pushBounded(session.intents, tool.intent, INTENT_HISTORY);
    }
    if (asking) {
      if (callDigest !== undefined && !askedBefore) rememberAsk(session.pendingAsks, callDigest);
    } else {
      const denied = verdict.decision === "deny" || verdict.decision === "halt";
      if (denied) session.denials++;
      pushBounded(session.outcomes, denied, OUTCOME_HISTORY);
    }
    for (const cls of flowClasses) {
      if (session.flowClasses.has(cls)) continue;
      session.flowClasses.add(cls);
      session.view = undefined;
    }
    this.contain(session, tool, verdict, trace, now);
  }

  /** Counts what a delivered result carried (`volume` of the value the agent receives) and applies containment. */
  afterResult(session: SessionState, tool: ToolDescriptor, verdict: Verdict, delivered: Volume | undefined, trace: TraceContext | undefined, now: number): void {
    if (delivered) {
      session.recordsRead += delivered.records;
      session.bytesRead += delivered.bytes;
      // The view (per-family counts, classes read) changes only when the result carried classes.
      if (delivered.classes.length > 0) {
        for (const [family, count] of Object.entries(delivered.recordsByFamily)) session.recordsByFamily[family as keyof typeof session.recordsByFamily] += count;
        for (const [family, count] of Object.entries(delivered.bytesByFamily)) session.bytesByFamily[family as keyof typeof session.bytesByFamily] += count;
        for (const cls of delivered.classes) session.classesRead.add(cls);
        for (const family of delivered.families) session.familiesRead.add(family);
        session.view = undefined;
      }
    }
    this.contain(session, tool, verdict, trace, now);
  }

  /** An outside report: recorded by the guard; here it marks the tool and may halt the session at once. */
  report(report: MonitorReport): void {
    const now = this.parts.clock();
    const known = report.rule in DRIFT_RULES ? this.config.rules.get(report.rule as DriftRuleId) : undefined;
    if ((report.rule === "tool-definition-changed" || report.rule === "tool-unpinned") && report.server && report.tool) {
      const key = toolKey(report.server, report.tool);
      if (this.reported.get(key) !== "changed") this.reported.set(key, report.rule === "tool-definition-changed" ? "changed" : "unpinned");
    }
    const session = report.sessionId === undefined ? undefined : this.parts.sessions.get(report.sessionId, now);
    const reason = report.reason ?? (known ? known.reason : `reported: ${report.rule}`);
    const where = { ...(report.server ? { server: report.server } : {}), ...(report.tool ? { tool: report.tool } : {}), ...(report.trace ? { trace: report.trace } : {}) };
    if (session && known?.response === "halt") {
      this.halt(session, { decisionId: `report:${report.rule}`, policyIds: [report.rule], message: `purpose-guard halted this session: [${report.rule}] ${reason}`, at: now }, where, now);
      this.remediate(session, [report.rule], known.remediate, undefined, where, now);
      return;
    }
    if (session) {
      session.alerts++;
      this.raise(session, "alert", [report.rule], where, now, {});
    }
    this.notifyOnce(session, "alert", report.rule, reason, undefined, where, now);
  }

  /** An operator lifted a halt: the session's denial window and containment start over; its volumes do not. */
  released(sessionId: string, operator: string): void {
    const session = this.parts.sessions.peek(sessionId);
    if (!session) return;
    session.outcomes.length = 0;
    session.containment = "none";
    session.notified.clear();
    this.notify({ kind: "release", rule: "session-released", reason: `released by ${operator}`, sessionId }, this.parts.clock());
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
    await Promise.allSettled(this.notifiers.map((notifier) => notifier.close?.()));
  }

  /** Delivery problems of the notifiers, for diagnostics. */
  failures(): string[] {
    return this.notifiers.flatMap((notifier) => notifier.failure?.() ?? []);
  }

  // --- the ladder ---------------------------------------------------------------------------------------------

  private contain(session: SessionState, tool: ToolDescriptor, verdict: Verdict, trace: TraceContext | undefined, now: number): void {
    // Most decisions climb no rung: an allow whose policies neither alert nor remediate returns here.
    if (verdict.decision === "allow" && !verdict.reasons.some((reason) => reason.response === "alert" || (reason.remediate && reason.remediate.length > 0))) return;
    const where = { server: tool.server, tool: tool.name, ...(trace ? { trace } : {}) };
    const alerts = verdict.reasons.filter((reason) => reason.response === "alert");
    if (alerts.length > 0) {
      session.alerts++;
      this.raise(session, "alert", alerts.map((reason) => reason.policyId), where, now, { decisionId: verdict.decisionId });
      for (const reason of alerts) this.notifyOnce(session, "alert", reason.policyId, reason.reason, verdict.decisionId, where, now);
    }
    // A drift rule that blocks is a containment step; a policy's ordinary deny is enforcement, not escalation.
    const blockingRules = verdict.decision === "deny" ? verdict.reasons.filter((reason) => reason.response === "deny" && reason.policyId in DRIFT_RULES) : [];
    if (blockingRules.length > 0) {
      this.raise(session, "block", blockingRules.map((reason) => reason.policyId), where, now, { decisionId: verdict.decisionId });
      for (const reason of blockingRules) this.notifyOnce(session, "block", reason.policyId, reason.reason, verdict.decisionId, where, now);
    }
    if (verdict.decision === "halt") {
      this.halt(session, { decisionId: verdict.decisionId, policyIds: verdict.policyIds, message: verdict.message, at: now }, where, now);
    }
    for (const reason of verdict.reasons) {
      if (reason.remediate && reason.remediate.length > 0) this.remediate(session, [reason.policyId], reason.remediate, verdict.decisionId, where, now);
    }
  }

  private halt(session: SessionState, halt: NonNullable<SessionState["halted"]>, where: Where, now: number): void {
    if (session.halted) return;
    session.halted = halt;
    this.raise(session, "halt", halt.policyIds, where, now, { decisionId: halt.decisionId });
    this.notify({ kind: "halt", rule: halt.policyIds[0] ?? "halt", reason: halt.message, sessionId: session.id, decisionId: halt.decisionId, ...whereOf(where) }, now);
  }

  /** Moves the session up the ladder; a step is audited only when the session reaches a higher rung. */
  private raise(session: SessionState, level: Exclude<ContainmentLevel, "none">, policyIds: readonly string[], where: Where, now: number, detail: Record<string, string>): void {
    if (RANK[level] <= RANK[session.containment]) return;
    const from = session.containment;
    session.containment = level;
    this.parts.emit({
      event: "containment",
      decision: level === "alert" ? "allow" : level === "block" ? "deny" : "halt",
      level,
      policyIds,
      sessionId: session.id,
      ...where,
      detail: { level, from, ...detail },
    });
  }

  private remediate(session: SessionState, policyIds: readonly string[], actions: readonly string[], decisionId: string | undefined, where: Where, now: number): void {
    for (const action of actions) {
      session.remediations++;
      const step = (detail: Record<string, string | number | boolean>) =>
        this.parts.emit({ event: "containment", decision: "halt", level: "remediate", policyIds, sessionId: session.id, ...where, detail: { level: "remediate", action, ...(decisionId ? { decisionId } : {}), ...detail } });
      if (action === "revoke-approvals") {
        const revoked = this.parts.ledger.revoke(session.id, now);
        step({ status: "done", revoked });
      } else if (action.startsWith("hook:")) {
        const hook = this.hooks[action.slice(5)];
        if (!hook) {
          step({ status: "failed", error: `no hook named ${action.slice(5)} is configured` });
          continue;
        }
        const event = { action, sessionId: session.id, rule: policyIds[0] ?? "", ...(decisionId ? { decisionId } : {}), declarationId: this.parts.declaration.id, agent: this.parts.declaration.agent, ...whereOf(where), time: new Date(now).toISOString() };
        const run = runHook(hook, event).then((error) => step(error === undefined ? { status: "done" } : { status: "failed", error }));
        this.running.add(run);
        void run.finally(() => this.running.delete(run));
      }
      this.notify({ kind: "remediate", rule: policyIds[0] ?? "remediate", reason: `remediation ${action}`, sessionId: session.id, ...(decisionId ? { decisionId } : {}), ...whereOf(where), detail: { action } }, now);
    }
  }

  // --- notifications ------------------------------------------------------------------------------------------

  private notifyOnce(session: SessionState | undefined, kind: "alert" | "block", rule: string, reason: string, decisionId: string | undefined, where: Where, now: number): void {
    if (session) {
      const key = `${kind}:${rule}`;
      if (session.notified.has(key)) return;
      session.notified.add(key);
    }
    this.notify({ kind, rule, reason, ...(session ? { sessionId: session.id } : {}), ...(decisionId ? { decisionId } : {}), ...whereOf(where) }, now);
  }

  private notify(partial: Omit<Notification, "time" | "declarationId" | "agent">, now: number): void {
    if (this.notifiers.length === 0) return;
    const notification: Notification = { ...partial, time: new Date(now).toISOString(), declarationId: this.parts.declaration.id, agent: this.parts.declaration.agent };
    for (const notifier of this.notifiers) notifier.notify(notification);
  }

  // --- state --------------------------------------------------------------------------------------------------

  private counters(session: SessionState, now: number): Required<SessionCounters> {
    return this.parts.sessions.counters(session, now, this.parts.ledger.countActive(session.id, now));
  }

  /** A changed digest is drift; a tool seen for the first time is pinned at its digest. */
  private pinStatus(tool: ToolDescriptor): PinStatus {
    const key = toolKey(tool.server, tool.name);
    const reported = this.reported.get(key);
    if (reported) return reported;
    if (tool.digest === undefined) return "pinned";
    const pinned = this.pins.get(key);
    if (pinned === undefined) {
      if (this.pins.size < MAX_PINS) this.pins.set(key, tool.digest);
      return "pinned";
    }
    return pinned === tool.digest ? "pinned" : "changed";
  }
}

type Where = { readonly server?: string; readonly tool?: string; readonly trace?: TraceContext };

function whereOf(where: Where): Pick<Notification, "server" | "tool" | "threadId" | "traceId"> {
  const threadId = where.trace?.threadId ?? where.trace?.conversationId;
  return {
    ...(where.server ? { server: where.server } : {}),
    ...(where.tool ? { tool: where.tool } : {}),
    ...(threadId ? { threadId } : {}),
    ...(where.trace?.traceId ? { traceId: where.trace.traceId } : {}),
  };
}

/** Runs a hook within a time limit; resolves with its error message, or undefined when it succeeded. */
async function runHook(hook: RemediationHook, event: Parameters<RemediationHook>[0]): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the hook did not finish within ${HOOK_TIMEOUT_MS / 1000} s`), HOOK_TIMEOUT_MS);
      timer.unref();
    });
    return await Promise.race([Promise.resolve().then(() => hook(event)).then(() => undefined), timeout]);
  } catch (error) {
    return messageOf(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Remembers an open question; past `PENDING_ASKS` the oldest is forgotten (a repeat of it then counts again). */
function rememberAsk(pending: Set<string>, callDigest: string): void {
  pending.add(callDigest);
  if (pending.size > PENDING_ASKS) pending.delete(pending.values().next().value!);
}
