import type { Approver } from "../../src/approve/approver.js";
import { isGuardError, messageOf } from "../../src/errors.js";
import { createGuard, type Guard } from "../../src/guard.js";
import type { Declaration } from "../../src/model/declaration.js";
import type { MonitorConfig } from "../../src/monitor/rules.js";
import { permitsForwarding, type Verdict } from "../../src/model/verdict.js";
import type { JsonObject } from "../agentdojo/dataset.js";
import { diff } from "../agentdojo/effect.js";
import { missingCapabilities, type Capability } from "../stages.js";
import { durationMs, loadCategories, type Category, type Scenario, type Step } from "./scenario.js";
import { runThroughProxy } from "./proxied.js";
import { scenarioTools } from "./tools.js";

/** Runs our own attack suites: each scenario on a fresh guard and a fresh environment, step by step. */

export interface StepResult {
  readonly step: number;
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
  readonly policyIds?: readonly string[];
  readonly message?: string;
}

export interface ScenarioResult {
  readonly category: string;
  readonly id: string;
  readonly kind: "attack" | "benign";
  readonly description: string;
  /** pass: every expectation met; fail: one was not; error: the scenario could not run. */
  readonly status: "pass" | "fail" | "error";
  /** Why it failed or could not run, in one sentence. */
  readonly reason?: string;
  /** Capabilities it needs that this build lacks (the usual cause of a failure). */
  readonly missing: readonly Capability[];
  readonly steps: readonly StepResult[];
}

export interface SuitesResult {
  readonly date: string;
  readonly categories: readonly { readonly category: string; readonly title: string; readonly description: string; readonly file: string }[];
  readonly scenarios: readonly ScenarioResult[];
  readonly durationMs: number;
}

export interface SuitesOptions {
  readonly dir: string;
  readonly root: string;
  readonly categories?: readonly string[];
  readonly onStart?: (total: number) => void;
  readonly onStep?: (label: string) => void;
}

export async function runScenarioSuites(options: SuitesOptions): Promise<SuitesResult> {
  const started = Date.now();
  const all = await loadCategories(options.dir);
  const chosen = options.categories ? all.filter((c) => options.categories!.includes(c.category)) : all;
  if (options.categories) {
    const unknown = options.categories.filter((name) => !all.some((c) => c.category === name));
    if (unknown.length > 0) throw new Error(`unknown categor${unknown.length > 1 ? "ies" : "y"} ${unknown.join(", ")}; known: ${all.map((c) => c.category).join(", ")}`);
  }
  options.onStart?.(chosen.reduce((n, c) => n + c.scenarios.length, 0));
  const scenarios: ScenarioResult[] = [];
  for (const category of chosen) {
    for (const scenario of category.scenarios) {
      scenarios.push(await runScenario(category, scenario));
      options.onStep?.(`${category.category}/${scenario.id}`);
    }
  }
  return {
    date: new Date().toISOString(),
    categories: chosen.map((c) => ({ category: c.category, title: c.title, description: c.description, file: c.file })),
    scenarios,
    durationMs: Date.now() - started,
  };
}

