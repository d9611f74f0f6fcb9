import { isGraphBubbleUp } from "@langchain/langgraph";
import { permitsForwarding, RefusalError, type Guard, type ToolCall, type Verdict } from "../../src/index.js";
import { refusalText, stopOnHalt, type Refusal } from "../common/refusal.js";
import { outputView, refusalMessage } from "./tool-output.js";
import { controlFlowError, thrownText } from "../common/thrown-text.js";

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
  let output: unknown;
  try {
    output = await forward(call.args);
  } catch (error) {
    return failed(run, call, error);
  }
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

/**
 * A tool that throws: the error's text is what the tool returned, as far as the model and the application can tell
 * (tools put the record they failed on in their messages), so it is decided like a result and audited. The model gets
 * the guarded text as an error `ToolMessage`; a plain `tool.invoke` rejects with a `ToolFailedError` holding only the
 * guarded text (the original error is not kept: its message and stack carry what the guard withheld).
 */
async function failed(run: GuardedRun, call: ToolCall, error: unknown): Promise<unknown> {
  // LangGraph's interrupts and commands, the guard's own refusals and cancellations are control flow, not output.
  if (isGraphBubbleUp(error)) throw error;
  const control = controlFlowError(error);
  if (control) throw control;
  const text = thrownText(error);
  const view = outputView(text);
  const after = await run.guard.afterCall(call, view.value);
  if (after.decision !== "allow" && after.decision !== "redact") {
    stopOnHalt(after);
    if (!run.answersWithMessage) throw new RefusalError(after);
    return refusalMessage(after, run.toolCall, refusalText(after));
  }
  const guarded = after.decision === "redact" ? String(view.rebuild!(after.value)) : text;
  if (!run.answersWithMessage) throw new ToolFailedError(`${call.server}/${call.tool} failed: ${guarded}`, after);
  return refusalMessage(after, run.toolCall, `Error: ${guarded}`);
}

/** A guarded tool failed; the message is the tool's error text as the guard let it through (redacted if need be). */
export class ToolFailedError extends Error {
  override readonly name = "ToolFailedError";

  constructor(
    message: string,
    /** The guard's decision on the error's text. */
    readonly verdict: Verdict,
  ) {
    super(message);
  }
}
