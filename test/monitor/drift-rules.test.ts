import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest, Approver } from "../../src/approve/approver.js";
import { createGuard } from "../../src/guard.js";
import { isGuardError } from "../../src/errors.js";
import { supportDeclaration, SUPPORT_RUNTIME, tempDir } from "../helpers.js";
import { callAndRead, crm, customers, mail, policyFile, supportHarness } from "./monitor-helpers.js";

describe("drift rule budget-calls-per-minute", () => {
  it("blocks the call past the declaration's callsPerMinute, and allows again once the minute has passed", async () => {
    const { guard, clock, notified } = await supportHarness();
    for (let i = 0; i < 60; i++) {
      expect((await guard.beforeCall(crm("get_customer", { id: i }))).decision).toBe("allow");
      clock.advance(500);
    }
    const over = await guard.beforeCall(crm("get_customer", { id: 60 }));
    expect(over).toMatchObject({ decision: "deny", policyIds: ["budget-calls-per-minute"] });
    expect(over.decision === "deny" && over.message).toContain("60 calls in the last minute");
    expect(notified.filter((n) => n.rule === "budget-calls-per-minute")).toHaveLength(1);
    clock.advance(60_000);
    expect((await guard.beforeCall(crm("get_customer", { id: 61 }))).decision).toBe("allow");
  });
});

describe("drift rule budget-calls-per-session", () => {
  it("halts the session at the call past callsPerSession", async () => {
    const { guard } = await supportHarness({ declaration: supportDeclaration({ budgets: { callsPerSession: 3 } }) as never });
    for (let i = 0; i < 3; i++) expect((await guard.beforeCall(crm("get_customer", { id: i }))).decision).toBe("allow");
    expect(await guard.beforeCall(crm("get_customer", { id: 3 }))).toMatchObject({ decision: "halt", policyIds: ["budget-calls-per-session"] });
    expect(await guard.beforeCall(crm("get_customer", { id: 4 }))).toMatchObject({ decision: "halt", policyIds: ["session-halted", "budget-calls-per-session"] });
  });
  // Human-in-the-loop decides a waiting call on the first pass (ask), again on resume (ask), and once more with the
  // answer: one call the person approved used three calls of the budget.
  it("counts a call that waits for approval once, however often it is decided again", async () => {
    const { guard } = await supportHarness({
      declaration: supportDeclaration({ budgets: { callsPerSession: 3 } }) as never,
      policies: policyFile(`@id("ask-before-mail") @response("ask") @reason("mail leaves the company")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "mail/send_email" };`),
    });
    const approve: Approver = { name: "lead", request: async () => ({ approved: true, approver: "lead@acme.example" }) };
    expect((await guard.beforeCall(mail())).decision).toBe("ask");
    expect((await guard.beforeCall(mail())).decision).toBe("ask");
    expect((await guard.beforeCall(mail(), { approver: approve })).decision).toBe("allow");
    for (let i = 0; i < 2; i++) expect((await guard.beforeCall(crm("get_customer", { id: i }))).decision).toBe("allow");
    expect(await guard.beforeCall(crm("get_customer", { id: 2 }))).toMatchObject({ decision: "halt", policyIds: ["budget-calls-per-session"] });
  });

  it("counts each different call that waits for approval", async () => {
    const { guard } = await supportHarness({
      declaration: supportDeclaration({ budgets: { callsPerSession: 3 } }) as never,
      policies: policyFile(`@id("ask-before-mail") @response("ask") @reason("mail leaves the company")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "mail/send_email" };`),
    });
    for (let i = 0; i < 3; i++) expect((await guard.beforeCall(mail(`ops${i}@acme.example`))).decision).toBe("ask");
    expect(await guard.beforeCall(crm("get_customer"))).toMatchObject({ decision: "halt", policyIds: ["budget-calls-per-session"] });
  });
});

describe("drift rule budget-records-read", () => {
  it("withholds the result that takes the session past recordsRead, and halts the session", async () => {
    const { guard } = await supportHarness();
    const first = await callAndRead(guard, crm("list_orders"), customers(150));
    expect(first.after?.decision).toBe("allow");
    const second = await callAndRead(guard, crm("list_orders", { page: 2 }), customers(60, 150));
    expect(second.after).toMatchObject({ decision: "halt", policyIds: ["budget-records-read"] });
    expect(second.after?.decision === "halt" && second.after.message).toContain("210 records");
    expect((await guard.beforeCall(crm("get_customer"))).decision).toBe("halt");
  });

  it("counts the records of an MCP result's structured content", async () => {
    const { guard } = await supportHarness();
    const result = { content: [{ type: "text", text: "…" }], structuredContent: { orders: customers(201) } };
    expect((await callAndRead(guard, crm("list_orders"), result)).after).toMatchObject({ decision: "halt", policyIds: ["budget-records-read"] });
  });
});

