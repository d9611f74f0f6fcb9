import { RefusalError, type AllowVerdict, type RedactVerdict, type Verdict } from "../../src/index.js";

/** A verdict that does not let a call or a result through: deny, ask (no approval obtained), halt. */
export type Refusal = Exclude<Verdict, AllowVerdict | RedactVerdict>;

/** Ends the run on a halt: the adapter's framework gets a `RefusalError` (code `SESSION_HALTED`). */
export function stopOnHalt(verdict: Refusal): void {
  if (verdict.decision === "halt") throw new RefusalError(verdict);
}

/** What the model reads when a call is refused: the guard's sentence, which names the policies and why. */
export function refusalText(verdict: Refusal): string {
  return verdict.message;
}

/** The decision facts an application may want beside the model's text (never sent to the model). */
export function decisionFacts(verdict: Verdict): { readonly decision: Verdict["decision"]; readonly decisionId: string; readonly policyIds: readonly string[] } {
  return { decision: verdict.decision, decisionId: verdict.decisionId, policyIds: verdict.policyIds };
}
