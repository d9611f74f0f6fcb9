/** An approval a person gave: for one exact call, under one declaration, for the policies that asked, until when. */
export interface GrantedApproval {
  readonly approvalId: string;
  readonly approver: string;
  readonly policyIds: readonly string[];
  /** SHA-256 of server, tool and canonical arguments: other arguments are not approved. */
  readonly callDigest: string;
  readonly declarationDigest: string;
  readonly grantedAt: number;
  readonly expiresAt: number;
}

/** Standing approvals kept per session; past this many, the oldest is forgotten. */
const PER_SESSION = 64;

/**
 * The approvals of each session. A standing approval covers a repeat of the exact call (same digest, same
 * declaration) until it expires; a remediation can revoke all of a session's approvals at once.
 */
export class ApprovalLedger {
  private readonly sessions = new Map<string, GrantedApproval[]>();

  grant(sessionId: string, approval: GrantedApproval): void {
    if (approval.expiresAt <= approval.grantedAt) return;
    const list = this.sessions.get(sessionId) ?? [];
    list.push(approval);
    if (list.length > PER_SESSION) list.shift();
    this.sessions.set(sessionId, list);
  }

  /** Whether the session holds any approval (expired ones included until pruned): callers skip digesting otherwise. */
  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  /** The policy ids approved for this exact call under this declaration, still valid at `now`. */
  standing(sessionId: string, callDigest: string, declarationDigest: string, now: number): readonly string[] {
    const list = this.sessions.get(sessionId);
    if (!list) return [];
    const ids = new Set<string>();
    for (const approval of list) {
      if (approval.callDigest === callDigest && approval.declarationDigest === declarationDigest && approval.expiresAt > now) {
        for (const id of approval.policyIds) ids.add(id);
      }
    }
    return [...ids];
  }

  /** Valid approvals of a session at `now`. */
  active(sessionId: string, now: number): GrantedApproval[] {
    return (this.sessions.get(sessionId) ?? []).filter((approval) => approval.expiresAt > now);
  }

  /** How many approvals of a session are valid at `now` (no allocation: asked on every call). */
  countActive(sessionId: string, now: number): number {
    const list = this.sessions.get(sessionId);
    if (!list) return 0;
    let count = 0;
    for (const approval of list) if (approval.expiresAt > now) count++;
    return count;
  }

  /** Withdraws every approval of a session; returns how many were still valid. */
  revoke(sessionId: string, now: number): number {
    const revoked = this.active(sessionId, now).length;
    this.sessions.delete(sessionId);
    return revoked;
  }

  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
