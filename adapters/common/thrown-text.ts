import { isGuardRefusal } from "../../src/index.js";

/**
 * The text of anything a tool or function threw: an Error's message, a string as is, anything else as JSON. The
 * adapters pass it through the guard like a result, since an error message may quote the data the tool read.
 */
export function thrownText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}

/**
 * What a tool's throw is rethrown as when it is control flow, not output: the guard's own refusal as is, a
 * cancellation as a fresh `AbortError` (any error can be named `AbortError`; its message may quote what the tool read).
 * Undefined for everything else, whose text the adapters decide like a result.
 */
export function controlFlowError(error: unknown): Error | undefined {
  if (isGuardRefusal(error)) return error;
  if (error instanceof Error && error.name === "AbortError") {
    const aborted = new Error("the call was aborted");
    aborted.name = "AbortError";
    return aborted;
  }
  return undefined;
}
