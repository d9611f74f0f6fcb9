import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

/** Runs an example offline: no key, so the LangChain example uses the fake model and the OpenAI one the replay server. */
function runOffline(file: string) {
  const env = { ...process.env };
  delete env["OPENAI_API_KEY"];
  delete env["OPENAI_BASE_URL"];
  return spawnSync(process.execPath, ["--import", "tsx", file], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env });
}

describe("examples/langchain-support-agent.ts", () => {
  it("runs offline: the SSN is redacted, the outside mail is refused by the flow rule, the delete is refused, and the audit chain is intact", () => {
    const run = runOffline("examples/langchain-support-agent.ts");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("offline (deterministic fake model)");
    expect(run.stdout).toMatch(/tool ran {5}get_customer: .*ada@customer\.example.*\[REDACTED:pii\.ssn\]/);
    expect(run.stdout).not.toContain("219-09-9991");
    expect(run.stdout).toContain('tool ran     send_email: sent "Order o-1002 delayed" to support@acme.example');
    expect(run.stdout).toMatch(/tool REFUSED send_email: .*\[flow-to-egress-outside-allow\]/);
    expect(run.stdout).toMatch(/tool REFUSED delete_customer: .*\[write-under-read-only-purpose\]/);
    expect(run.stdout).toContain("thread=support-thread-1 toolCall=call_partner");
    expect(run.stdout).toMatch(/\(8 records, chain intact\)/);
  });
});

describe("examples/openai-function-calling.ts", () => {
  it("runs offline against the replay server: runTools and the Responses loop are guarded, results redacted, flows refused, and the audit chain is intact", () => {
    const run = runOffline("examples/openai-function-calling.ts");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("offline (recorded responses replayed on http://127.0.0.1:");
    expect(run.stdout).toContain('tool → sent "Order o-1002 delayed" to support@acme.example');
    expect(run.stdout).toMatch(/tool → .*"ssn":"\[REDACTED:pii\.ssn\]"/);
    expect(run.stdout).not.toContain("219-09-9991");
    expect(run.stdout).toMatch(/tool → purpose-guard denied the call to mail\/send_email: .*\[flow-to-egress-outside-allow\]/);
    expect(run.stdout).toContain("(flows: pii.name, pii.email from crm/get_customer)");
    expect(run.stdout).toMatch(/tool → purpose-guard denied the call to crm\/delete_customer/);
    expect(run.stdout).toContain("agent: I cannot delete customer records");
    expect(run.stdout).toMatch(/\(8 records, chain intact\)/);
  });
});
