import { interrupt } from "@langchain/langgraph";
import type { HITLRequest } from "langchain";
import type { ApprovalAnswer, Approver, AskVerdict } from "../../src/index.js";

/** A LangChain human-in-the-loop request for one call the guard wants a person to approve. */
export interface PurposeGuardApprovalRequest extends HITLRequest {
  readonly purposeGuard: {
    readonly decisionId: string;
    readonly policyIds: readonly string[];
    readonly callDigest: string;
    /** The model's tool call id: the answer names it (or `callDigest`) so it approves this call and no other. */
    readonly toolCallId?: string;
  };
}

/** The call a resume value must be an answer for. */
export interface ApprovalTarget {
  readonly toolCallId?: string | undefined;
  readonly callDigest: string;
  /**
   * True when no other tool call of the model's turn has this id: only then does naming the id name this call (a model
   * can repeat an id; the call digest names a call whatever the ids are).
   */
  readonly uniqueId: boolean;
}

const APPROVER = "human-in-the-loop";

/** How to answer, told with every answer declined for not naming its call. */
const HOW_TO_ANSWER =
  "resume each interrupt by its id, naming its call: new Command({ resume: { [interrupt.id]: { decisions: [{ type: \"approve\" | \"reject\", toolCallId } ] } } })";

/**
 * Pauses the run with LangGraph's `interrupt` (it throws on the first pass; the graph resumes this node with the
 * person's answer) and returns an approver that hands that answer to the guard. Only approve and reject are offered:
 * an edited call would be another call, which the guard must decide afresh.
 */
export function approverFromInterrupt(toolCall: { readonly id?: string | undefined; readonly name: string; readonly args: Record<string, unknown> }, verdict: AskVerdict, uniqueId: boolean): Approver {
  const request: PurposeGuardApprovalRequest = {
    actionRequests: [{ name: toolCall.name, args: toolCall.args, description: verdict.message }],
    reviewConfigs: [{ actionName: toolCall.name, allowedDecisions: ["approve", "reject"] }],
    purposeGuard: { decisionId: verdict.decisionId, policyIds: verdict.policyIds, callDigest: verdict.callDigest, ...(toolCall.id ? { toolCallId: toolCall.id } : {}) },
  };
  const answer = answerOf(interrupt(request), { toolCallId: toolCall.id, callDigest: verdict.callDigest, uniqueId });
  return { name: "langgraph-interrupt", request: async () => answer };
}

/**
 * Reads a resume value as the answer for one call: LangChain's `HITLResponse` with one decision (`{decisions:
 * [{type: "approve", toolCallId}]}`; an optional `approver` string names the person) or an `ApprovalAnswer`
 * (`{approved, approver?, note?, toolCallId?}`). Either may name its call by `toolCallId` or `callDigest`; every name
 * given must be the target's. An answer that names no call declines: a plain `Command({resume})` value reaches every
 * interrupt pending in the graph, also those of parallel branches and subagents no turn shows. Anything else declines
 * (fail closed), and the person's name is then not recorded: they approved or rejected no such call.
 */
export function answerOf(resume: unknown, target: ApprovalTarget): ApprovalAnswer {
  const read = decisionOf(resume);
  if (typeof read === "string") return declined(read);
  const binding = bindingOf(read.names, target);
  if (binding) return declined(binding);
  const approver = typeof read.approver === "string" && read.approver ? read.approver : APPROVER;
  // The digest the answer named goes to the guard, which checks it against the call it decides.
  const digest = typeof read.names.callDigest === "string" ? { callDigest: read.names.callDigest } : {};
  if (read.approved === true) return { approved: true, approver, ...digest };
  if (read.approved === false) return { approved: false, approver, ...digest, ...(typeof read.note === "string" ? { note: read.note } : {}) };
  return declined(`the decision \`${String(read.approved)}\` is not offered; approve or reject`);
}

interface ReadDecision {
  /** true, false, or the unknown decision type. */
  readonly approved: unknown;
  readonly approver: unknown;
  readonly note: unknown;
  readonly names: { readonly toolCallId?: unknown; readonly callDigest?: unknown };
}

/** The one decision a resume value holds, or why there is none. */
function decisionOf(resume: unknown): ReadDecision | string {
  if (resume === null || typeof resume !== "object") return "the resume value is neither a HITLResponse nor an approval answer";
  const value = resume as { decisions?: unknown; approved?: unknown; approver?: unknown; note?: unknown; toolCallId?: unknown; callDigest?: unknown };
  if (Array.isArray(value.decisions)) {
    // Several decisions in one value are answers for several calls; this call cannot tell which one is its own.
    if (value.decisions.length !== 1) return `the answer holds ${value.decisions.length} decisions; give one per call (${HOW_TO_ANSWER})`;
    const decision = (value.decisions[0] ?? {}) as { type?: unknown; message?: unknown; approver?: unknown; toolCallId?: unknown; callDigest?: unknown };
    const approved = decision.type === "approve" ? true : decision.type === "reject" ? false : decision.type;
    return { approved, approver: decision.approver, note: decision.message, names: { toolCallId: decision.toolCallId, callDigest: decision.callDigest } };
  }
  if (typeof value.approved === "boolean") {
    return { approved: value.approved, approver: value.approver, note: value.note, names: { toolCallId: value.toolCallId, callDigest: value.callDigest } };
  }
  return "the resume value is neither a HITLResponse nor an approval answer";
}

/** Why an answer is not this call's, or undefined when it is. */
function bindingOf(names: ReadDecision["names"], target: ApprovalTarget): string | undefined {
  const { toolCallId, callDigest } = names;
  if (toolCallId === undefined && callDigest === undefined) return `the answer names no call (${HOW_TO_ANSWER})`;
  if (toolCallId !== undefined && callDigest === undefined && !target.uniqueId) {
    return `the tool call id \`${String(toolCallId)}\` is not one call's in this turn: name the call by \`callDigest\` (${HOW_TO_ANSWER})`;
  }
  if (toolCallId !== undefined && (!target.toolCallId || toolCallId !== target.toolCallId)) {
    return `the answer is for the tool call \`${String(toolCallId)}\`, not this one${target.toolCallId ? ` (\`${target.toolCallId}\`)` : ""} (${HOW_TO_ANSWER})`;
  }
  if (callDigest !== undefined && callDigest !== target.callDigest) {
    return `the answer is for another call (digest ${String(callDigest).slice(0, 12)}…) (${HOW_TO_ANSWER})`;
  }
  return undefined;
}

function declined(note: string): ApprovalAnswer {
  return { approved: false, approver: APPROVER, note };
}
