import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest, Approver } from "../src/approve/approver.js";
import { createMemorySink, type MemorySink } from "../src/audit/memory-sink.js";
import type { AuditSink } from "../src/audit/sink.js";
import { createFunctionEngine } from "../src/authorize/function-engine.js";
import { createGuard, type Guard } from "../src/guard.js";
import type { GuardConfig } from "../src/config.js";
import { baseRules } from "../examples/engines/typescript-rules.js";
import { AFTER_SUPPORT, DURING_SUPPORT, example, fixedClock, SUPPORT_RUNTIME, supportDeclaration, tempDir } from "./helpers.js";

async function supportGuard(overrides: Partial<GuardConfig> = {}): Promise<{ guard: Guard; sink: MemorySink }> {
  const sink = createMemorySink();
  const guard = await createGuard({ declaration: example("support.yaml"), audit: [sink], runtime: SUPPORT_RUNTIME, clock: fixedClock(DURING_SUPPORT), ...overrides });
  return { guard, sink };
}

function packFile(text: string): string {
  const file = join(tempDir(), "pack.cedar");
  writeFileSync(file, text);
  return file;
}

const call = (tool: string, args: unknown = {}, sessionId = "s1", server = "crm") => ({ server, tool, args, sessionId });

/** An approver that answers from a script and records what it was asked. */
function scriptedApprover(answers: (request: ApprovalRequest) => Promise<boolean> | boolean): Approver & { asked: ApprovalRequest[] } {
  const asked: ApprovalRequest[] = [];
  return {
    name: "scripted",
    asked,
    async request(request) {
      asked.push(request);
      return { approved: await answers(request), approver: "alice@acme.example" };
    },
  };
}

const ASK_PACK = `@id("ask-before-mail") @response("ask") @reason("mail leaves the company")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "mail/send_email" };`;
const HALT_PACK = `@id("no-bulk-orders") @response("halt") @reason("listing all orders is out of character for support")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "crm/list_orders" };`;

describe("createGuard", () => {
  it("allows a declared call and audits it with the declaration digest, policy revision and trace ids", async () => {
    const { guard, sink } = await supportGuard();
    const verdict = await guard.beforeCall({ ...call("get_customer", { id: 7, note: "s3cr3t-value-never-logged" }), trace: { threadId: "t-1", runId: "r-1", toolCallId: "c-1", requestId: "42" } });
    expect(verdict).toMatchObject({ decision: "allow", policyIds: ["declared-tool"], declaration: { id: "support-agent", version: 3, digest: guard.declaration.digest }, policyRevision: guard.policyRevision });
    expect(verdict.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    const record = sink.records.at(-1)!;
    expect(record).toMatchObject({ event: "call", decision: "allow", decisionId: verdict.decisionId, server: "crm", tool: "get_customer", intent: "read", intentSource: "name", sessionId: "s1", trace: { threadId: "t-1", runId: "r-1", toolCallId: "c-1", requestId: "42" }, agent: "support-bot" });
    expect(JSON.stringify(record)).not.toContain("s3cr3t");
    await guard.close();
  });

  it("denies a tool outside the declaration, naming the policy and the reason", async () => {
    const { guard } = await supportGuard();
    const verdict = await guard.beforeCall(call("get_payment_methods"));
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["tool-outside-declaration"] });
    expect(verdict.decision === "deny" && verdict.message).toBe("purpose-guard denied the call to crm/get_payment_methods: [tool-outside-declaration] the tool is not among the declaration's tools");
  });

  it("denies every call, and the deploy gate, once the declaration expired", async () => {
    const { guard } = await supportGuard({ clock: fixedClock(AFTER_SUPPORT) });
    expect((await guard.beforeCall(call("get_customer"))).policyIds).toEqual(["declaration-expired"]);
    expect((await guard.check()).policyIds).toEqual(["declaration-expired"]);
  });

  it("gates deployment by environment, region and account", async () => {
    const { guard } = await supportGuard();
    expect((await guard.check()).decision).toBe("allow");
    expect((await guard.check({ ...SUPPORT_RUNTIME, region: "us-east-1" })).policyIds).toEqual(["region-mismatch"]);
    expect([...(await guard.check({ environment: "production" })).policyIds].sort()).toEqual(["account-unbound", "region-unbound"]);
  });

  it("refuses to create a guard for an unreadable declaration", async () => {
    await expect(supportGuard({ declaration: "/nonexistent/agent.yaml" })).rejects.toMatchObject({ code: "DECLARATION_UNREADABLE" });
  });

  it("refuses an invalid configuration with the field and a fix", async () => {
    await expect(supportGuard({ audit: [{ type: "syslog" } as never] })).rejects.toMatchObject({ code: "CONFIG_INVALID", issues: [{ path: "audit[0]" }] });
    await expect(supportGuard({ engine: createFunctionEngine(baseRules), policies: "policies/packs" })).rejects.toMatchObject({ code: "CONFIG_INVALID", issues: [{ path: "policies" }] });
  });

  it("takes intent from the declaration before MCP annotations, and annotations before the tool's name", async () => {
    const { guard } = await supportGuard();
    expect(guard.describeTool("mail", "send_email", { annotations: { readOnlyHint: true } })).toMatchObject({ intent: "egress", intentSource: "declaration" });
    expect(guard.describeTool("crm", "get_customer", { annotations: { readOnlyHint: false } })).toMatchObject({ intent: "write", intentSource: "annotations" });
    expect(guard.describeTool("crm", "get_customer")).toMatchObject({ intent: "read", intentSource: "name" });
    expect(guard.describeTool("crm", "frobnicate")).toMatchObject({ intent: "execute", intentSource: "default" });
  });
});

