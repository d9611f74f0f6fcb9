import type { TraceContext } from "../../src/model/call.js";
import type { Decision } from "../../src/model/verdict.js";
import type { JsonObject } from "./dataset.js";

/**
 * What stands between the scripted agent and the tools in an in-process run: the guard, or nothing (the `--no-guard`
 * baseline). The proxy path does not use a gate: there the proxy itself decides.
 */
export interface GateCall {
  readonly server: string;
  readonly tool: string;
  readonly args: JsonObject;
  readonly sessionId: string;
  /** Values the user typed: trusted sources (the prompt, and addresses or names quoted in it). */
  readonly userValues: readonly string[];
  readonly trace: TraceContext;
}

export interface CallVerdict {
  readonly decision: Decision;
  /** Forward the call (allow, or redact with `args` replaced). */
  readonly forward: boolean;
  readonly args: unknown;
  readonly policyIds: readonly string[];
  readonly message?: string;
  /** Microseconds the gate spent deciding. */
  readonly latencyUs: number;
}

export interface ResultVerdict {
  readonly decision: Decision;
  /** What the agent gets back: the result, its redacted form, or an error text. */
  readonly value: unknown;
  readonly redacted: boolean;
  readonly policyIds: readonly string[];
  readonly latencyUs: number;
}

export interface Gate {
  readonly name: string;
  before(call: GateCall): Promise<CallVerdict>;
  after(call: GateCall, result: unknown): Promise<ResultVerdict>;
  /** Forgets a finished session (its counters, remembered values and approvals). */
  endSession?(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

/** No guard at all: every call goes through, every result comes back as is. */
export function openGate(): Gate {
  return {
    name: "none",
    before: async (call) => ({ decision: "allow", forward: true, args: call.args, policyIds: [], latencyUs: 0 }),
    after: async (_call, result) => ({ decision: "allow", value: result, redacted: false, policyIds: [], latencyUs: 0 }),
    close: async () => {},
  };
}
