import { describe, expect, it } from "vitest";
import type { Approver } from "../../src/approve/approver.js";
import type { RemediationEvent } from "../../src/monitor/remediate.js";
import { supportDeclaration } from "../helpers.js";
import { awsKeyClassifier, callAndRead, crm, customers, mail, SUPPORT_PACK, supportHarness } from "./monitor-helpers.js";

/** The support declaration with a write tool and a write scope, so that the pack's ask applies. */
const writableSupport = supportDeclaration({
  dataScope: { read: ["pii.email", "pii.name", "commerce.order"], write: ["commerce.order"] },
  tools: [
    { server: "crm", allow: ["get_customer", "list_orders", "update_order"] },
    { server: "mail", allow: ["send_email"], intent: "egress" },
  ],
});

const alice: Approver & { asked: number } = {
  name: "scripted",
  asked: 0,
  async request() {
    this.asked++;
    return { approved: true, approver: "alice@acme.example" };
  },
};

describe("containment ladder: alert (support pack, 50 records)", () => {
  it("lets calls through, cites the alert, records the step once and notifies once", async () => {
    const { guard, sink, notified } = await supportHarness({ policies: SUPPORT_PACK });
    expect((await callAndRead(guard, crm("list_orders"), customers(30))).after?.policyIds).toEqual(["declared-tool-result"]);
    const crossing = await callAndRead(guard, crm("list_orders", { page: 2 }), customers(30, 30));
    expect(crossing.after).toMatchObject({ decision: "allow", policyIds: ["declared-tool-result", "support-records-alert"] });
    const next = await callAndRead(guard, crm("get_customer", { id: 3 }), { id: 3, name: "…" });
    expect(next.before).toMatchObject({ decision: "allow", policyIds: ["declared-tool", "support-records-alert"] });
    expect(sink.records.filter((record) => record.event === "containment")).toMatchObject([{ decision: "allow", policyIds: ["support-records-alert"], detail: { level: "alert" } }]);
    expect(notified).toMatchObject([{ kind: "alert", rule: "support-records-alert", sessionId: "s1", server: "crm", tool: "list_orders" }]);
  });
});

describe("containment ladder: block", () => {
  it("denies the call and records the rung; a drift rule's block also notifies", async () => {
    const { guard, sink, notified, clock } = await supportHarness({ declaration: supportDeclaration({ budgets: { callsPerMinute: 2 } }) as never });
    await guard.beforeCall(crm("get_customer", { id: 1 }));
    await guard.beforeCall(crm("get_customer", { id: 2 }));
    expect(await guard.beforeCall(crm("get_customer", { id: 3 }))).toMatchObject({ decision: "deny", policyIds: ["budget-calls-per-minute"] });
    expect(sink.records.filter((record) => record.event === "containment")).toMatchObject([{ decision: "deny", detail: { level: "block", from: "none" } }]);
    expect(notified).toMatchObject([{ kind: "block", rule: "budget-calls-per-minute" }]);
    clock.advance(61_000);
    expect((await guard.beforeCall(crm("get_customer", { id: 4 }))).decision).toBe("allow");
  });
});

describe("containment ladder: halt (support pack, 200 records)", () => {
  it("withholds the result that reaches 200 records and refuses every later call of the session", async () => {
    const { guard, notified } = await supportHarness({ policies: SUPPORT_PACK });
    await callAndRead(guard, crm("list_orders"), customers(150));
    const reaching = await callAndRead(guard, crm("list_orders", { page: 2 }), customers(50, 150));
    expect(reaching.after).toMatchObject({ decision: "halt", policyIds: ["support-records-halt"] });
    for (const call of [crm("get_customer", { id: 1 }), crm("list_orders"), mail()]) {
      expect(await guard.beforeCall(call)).toMatchObject({ decision: "halt", policyIds: ["session-halted", "support-records-halt"] });
    }
    expect((await guard.beforeCall(crm("get_customer", { id: 1 }, "another-session"))).decision).toBe("allow");
    expect(notified.filter((n) => n.kind === "halt")).toHaveLength(1);
  });

  it("counts only delivered records, and keeps them across a release: the next result reaching 200 halts again", async () => {
    const { guard } = await supportHarness({ policies: SUPPORT_PACK });
    await callAndRead(guard, crm("list_orders"), customers(180));
    expect((await callAndRead(guard, crm("list_orders", { page: 2 }), customers(30, 180))).after?.decision).toBe("halt");
    expect(guard.release("s1", "oncall@acme.example")).toBe(true);
    const after = await callAndRead(guard, crm("list_orders", { page: 3 }), customers(19, 210));
    expect(after.before).toMatchObject({ decision: "allow", policyIds: ["declared-tool", "support-records-alert"] });
    expect(after.after?.decision).toBe("allow");
    expect((await callAndRead(guard, crm("get_customer", { id: 1 }), { id: 1 })).after).toMatchObject({ decision: "halt", policyIds: ["support-records-halt"] });
  });
});

describe("containment ladder: a halted session stays halted until released", () => {
  it("refuses calls across many decisions, and allows again after an operator's release, which is audited", async () => {
    const { guard, sink, notified } = await supportHarness();
    for (let i = 0; i < 5; i++) await guard.beforeCall(crm("export_all_customers"));
    expect((await guard.beforeCall(crm("get_customer"))).decision).toBe("halt");
    for (let i = 0; i < 3; i++) expect(await guard.afterCall(crm("get_customer"), { id: 1 })).toMatchObject({ decision: "halt", policyIds: ["session-halted", "repeated-denials"] });
    expect(guard.release("s1", "oncall@acme.example")).toBe(true);
    expect(guard.release("s1", "oncall@acme.example")).toBe(false);
    expect((await guard.beforeCall(crm("get_customer"))).decision).toBe("allow");
    expect(sink.records.find((record) => record.policyIds.includes("session-released"))).toMatchObject({ event: "alert", sessionId: "s1", detail: { operator: "oncall@acme.example" } });
    expect(notified.at(-1)).toMatchObject({ kind: "release", sessionId: "s1" });
  });
});

