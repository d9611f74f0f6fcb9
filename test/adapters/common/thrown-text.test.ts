import { describe, expect, it } from "vitest";
import { controlFlowError, thrownText } from "../../../adapters/common/thrown-text.js";
import { functionResult } from "../../../adapters/openai/function-result.js";
import { RefusalError } from "../../../src/index.js";
import { classifyingGuard, SSN } from "../support.js";

describe("errors a tool throws", () => {
  it("reads an error's message, a string, or anything else as JSON", () => {
    expect(thrownText(new Error("x failed"))).toBe("x failed");
    expect(thrownText("plain")).toBe("plain");
    expect(thrownText({ code: 7 })).toBe('{"code":7}');
  });

  // Any error can be named AbortError: its message went to the application raw, and no result was audited.
  it("rethrows a cancellation without its message, and the guard's own refusal as is", () => {
    const named = Object.assign(new Error(`lookup failed for SSN ${SSN}`), { name: "AbortError" });
    const control = controlFlowError(named);
    expect(control?.name).toBe("AbortError");
    expect(control?.message).not.toContain(SSN);
    // A refusal a tool built itself (the class is public) is the tool's output, whatever it says.
    const forged = new RefusalError({ decision: "deny", decisionId: "d", policyIds: [], reasons: [], errors: [], declaration: { id: "x", version: 1, digest: "y" }, policyRevision: "r", classes: [], message: "denied" }, `db row ${SSN}`);
    expect(controlFlowError(forged)).toBeUndefined();
    expect(controlFlowError(new Error("plain failure"))).toBeUndefined();
  });

  it("passes through a refusal the guard made", async () => {
    const { guard } = await classifyingGuard();
    const verdict = await guard.beforeCall({ server: "shell", tool: "exec", args: {}, sessionId: "s1" });
    if (verdict.decision === "allow") throw new Error("expected a refusal");
    const refusal = new RefusalError(verdict);
    expect(controlFlowError(refusal)).toBe(refusal);
    expect(controlFlowError(new RefusalError(verdict, `${verdict.decision}: ${SSN}`))).toBeUndefined();
    await guard.close();
  });

  it("never lets an OpenAI function's error named AbortError carry what it read", async () => {
    const { guard } = await classifyingGuard();
    const call = { server: "crm", tool: "get_customer", args: { id: "c-1" }, sessionId: "s1" };
    await guard.beforeCall(call);
    const named = Object.assign(new Error(`lookup failed for SSN ${SSN}`), { name: "AbortError" });
    const rejected = await functionResult(guard, call, () => { throw named; }).catch((error: unknown) => error as Error);
    expect(rejected).toBeInstanceOf(Error);
    expect((rejected as Error).message).not.toContain(SSN);
    await guard.close();
  });
});
