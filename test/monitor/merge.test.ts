import { describe, expect, it } from "vitest";
import type { EngineDecision } from "../../src/authorize/engine.js";
import { outcomeOf } from "../../src/authorize/outcome.js";
import type { DriftHit } from "../../src/monitor/drift.js";
import { mergeDrift } from "../../src/monitor/merge.js";
import { createGuard } from "../../src/guard.js";
import { supportDeclaration, SUPPORT_RUNTIME, DURING_SUPPORT, fixedClock } from "../helpers.js";
import { policyFile } from "./monitor-helpers.js";

const hit = (response: DriftHit["response"], rule: DriftHit["rule"] = "sensitive-read-then-egress"): DriftHit => ({ rule, response, reason: "drift", remediate: [], detail: {} });
const permitted: EngineDecision = { decision: "allow", determining: [{ id: "declared-tool", effect: "permit", reason: "granted" }], errors: [] };
const defaultDenied: EngineDecision = { decision: "deny", determining: [], errors: [] };

describe("mergeDrift", () => {
  it("never lets a rule's ask make an unpermitted call approvable", () => {
    const outcome = outcomeOf(mergeDrift(defaultDenied, [hit("ask")], []));
    expect(outcome).toMatchObject({ kind: "deny" });
    expect(outcome.policies.map((policy) => policy.id)).toEqual(["default-deny", "sensitive-read-then-egress"]);
  });

  it("lifts a rule's ask once its id is approved, and only then", () => {
    expect(outcomeOf(mergeDrift(permitted, [hit("ask")], [])).kind).toBe("ask");
    expect(outcomeOf(mergeDrift(permitted, [hit("ask")], ["sensitive-read-then-egress"])).kind).toBe("allow");
    expect(outcomeOf(mergeDrift(permitted, [hit("halt")], ["sensitive-read-then-egress"])).kind).toBe("halt");
  });

  it("keeps an allow an allow for an alert, and cites it", () => {
    const outcome = outcomeOf(mergeDrift(permitted, [hit("alert", "burst-above-baseline")], []));
    expect(outcome).toMatchObject({ kind: "allow" });
    expect(outcome.policies.map((policy) => [policy.id, policy.response])).toEqual([["declared-tool", undefined], ["burst-above-baseline", "alert"]]);
  });

  it("lets the strongest response win when a policy and a rule both decide", () => {
    const denied: EngineDecision = { decision: "deny", determining: [{ id: "egress-outside-allow", effect: "forbid", response: "deny", reason: "no" }], errors: [] };
    expect(outcomeOf(mergeDrift(denied, [hit("halt", "repeated-denials")], [])).kind).toBe("halt");
    expect(outcomeOf(mergeDrift(denied, [hit("alert", "burst-above-baseline")], [])).kind).toBe("deny");
  });
});

describe("alert policies", () => {
  it("never permit on their own: a call only an alert matches is denied by default", async () => {
    const pack = policyFile(`@id("watch-everything") @response("alert") @reason("watch")
forbid (principal, action, resource);`);
    const guard = await createGuard({ declaration: supportDeclaration() as never, policies: pack, audit: [], runtime: SUPPORT_RUNTIME, clock: fixedClock(DURING_SUPPORT) });
    expect(await guard.beforeCall({ server: "crm", tool: "get_customer", args: {}, sessionId: "s" })).toMatchObject({ decision: "allow", policyIds: ["declared-tool", "watch-everything"] });
    expect(await guard.beforeCall({ server: "crm", tool: "get_invoices", args: {}, sessionId: "s" })).toMatchObject({ decision: "deny", policyIds: ["tool-outside-declaration"] });
    const alone = await createGuard({ declaration: supportDeclaration() as never, basePolicies: false, policies: pack, audit: [], runtime: SUPPORT_RUNTIME, clock: fixedClock(DURING_SUPPORT) });
    expect(await alone.beforeCall({ server: "crm", tool: "get_customer", args: {}, sessionId: "s" })).toMatchObject({ decision: "deny", policyIds: ["default-deny", "watch-everything"] });
  });

  it("rejects a remediation that is not an action the guard knows, with the policy's file and line", async () => {
    const pack = policyFile(`@id("bad") @response("halt") @remediate("format-disk")
forbid (principal, action, resource) when { context.session.calls > 5 };`);
    const error = await createGuard({ declaration: supportDeclaration() as never, policies: pack, audit: [], runtime: SUPPORT_RUNTIME }).catch((e: unknown) => e as Error);
    expect(String((error as { describe?: () => string }).describe?.())).toMatch(/pack\.cedar:1.*format-disk/);
  });
});