export async function runScenario(category: Category, scenario: Scenario): Promise<ScenarioResult> {
  const missing = missingCapabilities(scenario.requires);
  const base = { category: category.category, id: scenario.id, kind: scenario.kind, description: scenario.description, missing };
  if (scenario.steps.some((step) => "listTools" in step || "mutateTool" in step)) {
    if (missing.some((capability) => capability === "proxy" || capability === "pinning")) {
      return { ...base, status: "error", reason: `needs ${missing.filter((c) => c === "proxy" || c === "pinning").join(" and ")} (adapters/mcp), which this build does not have`, steps: [] };
    }
    const steps = await runThroughProxy(category, scenario).catch((error: unknown) => error as Error);
    if (steps instanceof Error) return { ...base, status: "error", reason: `the proxy path failed: ${steps.message.split("\n")[0]}`, steps: [] };
    const failed = steps.find((step) => !step.ok);
    return failed
      ? { ...base, status: "fail", reason: `step ${failed.step + 1} (${failed.what}): expected ${failed.expected}, got ${failed.actual}`, steps }
      : { ...base, status: "pass", steps };
  }
  let now = Date.parse(scenario.clock ?? category.clock);
  let guard: Guard;
  try {
    guard = await createGuard({
      declaration: category.declaration as unknown as Declaration,
      policies: [...category.policyFiles],
      runtime: { ...category.runtime, ...scenario.runtime },
      clock: () => now,
      audit: [{ type: "memory", limit: 1000 }],
      ...(category.classifier ? { classification: category.classifier } : {}),
      ...(category.monitor ? { monitor: category.monitor as MonitorConfig } : {}),
    });
  } catch (error) {
    return { ...base, status: "error", reason: `the guard refused the scenario's configuration: ${isGuardError(error) ? error.describe() : messageOf(error)}`, steps: [] };
  }
  const tools = scenarioTools(category.tools, category.environment as JsonObject);
  const initial = structuredClone(tools.state);
  const results: StepResult[] = [];
  try {
    for (const [index, step] of scenario.steps.entries()) {
      results.push(await runStep(guard, tools, scenario, step, index, (ms) => (now += ms)));
    }
  } finally {
    await guard.close();
  }
  const changes = diff(initial, tools.state);
  for (const [path, expected] of Object.entries(scenario.effects)) {
    const actual = changes.filter((change) => change.at === path || change.at.startsWith(`${path}/`) || change.at.startsWith(`${path}[`)).length;
    results.push({ step: results.length, what: `effects under ${path}`, expected: String(expected), actual: String(actual), ok: actual === expected });
  }
  const failed = results.find((result) => !result.ok);
  if (!failed) return { ...base, status: "pass", steps: results };
  const why = `step ${failed.step + 1} (${failed.what}): expected ${failed.expected}, got ${failed.actual}${failed.message ? ` (${failed.message})` : ""}`;
  return { ...base, status: "fail", reason: missing.length > 0 ? `${why}; this build lacks ${missing.join(", ")}` : why, steps: results };
}

async function runStep(guard: Guard, tools: ReturnType<typeof scenarioTools>, scenario: Scenario, step: Step, index: number, advance: (ms: number) => void): Promise<StepResult> {
  if ("advance" in step) {
    advance(durationMs(step.advance));
    return { step: index, what: `advance the clock ${step.advance}`, expected: "-", actual: "-", ok: true };
  }
  if ("check" in step) {
    const verdict = await guard.check(step.check);
    const decision = verdict.decision === "allow" ? "allow" : "deny";
    return judged(index, `check ${JSON.stringify(step.check)}`, step.expect, decision, verdict, step.policy);
  }
  if ("call" in step) {
    const def = tools.defs.find((tool) => tool.server === step.call.server && tool.name === step.call.tool);
    const call = {
      server: step.call.server,
      tool: step.call.tool,
      args: step.call.args,
      sessionId: step.call.session ?? scenario.id,
      // What an adapter knows of the tool: the server's MCP annotations.
      ...(def?.annotations ? { hints: { annotations: def.annotations } } : {}),
      ...(step.call.userValues ? { userValues: step.call.userValues } : {}),
    };
    const approver: Approver | undefined = step.approve
      ? { name: "scenario", request: async () => ({ approved: step.approve === "approve", approver: "scenario-reviewer" }) }
      : undefined;
    const verdict = await guard.beforeCall(call, approver ? { approver } : {});
    if (permitsForwarding(verdict)) {
      const args = (verdict.decision === "redact" ? verdict.value : call.args) as JsonObject;
      const outcome = tools.call(call.server, call.tool, args);
      const after = await guard.afterCall(call, outcome.value);
      // The agent-facing verdict of a call is the stricter of the two: a blocked result stops the data.
      const effective = after.decision === "allow" ? verdict : after;
      return judged(index, `${call.server}/${call.tool}`, step.expect, effective.decision, effective, step.policy);
    }
    return judged(index, `${call.server}/${call.tool}`, step.expect, verdict.decision, verdict, step.policy);
  }
  return { step: index, what: "tools/list or tool change", expected: "the proxy", actual: "not run", ok: false, message: "needs the MCP proxy" };
}

function judged(index: number, what: string, expected: string, actual: string, verdict: Verdict, policy: string | undefined): StepResult {
  const forwarded = actual === "allow" || actual === "redact";
  const decisionOk = expected === "forwarded" ? forwarded : expected === "stopped" ? !forwarded : expected === actual;
  const policyOk = policy === undefined || verdict.policyIds.includes(policy);
  return {
    step: index,
    what,
    expected: policy ? `${expected} by ${policy}` : expected,
    actual: verdict.policyIds.length > 0 ? `${actual} by ${verdict.policyIds.join(", ")}` : actual,
    ok: decisionOk && policyOk,
    policyIds: verdict.policyIds,
    ...("message" in verdict ? { message: verdict.message } : {}),
  };
}
