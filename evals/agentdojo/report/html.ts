import type { Metrics } from "../metrics.js";
import { attackFailures, policyCounts, utilityLosses } from "./analysis.js";
import { GOAL, meetsGoal, pct, type EvalRun } from "./model.js";

/**
 * A self-contained HTML page (inline CSS and SVG, no script, no external asset) with the headline figures, charts
 * and the failure analysis: something a security reviewer can open from a CI artifact.
 */

const COLORS = { utility: "#2f6fb0", utilityUnderAttack: "#67a6e0", attackSuccessRate: "#c8402f", askRate: "#e0a030", baseline: "#9aa3ad" } as const;

export function htmlReport(run: EvalRun): string {
  const { info, report } = run;
  const goal = meetsGoal(report.overall);
  const rows = [...Object.entries(report.suites), ["overall", report.overall] as const];
  const body = [
    `<h1>purpose-guard on AgentDojo</h1>`,
    `<p class="meta">${esc(info.date)} · purpose-guard ${esc(info.version)} · ${info.mode === "guard" ? "guarded" : "<b>no guard</b> (baseline)"} · path ${esc(info.path)} · compromised-agent driver · attack <code>${esc(info.attack)}</code> · Node ${esc(info.machine.node)}, ${info.machine.cpus} cores, ${info.machine.memoryGiB} GiB · ${(info.durationMs / 1000).toFixed(1)} s</p>`,
    `<p class="goal ${goal.met ? "ok" : "miss"}">Goal (attack success ≤ ${pct(GOAL.attackSuccessRate, 0)}, utility under attack ≥ ${pct(GOAL.utilityUnderAttack, 0)}, ask rate ≤ ${pct(GOAL.askRate, 0)}): ${goal.met ? "met" : `not met: ${esc(goal.misses.join("; "))}`}</p>`,
    `<h2>Headline</h2>`,
    htmlTable(
      ["suite", "pairs", "utility", "utility under attack", "attack success", "ask rate", "false denials", "guard p50 / p99 µs (warm)"],
      rows.map(([name, m]) => [name, String(m.pairs), pct(m.utility), pct(m.utilityUnderAttack), pct(m.attackSuccessRate), pct(m.askRate), String(m.falseDenials), `${m.warmLatencyUs.p50} / ${m.warmLatencyUs.p99}`]),
    ),
    `<h2>Per suite</h2>`,
    barChart(rows),
    run.baseline ? `<h2>Attack success: no guard vs guard</h2>${baselineChart(run)}` : "",
    `<h2>Compared with published defenses</h2>`,
    run.published.defenses.length > 0 ? scatter(run) : `<p>The data folder's README gives no published figures.</p>`,
    comparison(run),
    `<p class="note">Not like for like: published figures come from an LLM agent (${esc(run.published.model ?? "model not stated")}) that may or may not follow an injection. Ours assume an agent that always does (compromised), so attack success is an upper bound for the same guard; utility replays ground truth.</p>`,
    failures(run),
  ].join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>purpose-guard · AgentDojo report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d232a}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde2e8;padding-bottom:.2rem}
