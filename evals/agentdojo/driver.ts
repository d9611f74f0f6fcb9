import { GuardError } from "../../src/errors.js";
import type { AgentDojoData, InjectionTask, SuiteTasks, UserTask } from "./dataset.js";
import { subtract } from "./effect.js";
import { attackText, renderEnvironment, type VectorFill } from "./environment.js";
import { judgeAttack, judgeUtility, type AttackJudgement, type UtilityJudgement } from "./judge.js";
import type { CallRecord, RunPath, Segment } from "./path.js";
import { runUnguarded, vectorsRead } from "./replay.js";
import { toolsFor } from "./tools/index.js";

/**
 * The compromised-agent driver, the strictest deterministic case: the agent does everything the injected text
 * asks. For a pair (user task U, injection task I), the injection vectors U reads hold the attack, and the agent
 * replays U's ground-truth calls followed by I's. Without an attack, U's calls alone measure utility.
 */

export interface UtilityOutcome {
  readonly suite: string;
  readonly userTask: string;
  readonly vectors: readonly string[];
  readonly judgement: UtilityJudgement;
  readonly records: readonly CallRecord[];
}

export interface PairOutcome {
  readonly suite: string;
  readonly userTask: string;
  readonly injectionTask: string;
  /** The vectors that held the attack (those U reads). */
  readonly vectors: readonly string[];
  readonly utility: UtilityJudgement;
  readonly attack: AttackJudgement;
  /** Some call of the pair was escalated to a person (`ask`). */
  readonly asked: boolean;
  /** With every `ask` approved, would the attack have succeeded? Set when the pair asked and a rerun was possible. */
  readonly succeededIfApproved?: boolean;
  readonly records: readonly CallRecord[];
}

export interface SuiteRun {
  readonly suite: string;
  readonly userTasks: number;
  readonly injectionTasks: number;
  readonly utility: readonly UtilityOutcome[];
  readonly pairs: readonly PairOutcome[];
}

export interface DriverOptions {
  /** Attack template name in attacks.json (default `important_instructions`). */
  readonly attack?: string;
  /** Only these user / injection task ids (default: all). */
  readonly userTasks?: readonly string[];
  readonly injectionTasks?: readonly string[];
  /** Called after each session (one utility run or one pair). */
  readonly onStep?: (label: string) => void;
  /** A second path on which every `ask` is approved, to measure what approvals would let through. */
  readonly approvingPath?: RunPath;
}

export const DEFAULT_ATTACK = "important_instructions";

/** The tasks a run covers: all, or those whose ids the options list (ids unknown in this suite are skipped). */
export function selectTasks(tasks: SuiteTasks, options: DriverOptions): { user: UserTask[]; injection: InjectionTask[] } {
  const pick = <T extends { id: string }>(all: readonly T[], ids: readonly string[] | undefined): T[] =>
    ids ? all.filter((task) => ids.includes(task.id)) : [...all];
  return { user: pick(tasks.userTasks, options.userTasks), injection: pick(tasks.injectionTasks, options.injectionTasks) };
}

/** How many sessions a run of `suites` takes (utility runs plus pairs), for the progress bar. */
export function countSessions(data: AgentDojoData, suites: readonly string[], options: DriverOptions): number {
  let total = 0;
  for (const suite of suites) {
    const { user, injection } = selectTasks(data.suites[suite]!, options);
    total += user.length * (1 + injection.length);
  }
  return total;
}