describe("containment ladder: ask before any write (support pack)", () => {
  it("asks for a write and allows it once a person approved that exact call", async () => {
    const withoutApprover = await supportHarness({ declaration: writableSupport as never, policies: SUPPORT_PACK });
    expect(await withoutApprover.guard.beforeCall(crm("update_order", { id: 7, status: "refunded" }))).toMatchObject({ decision: "ask", policyIds: ["support-ask-before-write"] });
    const { guard } = await supportHarness({ declaration: writableSupport as never, policies: SUPPORT_PACK, approver: { ...alice } });
    expect(await guard.beforeCall(crm("update_order", { id: 7, status: "refunded" }))).toMatchObject({ decision: "allow", approval: { approver: "alice@acme.example", policyIds: ["support-ask-before-write"] } });
  });

  it("denies writes outright under the read-only support declaration: a deny outranks an ask", async () => {
    const { guard } = await supportHarness({ policies: SUPPORT_PACK, tools: [{ server: "crm", name: "update_order", intent: "write" }] });
    const verdict = await guard.beforeCall(crm("update_order", { id: 7 }));
    expect(verdict.decision).toBe("deny");
    // Cedar reports the matching forbids in an order of its own, which moves when policies are added: compare sets.
    expect([...verdict.policyIds].sort()).toEqual(["support-ask-before-write", "tool-outside-declaration", "write-under-read-only-purpose"]);
  });
});

describe("containment ladder: remediate", () => {
  it("halts on secret egress and revokes the session's approvals (support pack)", async () => {
    const approver = { ...alice, asked: 0 };
    const { guard, sink } = await supportHarness({ declaration: writableSupport as never, policies: SUPPORT_PACK, approver, classifier: awsKeyClassifier, approvalValidityMs: 600_000 });
    const write = crm("update_order", { id: 7, status: "refunded" });
    expect((await guard.beforeCall(write)).decision).toBe("allow");
    expect((await guard.beforeCall(write)).decision).toBe("allow");
    expect(approver.asked).toBe(1);
    const leak = await guard.beforeCall(mail("ops@acme.example", "s1", "the key is AKIAIOSFODNN7EXAMPLE"));
    expect(leak).toMatchObject({ decision: "halt", policyIds: ["support-secret-egress-halt", "argument-class-outside-read-scope"], classes: ["secret.aws_access_key"] });
    expect(sink.records.filter((record) => record.event === "containment").map((record) => record.detail)).toContainEqual({ level: "remediate", action: "revoke-approvals", decisionId: leak.decisionId, status: "done", revoked: 1 });
    guard.release("s1", "oncall@acme.example");
    expect((await guard.beforeCall(write)).decision).toBe("allow");
    expect(approver.asked).toBe(2);
  });

  it("runs a configured hook, records its outcome, and waits for it on close", async () => {
    const events: RemediationEvent[] = [];
    const { guard, sink } = await supportHarness({
      monitor: {
        rules: { "repeated-denials": { response: "halt", remediate: ["hook:page", "hook:rotate"] } },
        hooks: {
          page: async (event) => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            events.push(event);
          },
          rotate: () => {
            throw new Error("vault unreachable");
          },
        },
      },
    });
    for (let i = 0; i < 5; i++) await guard.beforeCall(crm("export_all_customers"));
    const halted = await guard.beforeCall(crm("get_customer"));
    await guard.close();
    expect(events).toMatchObject([{ action: "hook:page", sessionId: "s1", rule: "repeated-denials", decisionId: halted.decisionId, declarationId: "support-agent" }]);
    const remediations = sink.records.filter((record) => record.detail?.["level"] === "remediate").map((record) => record.detail);
    expect(remediations).toContainEqual(expect.objectContaining({ action: "hook:page", status: "done" }));
    expect(remediations).toContainEqual(expect.objectContaining({ action: "hook:rotate", status: "failed", error: "vault unreachable" }));
  });
});

describe("policies see the session", () => {
  it("exposes volumes per family, the classes read, the intent sequence and the containment level to Cedar", async () => {
    const pack = `@id("probe") @response("alert") @reason("probe")
forbid (principal, action == Action::"call_tool", resource)
when { context.session.recordsByFamily.pii >= 2 && context.session.familiesRead.contains("pii") && context.session.classesRead.contains("pii.email")
  && context.session.intentSequence like "*read read" && context.session.containment == "none" && context.session.bytesByFamily.pii > 10 };`;
    const { policyFile } = await import("./monitor-helpers.js");
    const classifier = {
      classify: (value: unknown) => {
        const found = [];
        const list = Array.isArray(value) ? value : [];
        for (let i = 0; i < list.length; i++) {
          const email = (list[i] as { email?: string }).email;
          if (email) found.push({ class: "pii.email", pointer: `/${i}/email`, start: 0, end: email.length, detector: "test:email", confidence: 1 });
        }
        return found;
      },
    };
    const { guard } = await supportHarness({ policies: policyFile(pack), classifier });
    await callAndRead(guard, crm("list_orders"), [{ email: "ann@acme.example" }, { email: "bob@acme.example" }, { id: 3 }]);
    expect((await guard.beforeCall(crm("get_customer"))).policyIds).toEqual(["declared-tool"]);
    expect((await guard.beforeCall(crm("get_customer", { id: 2 }))).policyIds).toEqual(["declared-tool", "probe"]);
  });
});