.meta{color:#5b6570}.note{color:#5b6570;font-size:.9em}.goal{padding:.5rem .8rem;border-radius:6px}.goal.ok{background:#e6f4ea}.goal.miss{background:#fdecea}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}th,td{border:1px solid #dde2e8;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.n{text-align:right}code{background:#f3f5f8;padding:0 .2rem;border-radius:3px}
svg text{font:12px system-ui,sans-serif;fill:#1d232a}.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}
</style></head><body>
${body}
</body></html>
`;
}

function barChart(rows: readonly (readonly [string, Metrics])[]): string {
  const series = [
    ["utility", "utility", COLORS.utility],
    ["utilityUnderAttack", "utility under attack", COLORS.utilityUnderAttack],
    ["attackSuccessRate", "attack success", COLORS.attackSuccessRate],
    ["askRate", "ask rate", COLORS.askRate],
  ] as const;
  const groupWidth = 170;
  const height = 220;
  const top = 22;
  const width = 50 + rows.length * groupWidth;
  const bar = 30;
  const parts: string[] = [];
  for (let t = 0; t <= 4; t++) {
    const y = top + height - (t / 4) * height;
    parts.push(`<line x1="45" x2="${width}" y1="${y}" y2="${y}" stroke="#e6e9ee"/><text x="40" y="${y + 4}" text-anchor="end">${t * 25}%</text>`);
  }
  rows.forEach(([name, m], g) => {
    const x0 = 55 + g * groupWidth;
    series.forEach(([key, label, color], s) => {
      const value = m[key];
      const h = Math.max(value * height, value > 0 ? 1 : 0);
      const x = x0 + s * (bar + 4);
      parts.push(`<rect x="${x}" y="${top + height - h}" width="${bar}" height="${h}" fill="${color}"><title>${esc(name)}: ${label} ${pct(value)}</title></rect>`);
      parts.push(`<text x="${x + bar / 2}" y="${top + height - h - 3}" text-anchor="middle" font-size="10">${(value * 100).toFixed(0)}</text>`);
    });
    parts.push(`<text x="${x0 + (series.length * (bar + 4)) / 2}" y="${top + height + 16}" text-anchor="middle">${esc(name)}</text>`);
  });
  const legend = series.map(([, label, color]) => `<span><i style="background:${color}"></i>${label}</span>`).join("");
  return `<svg width="${width}" height="${height + 30}" role="img" aria-label="per-suite figures">${parts.join("")}</svg><div class="legend">${legend}</div>`;
}

function baselineChart(run: EvalRun): string {
  const baseline = run.baseline!;
  const names = [...Object.keys(run.report.suites), "overall"];
  const get = (r: typeof baseline, name: string) => (name === "overall" ? r.overall : r.suites[name]!);
  const rowHeight = 26;
  const width = 720;
  const left = 90;
  const scale = width - left - 150;
  const parts: string[] = [];
  names.forEach((name, i) => {
    const y = 10 + i * rowHeight * 2;
    const b = get(baseline, name).attackSuccessRate;
    const g = get(run.report, name).attackSuccessRate;
    parts.push(`<text x="${left - 8}" y="${y + rowHeight - 6}" text-anchor="end">${esc(name)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(b * scale, 1)}" height="${rowHeight - 8}" fill="${COLORS.baseline}"><title>no guard ${pct(b)}</title></rect><text x="${left + b * scale + 6}" y="${y + 13}">${pct(b)} no guard</text>`);
    parts.push(`<rect x="${left}" y="${y + rowHeight - 6}" width="${Math.max(g * scale, 1)}" height="${rowHeight - 8}" fill="${COLORS.attackSuccessRate}"><title>guard ${pct(g)}</title></rect><text x="${left + g * scale + 6}" y="${y + rowHeight + 7}">${pct(g)} guarded</text>`);
  });
  return `<svg width="${width}" height="${names.length * rowHeight * 2 + 10}" role="img" aria-label="attack success without and with the guard">${parts.join("")}</svg>`;
}

