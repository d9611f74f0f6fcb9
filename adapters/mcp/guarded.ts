/**
 * The enforcer the proxy runs: translates MCP requests into guard calls and verdicts into MCP answers. It holds no
 * policy of its own. A deny reaches the client as a tool result with `isError: true` whose text is the verdict's
 * message (the policy ids and reasons), so the agent can adapt and the user can see why; `ask` becomes an MCP
 * elicitation when the client can show one.
 */
import type { ApprovalAnswer, ApprovalRequest, Approver } from "../../src/approve/approver.js";
import type { Guard, ResultOptions } from "../../src/guard.js";
import type { ToolCall } from "../../src/model/call.js";
import type { ToolAnnotations } from "../../src/model/tool.js";
import { permitsForwarding, type Verdict } from "../../src/model/verdict.js";
import type { Admission, CallContext, Enforcer, ToolAlert } from "./enforcer.js";
import { RPC, failure, isRecord, success, type Outcome } from "./jsonrpc.js";

/** JSON-RPC error code of a refused `resources/read`, `prompts/get` or completion (tools get an error result). */
export const DENIED_CODE = RPC.denied;

/** The `_meta` key under which refusals carry the decision, for clients and log scrapers. */
export const VERDICT_META = "purpose-guard/verdict";

export interface GuardedOptions {
  /**
   * `hide` (default): tools, resources and prompts the declaration does not grant are not listed. `deny`: they are
   * listed and every use is denied (by the guard, with the policy that says so).
   */
  readonly undeclared?: "hide" | "deny";
}

export function guardedEnforcer(guard: Guard, options: GuardedOptions = {}): Enforcer {
  const showUndeclared = options.undeclared === "deny";
  const toolCall = (context: CallContext, args: unknown): ToolCall => ({
    server: context.server,
    tool: context.tool,
    args,
    sessionId: context.sessionId,
    trace: context.trace,
    hints: hintsOf(context),
  });

  return {
    name: "guard",
    visible: (server, tool) => showUndeclared || guard.isDeclared(server, tool),

    async before(context): Promise<Admission> {
      const approver = context.elicit ? elicitationApprover(context.elicit, context.clientName) : undefined;
      const verdict = await guard.beforeCall(toolCall(context, context.args), { signal: context.signal, ...(approver ? { approver } : {}) });
      if (!permitsForwarding(verdict)) return { forward: false, outcome: refusal(context, verdict) };
      return { forward: true, args: verdict.decision === "redact" ? verdict.value : context.args };
    },

    async after(context, outcome): Promise<Outcome> {
      // An upstream error can quote the data it failed on: it is checked like a result.
      const value = outcome.error === undefined ? outcome.result : outcome.error;
      const verdict = await guard.afterCall(toolCall(context, context.args), value);
      if (verdict.decision === "allow") return outcome;
      if (verdict.decision === "redact") {
        if (outcome.error !== undefined) {
          const redacted = isRecord(verdict.value) ? verdict.value : {};
          return failure(outcome.error.code, typeof redacted["message"] === "string" ? redacted["message"] : "error redacted by purpose-guard", redacted["data"]);
        }
        return isRecord(verdict.value) ? success(verdict.value) : refusal(context, verdict);
      }
      return refusal(context, verdict);
    },

    async screen(context, value) {
      // Server data beside a result (a definition, a log line, instructions): the tool's declared output classes
      // are not assumed in it, or every definition of a tool declared to return secrets would be withheld.
      const verdict = await guard.afterCall(toolCall(context, context.args), value, INCIDENTAL);
      if (verdict.decision === "allow") return value;
      return verdict.decision === "redact" && isRecord(verdict.value) ? verdict.value : undefined;
    },

    alert(alert: ToolAlert) {
      guard.alert({ rule: alert.rule, server: alert.server, tool: alert.tool, ...(alert.sessionId ? { sessionId: alert.sessionId } : {}), detail: { detail: alert.detail } });
    },

    endSession: (sessionId) => guard.endSession(sessionId),
    close: () => guard.close(),
  };
}

