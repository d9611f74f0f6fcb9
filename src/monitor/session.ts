import type { SessionCounters } from "../authorize/engine.js";

/** Why a session was halted, so a halt can cite the decision that caused it on every later call. */
export interface HaltState {
  readonly decisionId: string;
  readonly policyIds: readonly string[];
  readonly message: string;
  readonly at: number;
}

/** What the guard remembers of one agent session. */
export interface SessionState {
  readonly id: string;
  calls: number;
  denials: number;
  recordsRead: number;
  bytesRead: number;
  readonly tools: Set<string>;
  /** Call times (ms) within the last minute, oldest first. */
  readonly recent: number[];
  halted?: HaltState;
  lastSeen: number;
}

const MINUTE_MS = 60_000;

/**
 * Sessions by id, bounded: past `maxSessions`, the longest-idle session that is not halted is forgotten. A halted
 * session is never forgotten, or evicting it would silently release it.
 */
export class SessionStore {
  private readonly sessions = new Map<string, SessionState>();

  constructor(private readonly maxSessions = 10_000) {}

  get(id: string, now: number): SessionState {
    let state = this.sessions.get(id);
    if (state) {
      // Keep Map order = idle order, so eviction finds the longest-idle session first.
      this.sessions.delete(id);
    } else {
      state = { id, calls: 0, denials: 0, recordsRead: 0, bytesRead: 0, tools: new Set(), recent: [], lastSeen: now };
      this.evict();
    }
    state.lastSeen = now;
    this.sessions.set(id, state);
    return state;
  }

  peek(id: string): SessionState | undefined {
    return this.sessions.get(id);
  }

  /** Lifts a halt (an operator's decision); returns false when the session was not halted. */
  release(id: string): boolean {
    const state = this.sessions.get(id);
    if (!state?.halted) return false;
    delete state.halted;
    return true;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** The counters policies see. `recent` is pruned here, so it stays bounded by one minute of calls. */
  counters(state: SessionState, now: number): SessionCounters {
    const recent = state.recent;
    let drop = 0;
    while (drop < recent.length && recent[drop]! <= now - MINUTE_MS) drop++;
    if (drop > 0) recent.splice(0, drop);
    return {
      calls: state.calls,
      callsLastMinute: recent.length,
      denials: state.denials,
      recordsRead: state.recordsRead,
      bytesRead: state.bytesRead,
      distinctTools: state.tools.size,
    };
  }

  private evict(): void {
    if (this.sessions.size < this.maxSessions) return;
    for (const [id, state] of this.sessions) {
      if (!state.halted) {
        this.sessions.delete(id);
        return;
      }
    }
  }
}
