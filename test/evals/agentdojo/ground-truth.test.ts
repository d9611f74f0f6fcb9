import { describe, expect, it } from "vitest";
import { describeEffect } from "../../../evals/agentdojo/effect.js";
import { renderEnvironment } from "../../../evals/agentdojo/environment.js";
import { runUnguarded, vectorsRead } from "../../../evals/agentdojo/replay.js";
import { toolsFor } from "../../../evals/agentdojo/tools/index.js";
import { agentdojo } from "../data.js";

/** Tools whose calls change the environment (the ground truth of a task calling one must change it). */
const CHANGING = /^(send_|delete_|create_|cancel_|reschedule_|add_|append_|share_|reserve_|schedule_|update_|invite_|remove_|post_|get_unread_emails$|get_webpage$)/;

/** Ground truths whose writes set what is already there (the benchmark's own data, kept as is). */
const NO_OP: Readonly<Record<string, string>> = { "banking/user_task_9": "sets the rent to 1100, which it already is" };

const data = await agentdojo();

describe.each(Object.keys(data.suites))("the %s suite's tools", (suite) => {
  const tasks = data.suites[suite]!;
  const { impl } = toolsFor(suite, tasks, data.tasksFile);

  it.each([...tasks.userTasks, ...tasks.injectionTasks].map((task) => [task.id, task] as const))("run the ground truth of %s without an error and produce its effect", async (_id, task) => {
    const env = await data.environment(suite);
    const run = runUnguarded(impl, renderEnvironment(env), task.groundTruth);
    const errors = run.outcomes.flatMap((outcome, i) => (outcome.ok ? [] : [`${task.groundTruth[i]!.function}: ${JSON.stringify(outcome.value)}`]));
    expect(errors).toEqual([]);
    if (NO_OP[`${suite}/${task.id}`]) {
      expect(run.effect).toEqual([]);
    } else if (task.groundTruth.some((call) => CHANGING.test(call.function))) {
      expect(describeEffect(run.effect).length, `${task.id} calls a changing tool but changed nothing`).toBeGreaterThan(0);
    } else {
      expect(run.effect).toEqual([]);
    }
  });

  it("are replayed deterministically: the same calls give the same state", async () => {
    const env = await data.environment(suite);
    for (const task of tasks.userTasks.slice(0, 5)) {
      const a = runUnguarded(impl, renderEnvironment(env), task.groundTruth);
      const b = runUnguarded(impl, renderEnvironment(env), task.groundTruth);
      expect(b.state.data).toEqual(a.state.data);
    }
  });

  it("find, with canaries, an injection vector in what every user task reads", async () => {
    const env = await data.environment(suite);
    for (const task of tasks.userTasks) expect(vectorsRead(impl, env, task.groundTruth), task.id).not.toEqual([]);
  });
});

describe("vectorsRead", () => {
  it("names exactly the vectors whose canaries come back in the task's results", async () => {
    const env = await data.environment("banking");
    const { impl } = toolsFor("banking", data.suites["banking"]!, data.tasksFile);
    const task = data.suites["banking"]!.userTasks.find((t) => t.id === "user_task_0")!;
    expect(vectorsRead(impl, env, task.groundTruth)).toEqual(["injection_bill_text"]);
  });
});