const INCIDENTAL: ResultOptions = Object.freeze({ incidental: true });
const READ_HINTS: NonNullable<ToolCall["hints"]> = Object.freeze({ intent: "read" });
const NO_HINTS: NonNullable<ToolCall["hints"]> = Object.freeze({});
/**
 * Hints by tool definition: a session keeps one definition object per listed tool, so each call of a tool passes the
 * guard the same hints object (which the guard's catalog recognises without re-reading it).
 */
const hintsByDefinition = new WeakMap<object, { readonly digest: string | undefined; readonly hints: NonNullable<ToolCall["hints"]> }>();

/** What the guard knows of a tool from its MCP definition: annotations and the pinned digest. */
function hintsOf(context: CallContext): NonNullable<ToolCall["hints"]> {
  // Resources and prompts are reads; another method's intent is the declaration's, or inferred as for any tool.
  if (context.kind === "resource" || context.kind === "prompt") return READ_HINTS;
  const { definition, digest } = context;
  if (!definition) return digest ? { digest } : NO_HINTS;
  const known = hintsByDefinition.get(definition);
  if (known && known.digest === digest) return known.hints;
  const annotations = definition["annotations"];
  const hints = Object.freeze({
    ...(isRecord(annotations) ? { annotations: Object.freeze(pickAnnotations(annotations)) } : {}),
    ...(digest ? { digest } : {}),
  });
  hintsByDefinition.set(definition, { digest, hints });
  return hints;
}

function pickAnnotations(raw: Readonly<Record<string, unknown>>): ToolAnnotations {
  const out: { -readonly [K in keyof ToolAnnotations]: boolean } = {};
  for (const key of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
    if (typeof raw[key] === "boolean") out[key] = raw[key];
  }
  return out;
}

/** The answer for a request the guard did not let through: a tool error result, or a JSON-RPC error. */
function refusal(context: CallContext, verdict: Verdict): Outcome {
  const text = verdict.decision === "ask" && !context.elicit
    ? `${verdict.message}. This client cannot show approval requests (it does not support MCP elicitation), so the call was not made; ask an operator to approve it`
    : "message" in verdict
      ? verdict.message
      : `purpose-guard withheld ${context.target}`;
  const meta = { decision: verdict.decision === "redact" || verdict.decision === "allow" ? "deny" : verdict.decision, decisionId: verdict.decisionId, policyIds: verdict.policyIds };
  if (context.kind === "tool") return success({ content: [{ type: "text", text }], isError: true, _meta: { [VERDICT_META]: meta } });
  return failure(DENIED_CODE, text, { [VERDICT_META]: meta });
}

/**
 * Resolves an `ask` by asking the user through their MCP client (elicitation, form mode): one boolean, for this
 * exact call. Declining, cancelling, a malformed answer or an error all mean no.
 */
export function elicitationApprover(elicit: NonNullable<CallContext["elicit"]>, clientName = "client"): Approver {
  return {
    name: `elicitation:${clientName}`,
    async request(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
      const approver = `elicitation:${clientName}`;
      const outcome = await elicit({
        message: approvalMessage(request),
        requestedSchema: {
          type: "object",
          properties: {
            approve: { type: "boolean", title: "Approve this call", description: `Allow ${request.server}/${request.tool} once, with the arguments shown` },
          },
          required: ["approve"],
        },
      }, signal);
      if (outcome.error) throw new Error(`the client could not ask the user: ${outcome.error.message}`);
      const { action, content } = outcome.result as { action?: unknown; content?: unknown };
      const approved = action === "accept" && isRecord(content) && content["approve"] === true;
      return approved ? { approved, approver } : { approved: false, approver, note: action === "accept" ? "not approved" : String(action ?? "no answer") };
    },
  };
}

function approvalMessage(request: ApprovalRequest): string {
  let preview = JSON.stringify(request.argsPreview ?? {});
  if (preview.length > 600) preview = `${preview.slice(0, 600)}…`;
  return [
    `purpose-guard asks for your approval: the agent wants to call ${request.server}/${request.tool}.`,
    `Why approval is needed: ${request.reasons.join("; ") || request.policyIds.join(", ")}.`,
    `Arguments (sensitive values redacted): ${preview}`,
    `Declaration: ${request.declarationId}. This approves this one call only.`,
  ].join("\n");
}
