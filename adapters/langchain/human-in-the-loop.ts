import { interrupt } from "@langchain/langgraph";
import type { HITLRequest } from "langchain";
import type { ApprovalAnswer, Approver, AskVerdict } from "../../src/index.js";

/** A LangChain human-in-the-loop request for one call the guard wants a person to approve. */
export interface PurposeGuardApprovalRequest extends HITLRequest {
  readonly purposeGuard: { readonly decisionId: string; readonly policyIds: readonly string[]; readonly callDigest: string };
}

const APPROVER = "human-in-the-loop";

/**
 * Pauses the run with LangGraph's `interrupt` (it throws on the first pass; the graph resumes this node with the
 * person's answer) and returns an approver that hands that answer to the guard. Only approve and reject are offered:
 * an edited call would be another call, which the guard must decide afresh.
 */
export function approverFromInterrupt(toolCall: { readonly name: string; readonly args: Record<string, unknown> }, verdict: AskVerdict): Approver {
  const request: PurposeGuardApprovalRequest = {
    actionRequests: [{ name: toolCall.name, args: toolCall.args, description: verdict.message }],
    reviewConfigs: [{ actionName: toolCall.name, allowedDecisions: ["approve", "reject"] }],
    purposeGuard: { decisionId: verdict.decisionId, policyIds: verdict.policyIds, callDigest: verdict.callDigest },
  };
  const answer = answerOf(interrupt(request));
  return { name: "langgraph-interrupt", request: async () => answer };
}

/**
 * Reads a resume value: LangChain's `HITLResponse` (`{decisions: [{type: "approve"}]}`, an optional `approver`
 * string on the decision names the person) or an `ApprovalAnswer`. Anything else declines: fail closed.
 */
export function answerOf(resume: unknown): ApprovalAnswer {
  if (resume !== null && typeof resume === "object") {
    const value = resume as { decisions?: unknown; approved?: unknown; approver?: unknown; note?: unknown };
    if (Array.isArray(value.decisions) && value.decisions.length > 0) {
      const decision = value.decisions[0] as { type?: unknown; message?: unknown; approver?: unknown };
      const approver = typeof decision.approver === "string" && decision.approver ? decision.approver : APPROVER;
      if (decision.type === "approve") return { approved: true, approver };
      if (decision.type === "reject") return { approved: false, approver, ...(typeof decision.message === "string" ? { note: decision.message } : {}) };
      return { approved: false, approver, note: `the decision \`${String(decision.type)}\` is not offered; approve or reject` };
    }
    if (typeof value.approved === "boolean") {
      return {
        approved: value.approved,
        approver: typeof value.approver === "string" && value.approver ? value.approver : APPROVER,
        ...(typeof value.note === "string" ? { note: value.note } : {}),
      };
    }
  }
  return { approved: false, approver: APPROVER, note: "the resume value is neither a HITLResponse nor an approval answer" };
}
