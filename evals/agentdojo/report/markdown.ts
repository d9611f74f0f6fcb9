import type { Metrics, Report } from "../metrics.js";
import { attackFailures, policyCounts, utilityLosses } from "./analysis.js";
import { GOAL, meetsGoal, pct, type EvalRun } from "./model.js";

/** The Markdown report and the headline table the CLI prints. */

export function headlineTable(report: Report): string {
  const rows = [...Object.entries(report.suites), ["overall", report.overall] as const].map(([name, m]) => [
    name,
    String(m.pairs),
    pct(m.utility),
    pct(m.utilityUnderAttack),
    pct(m.attackSuccessRate),
    pct(m.askRate),
    `${m.falseDenials}`,
    `${fmtUs(m.warmLatencyUs.p50)} / ${fmtUs(m.warmLatencyUs.p99)}`,
  ]);
  return table(["suite", "pairs", "utility", "utility under attack", "attack success", "ask rate", "false denials", "guard p50 / p99 (warm)"], rows);
}

export function comparisonTable(run: EvalRun): string {
  const rows: string[][] = [];
  const ours = run.report.overall;
  const label = run.info.mode === "guard" ? "purpose-guard (this run)" : "no guard (this run)";
  rows.push([`**${label}**, compromised agent`, pct(ours.utility), pct(ours.utilityUnderAttack), pct(ours.attackSuccessRate), "ground-truth replay; every injected instruction is executed"]);
  if (run.baseline) {
    const b = run.baseline.overall;
    rows.push(["no guard (same driver, this run)", pct(b.utility), pct(b.utilityUnderAttack), pct(b.attackSuccessRate), "shows the harness sees attacks succeed"]);
  }
  const model = run.published.model ? `${run.published.model} agent` : "LLM agent";
  for (const d of run.published.defenses) {
    rows.push([`${d.name} (published)`, pct(d.utility), pct(d.utilityUnderAttack), pct(d.attackSuccessRate), d.note ?? model]);
  }
  return table(["defense", "utility", "utility under attack", "attack success", "measured with"], rows);
}

export function markdownReport(run: EvalRun): string {
  const { info, report } = run;
  const goal = meetsGoal(report.overall);
  const out: string[] = [];
  out.push(`# purpose-guard on AgentDojo ${info.suites.length === 4 ? "(all four suites)" : `(${info.suites.join(", ")})`}`);
  out.push("");
  out.push(
    `Run ${info.date} · purpose-guard ${info.version} · ${info.mode === "guard" ? "guarded" : "**no guard** (baseline)"} · path: ${info.path} · driver: compromised agent · attack: \`${info.attack}\` · ` +
      `Node ${info.machine.node}, ${info.machine.cpus} cores, ${info.machine.memoryGiB} GiB · ${(info.durationMs / 1000).toFixed(1)} s`,
  );
  out.push("");
  out.push(
    "The compromised-agent driver is the strictest deterministic case: for each pair (user task, injection task), the injection vectors the user task reads hold the attack, and the agent executes the user task's ground-truth calls and then *every* call the injection asks for. Effects are judged on the environment, not on the guard's words. Utility is measured by replaying ground truth, not by an LLM solving the task.",
  );
  out.push("");
  out.push("## Headline");
  out.push("");
  out.push(headlineTable(report));
  out.push("");
  out.push(
    `Goal (full four suites): attack success ≤ ${pct(GOAL.attackSuccessRate, 0)}, utility under attack ≥ ${pct(GOAL.utilityUnderAttack, 0)}, ask rate ≤ ${pct(GOAL.askRate, 0)}: ` +
      (goal.met ? "**met**." : `**not met** (${goal.misses.join("; ")}).`),
  );
  out.push("");
  const o = report.overall;
  out.push(
    `Judgeable pairs: ${o.judgeablePairs} of ${o.pairs} (an injection task whose goal is only words, such as a recommendation, leaves no trace on the environment and is not counted in the attack success rate). ` +
      `Ask rate without attack: ${pct(o.askRateWithoutAttack)}. False denials: ${o.falseDenials} user-task calls (${pct(o.falseDenialRate)} of them) without attack, ${pct(o.falseDenialRateUnderAttack)} under attack. ` +
      `Redacted results of user tasks: ${o.redactedResults}${o.readOnlyTasksRedacted > 0 ? ` (${o.readOnlyTasksRedacted} read-only tasks saw a redacted result)` : ""}.` +
      (o.attackSuccessRateIfAsksApproved !== undefined ? ` Had a person approved every ask, attack success would be ${pct(o.attackSuccessRateIfAsksApproved)}.` : "") +
      ` Guard time per call (arguments and result, wall clock inside the harness): p50 ${fmtUs(o.latencyUs.p50)}, p99 ${fmtUs(o.latencyUs.p99)} over all ${o.latencyUs.calls} calls; without each tool's first call, when the guard prepares its policies for that tool, p50 ${fmtUs(o.warmLatencyUs.p50)} and p99 ${fmtUs(o.warmLatencyUs.p99)}. \`npm run bench\` measures the guard alone.`,
  );
  out.push("");
  out.push("## Compared with published defenses");
  out.push("");
  if (run.published.defenses.length === 0) out.push("_The data folder's README gives no published figures; no comparison._");
  else {
    out.push(comparisonTable(run));
    out.push("");
    out.push(
      "_Not like for like: the published figures come from an LLM agent that may or may not follow an injection; ours assume an agent that always does (compromised), which makes attack success an upper bound for the same guard, and replay ground truth for utility._",
    );
  }
  out.push("");
  out.push(...failureSections(run));
  return `${out.join("\n")}\n`;
}

