import { GuardError } from "../../../src/errors.js";
import type { SuiteTasks, ToolSpec } from "../dataset.js";
import { banking } from "./banking.js";
import type { SuiteTools } from "./runtime.js";
import { slackSuite } from "./slack.js";
import { travel } from "./travel.js";
import { workspace } from "./workspace.js";

export { invoke, ToolError, type SuiteState, type SuiteTools, type ToolOutcome } from "./runtime.js";

/** The suites we implement tools for. A task file may use any subset of each suite's tools. */
export const SUITE_TOOLS: Readonly<Record<string, SuiteTools>> = { workspace, travel, banking, slack: slackSuite };

export const SUITES = Object.keys(SUITE_TOOLS);

/**
 * The tools of `suite` restricted to those the task file lists (the agent sees exactly those), after checking that
 * each listed tool has an implementation.
 */
export function toolsFor(suite: string, tasks: SuiteTasks, tasksFile: string): { impl: SuiteTools; specs: readonly ToolSpec[] } {
  const impl = SUITE_TOOLS[suite];
  if (!impl) {
    throw new GuardError("CONFIG_INVALID", `no tools are implemented for suite \`${suite}\``, {
      issues: [{ file: tasksFile, path: suite, message: `suite \`${suite}\` is unknown`, fix: `use one of: ${SUITES.join(", ")}` }],
    });
  }
  const missing = tasks.tools.filter((spec) => !impl.tools[spec.name]);
  if (missing.length > 0) {
    throw new GuardError("CONFIG_INVALID", `the task file lists ${suite} tools we do not implement`, {
      issues: missing.map((spec, i) => ({ file: tasksFile, path: `${suite}.tools[${i}]`, message: `no implementation of \`${spec.name}\``, fix: `implement it in evals/agentdojo/tools/${suite}.ts or drop it from the task file` })),
    });
  }
  const listed = new Set(tasks.tools.map((spec) => spec.name));
  const tools = Object.fromEntries(Object.entries(impl.tools).filter(([name]) => listed.has(name)));
  return { impl: { suite: impl.suite, init: impl.init, tools }, specs: tasks.tools };
}