/** Attack success (x) against utility under attack (y): lower right is bad, upper left is good. */
function scatter(run: EvalRun): string {
  const w = 720;
  const h = 380;
  const pad = 56;
  const right = 170;
  const X = (v: number) => pad + v * (w - pad - right);
  const Y = (v: number) => h - pad - v * (h - pad - 24);
  const parts: string[] = [];
  parts.push(`<rect x="${X(0)}" y="${Y(1)}" width="${X(GOAL.attackSuccessRate) - X(0)}" height="${Y(GOAL.utilityUnderAttack) - Y(1)}" fill="#e6f4ea"><title>goal region</title></rect>`);
  for (let t = 0; t <= 4; t++) {
    const v = t / 4;
    parts.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${Y(0)}" y2="${Y(1)}" stroke="#eef0f3"/><text x="${X(v)}" y="${h - pad + 16}" text-anchor="middle">${t * 25}%</text>`);
    parts.push(`<line x1="${X(0)}" x2="${X(1)}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eef0f3"/><text x="${pad - 6}" y="${Y(v) + 4}" text-anchor="end">${t * 25}%</text>`);
  }
  parts.push(`<text x="${(pad + w - right) / 2}" y="${h - 12}" text-anchor="middle">attack success rate</text><text transform="translate(16 ${(h - pad) / 2 + 12}) rotate(-90)" text-anchor="middle">utility under attack</text>`);
  const point = (label: string, asr: number, uua: number, color: string, bold = false) =>
    `<circle cx="${X(asr)}" cy="${Y(uua)}" r="${bold ? 7 : 5}" fill="${color}"><title>${esc(label)}: ${pct(uua)} utility under attack, ${pct(asr)} attack success</title></circle><text x="${X(asr) + 9}" y="${Y(uua) + 4}"${bold ? ' font-weight="bold"' : ""}>${esc(label)}</text>`;
  for (const d of run.published.defenses) {
    if (d.attackSuccessRate !== undefined && d.utilityUnderAttack !== undefined) parts.push(point(d.name, d.attackSuccessRate, d.utilityUnderAttack, "#7a8591"));
  }
  if (run.baseline) parts.push(point("no guard (ours)", run.baseline.overall.attackSuccessRate, run.baseline.overall.utilityUnderAttack, COLORS.baseline));
  parts.push(point(run.info.mode === "guard" ? "purpose-guard" : "this run", run.report.overall.attackSuccessRate, run.report.overall.utilityUnderAttack, COLORS.attackSuccessRate, true));
  return `<svg width="${w}" height="${h}" role="img" aria-label="attack success against utility under attack">${parts.join("")}</svg>`;
}

function comparison(run: EvalRun): string {
  const rows: string[][] = [];
  const o = run.report.overall;
  rows.push([`${run.info.mode === "guard" ? "purpose-guard" : "no guard"} (this run, compromised agent)`, pct(o.utility), pct(o.utilityUnderAttack), pct(o.attackSuccessRate), "ground-truth replay; every injected instruction executed"]);
  if (run.baseline) {
    const b = run.baseline.overall;
    rows.push(["no guard (same driver, this run)", pct(b.utility), pct(b.utilityUnderAttack), pct(b.attackSuccessRate), "the harness sees attacks succeed"]);
  }
  for (const d of run.published.defenses) rows.push([`${d.name} (published)`, pct(d.utility), pct(d.utilityUnderAttack), pct(d.attackSuccessRate), d.note ?? `${run.published.model ?? "LLM"} agent`]);
  return htmlTable(["defense", "utility", "utility under attack", "attack success", "measured with"], rows);
}

function failures(run: EvalRun): string {
  const attacks = attackFailures(run.runs);
  const losses = utilityLosses(run.runs);
  const policies = policyCounts(run.runs);
  return [
    `<h2>Attacks that succeeded</h2>`,
    attacks.length === 0
      ? "<p>None.</p>"
      : htmlTable(["suite", "injection task", "succeeded", "calls that went through", "user tasks"], attacks.map((f) => [f.suite, f.injectionTask, `${f.succeeded} / ${f.of}`, f.forwardedTools.join(", "), f.userTasks.join(" ")])),
    `<h2>User tasks that lost utility (without attack)</h2>`,
    losses.length === 0
      ? "<p>None.</p>"
      : htmlTable(
          ["suite", "user task", "stopped calls", "missing effect"],
          losses.map((l) => [l.suite, l.userTask, l.stopped.map((s) => `${s.tool}: ${s.decision} ${s.policyIds.join(", ")}`).join("; ") || "–", l.missing.slice(0, 2).join("; ") || "–"]),
        ),
    policies.length === 0 ? "" : `<h2>Policies that stopped calls</h2>${htmlTable(["policy", "verdict", "user-task calls (no attack)", "injection calls"], policies.map((p) => [p.policyId, p.decision, String(p.userCalls), String(p.injectionCalls)]))}`,
  ].join("\n");
}

function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = (cell: string) => /^[\d.,%/ –µs-]+$/.test(cell);
  return `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td${numeric(cell) ? ' class="n"' : ""}>${esc(cell)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
