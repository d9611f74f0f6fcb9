import type { Guard, ToolCall } from "../../src/index.js";
import { refusalText, stopOnHalt } from "../common/refusal.js";
import { contentView } from "../common/result-view.js";
import { controlFlowError, thrownText } from "../common/thrown-text.js";

/**
 * Runs a function the guard let through and returns what the model may get: its result as the guard decided it
 * (allowed, redacted, or the guard's sentence when withheld), or, when it throws, its error's text decided the same
 * way. Both entry points send a function's outcome to the model as text, so a failure is answered, never thrown,
 * and the other calls of the batch still get their outputs. A halt throws a `RefusalError`.
 */
export async function functionResult(guard: Guard, call: ToolCall, run: () => unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = wireValue(await run());
  } catch (error) {
    // The guard's own refusals (a halt from a nested guard) and cancellations are not the function's output.
    const control = controlFlowError(error);
    if (control) throw control;
    const text = thrownText(error);
    const view = contentView(text);
    const after = await guard.afterCall(call, view.value);
    if (after.decision === "allow") return `Error: ${text}`;
    if (after.decision === "redact") return `Error: ${String(view.restore(after.value))}`;
    stopOnHalt(after);
    return refusalText(after);
  }
  const view = contentView(result);
  const after = await guard.afterCall(call, view.value);
  if (after.decision === "allow") return result;
  if (after.decision === "redact") return view.restore(after.value);
  stopOnHalt(after);
  return refusalText(after);
}

/**
 * The value as it will be sent: the SDK and the Responses loop serialize a result with `JSON.stringify`, which calls
 * `toJSON` (an ORM entity, a Date) and drops what JSON cannot hold. The guard decides that value, not the object's
 * own properties, which may say something else entirely.
 */
function wireValue(result: unknown): unknown {
  if (typeof result === "string" || result === undefined) return result;
  const text = JSON.stringify(result) as string | undefined;
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