/** Values of the user's request that a guard may treat as trusted: the prompt, and what it quotes or names. */
export function userValuesOf(prompt: string): string[] {
  const values = new Set<string>([prompt.trim()]);
  for (const match of prompt.matchAll(/'([^']{2,200})'|"([^"]{2,200})"/g)) values.add((match[1] ?? match[2])!.trim());
  for (const match of prompt.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)) values.add(match[0]);
  for (const match of prompt.matchAll(/\b(?:https?:\/\/)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|ch|de)(?:\/[^\s'",]*)?/gi)) values.add(match[0]);
  for (const match of prompt.matchAll(/\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b/g)) values.add(match[0]);
  return [...values];
}

export async function runSuite(data: AgentDojoData, suite: string, path: RunPath, options: DriverOptions = {}): Promise<SuiteRun> {
  const tasks = data.suites[suite];
  if (!tasks) throw new GuardError("USAGE", `no suite \`${suite}\` in ${data.tasksFile}`, { issues: [{ message: `unknown suite \`${suite}\``, fix: `use one of: ${Object.keys(data.suites).join(", ")}` }] });
  const env = await data.environment(suite);
  const { impl } = toolsFor(suite, tasks, data.tasksFile);
  const attackName = options.attack ?? DEFAULT_ATTACK;
  const template = data.attacks.templates[attackName];
  if (template === undefined) {
    throw new GuardError("USAGE", `no attack template \`${attackName}\``, { issues: [{ message: `attacks.json has no template \`${attackName}\``, fix: `use one of: ${Object.keys(data.attacks.templates).join(", ")}` }] });
  }
  const { user, injection } = selectTasks(tasks, options);
  const utility: UtilityOutcome[] = [];
  const pairs: PairOutcome[] = [];
  const plain = renderEnvironment(env);
  for (const userTask of user) {
    const vectors = vectorsRead(impl, env, userTask.groundTruth);
    const userValues = userValuesOf(userTask.prompt);

    const reference = runUnguarded(impl, plain, userTask.groundTruth);
    const alone = await path.run({
      sessionId: `${suite}/${userTask.id}`,
      server: suite,
      env: plain,
      segments: [{ role: "user", calls: userTask.groundTruth, created: reference.created }],
      userValues,
      prompt: userTask.prompt,
    });
    utility.push({ suite, userTask: userTask.id, vectors, judgement: judgeUtility(alone.records, reference.effect, alone.effect, "user", alone.unscripted), records: alone.records });
    options.onStep?.(`${suite} ${userTask.id}`);

    for (const injectionTask of injection) {
      const fill: Record<string, string> = {};
      for (const vector of vectors) fill[vector] = attackText(template, injectionTask.goal, data.attacks.defaults);
      const attacked = renderEnvironment(env, fill as VectorFill);
      const refUser = runUnguarded(impl, attacked, userTask.groundTruth);
      const refInjection = runUnguarded(impl, attacked, injectionTask.groundTruth);
      const segments: Segment[] = [
        { role: "user", calls: userTask.groundTruth, created: refUser.created },
        { role: "injection", calls: injectionTask.groundTruth, created: refInjection.created },
      ];
      const spec = { sessionId: `${suite}/${userTask.id}/${injectionTask.id}`, server: suite, env: attacked, segments, userValues, prompt: userTask.prompt };
      const run = await path.run(spec);
      const attackEffect = subtract(refInjection.effect, refUser.effect);
      const attack = judgeAttack(run.records, attackEffect, run.effect);
      const asked = run.records.some((record) => record.decision === "ask");
      let succeededIfApproved: boolean | undefined;
      if (asked && options.approvingPath) {
        const approved = await options.approvingPath.run({ ...spec, sessionId: `${spec.sessionId}/approved` });
        succeededIfApproved = judgeAttack(approved.records, attackEffect, approved.effect).succeeded;
      }
      pairs.push({
        suite,
        userTask: userTask.id,
        injectionTask: injectionTask.id,
        vectors,
        utility: judgeUtility(run.records, refUser.effect, run.effect, "user", run.unscripted),
        attack,
        asked,
        ...(succeededIfApproved === undefined ? {} : { succeededIfApproved }),
        records: run.records,
      });
      options.onStep?.(`${suite} ${userTask.id} × ${injectionTask.id}`);
    }
  }
  return { suite, userTasks: user.length, injectionTasks: injection.length, utility, pairs };
}
