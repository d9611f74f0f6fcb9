import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Decision } from "../../../src/model/verdict.js";
import { diff } from "../effect.js";
import type { CallRecord, RunPath, SessionSpec } from "../path.js";
import { Rebinder } from "../replay.js";
import type { ControlClient } from "./control.js";

/**
 * Sessions replayed through MCP: a real SDK client calls the suite's MCP server, directly or through
 * `purpose-guard proxy`. Whether a call reached the tools is read from the server's own log (control channel), never
 * guessed from the answer's wording; what the guard decided comes from the answer of a call that did not arrive.
 */

export interface McpEndpoint {
  readonly client: Client;
  readonly control: ControlClient;
  close(): Promise<void>;
}

export interface McpPathOptions {
  /** Opens an endpoint. With `perSession`, one per session (a fresh proxy, so no guard state leaks between pairs). */
  readonly connect: () => Promise<McpEndpoint>;
  readonly perSession?: boolean;
  /** What the guard decided about a call that never reached the tools, from its answer (default: deny, or ask when it says approval). */
  readonly interpret?: (result: CallToolResult) => { decision: Decision; policyIds: readonly string[]; message: string };
  /** `_meta` to send with each call (trace ids, the user's values). */
  readonly meta?: (spec: SessionSpec, toolCallId: string) => Record<string, unknown>;
}

export function mcpPath(name: string, options: McpPathOptions): RunPath {
  let shared: McpEndpoint | undefined;
  const endpoint = async () => (options.perSession ? options.connect() : (shared ??= await options.connect()));
  return {
    name,
    async run(spec) {
      const end = await endpoint();
      try {
        await end.control.reset(spec.env.tree);
        const initial = await end.control.snapshot();
        const records: CallRecord[] = [];
        for (const segment of spec.segments) {
          const rebinder = new Rebinder(spec.env.renamed, segment.created);
          for (const [index, call] of segment.calls.entries()) {
            const seen = (await end.control.log()).length;
            const toolCallId = `${segment.role}-${index}`;
            const started = process.hrtime.bigint();
            const result = (await end.client.callTool({
              name: call.function,
              arguments: rebinder.bind(call.args),
              ...(options.meta ? { _meta: options.meta(spec, toolCallId) } : {}),
            })) as CallToolResult;
            const latencyUs = Number(process.hrtime.bigint() - started) / 1000;
            const served = (await end.control.log()).slice(seen);
            const text = textOf(result);
            if (served.length === 0) {
              const verdict = (options.interpret ?? defaultInterpret)(result);
              records.push({ role: segment.role, index, tool: call.function, decision: verdict.decision, forwarded: false, policyIds: verdict.policyIds, message: verdict.message, ok: false, resultRedacted: false, latencyUs });
              continue;
            }
            const arrived = served[0]!;
            rebinder.observe(index, arrived.created);
            const redacted = /\[REDACTED/.test(text);
            records.push({
              role: segment.role,
              index,
              tool: call.function,
              decision: "allow",
              forwarded: true,
              policyIds: [],
              ok: arrived.ok,
              ...(arrived.ok ? {} : { error: text }),
              resultDecision: redacted ? "redact" : "allow",
              resultRedacted: redacted,
              latencyUs,
            });
          }
        }
        const final = await end.control.snapshot();
        return { records, effect: diff(initial, final) };
      } finally {
        if (options.perSession) await end.close();
      }
    },
    async close() {
      await shared?.close();
      shared = undefined;
    },
  };
}

function textOf(result: CallToolResult): string {
  return (result.content ?? []).map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

function defaultInterpret(result: CallToolResult): { decision: Decision; policyIds: readonly string[]; message: string } {
  const message = textOf(result);
  const ids = [...message.matchAll(/`([a-z0-9][a-z0-9._:/-]*)`/gi)].map((m) => m[1]!);
  return { decision: /approv/i.test(message) ? "ask" : "deny", policyIds: ids, message };
}
