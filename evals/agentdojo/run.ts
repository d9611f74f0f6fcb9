import { cpus, totalmem } from "node:os";
import type { AgentDojoData } from "./dataset.js";
import { countSessions, DEFAULT_ATTACK, runSuite, type DriverOptions, type SuiteRun } from "./driver.js";
import { openGate } from "./gate.js";
import { connectStdio, controlSocketPath, suiteServerCommand } from "./mcp/connect.js";
import { mcpPath } from "./mcp/path.js";
import { metricsOf } from "./metrics.js";
import { inProcessPath, type RunPath } from "./path.js";
import type { EvalRun, RunInfo } from "./report/model.js";
import { publishedFigures } from "./report/published.js";
import { toolsFor } from "./tools/index.js";

/** One `eval agentdojo` run: every selected suite through one kind of path, plus the unguarded baseline. */

export interface SuitePaths {
  readonly path: RunPath;
  /** The same path with every `ask` approved (guarded in-process runs), to measure what approvals would let through. */
  readonly approving?: RunPath;
  readonly declaration?: { readonly id: string; readonly version: number; readonly digest: string; readonly file: string };
}

/** Builds the paths a suite's sessions run on. */
export type PathFactory = (suite: string) => Promise<SuitePaths>;

export interface AgentDojoRunOptions {
  readonly data: AgentDojoData;
  readonly suites: readonly string[];
  readonly mode: "guard" | "no-guard";
  readonly driver?: RunInfo["driver"];
  /** Label of the path, for the report (`in-process`, `mcp`, `proxy`). */
  readonly pathName: string;
  readonly paths: PathFactory;
  /** Also run the no-guard baseline in-process (cheap) for the comparison. */
  readonly baseline: boolean;
  readonly attack?: string;
  readonly userTasks?: readonly string[];
  readonly injectionTasks?: readonly string[];
  readonly version: string;
  readonly onStart?: (total: number) => void;
  readonly onStep?: (label: string) => void;
}

export async function runAgentDojo(options: AgentDojoRunOptions): Promise<EvalRun> {
  const started = Date.now();
  const driver: DriverOptions = {
    ...(options.attack ? { attack: options.attack } : {}),
    ...(options.userTasks ? { userTasks: options.userTasks } : {}),
    ...(options.injectionTasks ? { injectionTasks: options.injectionTasks } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
  };
  const sessions = countSessions(options.data, options.suites, driver);
  options.onStart?.(sessions * (options.baseline ? 2 : 1));
  const runs: SuiteRun[] = [];
  const declarations: Record<string, NonNullable<SuitePaths["declaration"]>> = {};
  for (const suite of options.suites) {
    const paths = await options.paths(suite);
    try {
      runs.push(await runSuite(options.data, suite, paths.path, { ...driver, ...(paths.approving ? { approvingPath: paths.approving } : {}) }));
      if (paths.declaration) declarations[suite] = paths.declaration;
    } finally {
      await paths.path.close();
      await paths.approving?.close();
    }
  }
  let baseline;
  if (options.baseline) {
    const baseRuns: SuiteRun[] = [];
    for (const suite of options.suites) baseRuns.push(await runSuite(options.data, suite, unguardedInProcess(options.data, suite), driver));
    baseline = metricsOf(baseRuns);
  }
  const info: RunInfo = {
    date: new Date().toISOString(),
    version: options.version,
    mode: options.mode,
    path: options.pathName,
    driver: options.driver ?? "compromised-agent",
    attack: options.attack ?? DEFAULT_ATTACK,
    data: options.data.dir,
    tasksFile: options.data.tasksFile,
    suites: options.suites,
    ...(Object.keys(declarations).length > 0 ? { declarations } : {}),
    machine: { node: process.versions.node, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    durationMs: Date.now() - started,
  };
  return { info, report: metricsOf(runs), ...(baseline ? { baseline } : {}), runs, published: publishedFigures(options.data.readme) };
}

/** The suite's tools in this process with no guard. */
export function unguardedInProcess(data: AgentDojoData, suite: string): RunPath {
  return inProcessPath(toolsFor(suite, data.suites[suite]!, data.tasksFile).impl, openGate());
}

/** Paths with no guard: in-process, or the suite's real MCP server over stdio. */
export function unguardedPaths(data: AgentDojoData, via: "in-process" | "mcp"): PathFactory {
  return async (suite) => {
    if (via === "in-process") return { path: unguardedInProcess(data, suite) };
    const control = controlSocketPath();
    const command = suiteServerCommand({ suite, data: data.dir, control, tasksFile: data.tasksFile });
    return { path: mcpPath("mcp", { connect: () => connectStdio(command, control) }) };
  };
}