describe("fail closed", () => {
  it("denies when the policy engine throws, with the error in the verdict and the audit record", async () => {
    const engine = createFunctionEngine(() => {
      throw new Error("opa unreachable");
    });
    const { guard, sink } = await supportGuard({ engine });
    const verdict = await guard.beforeCall(call("get_customer"));
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["pipeline-error"], errors: ["opa unreachable"] });
    expect(sink.records.at(-1)).toMatchObject({ decision: "deny", errors: ["opa unreachable"] });
  });

  it("denies when the engine allows but reports an error (a skipped forbid must not allow)", async () => {
    const engine = createFunctionEngine(() => ({ decision: "allow", determining: [{ id: "declared-tool", effect: "permit", reason: "ok" }], errors: ["forbid-x: overflow"] }));
    const { guard } = await supportGuard({ engine });
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["engine-error"], errors: ["forbid-x: overflow"] });
  });

  it("denies when a Cedar policy errors at evaluation time", async () => {
    const { guard } = await supportGuard({ policies: packFile('@id("overflow") forbid (principal, action, resource) when { (context.session.calls + 2) * 9223372036854775807 > 1 };') });
    await guard.beforeCall(call("get_customer"));
    const verdict = await guard.beforeCall(call("get_customer"));
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["engine-error"], errors: [expect.stringMatching(/^overflow: /)] });
  });

  it("denies when the classifier throws", async () => {
    const { guard } = await supportGuard({ classifier: { classify: () => { throw new Error("detector crashed"); } } });
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["pipeline-error"] });
    expect(await guard.afterCall(call("get_customer"), { name: "x" })).toMatchObject({ decision: "deny", policyIds: ["pipeline-error"] });
  });

  it("denies a result whose out-of-scope class it cannot locate for redaction", async () => {
    const { guard } = await supportGuard({ tools: [{ server: "crm", name: "get_customer", outputClasses: ["pii.ssn"] }] });
    const verdict = await guard.afterCall(call("get_customer"), { id: 7 });
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["redaction-failed", "result-class-outside-read-scope"], classes: ["pii.ssn"] });
  });

  it("denies every call once it cannot write its audit log", async () => {
    let failure: string | undefined;
    const sink: AuditSink = { name: "flaky", write: () => {}, failure: () => failure, flush: async () => {}, close: async () => {} };
    const { guard } = await supportGuard({ audit: [sink] });
    expect((await guard.beforeCall(call("get_customer"))).decision).toBe("allow");
    failure = "disk full";
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["audit-unavailable"] });
  });

  it("denies an engine answer that is not a decision, and an allow that cites no permit", async () => {
    const answers: unknown[] = [
      { decision: "allow", determining: [{ id: "p", effect: "permit", reason: "ok" }], errors: { message: "policy failed" } },
      { decision: "maybe", determining: [], errors: [] },
      { decision: "allow", determining: null, errors: [] },
      undefined,
    ];
    for (const answer of answers) {
      const { guard, sink } = await supportGuard({ engine: createFunctionEngine(() => answer as never) });
      expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["engine-error"] });
      expect(sink.records.at(-1)!.errors[0]).toMatch(/^the engine/);
    }
    const { guard } = await supportGuard({ engine: createFunctionEngine(() => ({ decision: "allow", determining: [], errors: [] })) });
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["default-deny"] });
    // Frozen is no pass: only the built-in engine's answers skip the check. And an allow citing only a forbid cites no permit.
    const frozen = Object.freeze({ decision: "allow", determining: [{ id: "p", effect: "permit", reason: "ok" }], errors: { message: "policy failed" } });
    const forbidOnly = { decision: "allow", determining: [{ id: "forbid-egress", effect: "forbid", reason: "no" }], errors: [] };
    for (const [answer, id] of [[frozen, "engine-error"], [forbidOnly, "default-deny"]] as const) {
      const other = await supportGuard({ engine: createFunctionEngine(() => answer as never) });
      expect(await other.guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: [id] });
    }
  });

  // The outcome of a decision was remembered by the identity of the engine's answer.
  it("decides each call by its own answer when an engine reuses one mutable answer object", async () => {
    const answer = { decision: "allow" as "allow" | "deny", determining: [{ id: "p", effect: "permit" as const, reason: "ok" }], errors: [] as string[] };
    const engine = createFunctionEngine((request) => {
      answer.decision = request.tool?.name === "get_customer" ? "allow" : "deny";
      return answer;
    });
    const { guard } = await supportGuard({ engine });
    expect((await guard.beforeCall(call("get_customer"))).decision).toBe("allow");
    expect((await guard.beforeCall(call("list_orders"))).decision).toBe("deny");
  });

  it("denies when an asynchronous engine gives no decision in time", async () => {
    const { guard, sink } = await supportGuard({ engine: createFunctionEngine(() => new Promise(() => {})), engineTimeoutMs: 30 });
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["pipeline-error"], errors: [expect.stringContaining("within 30 ms")] });
    expect(sink.records).toHaveLength(1);
  });

  it("denies an expired declaration or an undeclared tool whatever another engine says", async () => {
    const permitAll = createFunctionEngine(() => ({ decision: "allow", determining: [{ id: "permit-all", effect: "permit", reason: "anything goes" }], errors: [] }));
    const during = await supportGuard({ engine: permitAll });
    expect((await during.guard.beforeCall(call("get_customer"))).decision).toBe("allow");
    expect(await during.guard.beforeCall(call("exec", {}, "s1", "shell"))).toMatchObject({ decision: "deny", policyIds: ["tool-outside-declaration"] });
    const after = await supportGuard({ engine: permitAll, clock: fixedClock(AFTER_SUPPORT) });
    expect(await after.guard.check()).toMatchObject({ decision: "deny", policyIds: ["declaration-expired"] });
  });

  it("keeps deciding when a sink's write throws: the call is denied, later sinks still get the record, later calls are denied", async () => {
    let throwing = false;
    const flaky: AuditSink = { name: "exporter", write: () => { if (throwing) throw new Error("queue full"); }, flush: async () => {}, close: async () => {} };
    const after = createMemorySink();
    const { guard } = await supportGuard({ audit: [flaky, after] });
    expect((await guard.beforeCall(call("get_customer"))).decision).toBe("allow");
    throwing = true;
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["audit-unavailable"] });
    expect(after.records.map((record) => record.decision)).toEqual(["allow", "allow", "deny"]);
    throwing = false;
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["audit-unavailable"], reasons: [{ reason: expect.stringContaining("exporter: queue full") }] });
  });

  it("keeps sensitive values out of the error it records when a stage fails", async () => {
    const engine = createFunctionEngine(() => {
      throw new Error("lookup failed for 536-22-1234 (jane.doe@customer.example)");
    });
    const { guard, sink } = await supportGuard({ engine });
    const verdict = await guard.beforeCall(call("get_customer"));
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["pipeline-error"] });
    const written = JSON.stringify([verdict, sink.records]);
    expect(written).toContain("lookup failed for");
    expect(written).not.toMatch(/536-22-1234|jane\.doe@/);
  });

  it("denies calls after close", async () => {
    const { guard } = await supportGuard();
    await guard.close();
    expect(await guard.beforeCall(call("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["guard-closed"] });
  });
});

describe("conditional approvals", () => {
  const mail = (to = "ops@acme.example", sessionId = "s1") => call("send_email", { to, body: "order 1234 shipped" }, sessionId, "mail");

  it("returns ask when no approver is available, so the adapter does not forward the call", async () => {
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK) });
    const verdict = await guard.beforeCall(mail());
    expect(verdict).toMatchObject({ decision: "ask", policyIds: ["ask-before-mail"], callDigest: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("allows the exact call a person approved, and records who approved it", async () => {
    const approver = scriptedApprover(() => true);
    const { guard, sink } = await supportGuard({ policies: packFile(ASK_PACK), approver });
    const verdict = await guard.beforeCall(mail());
    expect(verdict).toMatchObject({ decision: "allow", approval: { approver: "alice@acme.example", policyIds: ["ask-before-mail"] } });
    expect(approver.asked[0]).toMatchObject({ server: "mail", tool: "send_email", policyIds: ["ask-before-mail"], declarationDigest: guard.declaration.digest });
    // request, answer, and the call's final decision: three records
    expect(sink.records.map((record) => [record.event, record.decision])).toEqual([["approval", "ask"], ["approval", "allow"], ["call", "allow"]]);
    expect(sink.records[1]?.detail).toMatchObject({ phase: "approved", approver: "alice@acme.example" });
    expect(sink.records.at(-1)?.detail).toMatchObject({ approver: "alice@acme.example", phase: "approved" });
  });

  it("does not let an approval for one argument set approve another", async () => {
    const approver = scriptedApprover(() => true);
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK), approver, approvalValidityMs: 60_000 });
    await guard.beforeCall(mail("ops@acme.example"));
    await guard.beforeCall(mail("ops@acme.example"));
    expect(approver.asked).toHaveLength(1);
    await guard.beforeCall(mail("sales@acme.example"));
    expect(approver.asked).toHaveLength(2);
    expect(approver.asked[0]!.callDigest).not.toBe(approver.asked[1]!.callDigest);
  });

  it("denies when the person declines", async () => {
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK), approver: scriptedApprover(() => false) });
    expect(await guard.beforeCall(mail())).toMatchObject({ decision: "deny", policyIds: ["approval-denied", "ask-before-mail"] });
  });

  it("denies when no answer comes before the timeout", async () => {
    const silent: Approver = { name: "silent", request: (_request, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))) };
    const { guard, sink } = await supportGuard({ policies: packFile(ASK_PACK), approver: silent, approvalTimeoutMs: 30 });
    expect(await guard.beforeCall(mail())).toMatchObject({ decision: "deny", policyIds: ["approval-timeout", "ask-before-mail"] });
    expect(sink.records.at(-1)?.detail).toMatchObject({ phase: "timeout" });
  });

  it("denies when the approver fails", async () => {
    const broken: Approver = { name: "broken", request: async () => { throw new Error("webhook 500"); } };
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK), approver: broken });
    const verdict = await guard.beforeCall(mail());
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["approval-denied", "ask-before-mail"] });
    expect(verdict.decision === "deny" && verdict.message).toContain("webhook 500");
  });

  it("denies, and records the answer, when the approver throws at once or answers with a plain value", async () => {
    const approvers: Approver[] = [
      { name: "sync-throw", request: () => { throw new Error("not configured"); } },
      { name: "plain", request: (() => ({ approved: true, approver: "bob" })) as unknown as Approver["request"] },
    ];
    const [throwing, plain] = approvers;
    const first = await supportGuard({ policies: packFile(ASK_PACK), approver: throwing, approvalTimeoutMs: 60_000 });
    expect(await first.guard.beforeCall(mail())).toMatchObject({ decision: "deny", policyIds: ["approval-denied", "ask-before-mail"] });
    expect(first.sink.records.map((record) => record.detail?.["phase"])).toEqual(["requested", "failed", "failed"]);
    const second = await supportGuard({ policies: packFile(ASK_PACK), approver: plain });
    expect((await second.guard.beforeCall(mail())).decision).toBe("allow");
  });

  it("does not ask anyone for a call already cancelled", async () => {
    const approver = scriptedApprover(() => true);
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK), approver });
    const verdict = await guard.beforeCall(mail(), { signal: AbortSignal.abort() });
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["approval-denied", "ask-before-mail"] });
    expect(approver.asked).toHaveLength(0);
  });

  it("denies a call whose arguments changed while approval was pending, and gives the approver a copy", async () => {
    const args = { to: "ops@acme.example", body: "order 1234 shipped" };
    const approver = scriptedApprover((request) => {
      (request.argsPreview as { to: string }).to = "approver-edit@acme.example";
      args.to = "drop@attacker.example";
      return true;
    });
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK), approver });
    const verdict = await guard.beforeCall({ server: "mail", tool: "send_email", args, sessionId: "s1" });
    expect(verdict).toMatchObject({ decision: "deny", policyIds: ["approval-denied", "ask-before-mail"] });
    expect(verdict.decision === "deny" && verdict.message).toContain("changed while approval was pending");
  });

  it("shows the approver what the agent may read, and hides secrets and classes outside the read scope", async () => {
    const approver = scriptedApprover(() => false);
    const declaration = supportDeclaration({ dataScope: { read: ["pii.email", "secret.aws_access_key"], write: [] } });
    const { guard } = await supportGuard({ declaration: declaration as never, policies: packFile(ASK_PACK), approver });
    await guard.beforeCall(call("send_email", { to: "ops@acme.example", body: "the new key is AKIAIOSFODNN7EXAMPLF" }, "s1", "mail"));
    const preview = approver.asked[0]!.argsPreview as { to: string; body: string };
    expect(preview.to).toBe("ops@acme.example");
    expect(preview.body).not.toContain("AKIAIOSFODNN7EXAMPLF");
  });

  it("uses the adapter's per-call approver over the configured one", async () => {
    const configured = scriptedApprover(() => false);
    const perCall = scriptedApprover(() => true);
    const { guard } = await supportGuard({ policies: packFile(ASK_PACK), approver: configured });
    expect((await guard.beforeCall(mail(), { approver: perCall })).decision).toBe("allow");
    expect(configured.asked).toHaveLength(0);
  });
});

