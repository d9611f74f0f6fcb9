import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { Command, MemorySaver } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { afterEach, describe, expect, it } from "vitest";
import { answerOf, purposeGuardMiddleware, refusalOf } from "../../../adapters/langchain/index.js";
import type { Approver, Guard } from "../../../src/index.js";
import { supportDeclaration } from "../../helpers.js";
import { APPROVAL_POLICIES, supportGuard } from "../support.js";
import { withActiveSpan } from "../otel.js";
import { supportTools, ToolRunRecorder } from "./tools.js";

const guards: Guard[] = [];
async function setup(config: Parameters<typeof supportGuard>[0] = {}) {
  const test = await supportGuard(config);
  guards.push(test.guard);
  return test;
}
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
});

function interruptsOf(state: unknown): { id?: string; value: unknown }[] {
  return (state as { __interrupt__?: { id?: string; value: unknown }[] }).__interrupt__ ?? [];
}

/** A model that asks, in one turn, for two mails the approval policy holds for a person. */
function twoMails() {
  return fakeModel()
    .respondWithTools([
      { name: "send_email", args: { to: "support@acme.example", subject: "case", body: "closed" }, id: "call_support" },
      { name: "send_email", args: { to: "all-staff@acme.example", subject: "payroll", body: "see attached export" }, id: "call_payroll" },
    ])
    .respond(new AIMessage("done"))
    .respondWithTools([
      { name: "send_email", args: { to: "support@acme.example", subject: "case", body: "closed again" }, id: "call_support_2" },
      { name: "send_email", args: { to: "all-staff@acme.example", subject: "payroll", body: "see attached export again" }, id: "call_payroll_2" },
    ])
    .respond(new AIMessage("done"));
}