describe("drift rule budget-bytes-read", () => {
  it("halts the session once its results exceed bytesRead", async () => {
    const { guard } = await supportHarness({ declaration: supportDeclaration({ budgets: { bytesRead: 2_000 } }) as never });
    expect((await callAndRead(guard, crm("list_orders"), customers(40))).after?.decision).toBe("allow");
    expect((await callAndRead(guard, crm("list_orders", { page: 2 }), customers(60))).after).toMatchObject({ decision: "halt", policyIds: ["budget-bytes-read"] });
  });
});

describe("drift rule burst-above-baseline", () => {
  it("alerts once when a session calls far faster than its own earlier rate, and lets the calls through", async () => {
    const { guard, clock, notified, sink } = await supportHarness();
    for (let i = 0; i < 4; i++) {
      await guard.beforeCall(crm("get_customer", { id: i }));
      clock.advance(30_000);
    }
    const verdicts = [];
    for (let i = 0; i < 12; i++) {
      verdicts.push(await guard.beforeCall(crm("get_customer", { id: 100 + i })));
      clock.advance(300);
    }
    expect(verdicts.every((verdict) => verdict.decision === "allow")).toBe(true);
    expect(verdicts.slice(0, 9).some((verdict) => verdict.policyIds.includes("burst-above-baseline"))).toBe(false);
    expect(verdicts[9]!.policyIds).toContain("burst-above-baseline");
    expect(notified.filter((n) => n.rule === "burst-above-baseline")).toMatchObject([{ kind: "alert", sessionId: "s1" }]);
    expect(sink.records.filter((record) => record.event === "containment")).toMatchObject([{ decision: "allow", detail: { level: "alert", from: "none" } }]);
  });

  it("does not fire for a session that always called at that rate", async () => {
    const { guard, clock } = await supportHarness({ declaration: supportDeclaration({ budgets: {} }) as never });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      for (const id of (await guard.beforeCall(crm("get_customer", { id: i }))).policyIds) seen.add(id);
      clock.advance(1_000);
    }
    expect(seen).toEqual(new Set(["declared-tool"]));
  });

  it("answers with the response the configuration gives it", async () => {
    const { guard, clock } = await supportHarness({ monitor: { rules: { "burst-above-baseline": "block" } } });
    for (let i = 0; i < 3; i++) {
      await guard.beforeCall(crm("get_customer", { id: i }));
      clock.advance(40_000);
    }
    let last;
    for (let i = 0; i < 10; i++) last = await guard.beforeCall(crm("get_customer", { id: 50 + i }));
    expect(last).toMatchObject({ decision: "deny", policyIds: ["burst-above-baseline"] });
  });
});

describe("drift rule sensitive-read-then-egress", () => {
  // An operations agent that may read an AWS key from its vault tool and send mail inside the company.
  const ops = supportDeclaration({
    id: "ops-agent",
    use: { id: "operations", description: "Rotate the team's service credentials" },
    // The mails' recipients are addresses: reading them is part of the purpose.
    dataScope: { read: ["secret.aws_access_key", "pii.email"], write: [] },
    tools: [
      { server: "vault", allow: ["read_secret"], outputClasses: ["secret.aws_access_key"] },
      { server: "mail", allow: ["send_email"], intent: "egress" },
    ],
  });

  it("asks before data leaves after the session read a sensitive class, and not before", async () => {
    const { guard } = await supportHarness({ declaration: ops as never });
    expect((await guard.beforeCall(mail())).decision).toBe("allow");
    expect((await callAndRead(guard, { server: "vault", tool: "read_secret", args: { name: "ci" }, sessionId: "s1" }, { value: "…" })).after?.decision).toBe("allow");
    const verdict = await guard.beforeCall(mail());
    expect(verdict).toMatchObject({ decision: "ask", policyIds: ["sensitive-read-then-egress"] });
    expect(verdict.decision === "ask" && verdict.message).toContain("secret.aws_access_key");
    expect((await guard.beforeCall(mail("ops@acme.example", "other-session"))).decision).toBe("allow");
  });

  it("lets a person approve the exact egress call", async () => {
    const asked: ApprovalRequest[] = [];
    const { guard } = await supportHarness({ declaration: ops as never, approver: { name: "scripted", request: async (request) => (asked.push(request), { approved: true, approver: "bob@acme.example" }) } });
    await callAndRead(guard, { server: "vault", tool: "read_secret", args: {}, sessionId: "s1" }, { value: "…" });
    expect(await guard.beforeCall(mail())).toMatchObject({ decision: "allow", approval: { approver: "bob@acme.example", policyIds: ["sensitive-read-then-egress"] } });
    expect(asked[0]).toMatchObject({ policyIds: ["sensitive-read-then-egress"], tool: "send_email" });
  });
});

