/**
 * Differential conformance: runs `@modelcontextprotocol/conformance` (server scenarios, all suites) against
 * server-everything over Streamable HTTP directly, and through `purpose-guard proxy --listen` with the guard on,
 * and compares the checks. Offline: everything runs on 127.0.0.1 from node_modules.
 *
 * `npx tsx test/adapters/mcp/conformance.ts` prints the comparison; the test of the same name asserts it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AT, EVERYTHING_SERVER, REPO, startHttpProxy, testDeclaration, workspace } from "./processes.js";

const require = createRequire(import.meta.url);
const CONFORMANCE = join(require.resolve("@modelcontextprotocol/conformance/package.json"), "..", "dist/index.js");

/** Check id → passed, per scenario. */
export type ScenarioResults = Map<string, Map<string, boolean>>;

export interface Differential {
  readonly direct: ScenarioResults;
  readonly proxied: ScenarioResults;
  /** Checks that pass directly and fail through the proxy: must be empty. */
  readonly regressions: readonly string[];
  /** Checks that fail directly and pass through the proxy. */
  readonly improvements: readonly string[];
}

/** Runs every server scenario against `url`; returns the checks of each scenario. */
export async function runConformance(url: string): Promise<ScenarioResults> {
  const out = await mkdtemp(join(tmpdir(), "pg-conformance-"));
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CONFORMANCE, "server", "--url", url, "--suite", "all", "-o", out], { cwd: out, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
      // The CLI exits 1 whenever a check fails; the checks files are the result.
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (signal) reject(new Error(`conformance was killed (${signal}): ${stderr}`));
        else resolve();
        void code;
      });
    });
    const results: ScenarioResults = new Map();
    for (const dir of await readdir(out)) {
      const match = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir);
      if (!match) continue;
      const checks = JSON.parse(await readFile(join(out, dir, "checks.json"), "utf8")) as { id: string; status: string }[];
      results.set(match[1]!, new Map(checks.map((check) => [check.id, check.status === "SUCCESS"])));
    }
    if (results.size === 0) throw new Error(`conformance wrote no results to ${out}`);
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The tools of server-everything, all granted, so that the checks measure the protocol, not the policy. */
const EVERYTHING_TOOLS = [
  "echo", "get-annotated-message", "get-env", "get-resource-links", "get-resource-reference", "get-structured-content", "get-sum",
  "get-tiny-image", "gzip-file-as-resource", "toggle-simulated-logging", "toggle-subscriber-updates", "trigger-long-running-operation",
  "get-roots-list", "trigger-elicitation-request", "trigger-url-elicitation", "trigger-sampling-request", "simulate-research-query",
  "trigger-sampling-request-async", "trigger-elicitation-request-async", "resources/read", "prompts/get",
];

export async function differentialConformance(): Promise<Differential> {
  const port = await freePort();
  const everything = spawn(process.execPath, [EVERYTHING_SERVER, "streamableHttp"], { cwd: REPO, env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  const ws = await workspace();
  try {
    await waitForLine(everything, /listening on port/i);
    const direct = await runConformance(`http://127.0.0.1:${port}/mcp`);
    const declaration = await ws.declaration(testDeclaration({
      id: "conformance",
      dataScope: { read: ["pii.email", "pii.name"], write: ["pii.name"] },
      tools: [{ server: "everything", allow: EVERYTHING_TOOLS, intent: "read" }],
    }));
    const proxy = await startHttpProxy(["--declaration", declaration, "--environment", "test", "--at", AT, "--audit", join(ws.dir, "audit.jsonl"), "--", process.execPath, EVERYTHING_SERVER, "stdio"]);
    let proxied: ScenarioResults;
    try {
      proxied = await runConformance(proxy.url);
    } finally {
      await proxy.stop();
    }
    const regressions: string[] = [];
    const improvements: string[] = [];
    for (const [scenario, checks] of direct) {
      for (const [id, passed] of checks) {
        const through = proxied.get(scenario)?.get(id) ?? false;
        if (passed && !through) regressions.push(`${scenario}/${id}`);
        if (!passed && through) improvements.push(`${scenario}/${id}`);
      }
    }
    return { direct, proxied, regressions, improvements };
  } finally {
    everything.kill("SIGTERM");
    await ws.remove();
  }
}

export function formatDifferential(result: Differential): string {
  const rows = [...new Set([...result.direct.keys(), ...result.proxied.keys()])].sort().map((scenario) => {
    const count = (checks: Map<string, boolean> | undefined) => (checks ? `${[...checks.values()].filter(Boolean).length}/${checks.size}` : "-");
    return `| ${scenario} | ${count(result.direct.get(scenario))} | ${count(result.proxied.get(scenario))} |`;
  });
  const total = (results: ScenarioResults) => {
    const all = [...results.values()].flatMap((checks) => [...checks.values()]);
    return `${all.filter(Boolean).length}/${all.length}`;
  };
  return [
    "| scenario | direct (checks passed) | through purpose-guard proxy |",
    "| --- | --- | --- |",
    ...rows,
    `| **total** | **${total(result.direct)}** | **${total(result.proxied)}** |`,
    "",
    `regressions: ${result.regressions.length === 0 ? "none" : result.regressions.join(", ")}`,
    `improvements: ${result.improvements.length === 0 ? "none" : result.improvements.join(", ")}`,
  ].join("\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), 20_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
  });
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  const result = await differentialConformance();
  console.log(formatDifferential(result));
  process.exitCode = result.regressions.length === 0 ? 0 : 1;
}