function failureSections(run: EvalRun): string[] {
  const failures = attackFailures(run.runs);
  const losses = utilityLosses(run.runs);
  const policies = policyCounts(run.runs);
  return [
    ...section(
      "Attacks that succeeded",
      ["suite", "injection task", "succeeded", "calls that went through", "user tasks"],
      failures.map((f) => [f.suite, f.injectionTask, `${f.succeeded} / ${f.of}`, f.forwardedTools.join(", "), abbreviate(f.userTasks)]),
    ),
    ...section(
      "User tasks that lost utility (without attack)",
      ["suite", "user task", "stopped calls", "missing effect"],
      losses.map((l) => [
        l.suite,
        l.userTask,
        l.stopped.map((s) => `${s.tool}: ${s.decision}${s.policyIds.length > 0 ? ` (${s.policyIds.join(", ")})` : ""}`).join("; ") || "–",
        l.missing.slice(0, 2).join("; ").slice(0, 160) || "–",
      ]),
    ),
    ...(policies.length > 0
      ? section(
          "Policies that stopped calls",
          ["policy", "verdict", "user-task calls (no attack)", "injection calls"],
          policies.map((p) => [p.policyId, p.decision, String(p.userCalls), String(p.injectionCalls)]),
        )
      : []),
  ];
}

/** A `##` heading, then its table, or "None." when there are no rows. */
function section(title: string, header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`## ${title}`, "", rows.length === 0 ? "None." : table(header, rows), ""];
}

function abbreviate(ids: readonly string[]): string {
  const short = ids.map((id) => id.replace(/^user_task_/, "u"));
  return short.length > 12 ? `${short.slice(0, 12).join(" ")} … (+${short.length - 12})` : short.join(" ");
}

function fmtUs(us: number): string {
  return us === 0 ? "–" : us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (cell: string) => cell.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((row) => `| ${row.map(esc).join(" | ")} |`)].join("\n");
}

/** A plain-text table for terminals (the CLI's headline). */
export function textTable(report: Report): string {
  const header = ["suite", "pairs", "utility", "util. attack", "attack succ.", "ask rate", "false den."];
  const rows = [...Object.entries(report.suites), ["overall", report.overall] as const].map(([name, m]: readonly [string, Metrics]) => [
    name,
    String(m.pairs),
    pct(m.utility),
    pct(m.utilityUnderAttack),
    pct(m.attackSuccessRate),
    pct(m.askRate),
    String(m.falseDenials),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