describe("drift rule repeated-denials", () => {
  it("halts a session that keeps probing tools it was not granted", async () => {
    const { guard } = await supportHarness();
    for (let i = 0; i < 5; i++) expect((await guard.beforeCall(crm("export_all_customers", { page: i }))).decision).toBe("deny");
    const next = await guard.beforeCall(crm("get_customer", { id: 1 }));
    expect(next).toMatchObject({ decision: "halt", policyIds: ["repeated-denials"] });
    expect(next.decision === "halt" && next.message).toContain("5 of the session's last 5 decisions were denials");
  });

  // With human-in-the-loop every pending call is decided again (ask) on each resume: a person approving a few calls
  // halted the session.
  it("does not count calls that wait for a person's approval as denials", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ask.cedar"), `@id("ask-before-mail") @response("ask") @reason("mail leaves the company")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "mail/send_email" };`);
    const { guard } = await supportHarness({ policies: dir });
    for (let i = 0; i < 6; i++) expect((await guard.beforeCall(mail(`ops${i}@acme.example`))).decision).toBe("ask");
    expect((await guard.beforeCall(crm("get_customer", { id: 1 }))).decision).toBe("allow");
  });

  it("uses the configured threshold", async () => {
    const { guard } = await supportHarness({ monitor: { probing: { threshold: 2 } } });
    await guard.beforeCall(crm("export_all_customers"));
    await guard.beforeCall(crm("export_all_customers"));
    expect((await guard.beforeCall(crm("get_customer"))).decision).toBe("halt");
  });
});

describe("drift rule tool-definition-changed", () => {
  const pinned = (digest: string, sessionId = "s1") => ({ ...crm("get_customer", { id: 1 }, sessionId), hints: { digest } });

  it("blocks a call whose tool digest differs from the one pinned at first sight", async () => {
    const { guard } = await supportHarness();
    expect((await guard.beforeCall(pinned("sha256:aaa"))).decision).toBe("allow");
    expect(await guard.beforeCall(pinned("sha256:bbb", "s2"))).toMatchObject({ decision: "deny", policyIds: ["tool-definition-changed"] });
    expect((await guard.beforeCall(pinned("sha256:aaa", "s2"))).decision).toBe("allow");
  });

  it("blocks a tool the configuration pinned when the adapter reports another digest", async () => {
    const { guard } = await supportHarness({ monitor: { pins: { "crm/get_customer": "sha256:reviewed" } } });
    expect((await guard.beforeCall(pinned("sha256:other"))).decision).toBe("deny");
  });

  it("blocks the tool after an adapter reports the change with guard.alert", async () => {
    const { guard, sink } = await supportHarness();
    guard.alert({ rule: "tool-definition-changed", server: "crm", tool: "get_customer", sessionId: "s1", detail: { detail: "definition changed" } });
    expect(sink.records.map((record) => [record.event, record.policyIds])).toEqual([["alert", ["tool-definition-changed"]], ["containment", ["tool-definition-changed"]]]);
    expect(await guard.beforeCall(crm("get_customer"))).toMatchObject({ decision: "deny", policyIds: ["tool-definition-changed"] });
    expect((await guard.beforeCall(crm("list_orders"))).decision).toBe("allow");
  });

  it("halts the reporting session at once when configured to halt", async () => {
    const { guard, notified } = await supportHarness({ monitor: { rules: { "tool-definition-changed": "halt" } } });
    guard.alert({ rule: "tool-definition-changed", server: "crm", tool: "get_customer", sessionId: "s1" });
    expect(await guard.beforeCall(crm("list_orders"))).toMatchObject({ decision: "halt", policyIds: ["session-halted", "tool-definition-changed"] });
    expect(notified.map((n) => n.kind)).toContain("halt");
  });

  it("can be switched off", async () => {
    const { guard } = await supportHarness({ monitor: { rules: { "tool-definition-changed": "off" } } });
    await guard.beforeCall(pinned("sha256:aaa"));
    expect((await guard.beforeCall(pinned("sha256:bbb"))).decision).toBe("allow");
  });
});

describe("monitor configuration", () => {
  it("refuses an unknown rule id with the field that names it", async () => {
    const error = await createGuard({ declaration: supportDeclaration() as never, audit: [], runtime: SUPPORT_RUNTIME, monitor: { rules: { "no-such-rule": "halt" } as never } }).catch((e: unknown) => e);
    expect(isGuardError(error) && error.code).toBe("CONFIG_INVALID");
    expect(isGuardError(error) && error.describe()).toContain("monitor.rules");
  });

  it("refuses a webhook off this machine unless allowed", async () => {
    const error = await createGuard({ declaration: supportDeclaration() as never, audit: [], runtime: SUPPORT_RUNTIME, monitor: { notify: [{ type: "webhook", url: "https://alerts.example.com/hook" }] } }).catch((e: unknown) => e);
    expect(isGuardError(error) && error.message).toContain("not on this machine");
  });

  it("refuses a remediation hook that no one configured", async () => {
    const error = await createGuard({ declaration: supportDeclaration() as never, audit: [], runtime: SUPPORT_RUNTIME, monitor: { rules: { "repeated-denials": { response: "halt", remediate: ["hook:page"] } } } }).catch((e: unknown) => e);
    expect(isGuardError(error) && error.describe()).toContain('monitor.hooks["page"]');
  });
});
