import { permitsForwarding, RefusalError, type Guard, type ToolCall, type Verdict } from "../../src/index.js";
import { refusalText, stopOnHalt, type Refusal } from "../common/refusal.js";
import { outputView, refusalMessage } from "./tool-output.js";

/** One LangChain tool call on its way through the guard. */
export interface GuardedRun {
  readonly guard: Guard;
  /** The call as the guard sees it. */
  readonly call: ToolCall;
  /** The framework's tool call: refusals answer it by id and name. */
  readonly toolCall: { readonly id?: string | undefined; readonly name: string };
  /** True when the caller expects a `ToolMessage` (an agent loop); false for a plain `tool.invoke(args)`, which throws. */
  readonly answersWithMessage: boolean;
}

/**
 * The translation both the middleware and `guardTools` do: a verdict that forwards runs the tool (with the redacted
 * arguments on redact), its output goes through `afterCall`, and a refusal becomes an error `ToolMessage` (or a
 * `RefusalError` where no message can carry it). A halt always throws: the run must end.
 */
export async function forwardIfPermitted(run: GuardedRun, verdict: Verdict, forward: (args: unknown) => Promise<unknown>): Promise<unknown> {
  if (!permitsForwarding(verdict)) return refuse(run, verdict);
  const call = verdict.decision === "redact" ? { ...run.call, args: verdict.value } : run.call;
  const output = await forward(call.args);
  const view = outputView(output);
  const after = await run.guard.afterCall(call, view.value);
  if (after.decision === "allow") return output;
  if (after.decision === "redact") {
    if (view.rebuild) return view.rebuild(after.value);
    const withheld = `purpose-guard withheld the result of ${call.server}/${call.tool}: it must be redacted (${after.policyIds.join(", ")}), and a LangGraph Command cannot be rebuilt around a redacted value`;
    if (!run.answersWithMessage) throw new RefusalError(after, withheld);
    return refusalMessage(after, run.toolCall, withheld);
  }
  return refuse(run, after);
}

function refuse(run: GuardedRun, verdict: Refusal): unknown {
  stopOnHalt(verdict);
  if (!run.answersWithMessage) throw new RefusalError(verdict);
  return refusalMessage(verdict, run.toolCall, refusalText(verdict));
}
