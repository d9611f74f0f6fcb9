import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSuite, type SuiteRun } from "../../../evals/agentdojo/driver.js";
import { guardedPaths } from "../../../evals/agentdojo/guarded.js";
import { ROOT } from "../../helpers.js";
import { agentdojo } from "../data.js";

const data = await agentdojo();
const declarations = join(ROOT, "evals/agentdojo/declarations");

async function run(driver: "compromised" | "langchain", suite: string, userTasks: string[]): Promise<SuiteRun> {
  const { path } = await guardedPaths(data, { via: "in-process", driver, declarations, root: ROOT })(suite);
  try {
    return await runSuite(data, suite, path, { userTasks });
  } finally {
    await path.close();
  }
}

const summary = (run: SuiteRun) => [
  ...run.utility.map((u) => [u.userTask, u.judgement.holds, u.records.map((r) => [r.tool, r.decision, r.forwarded])]),
  ...run.pairs.map((p) => [p.userTask, p.injectionTask, p.utility.holds, p.attack.succeeded, p.records.map((r) => [r.tool, r.decision, r.forwarded])]),
];

describe("the LangChain driver (createAgent, purpose-guard's middleware, the scripted fake model)", () => {
  it.each([
    ["banking", ["user_task_0", "user_task_3"]],
    ["slack", ["user_task_2"]],
    ["workspace", ["user_task_13"]],
  ])("reaches the same verdicts and effects as the compromised-agent driver on %s", async (suite, userTasks) => {
    const [agent, scripted] = [await run("langchain", suite, userTasks), await run("compromised", suite, userTasks)];
    expect(agent.pairs.length).toBeGreaterThan(0);
    expect(summary(agent)).toEqual(summary(scripted));
  }, 60_000);
});
