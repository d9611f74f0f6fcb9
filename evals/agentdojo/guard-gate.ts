import type { Approver } from "../../src/approve/approver.js";
import type { Guard } from "../../src/guard.js";
import { permitsForwarding } from "../../src/model/verdict.js";
import type { Gate, GateCall } from "./gate.js";

/**
 * The guard in this process, as the scripted agent's gate. With `approveAsks`, a person approves every `ask` (to
 * measure what approvals would let through); otherwise nobody answers and an `ask` stops the call, as it would in an
 * unattended run. The call carries the user's values (the prompt and what it quotes), as an adapter that sees the
 * user's request passes them: the guard trusts them.
 */
export function guardGate(guard: Guard, options: { approveAsks?: boolean } = {}): Gate {
  const approver: Approver | undefined = options.approveAsks
    ? { name: "eval-approves-everything", request: async () => ({ approved: true, approver: "eval:approve-all" }) }
    : undefined;
  const toolCall = (call: GateCall) => ({ server: call.server, tool: call.tool, args: call.args, sessionId: call.sessionId, trace: call.trace, userValues: call.userValues });
  return {
    name: options.approveAsks ? "guard (asks approved)" : "guard",
    async before(call) {
      const started = process.hrtime.bigint();
      const verdict = await guard.beforeCall(toolCall(call), approver ? { approver } : {});
      const latencyUs = Number(process.hrtime.bigint() - started) / 1000;
      return {
        decision: verdict.decision,
        forward: permitsForwarding(verdict),
        args: verdict.decision === "redact" ? verdict.value : call.args,
        policyIds: verdict.policyIds,
        ...("message" in verdict ? { message: verdict.message } : {}),
        latencyUs,
      };
    },
    async after(call, result) {
      const started = process.hrtime.bigint();
      const verdict = await guard.afterCall(toolCall(call), result);
      const latencyUs = Number(process.hrtime.bigint() - started) / 1000;
      const value = verdict.decision === "allow" ? result : verdict.decision === "redact" ? verdict.value : { error: verdict.message };
      return { decision: verdict.decision, value, redacted: verdict.decision === "redact", policyIds: verdict.decision === "allow" ? [] : verdict.policyIds, latencyUs };
    },
    endSession: (sessionId) => guard.endSession(sessionId),
    close: () => guard.close(),
  };
}
