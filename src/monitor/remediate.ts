/** What a remediation hook is told: which session, which rule or policy, which decision. */
export interface RemediationEvent {
  readonly action: string;
  readonly sessionId: string;
  readonly rule: string;
  readonly decisionId?: string;
  readonly declarationId: string;
  readonly agent: string;
  readonly server?: string;
  readonly tool?: string;
  /** ISO 8601. */
  readonly time: string;
}

/**
 * A remediation an operator configures (`monitor.hooks.NAME`), run when a policy says `@remediate("hook:NAME")` or a
 * rule lists it: rotate a credential, page someone, end the agent's run. It runs after the decision, off the call's
 * path; its outcome (or failure) is an audit record.
 */
export type RemediationHook = (event: RemediationEvent) => void | Promise<void>;

/** The remediation actions a policy or rule may name. */
export function isRemediation(action: string): boolean {
  return action === "revoke-approvals" || /^hook:[A-Za-z0-9_.-]+$/.test(action);
}
