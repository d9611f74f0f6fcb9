import type { Decision } from "../../src/model/verdict.js";
import type { GroundTruthCall, Json, JsonObject } from "./dataset.js";
import { diff, type Effect } from "./effect.js";
import type { RenderedEnvironment } from "./environment.js";
import type { Gate } from "./gate.js";
import { Rebinder } from "./replay.js";
import { invoke, type SuiteTools } from "./tools/index.js";

/**
 * One scripted session: the calls of one or two tasks replayed in order against one environment, through whatever
 * stands between the agent and the tools. A path runs a session and reports each call's fate and the effect on the
 * environment.
 */

export type Role = "user" | "injection";

export interface Segment {
  readonly role: Role;
  readonly calls: readonly GroundTruthCall[];
  /** Ids each call created in the unguarded reference run of this segment alone on the same environment. */
  readonly created: readonly (readonly string[])[];
}

export interface SessionSpec {
  readonly sessionId: string;
  readonly server: string;
  readonly env: RenderedEnvironment;
  readonly segments: readonly Segment[];
  readonly userValues: readonly string[];
  /** The user's request, for drivers that hand it to an agent. */
  readonly prompt?: string;
}

export interface CallRecord {
  readonly role: Role;
  readonly index: number;
  readonly tool: string;
  /** The guard's verdict on the call. */
  readonly decision: Decision;
  readonly forwarded: boolean;
  readonly policyIds: readonly string[];
  readonly message?: string;
  /** The tool ran and succeeded (false when not forwarded or when the tool refused). */
  readonly ok: boolean;
  readonly error?: string;
  /** The verdict on the result, when the call was forwarded. */
  readonly resultDecision?: Decision;
  readonly resultRedacted: boolean;
  /** Microseconds the guard spent on this call (arguments and result). */
  readonly latencyUs: number;
}

export interface SessionOutcome {
  readonly records: readonly CallRecord[];
  /** What the session changed in the environment. */
  readonly effect: Effect;
  /** The calls were an agent's own (a real model), not the script: utility rests on the effect alone. */
  readonly unscripted?: boolean;
}

export interface RunPath {
  readonly name: string;
  run(spec: SessionSpec): Promise<SessionOutcome>;
  close(): Promise<void>;
}

/** Tools in this process, behind a gate (the guard in-process, or no guard). */
export function inProcessPath(tools: SuiteTools, gate: Gate): RunPath {
  return {
    name: `in-process/${gate.name}`,
    async run(spec) {
      const state = tools.init(spec.env.tree);
      const initial = structuredClone(state.data);
      const records: CallRecord[] = [];
      for (const segment of spec.segments) {
        const rebinder = new Rebinder(spec.env.renamed, segment.created);
        for (const [index, call] of segment.calls.entries()) {
          const args = rebinder.bind(call.args);
          const gateCall = {
            server: spec.server,
            tool: call.function,
            args,
            sessionId: spec.sessionId,
            userValues: spec.userValues,
            trace: { runId: spec.sessionId, toolCallId: `${segment.role}-${index}` },
          };
          const verdict = await gate.before(gateCall);
          if (!verdict.forward) {
            records.push({
              role: segment.role,
              index,
              tool: call.function,
              decision: verdict.decision,
              forwarded: false,
              policyIds: verdict.policyIds,
              ...(verdict.message === undefined ? {} : { message: verdict.message }),
              ok: false,
              resultRedacted: false,
              latencyUs: verdict.latencyUs,
            });
            continue;
          }
          const outcome = invoke(tools, state, call.function, verdict.args);
          rebinder.observe(index, outcome.created);
          const after = await gate.after(gateCall, outcome.value);
          records.push({
            role: segment.role,
            index,
            tool: call.function,
            decision: verdict.decision,
            forwarded: true,
            policyIds: [...verdict.policyIds, ...after.policyIds],
            ...(verdict.message === undefined ? {} : { message: verdict.message }),
            ok: outcome.ok,
            ...(outcome.ok ? {} : { error: errorText(outcome.value) }),
            resultDecision: after.decision,
            resultRedacted: after.redacted,
            latencyUs: verdict.latencyUs + after.latencyUs,
          });
        }
      }
      await gate.endSession?.(spec.sessionId);
      return { records, effect: diff(initial, state.data) };
    },
    close: () => gate.close(),
  };
}

function errorText(value: Json): string {
  const error = (value as JsonObject | null)?.["error"];
  return typeof error === "string" ? error : JSON.stringify(value);
}
