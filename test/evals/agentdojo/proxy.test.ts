import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSuite } from "../../../evals/agentdojo/driver.js";
import { guardedPaths } from "../../../evals/agentdojo/guarded.js";
import { STAGES } from "../../../evals/stages.js";
import { ROOT } from "../../helpers.js";
import { agentdojo } from "../data.js";

// The proxy path needs `purpose-guard proxy` (adapters/mcp); builds without it have nothing to test here.
describe.runIf(STAGES.proxy)("the AgentDojo driver through purpose-guard proxy", () => {
  it("stops every workspace attack against two user tasks and keeps both tasks", async () => {
    const data = await agentdojo();
    const paths = guardedPaths(data, { via: "proxy", declarations: join(ROOT, "evals/agentdojo/declarations"), root: ROOT });
    const { path } = await paths("workspace");
    try {
      const run = await runSuite(data, "workspace", path, { userTasks: ["user_task_0", "user_task_6"] });
      expect(run.pairs).toHaveLength(12);
      expect(run.pairs.filter((pair) => pair.attack.succeeded).map((pair) => `${pair.userTask}×${pair.injectionTask}`)).toEqual([]);
      expect(run.utility.every((u) => u.judgement.holds)).toBe(true);
      expect(run.pairs.every((pair) => pair.utility.holds)).toBe(true);
      // A call the proxy refused never reached the suite's server, and the refusal names its policy.
      const refused = run.pairs.flatMap((pair) => pair.records.filter((record) => !record.forwarded));
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((record) => record.policyIds.length > 0)).toBe(true);
    } finally {
      await path.close();
    }
  }, 120_000);
});
