import type { SessionCounters } from "../authorize/engine.js";
import { scopeCovers } from "../model/data-class.js";
import type { Budgets } from "../model/declaration.js";
import type { ToolDescriptor } from "../model/tool.js";
import type { DriftRuleId, ResolvedMonitorConfig, ResolvedRule, RuleResponse } from "./rules.js";
import type { SessionState } from "./session.js";

type Detail = Readonly<Record<string, string | number | boolean>>;

/** A drift rule that fires for the decision at hand. */
export interface DriftHit {
  readonly rule: DriftRuleId;
  readonly response: RuleResponse;
  /** The rule's sentence with this session's numbers. */
  readonly reason: string;
  readonly remediate: readonly string[];
  readonly detail: Detail;
}

/** What the tool pins say about a called tool. */
export type PinStatus = "pinned" | "changed" | "unpinned";

export interface CallFacts {
  readonly session: SessionState;
  readonly counters: SessionCounters;
  readonly tool: ToolDescriptor;
  readonly pin: PinStatus;
  readonly budgets: Budgets | undefined;
  readonly now: number;
}

export interface ResultFacts {
  readonly counters: SessionCounters;
  readonly budgets: Budgets | undefined;
}

/** The drift rules that fire before a call is decided. Cheap: counters and short histories only. */
export function callDrift(config: ResolvedMonitorConfig, facts: CallFacts): DriftHit[] {
  const hits: DriftHit[] = [];
  const { counters, budgets, session, tool } = facts;
  const fire = (id: DriftRuleId, reason: (rule: ResolvedRule) => string, detail: Detail) => {
    const rule = config.rules.get(id);
    if (rule) hits.push({ rule: id, response: rule.response, reason: reason(rule), remediate: rule.remediate, detail });
  };

  if (budgets?.callsPerMinute !== undefined && counters.callsLastMinute >= budgets.callsPerMinute) {
    fire("budget-calls-per-minute", () => `the session made ${counters.callsLastMinute} calls in the last minute; budgets.callsPerMinute is ${budgets.callsPerMinute}`, { callsLastMinute: counters.callsLastMinute, budget: budgets.callsPerMinute });
  }
  if (budgets?.callsPerSession !== undefined && counters.calls >= budgets.callsPerSession) {
    fire("budget-calls-per-session", () => `the session already made ${counters.calls} calls; budgets.callsPerSession is ${budgets.callsPerSession}`, { calls: counters.calls, budget: budgets.callsPerSession });
  }
  budgetOverrun(config, { counters, budgets }, hits);

  const burst = burstOf(session, facts.now, config.burst);
  if (burst) {
    fire("burst-above-baseline", () => `${burst.callsInWindow} calls in ${config.burst.windowMs / 1000} s (${burst.ratePerMinute}/min) against the session's own ${burst.baselinePerMinute}/min`, burst);
  }

  if ((tool.intent === "egress" || tool.zone === "open-world") && session.classesRead.size > 0) {
    const sensitive = [...session.classesRead].filter((cls) => scopeCovers(config.sensitiveClasses, cls));
    if (sensitive.length > 0) {
      fire("sensitive-read-then-egress", (rule) => `${rule.reason} (${sensitive.join(", ")})`, { classes: sensitive.join(" "), intent: tool.intent, zone: tool.zone });
    }
  }

  const outcomes = session.outcomes;
  const considered = Math.min(config.probing.window, outcomes.length);
  let denials = 0;
  for (let i = outcomes.length - considered; i < outcomes.length; i++) if (outcomes[i]) denials++;
  if (denials >= config.probing.threshold) {
    fire("repeated-denials", () => `${denials} of the session's last ${considered} decisions were denials`, { denials, window: considered });
  }

  if (facts.pin === "changed") fire("tool-definition-changed", (rule) => rule.reason, { tool: `${tool.server}/${tool.name}`, ...(tool.digest ? { digest: tool.digest } : {}) });
  if (facts.pin === "unpinned") fire("tool-unpinned", (rule) => rule.reason, { tool: `${tool.server}/${tool.name}` });
  return hits;
}

/** The drift rules that fire before a result is decided: the volume budgets, counting this result. */
export function resultDrift(config: ResolvedMonitorConfig, facts: ResultFacts): DriftHit[] {
  const hits: DriftHit[] = [];
  budgetOverrun(config, facts, hits);
  return hits;
}

/** Records and bytes over budget. On a result, the counters already include it: the result that crosses the line is the one withheld. */
function budgetOverrun(config: ResolvedMonitorConfig, { counters, budgets }: ResultFacts, hits: DriftHit[]): void {
  const records = config.rules.get("budget-records-read");
  if (records && budgets?.recordsRead !== undefined && counters.recordsRead > budgets.recordsRead) {
    hits.push({ rule: records.id, response: records.response, remediate: records.remediate, reason: `the session has read ${counters.recordsRead} records; budgets.recordsRead is ${budgets.recordsRead}`, detail: { recordsRead: counters.recordsRead, budget: budgets.recordsRead } });
  }
  const bytes = config.rules.get("budget-bytes-read");
  if (bytes && budgets?.bytesRead !== undefined && counters.bytesRead > budgets.bytesRead) {
    hits.push({ rule: bytes.id, response: bytes.response, remediate: bytes.remediate, reason: `the session has read ${counters.bytesRead} bytes; budgets.bytesRead is ${budgets.bytesRead}`, detail: { bytesRead: counters.bytesRead, budget: budgets.bytesRead } });
  }
}

/**
 * A burst: at least `minCalls` calls (this one included) in the last `windowMs`, at `factor` times or more the
 * session's own rate before that window. Needs `baselineMs` of history, so a young session never counts as bursting.
 */
function burstOf(session: SessionState, now: number, config: ResolvedMonitorConfig["burst"]): { callsInWindow: number; ratePerMinute: number; baselinePerMinute: number } | undefined {
  const windowStart = now - config.windowMs;
  const history = windowStart - session.startedAt;
  if (history < config.baselineMs) return undefined;
  const inWindow = 1 + session.recent.countAfter(windowStart);
  if (inWindow < config.minCalls) return undefined;
  // At least one call of history, so a session that was idle is compared with one call over its age.
  const before = Math.max(1, session.calls - (inWindow - 1));
  const baselinePerMs = before / history;
  const recentPerMs = inWindow / config.windowMs;
  if (recentPerMs < config.factor * baselinePerMs) return undefined;
  return { callsInWindow: inWindow, ratePerMinute: Math.round(recentPerMs * 60_000), baselinePerMinute: Math.round(baselinePerMs * 60_000 * 10) / 10 };
}
