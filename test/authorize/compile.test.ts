import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCedarPolicies } from "../../src/authorize/cedar/load-policies.js";
import { createMemorySink } from "../../src/audit/memory-sink.js";
import { createGuard } from "../../src/guard.js";
import { DURING_SUPPORT, example, fixedClock, SUPPORT_RUNTIME, tempDir } from "../helpers.js";

function policyFile(text: string): string {
  const file = join(tempDir(), "extra.cedar");
  writeFileSync(file, text);
  return file;
}

describe("loadCedarPolicies", () => {
  it("loads the base policies, each with a readable id, and a short revision", async () => {
    const set = await loadCedarPolicies();
    expect(set.revision).toMatch(/^[0-9a-f]{12}$/);
    expect([...set.byId.keys()]).toEqual(expect.arrayContaining([
      "tool-outside-declaration", "result-class-outside-read-scope", "write-under-read-only-purpose", "declaration-expired",
      "environment-mismatch", "region-mismatch", "account-mismatch", "egress-outside-allow",
    ]));
    expect(set.byId.get("result-class-outside-read-scope")?.response).toBe("redact");
  });

  it("stops start-up on a policy that does not parse, with file, line and Cedar's message", async () => {
    const file = policyFile('// header\n\n@id("broken")\nforbid (principal, action, resource) when { context.now > };\n');
    await expect(loadCedarPolicies({ policies: file })).rejects.toMatchObject({
      code: "POLICY_INVALID",
      issues: [{ file, line: 4, message: expect.stringContaining("unexpected token") }],
    });
  });

  it("stops start-up on a policy that does not validate against the schema, with Cedar's hint", async () => {
    const file = policyFile('@id("typo")\nforbid (principal, action, resource) when { context.nwo > 1 };\n');
    await expect(loadCedarPolicies({ policies: file })).rejects.toMatchObject({
      code: "POLICY_INVALID",
      issues: [{ file, line: 2, message: expect.stringContaining("nwo"), fix: expect.stringContaining("now") }],
    });
  });

  it("refuses a policy id used twice", async () => {
    const file = policyFile('@id("declaration-expired")\nforbid (principal, action, resource) when { context.now > 1 };\n');
    await expect(loadCedarPolicies({ policies: file })).rejects.toMatchObject({ issues: [{ message: expect.stringContaining("already used") }] });
  });

  it("refuses an unknown @response and a @response on a permit", async () => {
    await expect(loadCedarPolicies({ policies: policyFile('@id("x") @response("block") forbid (principal, action, resource);') })).rejects.toMatchObject({ issues: [{ message: expect.stringContaining("is not one of") }] });
    await expect(loadCedarPolicies({ policies: policyFile('@id("y") @response("deny") permit (principal, action, resource);') })).rejects.toMatchObject({ issues: [{ message: "@response on a permit has no effect" }] });
  });

  it("reports an unreadable policy path", async () => {
    await expect(loadCedarPolicies({ policies: "/nonexistent/policies" })).rejects.toMatchObject({ code: "POLICY_UNREADABLE" });
  });

  it("makes createGuard fail at start on an invalid policy, never at call time", async () => {
    const file = policyFile('@id("bad") forbid (principal, action, resource) when { principal.nope };');
    await expect(createGuard({ declaration: example("support.yaml"), policies: file, audit: [createMemorySink()], runtime: SUPPORT_RUNTIME, clock: fixedClock(DURING_SUPPORT) }))
      .rejects.toMatchObject({ code: "POLICY_INVALID" });
  });
});