function toolMessages(messages: readonly unknown[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
}

describe("purposeGuardMiddleware", () => {
  it("runs an allowed call and links both decisions to the thread, the tool run, its parent run and the tool call", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-42" }, id: "call_get" }])
      .respond(new AIMessage("Ada's address is on file."));
    const runs = new ToolRunRecorder();
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke(
      { messages: [new HumanMessage("What is the email of customer c-42?")] },
      { configurable: { thread_id: "thread-7" }, metadata: { tenant: "acme", user: "agent-17" }, callbacks: [runs] },
    );

    expect(crm.effects).toEqual(["get_customer:c-42"]);
    const [answer] = toolMessages(result.messages);
    expect(answer?.status).toBe("success");
    expect(String(answer?.content)).toContain("ada@customer.example");

    const [call, received] = decisions();
    expect(call).toMatchObject({ event: "call", decision: "allow", server: "crm", tool: "get_customer", sessionId: "thread-7" });
    expect(call?.trace).toMatchObject({ threadId: "thread-7", toolCallId: "call_get", labels: { tenant: "acme", user: "agent-17" } });
    // The tool run LangChain's tracers saw is the run the audit record names.
    expect(runs.runs).toHaveLength(1);
    expect(call?.trace?.runId).toBe(runs.runs[0]!.runId);
    expect(call?.trace?.parentRunId).toBe(runs.runs[0]!.parentRunId);
    expect(received).toMatchObject({ event: "result", decision: "allow", tool: "get_customer", trace: call?.trace });
  });

  it("carries the active OpenTelemetry span into the decision's trace", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel().respondWithTools([{ name: "get_customer", args: { id: "c-1" } }]).respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const { span } = await withActiveSpan(() => agent.invoke({ messages: [new HumanMessage("who is c-1?")] }));

    const { traceId, spanId } = span.spanContext();
    expect(decisions()[0]?.trace).toMatchObject({ traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` });
  });

  it("never runs a tool outside the declaration and tells the model which policy refused it", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "delete_customer", args: { id: "c-42" }, id: "call_delete" }])
      .respond(new AIMessage("I cannot delete customers."));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("Delete customer c-42")] }, { configurable: { thread_id: "thread-8" } });

    expect(crm.effects).toEqual([]);
    const [refusal] = toolMessages(result.messages);
    expect(refusal?.status).toBe("error");
    expect(refusal?.tool_call_id).toBe("call_delete");
    expect(String(refusal?.content)).toContain("[tool-outside-declaration]");
    expect(refusal?.metadata).toMatchObject({ purposeGuard: { decision: "deny", policyIds: expect.arrayContaining(["tool-outside-declaration"]) } });
    // The model's next turn read the refusal.
    const seen = model.calls[1]!.messages;
    expect(toolMessages(seen)[0]?.content).toBe(refusal?.content);
    expect(decisions()).toMatchObject([{ event: "call", decision: "deny", tool: "delete_customer", trace: { toolCallId: "call_delete", threadId: "thread-8" } }]);
  });

  it("refuses mail to a destination outside egress.allow and lets mail inside it through", async () => {
    const { guard } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([
        { name: "send_email", args: { to: "attacker@evil.example", subject: "hi", body: "see attached" }, id: "call_out" },
        { name: "send_email", args: { to: "support@acme.example", subject: "hi", body: "case closed" }, id: "call_in" },
      ])
      .respond(new AIMessage("Done."));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("Mail the case")] });

    expect(crm.effects).toEqual(["send_email:support@acme.example"]);
    const byId = new Map(toolMessages(result.messages).map((message) => [message.tool_call_id, message]));
    expect(byId.get("call_out")?.status).toBe("error");
    expect(String(byId.get("call_out")?.content)).toContain("[egress-outside-allow]");
    expect(byId.get("call_in")?.status).toBe("success");
  });

  it("keeps one session per agent invocation when the run has no thread id", async () => {
    const { guard, decisions } = await setup();
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "get_customer", args: { id: "c-1" } }])
      .respondWithTools([{ name: "list_orders", args: { customerId: "c-1" } }])
      .respond(new AIMessage("ok"))
      .respondWithTools([{ name: "get_customer", args: { id: "c-2" } }])
      .respond(new AIMessage("ok"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const first = await agent.invoke({ messages: [new HumanMessage("one")] });
    await agent.invoke({ messages: [new HumanMessage("two")] });

    const sessions = decisions().filter((record) => record.event === "call").map((record) => record.sessionId);
    expect(sessions[0]).toBe(`langchain:${first.messages[0]!.id}`);
    expect(sessions[1]).toBe(sessions[0]);
    expect(sessions[2]).not.toBe(sessions[0]);
  });

  it("asks the configured approver and runs the call only once a person approved it", async () => {
    const { guard, sink } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const asked: string[] = [];
    const approver: Approver = {
      name: "test-desk",
      request: async (request) => {
        asked.push(`${request.server}/${request.tool}:${request.policyIds.join(",")}`);
        return { approved: (request.argsPreview as { to: string }).to === "support@acme.example", approver: "lead@acme.example" };
      },
    };
    const model = fakeModel()
      .respondWithTools([{ name: "send_email", args: { to: "support@acme.example", subject: "s", body: "b" }, id: "call_mail" }])
      .respond(new AIMessage("sent"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard, { approver })] });

    await agent.invoke({ messages: [new HumanMessage("mail support")] });

    expect(asked).toEqual(["mail/send_email:confirm-outbound-mail"]);
    expect(crm.effects).toEqual(["send_email:support@acme.example"]);
    expect(sink.records.filter((record) => record.event === "approval").map((record) => record.detail?.["phase"])).toEqual(["requested", "approved"]);
    expect(sink.records.find((record) => record.event === "call")).toMatchObject({ decision: "allow", detail: { approver: "lead@acme.example", phase: "approved" } });
  });

  it("refuses an ask when no approver is configured, without running the tool", async () => {
    const { guard } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "send_email", args: { to: "support@acme.example", subject: "s", body: "b" }, id: "call_mail" }])
      .respond(new AIMessage("could not send"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });

    const result = await agent.invoke({ messages: [new HumanMessage("mail support")] });

    expect(crm.effects).toEqual([]);
    const [refusal] = toolMessages(result.messages);
    expect(refusal?.status).toBe("error");
    expect(String(refusal?.content)).toContain("[confirm-outbound-mail]");
  });

  it("pauses for a person with LangChain's human-in-the-loop interrupt and runs the call after approval", async () => {
    const { guard, sink } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "send_email", args: { to: "support@acme.example", subject: "s", body: "b" }, id: "call_mail" }])
      .respond(new AIMessage("sent"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-hitl" } };

    const paused = await agent.invoke({ messages: [new HumanMessage("mail support")] }, config);

    expect(crm.effects).toEqual([]);
    const [pending] = (paused as { __interrupt__?: { value: unknown }[] }).__interrupt__ ?? [];
    expect(pending?.value).toMatchObject({
      actionRequests: [{ name: "send_email", args: { to: "support@acme.example" } }],
      reviewConfigs: [{ actionName: "send_email", allowedDecisions: ["approve", "reject"] }],
      purposeGuard: { policyIds: ["confirm-outbound-mail"] },
    });

    const resumed = await agent.invoke(new Command({ resume: { decisions: [{ type: "approve", approver: "lead@acme.example", toolCallId: "call_mail" }] } }), config);

    expect(crm.effects).toEqual(["send_email:support@acme.example"]);
    expect(toolMessages(resumed.messages)[0]?.status).toBe("success");
    const approved = sink.records.filter((record) => record.event === "call").at(-1);
    expect(approved).toMatchObject({ decision: "allow", detail: { approver: "lead@acme.example", phase: "approved" }, trace: { threadId: "thread-hitl", toolCallId: "call_mail" } });
  });

  // The first pass asks, the resume asks again and then decides with the answer: three decisions of one call, which
  // used to take three calls of the session's budget.
  it("counts a call approved at the interrupt once against the session's call budget", async () => {
    const { guard } = await setup({ policies: APPROVAL_POLICIES, declaration: supportDeclaration({ budgets: { callsPerSession: 2 } }) as never });
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "send_email", args: { to: "support@acme.example", subject: "s", body: "b" }, id: "call_mail" }])
      .respondWithTools([{ name: "get_customer", args: { id: "c-7" }, id: "call_lookup" }])
      .respond(new AIMessage("sent and looked up"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-budget" } };

    await agent.invoke({ messages: [new HumanMessage("mail support, then look up customer 7")] }, config);
    const resumed = await agent.invoke(new Command({ resume: { decisions: [{ type: "approve", toolCallId: "call_mail" }] } }), config);

    expect(crm.effects).toEqual(["send_email:support@acme.example", "get_customer:c-7"]);
    expect(toolMessages(resumed.messages).map((message) => message.status)).toEqual(["success", "success"]);
  });

  it("refuses the call when the person rejects it at the interrupt", async () => {
    const { guard } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "send_email", args: { to: "support@acme.example", subject: "s", body: "b" }, id: "call_mail" }])
      .respond(new AIMessage("not sent"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-reject" } };

    await agent.invoke({ messages: [new HumanMessage("mail support")] }, config);
    const resumed = await agent.invoke(new Command({ resume: { decisions: [{ type: "reject", message: "not today", toolCallId: "call_mail" }] } }), config);

    expect(crm.effects).toEqual([]);
    const [refusal] = toolMessages(resumed.messages);
    expect(refusal?.status).toBe("error");
    expect(String(refusal?.content)).toContain("[approval-denied]");
    expect(String(refusal?.content)).toContain("not today");
  });

  it("puts the tool call id and the call digest in the interrupt request, one request per call", async () => {
    const { guard } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const agent = createAgent({ model: twoMails(), tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });

    const paused = await agent.invoke({ messages: [new HumanMessage("mail support")] }, { configurable: { thread_id: "thread-request" } });

    const requests = interruptsOf(paused).map((pending) => pending.value as { actionRequests: { args: { to: string } }[]; purposeGuard: { toolCallId: string; callDigest: string } });
    expect(requests.map((request) => [request.purposeGuard.toolCallId, request.actionRequests[0]!.args.to]).sort()).toEqual([
      ["call_payroll", "all-staff@acme.example"],
      ["call_support", "support@acme.example"],
    ]);
    expect(requests.every((request) => /^[0-9a-f]{64}$/.test(request.purposeGuard.callDigest))).toBe(true);
  });

  it("runs no call when one answer that names no call resumes a turn of several pending calls", async () => {
    const { guard, sink } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const agent = createAgent({ model: twoMails(), tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-unnamed" } };
    await agent.invoke({ messages: [new HumanMessage("mail support")] }, config);

    // A UI shaped for humanInTheLoopMiddleware: one decision per request it showed, the second a rejection.
    const resumed = await agent.invoke(new Command({ resume: { decisions: [{ type: "approve", approver: "lead@acme.example" }, { type: "reject", message: "no" }] } }), config);
    expect(crm.effects).toEqual([]);
    const refusals = toolMessages(resumed.messages);
    expect(refusals.map((message) => message.status)).toEqual(["error", "error"]);
    expect(String(refusals[0]?.content)).toContain("toolCallId");

    // One approval, shown for the first call only, approves neither: LangGraph hands it to both.
    const again = await agent.invoke({ messages: [new HumanMessage("mail support again")] }, { configurable: { thread_id: "thread-unnamed-2" } });
    expect(interruptsOf(again)).toHaveLength(2);
    await agent.invoke(new Command({ resume: { decisions: [{ type: "approve", approver: "lead@acme.example" }] } }), { configurable: { thread_id: "thread-unnamed-2" } });
    expect(crm.effects).toEqual([]);
    expect(JSON.stringify(sink.records)).not.toContain("lead@acme.example");
  });

  it("runs only the call an answer names, and audits the approver for that call only", async () => {
    const { guard, sink } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const agent = createAgent({ model: twoMails(), tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-named" } };
    const paused = await agent.invoke({ messages: [new HumanMessage("mail support")] }, config);

    // Resumed by interrupt id, each answer naming its call.
    const answers: Record<string, unknown> = {};
    for (const pending of interruptsOf(paused)) {
      const { toolCallId } = (pending.value as { purposeGuard: { toolCallId: string } }).purposeGuard;
      answers[pending.id!] = { decisions: [toolCallId === "call_support" ? { type: "approve", approver: "lead@acme.example", toolCallId } : { type: "reject", approver: "lead@acme.example", message: "not payroll", toolCallId }] };
    }
    const resumed = await agent.invoke(new Command({ resume: answers }), config);

    expect(crm.effects).toEqual(["send_email:support@acme.example"]);
    const byId = new Map(toolMessages(resumed.messages).map((message) => [message.tool_call_id, message]));
    expect(byId.get("call_support")?.status).toBe("success");
    expect(byId.get("call_payroll")?.status).toBe("error");
    expect(String(byId.get("call_payroll")?.content)).toContain("not payroll");
    const approved = sink.records.filter((record) => record.event === "call" && record.detail?.["phase"] === "approved");
    expect(approved.map((record) => [record.trace?.toolCallId, record.detail?.["approver"]])).toEqual([["call_support", "lead@acme.example"]]);
  });

  it("applies an answer named for one call to that call only, when it reaches every pending call", async () => {
    const { guard } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const agent = createAgent({ model: twoMails(), tools: crm.all, middleware: [purposeGuardMiddleware(guard, { humanInTheLoop: true })], checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "thread-plain-named" } };
    await agent.invoke({ messages: [new HumanMessage("mail support")] }, config);

    const resumed = await agent.invoke(new Command({ resume: { decisions: [{ type: "approve", toolCallId: "call_support" }] } }), config);

    expect(crm.effects).toEqual(["send_email:support@acme.example"]);
    const byId = new Map(toolMessages(resumed.messages).map((message) => [message.tool_call_id, message]));
    expect(byId.get("call_payroll")?.status).toBe("error");
    expect(String(byId.get("call_payroll")?.content)).toContain("call_support");
  });

  it("ends the run with a RefusalError on halt and refuses every later call of the thread", async () => {
    const { guard } = await setup({ policies: APPROVAL_POLICIES });
    const crm = supportTools();
    const model = fakeModel()
      .respondWithTools([{ name: "export_customers", args: {}, id: "call_export" }])
      .respondWithTools([{ name: "get_customer", args: { id: "c-1" }, id: "call_after" }])
      .respond(new AIMessage("unreachable"));
    const agent = createAgent({ model, tools: crm.all, middleware: [purposeGuardMiddleware(guard)] });
    const config = { configurable: { thread_id: "thread-halt" } };

    const error = await agent.invoke({ messages: [new HumanMessage("export everything")] }, config).then(() => undefined, (thrown: unknown) => thrown);

    const refusal = refusalOf(error);
    expect(refusal?.code).toBe("SESSION_HALTED");
    expect(refusal?.verdict.policyIds).toContain("halt-on-bulk-export");
    expect(crm.effects).toEqual([]);

    const again = await agent.invoke({ messages: [new HumanMessage("now just read c-1")] }, config).then(() => undefined, (thrown: unknown) => thrown);
    expect(refusalOf(again)?.verdict.policyIds).toContain("session-halted");
    expect(crm.effects).toEqual([]);
  });
});

describe("answerOf", () => {
  const target = { toolCallId: "call_mail", callDigest: "d".repeat(64), uniqueId: true };

  it("reads LangChain's HITLResponse and an approval answer that name their call, and declines anything else", () => {
    expect(answerOf({ decisions: [{ type: "approve", toolCallId: "call_mail" }] }, target)).toEqual({ approved: true, approver: "human-in-the-loop" });
    expect(answerOf({ decisions: [{ type: "reject", message: "no", approver: "lead@acme.example", toolCallId: "call_mail" }] }, target)).toEqual({ approved: false, approver: "lead@acme.example", note: "no" });
    expect(answerOf({ approved: true, approver: "ops", callDigest: target.callDigest }, target)).toEqual({ approved: true, approver: "ops", callDigest: target.callDigest });
    expect(answerOf({ decisions: [{ type: "edit", editedAction: { name: "send_email", args: {} }, toolCallId: "call_mail" }] }, target)).toMatchObject({ approved: false });
    expect(answerOf("yes", target)).toMatchObject({ approved: false });
    expect(answerOf(undefined, target)).toMatchObject({ approved: false });
  });

  // A plain resume value reaches every pending interrupt, those of parallel branches and subagents too: a review
  // found one unnamed approval sending the mails of two branches, each the sole call of its own turn.
  it("declines an answer that names no call, and a tool call id that another call of the turn shares", () => {
    const unnamed = answerOf({ decisions: [{ type: "approve", approver: "lead@acme.example" }] }, target);
    expect(unnamed).toMatchObject({ approved: false, approver: "human-in-the-loop" });
    expect(unnamed.note).toContain("toolCallId");
    expect(answerOf({ approved: true, approver: "ops" }, target)).toMatchObject({ approved: false });
    const shared = { ...target, uniqueId: false };
    expect(answerOf({ decisions: [{ type: "approve", toolCallId: "call_mail" }] }, shared)).toMatchObject({ approved: false, note: expect.stringContaining("callDigest") });
    expect(answerOf({ decisions: [{ type: "approve", toolCallId: "call_mail", callDigest: target.callDigest }] }, shared)).toMatchObject({ approved: true });
    expect(answerOf({ decisions: [{ type: "approve", toolCallId: "" }] }, { ...target, toolCallId: "" })).toMatchObject({ approved: false });
  });

  it("declines an answer named for another call, and one that holds several decisions, without naming the person", () => {
    for (const resume of [
      { decisions: [{ type: "approve", approver: "lead@acme.example", toolCallId: "call_other" }] },
      { decisions: [{ type: "approve", approver: "lead@acme.example", toolCallId: "call_mail", callDigest: "e".repeat(64) }] },
      { approved: true, approver: "lead@acme.example", callDigest: "e".repeat(64) },
      { decisions: [{ type: "approve", approver: "lead@acme.example", toolCallId: "call_mail" }, { type: "reject", toolCallId: "call_other" }] },
    ]) {
      for (const uniqueId of [false, true]) expect(answerOf(resume, { ...target, uniqueId })).toMatchObject({ approved: false, approver: "human-in-the-loop" });
    }
    // A call without a tool call id can only be named by its digest.
    expect(answerOf({ decisions: [{ type: "approve", toolCallId: "call_mail" }] }, { callDigest: target.callDigest, uniqueId: false })).toMatchObject({ approved: false });
  });
});
