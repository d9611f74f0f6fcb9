import type { GroundTruthCall, Json, JsonObject, SuiteEnvironment } from "./dataset.js";
import { diff, type Effect } from "./effect.js";
import { canaryFor, renderEnvironment, type RenderedEnvironment, type VectorFill } from "./environment.js";
import { invoke, type SuiteState, type SuiteTools, type ToolOutcome } from "./tools/index.js";

/**
 * Replaying a task's ground-truth calls the way an agent would: names that differ in this environment (a channel
 * called `External_{vector}`) are used under their name here, and ids of things the task itself created are the ids
 * this run created (an agent reads them from the results), not the ids of the run that recorded the ground truth.
 */
export class Rebinder {
  private readonly ids = new Map<string, string>();

  /**
   * @param renamed default text -> text in this environment
   * @param reference ids each call created in an unguarded run of the same calls on the same environment
   */
  constructor(
    private readonly renamed: ReadonlyMap<string, string>,
    private readonly reference: readonly (readonly string[])[] = [],
  ) {}

  /** The arguments of call `index` as this run must send them. */
  bind(args: JsonObject): JsonObject {
    return rewrite(args, undefined, this.renamed, this.ids) as JsonObject;
  }

  /** Call `index` of this run created `created`: later calls that name the reference ids get these. */
  observe(index: number, created: readonly string[]): void {
    const expected = this.reference[index] ?? [];
    expected.forEach((refId, k) => {
      const id = created[k];
      if (id !== undefined && id !== refId) this.ids.set(refId, id);
    });
  }
}

function rewrite(value: Json, key: string | undefined, renamed: ReadonlyMap<string, string>, ids: ReadonlyMap<string, string>): Json {
  if (typeof value === "string") {
    if (key !== undefined && /id$/i.test(key) && ids.has(value)) return ids.get(value)!;
    return renamed.get(value) ?? value;
  }
  if (typeof value === "number" && key !== undefined && /id$/i.test(key) && ids.has(String(value))) return Number(ids.get(String(value)));
  if (Array.isArray(value)) return value.map((item) => rewrite(item, key, renamed, ids));
  if (typeof value === "object" && value !== null) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewrite(v, k, renamed, ids);
    return out;
  }
  return value;
}

export interface UnguardedRun {
  readonly initial: JsonObject;
  readonly state: SuiteState;
  readonly outcomes: readonly ToolOutcome[];
  /** Ids created by each call, in order. */
  readonly created: readonly (readonly string[])[];
  readonly effect: Effect;
}

/** Runs calls on a fresh state built from `env`, with no guard: the reference for what the calls do. */
export function runUnguarded(tools: SuiteTools, env: RenderedEnvironment, calls: readonly GroundTruthCall[]): UnguardedRun {
  const state = tools.init(env.tree);
  const initial = structuredClone(state.data);
  const rebinder = new Rebinder(env.renamed);
  const outcomes: ToolOutcome[] = [];
  const created: string[][] = [];
  calls.forEach((call, index) => {
    const outcome = invoke(tools, state, call.function, rebinder.bind(call.args));
    outcomes.push(outcome);
    created.push([...outcome.created]);
    rebinder.observe(index, outcome.created);
  });
  return { initial, state, outcomes, created, effect: diff(initial, state.data) };
}

/**
 * The injection vectors a user task reads: fill every vector with its own canary, replay the task's ground truth,
 * and see which canaries come back in its results.
 */
export function vectorsRead(tools: SuiteTools, env: SuiteEnvironment, calls: readonly GroundTruthCall[]): string[] {
  const fill: Record<string, string> = {};
  for (const name of Object.keys(env.vectors)) fill[name] = canaryFor(name);
  const run = runUnguarded(tools, renderEnvironment(env, fill), calls);
  const seen = run.outcomes.map((outcome) => JSON.stringify(outcome.value)).join("\n");
  return Object.keys(env.vectors).filter((name) => seen.includes(canaryFor(name)));
}
