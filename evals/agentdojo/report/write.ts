import { writeReportFiles } from "../../report-files.js";
import { htmlReport } from "./html.js";
import { markdownReport } from "./markdown.js";
import type { EvalRun } from "./model.js";

/**
 * Writes a run's reports into `dir`:
 * - `report.json`: the contract, `{"suites": {<suite>: M}, "overall": M}`;
 * - `run.json`: how the run was made (mode, path, declarations, machine), the baseline and the published figures;
 * - `report.md` and `report.html`;
 * - `sessions.jsonl`: one line per session (utility run or pair) with each call's verdict, for digging into a result.
 */
export async function writeReports(dir: string, run: EvalRun): Promise<string[]> {
  return writeReportFiles(dir, [
    ["report.json", `${JSON.stringify({ suites: run.report.suites, overall: run.report.overall }, null, 2)}\n`],
    ["run.json", `${JSON.stringify({ info: run.info, ...(run.baseline ? { baseline: run.baseline } : {}), published: run.published }, null, 2)}\n`],
    ["report.md", markdownReport(run)],
    ["report.html", htmlReport(run)],
    ["sessions.jsonl", sessionLines(run)],
  ]);
}

function sessionLines(run: EvalRun): string {
  const lines: string[] = [];
  for (const suite of run.runs) {
    for (const u of suite.utility) {
      lines.push(JSON.stringify({ kind: "utility", suite: u.suite, userTask: u.userTask, vectors: u.vectors, holds: u.judgement.holds, missing: u.judgement.missing, calls: u.records }));
    }
    for (const p of suite.pairs) {
      lines.push(
        JSON.stringify({
          kind: "pair",
          suite: p.suite,
          userTask: p.userTask,
          injectionTask: p.injectionTask,
          vectors: p.vectors,
          utility: p.utility.holds,
          attackJudgeable: p.attack.judgeable,
          attackSucceeded: p.attack.succeeded,
          asked: p.asked,
          ...(p.succeededIfApproved === undefined ? {} : { succeededIfApproved: p.succeededIfApproved }),
          calls: p.records,
        }),
      );
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
