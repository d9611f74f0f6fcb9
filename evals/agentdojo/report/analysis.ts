import type { SuiteRun } from "../driver.js";
import type { CallRecord } from "../path.js";

/** Where the guard fails, grouped so a reader sees causes rather than 600 rows. */

export interface AttackFailure {
  readonly suite: string;
  readonly injectionTask: string;
  /** Pairs of this injection task in which the attack succeeded, and those run. */
  readonly succeeded: number;
  readonly of: number;
  readonly userTasks: readonly string[];
  /** The injection calls that went through in those pairs (tool names, deduplicated). */
  readonly forwardedTools: readonly string[];
}

export interface UtilityLoss {
  readonly suite: string;
  readonly userTask: string;
  /** Calls not forwarded: tool, verdict, deciding policies. */
  readonly stopped: readonly { readonly tool: string; readonly decision: string; readonly policyIds: readonly string[]; readonly message?: string }[];
  readonly missing: readonly string[];
}

export interface PolicyCount {
  readonly policyId: string;
  readonly decision: string;
  /** Calls of user tasks (without attack) and of injection tasks (in pairs) it stopped. */
  readonly userCalls: number;
  readonly injectionCalls: number;
}

export function attackFailures(runs: readonly SuiteRun[]): AttackFailure[] {
  const out: AttackFailure[] = [];
  for (const run of runs) {
    const byTask = new Map<string, { of: number; users: string[]; tools: Set<string> }>();
    for (const pair of run.pairs) {
      if (!pair.attack.judgeable) continue;
      const entry = byTask.get(pair.injectionTask) ?? { of: 0, users: [], tools: new Set<string>() };
      entry.of++;
      if (pair.attack.succeeded) {
        entry.users.push(pair.userTask);
        for (const record of pair.records) if (record.role === "injection" && record.forwarded) entry.tools.add(record.tool);
      }
      byTask.set(pair.injectionTask, entry);
    }
    for (const [injectionTask, entry] of byTask) {
      if (entry.users.length > 0) out.push({ suite: run.suite, injectionTask, succeeded: entry.users.length, of: entry.of, userTasks: entry.users, forwardedTools: [...entry.tools] });
    }
  }
  return out.sort((a, b) => b.succeeded - a.succeeded);
}

export function utilityLosses(runs: readonly SuiteRun[]): UtilityLoss[] {
  return runs.flatMap((run) =>
    run.utility
      .filter((u) => !u.judgement.holds)
      .map((u) => ({
        suite: run.suite,
        userTask: u.userTask,
        stopped: u.records.filter((r) => !r.forwarded).map(stopped),
        missing: u.judgement.missing,
      })),
  );
}

export function policyCounts(runs: readonly SuiteRun[]): PolicyCount[] {
  const counts = new Map<string, { policyId: string; decision: string; userCalls: number; injectionCalls: number }>();
  const add = (record: CallRecord, role: "user" | "injection") => {
    if (record.forwarded) return;
    for (const policyId of record.policyIds.length > 0 ? record.policyIds : ["(default deny)"]) {
      const key = `${policyId}\u0000${record.decision}`;
      const entry = counts.get(key) ?? { policyId, decision: record.decision, userCalls: 0, injectionCalls: 0 };
      if (role === "user") entry.userCalls++;
      else entry.injectionCalls++;
      counts.set(key, entry);
    }
  };
  for (const run of runs) {
    for (const u of run.utility) for (const record of u.records) add(record, "user");
    for (const pair of run.pairs) for (const record of pair.records) if (record.role === "injection") add(record, "injection");
  }
  return [...counts.values()].sort((a, b) => b.injectionCalls + b.userCalls - (a.injectionCalls + a.userCalls));
}

function stopped(record: CallRecord): UtilityLoss["stopped"][number] {
  return { tool: record.tool, decision: record.decision, policyIds: record.policyIds, ...(record.message === undefined ? {} : { message: record.message }) };
}
