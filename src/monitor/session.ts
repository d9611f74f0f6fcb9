import type { ContainmentLevel, FamilyCounts, SessionCounters } from "../authorize/engine.js";
import { NO_FAMILY_COUNTS } from "../authorize/session-attributes.js";
import { CallTimes } from "./call-times.js";

/** Why a session was halted, so a halt can cite the decision that caused it on every later call. */
export interface HaltState {
  readonly decisionId: string;
  readonly policyIds: readonly string[];
  readonly message: string;
  readonly at: number;
}

/** What the guard remembers of one agent session. Mutated only by the guard's monitor stage. */
export interface SessionState {
  readonly id: string;
  /** When the session was first seen (ms). */
  readonly startedAt: number;
  calls: number;
  denials: number;
  recordsRead: number;
  bytesRead: number;
  readonly tools: Set<string>;
  /** Call times (ms) within the last minute, oldest first. */
  readonly recent: CallTimes;
  halted?: HaltState;
  lastSeen: number;
  readonly recordsByFamily: { -readonly [K in keyof FamilyCounts]: number };
  readonly bytesByFamily: { -readonly [K in keyof FamilyCounts]: number };
  readonly classesRead: Set<string>;
  readonly familiesRead: Set<string>;
  readonly flowClasses: Set<string>;
  /** Intents of the most recent calls, oldest first (at most `INTENT_HISTORY`). */
  readonly intents: string[];
  /** Whether each of the most recent decisions was a denial, oldest first (at most `OUTCOME_HISTORY`). */
  readonly outcomes: boolean[];
  /**
   * Digests of calls answered `ask` and not yet decided otherwise, oldest first (at most `PENDING_ASKS`): a call is
   * counted once, when it first asks, however often it is decided again while the question is open.
   */
  readonly pendingAsks: Set<string>;
  alerts: number;
  containment: ContainmentLevel;
  /** Rules and policies that already notified in this session (notify once per rule, not per call). */
  readonly notified: Set<string>;
  remediations: number;
  /**
   * What policies see of the slow-changing state, rebuilt only after it changed (the hot path allocates little).
   * Cleared by assigning undefined, never `delete`: a deleted property turns the object into a slow dictionary.
   */
  view: SessionView | undefined;
}

/** The parts of the counters that change only when a result is delivered or a flow is seen. */
interface SessionView {
  readonly recordsByFamily: FamilyCounts;
  readonly bytesByFamily: FamilyCounts;
  readonly classesRead: readonly string[];
  readonly familiesRead: readonly string[];
  readonly flowClasses: readonly string[];
}

const MINUTE_MS = 60_000;
const NO_DRIFT: readonly string[] = Object.freeze([]);
export const INTENT_HISTORY = 16;
export const OUTCOME_HISTORY = 20;
export const PENDING_ASKS = 64;

/**
 * Sessions by id, bounded: past `maxSessions`, the longest-idle session that is not halted is forgotten. A halted
 * session is never forgotten, or evicting it would silently release it (so halted sessions are not bounded: each is
 * a few counters and sets).
 */
export class SessionStore {
  private readonly sessions = new Map<string, SessionState>();
  /**
   * Halted sessions the eviction has passed, kept apart so that it does not pass them again on every new session
   * (with thousands halted, each new session cost a walk over all of them).
   */
  private readonly halted = new Map<string, SessionState>();

  constructor(private readonly maxSessions = 10_000) {}

  get(id: string, now: number): SessionState {
    const halted = this.halted.get(id);
    if (halted) {
      halted.lastSeen = now;
      return halted;
    }
    let state = this.sessions.get(id);
    if (state) {
      // Keep Map order = idle order, so eviction finds the longest-idle session first.
      this.sessions.delete(id);
    } else {
      state = newSession(id, now);
      this.evict();
    }
    state.lastSeen = now;
    this.sessions.set(id, state);
    return state;
  }

  peek(id: string): SessionState | undefined {
    return this.sessions.get(id) ?? this.halted.get(id);
  }

  /** Lifts a halt (an operator's decision); returns false when the session was not halted. */
  release(id: string): boolean {
    const state = this.peek(id);
    if (!state?.halted) return false;
    delete state.halted;
    if (this.halted.delete(id)) this.sessions.set(id, state);
    return true;
  }

  delete(id: string): void {
    this.sessions.delete(id);
    this.halted.delete(id);
  }

  /** The counters policies see. `recent` is pruned here, so it stays bounded by one minute of calls. */
  counters(state: SessionState, now: number, approvalsGranted = 0): Required<SessionCounters> {
    const recent = state.recent;
    recent.forgetUntil(now - MINUTE_MS);
    let recentDenials = 0;
    for (const denied of state.outcomes) if (denied) recentDenials++;
    const view = (state.view ??= {
      recordsByFamily: { ...state.recordsByFamily },
      bytesByFamily: { ...state.bytesByFamily },
      classesRead: [...state.classesRead],
      familiesRead: [...state.familiesRead],
      flowClasses: [...state.flowClasses],
    });
    return {
      calls: state.calls,
      callsLastMinute: recent.length,
      denials: state.denials,
      recordsRead: state.recordsRead,
      bytesRead: state.bytesRead,
      distinctTools: state.tools.size,
      recentDenials,
      recordsByFamily: view.recordsByFamily,
      bytesByFamily: view.bytesByFamily,
      classesRead: view.classesRead,
      familiesRead: view.familiesRead,
      flowClasses: view.flowClasses,
      intentSequence: state.intents.join(" "),
      approvalsGranted,
      alerts: state.alerts,
      containment: state.containment,
      drift: NO_DRIFT,
    };
  }

  private evict(): void {
    if (this.sessions.size < this.maxSessions) return;
    for (const [id, state] of this.sessions) {
      this.sessions.delete(id);
      if (!state.halted) return;
      this.halted.set(id, state);
    }
  }
}

function newSession(id: string, now: number): SessionState {
  return {
    id,
    startedAt: now,
    calls: 0,
    denials: 0,
    recordsRead: 0,
    bytesRead: 0,
    tools: new Set(),
    recent: new CallTimes(),
    lastSeen: now,
    recordsByFamily: { ...NO_FAMILY_COUNTS },
    bytesByFamily: { ...NO_FAMILY_COUNTS },
    classesRead: new Set(),
    familiesRead: new Set(),
    flowClasses: new Set(),
    intents: [],
    outcomes: [],
    pendingAsks: new Set(),
    alerts: 0,
    containment: "none",
    notified: new Set(),
    remediations: 0,
    view: undefined,
  };
}

/** Appends to a bounded history, dropping the oldest entry. */
export function pushBounded<T>(history: T[], item: T, limit: number): void {
  history.push(item);
  if (history.length > limit) history.splice(0, history.length - limit);
}
