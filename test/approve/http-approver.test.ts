import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCallbackApprover } from "../../src/approve/callback-approver.js";
import { startHttpApprover, type HttpApprover } from "../../src/approve/http-approver.js";
import { createApprovalClient } from "../../src/approve/http-client.js";
import { isGuardError } from "../../src/errors.js";
import type { Verdict } from "../../src/model/verdict.js";
import { cli } from "../cli/run-cli.js";
import { tempDir } from "../helpers.js";
import { mail, policyFile, supportHarness } from "../monitor/monitor-helpers.js";

const ASK_MAIL = `@id("ask-before-mail") @response("ask") @reason("mail leaves the company")
forbid (principal, action == Action::"call_tool", resource) when { resource.key == "mail/send_email" };`;

const brokers: HttpApprover[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function broker(options: Parameters<typeof startHttpApprover>[0] = {}) {
  const stateFile = join(tempDir(), "approvals.json");
  const started = await startHttpApprover({ stateFile, ...options });
  brokers.push(started);
  return { broker: started, stateFile };
}

/** Waits until the broker holds `count` pending approvals (the guard asks asynchronously). */
async function pending(approver: HttpApprover, count = 1) {
  for (let i = 0; i < 200 && approver.pending().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(approver.pending()).toHaveLength(count);
  return approver.pending();
}

describe("startHttpApprover with purpose-guard approvals", () => {
  it("lets a person approve a waiting call from the command line, and records request and answer", async () => {
    const { broker: http, stateFile } = await broker();
    const { guard, sink } = await supportHarness({ policies: policyFile(ASK_MAIL), approver: http, approvalTimeoutMs: 10_000 });
    const verdict = guard.beforeCall({ ...mail("ops@acme.example"), trace: { threadId: "conv-7" } });
    const [waiting] = await pending(http);
    expect(waiting).toMatchObject({ server: "mail", tool: "send_email", policyIds: ["ask-before-mail"], declarationDigest: guard.declaration.digest, state: "pending" });

    const list = await cli(["approvals", "list", "--state", stateFile]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(waiting!.approvalId.slice(0, 8));
    expect(list.stdout).toContain("mail/send_email");

    const answer = await cli(["approvals", "approve", waiting!.approvalId.slice(0, 8), "--as", "alice@acme.example", "--note", "customer asked", "--state", stateFile]);
    expect(answer).toMatchObject({ code: 0 });
    expect(answer.stdout).toMatch(/^APPROVED {2}mail\/send_email/);
    expect(await verdict).toMatchObject({ decision: "allow", approval: { approver: "alice@acme.example", policyIds: ["ask-before-mail"] } });
    expect(sink.records.map((record) => [record.event, record.decision, record.detail?.["phase"]])).toEqual([
      ["approval", "ask", "requested"],
      ["approval", "allow", "approved"],
      ["call", "allow", "approved"],
    ]);
    expect(sink.records[1]).toMatchObject({ detail: { approver: "alice@acme.example", broker: "http", approvalId: waiting!.approvalId }, trace: { threadId: "conv-7" } });
    await guard.close();
  });

  it("does not carry an approval over to other arguments: they wait for their own answer, and a deny denies", async () => {
    const { broker: http, stateFile } = await broker();
    const { guard } = await supportHarness({ policies: policyFile(ASK_MAIL), approver: http, approvalTimeoutMs: 10_000, approvalValidityMs: 600_000 });
    const first = guard.beforeCall(mail("ops@acme.example"));
    const [a] = await pending(http);
    await createApprovalClient({ url: http.url, token: http.token }).answer(a!.approvalId, { approved: true, approver: "alice@acme.example" });
    expect((await first).decision).toBe("allow");
    expect((await guard.beforeCall(mail("ops@acme.example"))).decision).toBe("allow");
    expect(http.pending()).toHaveLength(0);

    const other = guard.beforeCall(mail("sales@acme.example"));
    const [b] = await pending(http);
    expect(b!.callDigest).not.toBe(a!.callDigest);
    expect((await cli(["approvals", "deny", b!.approvalId, "--as", "bob@acme.example", "--state", stateFile])).code).toBe(0);
    expect(await other).toMatchObject({ decision: "deny", policyIds: ["approval-denied", "ask-before-mail"] });
  });

  it("denies when nobody answers before the timeout, and a late answer finds nothing to approve", async () => {
    const { broker: http, stateFile } = await broker();
    const { guard, sink } = await supportHarness({ policies: policyFile(ASK_MAIL), approver: http, approvalTimeoutMs: 150 });
    const verdict = guard.beforeCall(mail());
    const [waiting] = await pending(http);
    expect(await verdict).toMatchObject({ decision: "deny", policyIds: ["approval-timeout", "ask-before-mail"] });
    expect(http.pending()).toHaveLength(0);
    expect(sink.records.filter((record) => record.event === "approval").map((record) => record.detail?.["phase"])).toEqual(["requested", "timeout"]);
    const late = await cli(["approvals", "approve", waiting!.approvalId, "--as", "alice@acme.example", "--state", stateFile]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("answered, expired or unknown");
  });

  it("refuses an answer for another call digest than the one pending", async () => {
    const { broker: http } = await broker();
    const { guard } = await supportHarness({ policies: policyFile(ASK_MAIL), approver: http, approvalTimeoutMs: 2_000 });
    const verdict = guard.beforeCall(mail());
    const [waiting] = await pending(http);
    const client = createApprovalClient({ url: http.url, token: http.token });
    const error = await client.answer(waiting!.approvalId, { approved: true, approver: "alice@acme.example", callDigest: "0".repeat(64) }).catch((e: unknown) => e);
    expect(isGuardError(error) && error.message).toContain("other arguments");
    await client.answer(waiting!.approvalId, { approved: false, approver: "alice@acme.example" });
    expect((await verdict).decision).toBe("deny");
  });
});

describe("startHttpApprover's endpoint", () => {
  it("refuses requests without the token, from web pages, and for a foreign Host", async () => {
    const { broker: http } = await broker();
    const get = (headers: Record<string, string>) => fetch(`${http.url}/v1/approvals`, { headers }).then((response) => response.status);
    expect(await get({})).toBe(401);
    expect(await get({ authorization: "Bearer wrong-token-wrong-token" })).toBe(401);
    expect(await get({ authorization: `Bearer ${http.token}` })).toBe(200);
    expect(await get({ authorization: `Bearer ${http.token}`, origin: "https://evil.example" })).toBe(403);
    // fetch will not send a foreign Host header; node:http will, as a rebinding attacker's browser would.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${http.url}/v1/approvals`);
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { host: "evil.example", authorization: `Bearer ${http.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(rebound).toBe(403);
    const error = await createApprovalClient({ url: http.url, token: "not-the-token-at-all" }).list().catch((e: unknown) => e);
    expect(isGuardError(error) && error.message).toContain("refused the token");
  });

  it("records the identity a per-approver token belongs to, and refuses a token claiming someone else", async () => {
    const { broker: http } = await broker({ approvers: { "alice@acme.example": "alice-token-0123456789", "bob@acme.example": "bob-token-0123456789ab" } });
    const { guard } = await supportHarness({ policies: policyFile(ASK_MAIL), approver: http, approvalTimeoutMs: 5_000 });
    const verdict = guard.beforeCall(mail());
    const [waiting] = await pending(http);
    const bob = createApprovalClient({ url: http.url, token: "bob-token-0123456789ab" });
    const impostor = await bob.answer(waiting!.approvalId, { approved: true, approver: "alice@acme.example" }).catch((e: unknown) => e);
    expect(isGuardError(impostor) && impostor.message).toContain("belongs to bob@acme.example");
    await bob.answer(waiting!.approvalId, { approved: true });
    expect(await verdict).toMatchObject({ decision: "allow", approval: { approver: "bob@acme.example" } });
  });

  it("listens on loopback unless told otherwise, and refuses short tokens", async () => {
    const remote = await startHttpApprover({ host: "0.0.0.0" }).catch((e: unknown) => e);
    expect(isGuardError(remote) && remote.message).toContain("off this machine");
    const short = await startHttpApprover({ token: "123" }).catch((e: unknown) => e);
    expect(isGuardError(short) && short.code).toBe("CONFIG_INVALID");
    const { broker: http } = await broker();
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe("createCallbackApprover", () => {
  it("asks the embedding program and applies its answer to the exact call", async () => {
    const seen: string[] = [];
    const approver = createCallbackApprover((request) => {
      seen.push(request.callDigest);
      return { approved: (request.argsPreview as { to: string }).to.endsWith("@acme.example"), approver: "app:ui" };
    });
    const { guard } = await supportHarness({ policies: policyFile(ASK_MAIL), approver });
    const allowed: Verdict = await guard.beforeCall(mail("ops@acme.example"));
    expect(allowed).toMatchObject({ decision: "allow", approval: { approver: "app:ui" } });
    expect(await guard.beforeCall(mail("ops@acme.example", "s1", "other text"))).toMatchObject({ decision: "allow" });
    expect(new Set(seen).size).toBe(2);
  });

  it("denies when the callback never answers in time", async () => {
    const approver = createCallbackApprover(() => new Promise(() => {}));
    const { guard } = await supportHarness({ policies: policyFile(ASK_MAIL), approver, approvalTimeoutMs: 50 });
    expect(await guard.beforeCall(mail())).toMatchObject({ decision: "deny", policyIds: ["approval-timeout", "ask-before-mail"] });
  });
});
