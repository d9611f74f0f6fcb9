import { table } from "../agentdojo/report/markdown.js";
import { writeReportFiles } from "../report-files.js";
import type { ScenarioResult, SuitesResult } from "./run.js";

/** Reports of our own suites: per category, how many attacks were stopped and how many benign look-alikes kept. */

export interface CategoryFigures {
  readonly attacks: number;
  /** Attacks whose every expectation held (the guard stopped them where it should). */
  readonly attacksStopped: number;
  readonly benign: number;
  /** Benign look-alikes whose every expectation held (the guard let them through). */
  readonly benignKept: number;
  /** Scenarios that could not run in this build (a missing piece such as the proxy). */
  readonly notRun: number;
  /** Fractions 0..1 of the scenarios that ran. */
  readonly attackStopRate: number;
  readonly benignKeepRate: number;
}

export function figures(results: readonly ScenarioResult[]): CategoryFigures {
  const attacks = results.filter((r) => r.kind === "attack");
  const benign = results.filter((r) => r.kind === "benign");
  const ran = (list: readonly ScenarioResult[]) => list.filter((r) => r.status !== "error").length;
  const attacksStopped = attacks.filter((r) => r.status === "pass").length;
  const benignKept = benign.filter((r) => r.status === "pass").length;
  return {
    attacks: attacks.length,
    attacksStopped,
    benign: benign.length,
    benignKept,
    notRun: results.filter((r) => r.status === "error").length,
    attackStopRate: ran(attacks) === 0 ? 0 : attacksStopped / ran(attacks),
    benignKeepRate: ran(benign) === 0 ? 0 : benignKept / ran(benign),
  };
}

function byCategory(result: SuitesResult): [string, CategoryFigures][] {
  return result.categories.map((c) => [c.category, figures(result.scenarios.filter((s) => s.category === c.category))]);
}

export function suitesTextTable(result: SuitesResult): string {
  const rows = [...byCategory(result), ["overall", figures(result.scenarios)] as [string, CategoryFigures]].map(([name, f]) => [
    name,
    `${f.attacksStopped}/${f.attacks}`,
    `${f.benignKept}/${f.benign}`,
    String(f.notRun),
  ]);
  const header = ["category", "attacks stopped", "benign kept", "not run"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const failures = result.scenarios.filter((s) => s.status !== "pass").map((s) => `  ${s.status === "error" ? "not run" : "FAIL"} ${s.category}/${s.id}: ${s.reason ?? ""}`);
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ...(failures.length > 0 ? ["", ...failures] : [])].join("\n");
}

export function suitesMarkdown(result: SuitesResult): string {
  const out: string[] = ["# purpose-guard: own attack suites", "", `Run ${result.date} · ${(result.durationMs / 1000).toFixed(1)} s · ${result.scenarios.length} scenarios`, ""];
  out.push(
    table(
      ["category", "attacks stopped", "benign kept", "not run"],
      [...byCategory(result), ["overall", figures(result.scenarios)] as [string, CategoryFigures]].map(([name, f]) => [name, `${f.attacksStopped} / ${f.attacks}`, `${f.benignKept} / ${f.benign}`, String(f.notRun)]),
    ),
  );
  out.push("");
  for (const category of result.categories) {
    out.push(`## ${category.title}`, "", category.description, "");
    out.push(
      table(
        ["scenario", "kind", "result", "why"],
        result.scenarios.filter((s) => s.category === category.category).map((s) => [s.id, s.kind, s.status, s.reason ?? s.description]),
      ),
    );
    out.push("");
  }
  return `${out.join("\n")}\n`;
}

export function suitesHtml(result: SuitesResult): string {
  const esc = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  const rows = result.scenarios
    .map((s) => `<tr class="${s.status}"><td>${esc(s.category)}</td><td>${esc(s.id)}</td><td>${s.kind}</td><td>${s.status}</td><td>${esc(s.reason ?? s.description)}</td></tr>`)
    .join("");
  const bars = [...byCategory(result)]
    .map(([name, f], i) => {
      const y = 8 + i * 26;
      const w = (x: number) => Math.round(x * 220);
      return `<text x="0" y="${y + 13}">${esc(name)}</text><rect x="190" y="${y}" width="${w(f.attackStopRate)}" height="10" fill="#c8402f"/><rect x="190" y="${y + 11}" width="${w(f.benignKeepRate)}" height="10" fill="#2f6fb0"/><text x="${196 + 220}" y="${y + 13}">${f.attacksStopped}/${f.attacks} stopped · ${f.benignKept}/${f.benign} kept${f.notRun ? ` · ${f.notRun} not run` : ""}</text>`;
    })
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>purpose-guard · own attack suites</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #dde2e8;padding:.25rem .5rem;vertical-align:top}tr.fail td{background:#fdecea}tr.error td{background:#fff6e0}svg text{font:12px system-ui,sans-serif}</style></head><body>
<h1>purpose-guard: own attack suites</h1><p>${esc(result.date)} · ${result.scenarios.length} scenarios · ${(result.durationMs / 1000).toFixed(1)} s</p>
<p><span style="color:#c8402f">■</span> attacks stopped · <span style="color:#2f6fb0">■</span> benign look-alikes kept</p>
<svg width="720" height="${result.categories.length * 26 + 10}">${bars}</svg>
<table><thead><tr><th>category</th><th>scenario</th><th>kind</th><th>result</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>
</body></html>
`;
}

export async function writeSuiteReports(dir: string, result: SuitesResult): Promise<string[]> {
  const json = {
    categories: Object.fromEntries(byCategory(result)),
    overall: figures(result.scenarios),
    scenarios: result.scenarios,
  };
  return writeReportFiles(dir, [
    ["report.json", `${JSON.stringify(json, null, 2)}\n`],
    ["report.md", suitesMarkdown(result)],
    ["report.html", suitesHtml(result)],
  ]);
}
