import { messageOf } from "../errors.js";
import type { ApprovalAnswer, ApprovalRequest, Approver } from "./approver.js";

export type ApprovalResult =
  | { readonly status: "answered"; readonly answer: ApprovalAnswer }
  | { readonly status: "timeout" | "failed" | "cancelled"; readonly error: string };

/**
 * Asks the approver and waits at most `timeoutMs`. A timeout, a throw, a malformed answer or the caller's abort all
 * come back as non-answers: the guard denies on each of them.
 */
export async function requestApproval(approver: Approver, request: ApprovalRequest, timeoutMs: number, signal?: AbortSignal): Promise<ApprovalResult> {
  // Cancelled before anyone was asked: nobody is asked (an approver would keep a request pending for nothing).
  if (signal?.aborted) return { status: "cancelled", error: "the call was cancelled before approval was asked" };
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ApprovalResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error("approval timed out"));
      resolve({ status: "timeout", error: `no answer from ${approver.name} within ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
  });
  const cancelled = new Promise<ApprovalResult>((resolve) => {
    if (signal?.aborted) resolve({ status: "cancelled", error: "the call was cancelled while waiting for approval" });
    signal?.addEventListener("abort", () => resolve({ status: "cancelled", error: "the call was cancelled while waiting for approval" }), { once: true });
  });
  // Called in a promise: an approver that throws at once, or answers with a plain value, is a failure like any other.
  const answered = Promise.resolve().then(() => approver.request(request, controller.signal)).then(
    (answer): ApprovalResult => {
      if (!answer || typeof answer.approved !== "boolean" || typeof answer.approver !== "string" || answer.approver.trim() === "") {
        return { status: "failed", error: `${approver.name} returned a malformed answer` };
      }
      if (answer.callDigest !== undefined && answer.callDigest !== request.callDigest) {
        return { status: "failed", error: `${approver.name} answered for another call (digest ${String(answer.callDigest).slice(0, 12)}…, not ${request.callDigest.slice(0, 12)}…)` };
      }
      return { status: "answered", answer };
    },
    (error: unknown): ApprovalResult => ({ status: "failed", error: `${approver.name} failed: ${messageOf(error)}` }),
  );
  try {
    return await Promise.race([answered, timeout, cancelled]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}
