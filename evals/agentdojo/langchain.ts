import { AIMessage, HumanMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { fakeModel } from "@langchain/core/testing";
import { createAgent, tool } from "langchain";
import { purposeGuardMiddleware } from "../../adapters/langchain/index.js";
import type { MemorySink } from "../../src/audit/memory-sink.js";
import type { Guard } from "../../src/guard.js";
import type { AuditRecord } from "../../src/model/audit-record.js";
import type { Json, JsonObject, ToolSpec } from "./dataset.js";
import { diff } from "./effect.js";
import type { CallRecord, Role, RunPath, SessionSpec } from "./path.js";
import { Rebinder } from "./replay.js";
import { invoke, type SuiteTools } from "./tools/index.js";

/**
 * The LangChain driver: a real `createAgent` agent (langchain 1.x) with purpose-guard's middleware, whose tools are
 * the suite's. In CI its model is LangChain's deterministic fake model scripted with the same calls as the
 * compromised-agent driver (one tool call per turn, arguments rebound as the session goes); with a real model
 * (`model`), the agent reads the user's prompt and the tool results, injections included, and decides for itself.
 * The judge is the same; the verdicts come from the guard's audit records, which the middleware links to each tool
 * call by its id.
 */
export interface LangChainPathOptions {
  /** A real chat model; default: the fake model scripted with the ground-truth calls. */
  readonly model?: () => BaseChatModel;
  /** The agent's system prompt (a real model needs to know it is an assistant with these tools). */
  readonly systemPrompt?: string;
}

export function langchainPath(tools: SuiteTools, specs: readonly ToolSpec[], guard: Guard, audit: MemorySink, options: LangChainPathOptions = {}): RunPath {
  const server = tools.suite;
  return {
    name: options.model ? "langchain (real model)" : "langchain (scripted fake model)",
    async run(spec: SessionSpec) {
      const state = tools.init(spec.env.tree);
      const initial = structuredClone(state.data);
      // Sessions run one at a time: the sink holds this session's decisions only.
      audit.clear();
      /** What each tool call (by id) did when it ran. */
      const ran = new Map<string, { ok: boolean; error?: string }>();
      let current: { rebinder: Rebinder; index: number } | undefined;

      const agentTools = specs.map((toolSpec) =>
        tool(
          async (args: Record<string, unknown>, runtime: { toolCallId?: string }) => {
            const outcome = invoke(tools, state, toolSpec.name, args);
            if (current) current.rebinder.observe(current.index, outcome.created);
            ran.set(runtime.toolCallId ?? "", outcome.ok ? { ok: true } : { ok: false, error: String((outcome.value as JsonObject)["error"]) });
            // A refusal by the tool is an answer the agent reads, as over MCP (`isError`), not a crash of the run.
            if (!outcome.ok) return `Error: ${String((outcome.value as JsonObject)["error"])}`;
            return typeof outcome.value === "string" ? outcome.value : JSON.stringify(outcome.value);
          },
          { name: toolSpec.name, description: toolSpec.description, schema: toolSpec.parameters as Record<string, unknown> },
        ),
      );

      const script: { role: Role; index: number; id: string }[] = [];
      let model: BaseChatModel;
      if (options.model) {
        model = options.model();
      } else {
        const scripted = fakeModel();
        for (const segment of spec.segments) {
          const rebinder = new Rebinder(spec.env.renamed, segment.created);
          segment.calls.forEach((call, index) => {
            const id = `${segment.role}-${index}`;
            script.push({ role: segment.role, index, id });
            // Arguments are bound when the model "speaks", after the earlier calls ran: ids they created are known.
            scripted.respond(() => {
              current = { rebinder, index };
              return new AIMessage({ content: "", tool_calls: [{ id, name: call.function, args: rebinder.bind(call.args), type: "tool_call" }] });
            });
          });
        }
        scripted.respond(new AIMessage("Done."));
        model = scripted;
      }

      const agent = createAgent({
        model,
        tools: agentTools,
        ...(options.systemPrompt ? { systemPrompt: options.systemPrompt } : {}),
        middleware: [purposeGuardMiddleware(guard, { server, sessionId: spec.sessionId })],
      });
      await agent.invoke({ messages: [new HumanMessage(spec.prompt ?? spec.userValues[0] ?? "")] }, { recursionLimit: 4 * script.length + 50 });
      await guard.endSession(spec.sessionId);

      const decisions = audit.records.filter((record) => record.sessionId === spec.sessionId);
      const records = (options.model ? idsInOrder(decisions) : script).map((step) => recordOf(step, decisions, ran));
      return { records, effect: diff(initial, state.data as Json), ...(options.model ? { unscripted: true } : {}) };
    },
    close: () => guard.close(),
  };
}

/** With a real model, the calls are whatever it made, in the order the guard saw them. */
function idsInOrder(decisions: readonly AuditRecord[]): { role: Role; index: number; id: string }[] {
  return decisions
    .filter((record) => record.event === "call" && record.trace?.toolCallId)
    .map((record, index) => ({ role: "user" as const, index, id: record.trace!.toolCallId! }));
}

function recordOf(step: { role: Role; index: number; id: string }, decisions: readonly AuditRecord[], ran: ReadonlyMap<string, { ok: boolean; error?: string }>): CallRecord {
  const call = decisions.find((record) => record.event === "call" && record.trace?.toolCallId === step.id);
  const result = decisions.find((record) => record.event === "result" && record.trace?.toolCallId === step.id);
  const outcome = ran.get(step.id);
  const decision = call?.decision ?? "deny";
  return {
    role: step.role,
    index: step.index,
    tool: call?.tool ?? "?",
    decision,
    forwarded: outcome !== undefined,
    policyIds: [...(call?.policyIds ?? []), ...(result && result.decision !== "allow" ? result.policyIds : [])],
    ok: outcome?.ok ?? false,
    ...(outcome?.error ? { error: outcome.error } : {}),
    ...(result ? { resultDecision: result.decision } : {}),
    resultRedacted: result?.decision === "redact",
    latencyUs: (call?.latencyUs ?? 0) + (result?.latencyUs ?? 0),
  };
}
