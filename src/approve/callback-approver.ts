import type { ApprovalAnswer, ApprovalRequest, Approver } from "./approver.js";

/** Decides an approval in the embedding program: a UI prompt, a chat message, a ticket. */
export type ApprovalCallback = (request: ApprovalRequest, signal: AbortSignal) => ApprovalAnswer | Promise<ApprovalAnswer>;

/**
 * An `Approver` made of a function, for programs that embed the guard and ask their user themselves. The guard still
 * applies the timeout (no answer in time denies), checks the answer's shape and records request and answer.
 */
export function createCallbackApprover(callback: ApprovalCallback, options: { readonly name?: string } = {}): Approver {
  const name = options.name ?? "callback";
  return {
    name,
    request: async function callbackApproval(request, signal) {
      return callback(request, signal);
    },
  };
}