describe("halt", () => {
  it("stops the session at a halt policy and keeps it stopped until an operator releases it", async () => {
    const { guard, sink } = await supportGuard({ policies: packFile(HALT_PACK) });
    expect((await guard.beforeCall(call("list_orders"))).decision).toBe("halt");
    const after = await guard.beforeCall(call("get_customer"));
    expect(after).toMatchObject({ decision: "halt", policyIds: ["session-halted", "no-bulk-orders"] });
    expect((await guard.afterCall(call("get_customer"), { name: "x" })).decision).toBe("halt");
    expect((await guard.beforeCall(call("get_customer", {}, "other-session"))).decision).toBe("allow");
    expect(guard.release("s1", "oncall@acme.example")).toBe(true);
    expect((await guard.beforeCall(call("get_customer"))).decision).toBe("allow");
    expect(sink.records.some((record) => record.event === "alert" && record.policyIds[0] === "session-released")).toBe(true);
  });
});

describe("declarations given as objects", () => {
  it("accepts a declaration object and enforces it", async () => {
    const { guard } = await supportGuard({ declaration: supportDeclaration({ tools: [{ server: "crm", allow: ["get_customer"] }] }) as never });
    expect((await guard.beforeCall(call("list_orders"))).policyIds).toEqual(["tool-outside-declaration"]);
  });
});
