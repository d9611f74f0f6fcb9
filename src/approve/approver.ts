/** What a person is asked to approve: one exact call, under one declaration, for the policies that asked. */
export interface ApprovalRequest {
  readonly approvalId: string;
  /** SHA-256 of tool + canonical arguments: the approval is valid for this call only. */
  readonly callDigest: string;
  readonly declarationId: string;
  readonly declarationDigest: string;
  readonly policyIds: readonly string[];
  /** The policies' `@reason` sentences. */
  readonly reasons: readonly string[];
  readonly server: string;
  readonly tool: string;
  readonly sessionId: string;
  /** The arguments with secrets and every class outside the read scope redacted: enough to judge, nothing more. */
  readonly argsPreview: unknown;
  readonly requestedAt: string;
  /** No answer by then means deny. */
  readonly expiresAt: string;
}

export interface ApprovalAnswer {
  readonly approved: boolean;
  /** Who answered (an email, a user id, `elicitation:<client>`). */
  readonly approver: string;
  readonly note?: string;
  /**
   * The call digest the person saw and answered for. When given, it must be the request's: an answer meant for other
   * arguments is refused (and the call denied) rather than applied to this one.
   */
  readonly callDigest?: string;
}

/**
 * Resolves conditional approvals. `request` settles with the person's answer; the guard aborts `signal` at the
 * timeout and treats that, a rejection, or a throw as a deny.
 */
export interface Approver {
  readonly name: string;
  request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer>;
}
