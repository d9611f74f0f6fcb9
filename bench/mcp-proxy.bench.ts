/**
 * tools/call latency (p50, p99) and calls per second through the MCP proxy, side by side in one run, over stdio and
 * over Streamable HTTP, always in front of the real server-everything `echo` tool:
 *
 *   direct                      the SDK client talks to server-everything itself
 *   proxy, enforcement off      purpose-guard's relay only (bench/peers/proxy-off.ts)
 *   proxy, full enforcement     `purpose-guard proxy` as users run it: declaration, Cedar, audit log on disk
 *   mcp-proxy (npm)             the peer: its CLI over HTTP, its `proxyServer` over stdio
 *
 * Every process is separate (client, proxy, server), as in production. Each target is checked to answer the call
 * (a guard that denied would be fast and wrong) before it is timed.
 *
 * Our proxies run compiled, as users run them (`npx purpose-guard` starts `dist/`): the bench first compiles this
 * checkout with `tsconfig.bench.json` into `.bench-build/`, so it measures the working tree, not a stale `dist/`.
 * (Under tsx they run a few percent slower: it wraps each function expression in a name-keeping helper call.)
 *
 * BENCH_MCP_TRANSPORTS=stdio (or http) measures one transport only. PG_BASELINE_ROOT=<another checkout> adds that
 * checkout's guarded proxy (compiled the same way) as one more target, in the same alternating batches: the way to
 * compare two builds on a machine whose speed drifts between runs.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { percentiles, sampleMicros, table, type Percentiles } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");
const MCP_PROXY_BIN = join(require.resolve("mcp-proxy"), "..", "bin", "mcp-proxy.mjs");
const BUILD = ".bench-build";
// 10,000 calls per target: with fewer, p50 ratios between targets move by several points from run to run.
const N = Number(process.env["BENCH_MCP_CALLS"] ?? 10_000);
const WARMUP = 300;
const CONCURRENCY = 8;
const THROUGHPUT_CALLS = Number(process.env["BENCH_MCP_THROUGHPUT_CALLS"] ?? 3000);

/** About 600 bytes of text, like a short document an agent echoes or forwards. */
const MESSAGE = "Quarterly summary for the support team: ticket volume rose 12% after the autumn release, mostly questions about delivery slots and invoice downloads. Median first response stayed under four minutes. Escalations to logistics fell after the new tracking page shipped. Next steps: publish the delivery-slot FAQ, add invoice links to order emails, and review the weekend rota. Contact the team lead for the full breakdown by channel and region; raw exports live in the shared analytics folder. ".repeat(1);

const work = mkdtempSync(join(tmpdir(), "pg-mcp-bench-"));
const declaration = join(work, "declaration.yaml");
writeFileSync(declaration, `apiVersion: purpose-guard/v1
kind: Declaration
id: bench-echo
version: 1
agent: bench-agent
use: { id: echo-bench, description: Echo short documents back to measure the guarded proxy }
dataScope: { read: [pii.email, pii.name], write: [] }
tools:
  - { server: everything, allow: [echo] }
bounds: { environment: bench }
lifespan: { issuedAt: 2026-11-01T00:00:00Z, expiresAt: 2026-12-01T00:00:00Z }
`);
const guardFlags = (audit: string) => ["--declaration", declaration, "--environment", "bench", "--at", "2026-11-15T00:00:00Z", "--audit", join(work, audit)];
const GUARD_FLAGS = guardFlags("audit.jsonl");
const UPSTREAM = [process.execPath, EVERYTHING, "stdio"];

interface Connection {
  readonly client: Client;
  close(): Promise<void>;
}

interface Target {
  readonly label: string;
  start(): Promise<Connection>;
}

async function clientOver(transport: Transport): Promise<Client> {
  const client = new Client({ name: "bench-client", version: "1.0.0" }, { capabilities: {} });
  await client.connect(transport);
  return client;
}

function stdioTarget(label: string, command: string, args: readonly string[]): Target {
  return {
    label,
    async start() {
      const client = await clientOver(new StdioClientTransport({ command, args: [...args], cwd: ROOT, stderr: "ignore", env: getDefaultEnvironment() }));
      return { client, close: () => client.close() };
    },
  };
}

/** A server process that serves HTTP; `url` resolves once it accepts connections. */
function httpTarget(label: string, launch: () => { child: ChildProcess; url: Promise<string> }): Target {
  return {
    label,
    async start() {
      const { child, url } = launch();
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const client = await clientOver(new StreamableHTTPClientTransport(new URL(await url)));
      return {
        client,
        async close() {
          await client.close().catch(() => undefined);
          child.kill("SIGTERM");
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
          child.kill("SIGKILL");
        },
      };
    },
  };
}

/** Waits for a `listening on URL` line on stderr (our proxies print one). */
function announcedUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no listening line: ${seen}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = /listening on (http\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}

/** Waits until something accepts TCP connections on the port (for servers that print nothing useful). */
async function portOpen(port: number, path: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return `http://127.0.0.1:${port}${path}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on port ${port}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Compiles a checkout into `<root>/.bench-build` with its own TypeScript (this checkout: `tsconfig.bench.json`, which
 * adds the bench peers; another: its `tsconfig.build.json`). Returns the compiled CLI's path.
 */
function compile(root: string, project: string): string {
  const started = Date.now();
  process.stderr.write(`compiling ${root} (${project}) into ${BUILD}/ ...`);
  const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(root, project), "--outDir", join(root, BUILD), "--declaration", "false", "--sourceMap", "false"], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tsc failed for ${root}:\n${run.stdout}${run.stderr}`);
  process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return join(root, BUILD, "adapters/cli/main.js");
}

function spawnQuiet(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, [...args], { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
}

const ports = { direct: await freePort(), peer: await freePort() };

const CLI = compile(ROOT, "tsconfig.bench.json");
const PROXY_OFF = join(ROOT, BUILD, "bench/peers/proxy-off.js");
const MCP_PROXY_STDIO = join(ROOT, BUILD, "bench/peers/mcp-proxy-stdio.js");
const baseline = process.env["PG_BASELINE_ROOT"];
const BASELINE_CLI = baseline ? compile(baseline, "tsconfig.build.json") : undefined;
const stdioTargets: Target[] = [
  stdioTarget("direct", process.execPath, [EVERYTHING, "stdio"]),
  stdioTarget("purpose-guard proxy, enforcement off", process.execPath, [PROXY_OFF, "--", ...UPSTREAM]),
  stdioTarget("purpose-guard proxy, full enforcement", process.execPath, [CLI, "proxy", ...GUARD_FLAGS, "--", ...UPSTREAM]),
  ...(baseline ? [stdioTarget(`baseline (${baseline}), full enforcement`, process.execPath, [BASELINE_CLI!, "proxy", ...guardFlags("baseline-audit.jsonl"), "--", ...UPSTREAM])] : []),
  stdioTarget("mcp-proxy (npm, proxyServer)", process.execPath, [MCP_PROXY_STDIO, "--", ...UPSTREAM]),
];

const httpTargets: Target[] = [
  httpTarget("direct", () => {
    const child = spawnQuiet([EVERYTHING, "streamableHttp"], { ...process.env, PORT: String(ports.direct) });
    return { child, url: portOpen(ports.direct, "/mcp") };
  }),
  httpTarget("purpose-guard proxy, enforcement off", () => {
    const child = spawnQuiet([PROXY_OFF, "--listen", "0", "--", ...UPSTREAM]);
    return { child, url: announcedUrl(child) };
  }),
  httpTarget("purpose-guard proxy, full enforcement", () => {
    const child = spawnQuiet([CLI, "proxy", ...GUARD_FLAGS, "--listen", "127.0.0.1:0", "--", ...UPSTREAM]);
    return { child, url: announcedUrl(child) };
  }),
  httpTarget("mcp-proxy (npm, CLI)", () => {
    const child = spawnQuiet([MCP_PROXY_BIN, "--port", String(ports.peer), "--host", "127.0.0.1", "--server", "stream", "--", ...UPSTREAM]);
    return { child, url: portOpen(ports.peer, "/mcp") };
  }),
];

interface Measured {
  readonly label: string;
  readonly latency: Percentiles;
  readonly callsPerSecond: number;
}

/**
 * Starts every target of a transport, checks each answers, then samples them in alternating batches in rotating order
 * (so drifting machine load affects all alike), then measures each one's throughput on its own.
 */
async function measureAll(targets: readonly Target[]): Promise<Measured[]> {
  const connections: Connection[] = [];
  try {
    for (const target of targets) connections.push(await target.start());
    const calls = connections.map(({ client }) => () => client.callTool({ name: "echo", arguments: { message: MESSAGE } }));
    for (const [i, call] of calls.entries()) {
      const first = await call();
      const text = (first.content as { text?: string }[] | undefined)?.[0]?.text;
      if (first.isError || text !== `Echo: ${MESSAGE}`) throw new Error(`${targets[i]!.label}: echo did not answer as expected: ${JSON.stringify(first).slice(0, 300)}`);
      for (let w = 0; w < WARMUP; w++) await call();
    }
    const samples: number[][] = calls.map(() => []);
    const batch = 200;
    // Each round starts one target later, so that no target always runs right after the same other one: which
    // process ran last shapes the caches and the scheduler's placement a batch starts with.
    for (let done = 0, round = 0; done < N; done += batch, round++) {
      for (let k = 0; k < calls.length; k++) {
        const i = (round + k) % calls.length;
        samples[i]!.push(...(await sampleMicros(calls[i]!, Math.min(batch, N - done), 0)));
      }
    }
    const results: Measured[] = [];
    for (const [i, call] of calls.entries()) {
      let left = THROUGHPUT_CALLS;
      const started = process.hrtime.bigint();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (left-- > 0) await call();
      }));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      results.push({ label: targets[i]!.label, latency: percentiles(samples[i]!), callsPerSecond: THROUGHPUT_CALLS / seconds });
    }
    return results;
  } finally {
    for (const connection of connections) await connection.close();
  }
}

function report(transport: string, results: readonly Measured[]): void {
  const off = results.find((result) => result.label.includes("enforcement off"))!;
  console.log(`### tools/call over ${transport} (${N} sequential calls per target after ${WARMUP} warm-up, targets alternating in batches of 200, each round starting one target later; throughput: ${THROUGHPUT_CALLS} calls, ${CONCURRENCY} in flight)\n`);
  console.log(table(
    ["target", "p50 ms", "p99 ms", "calls/s", "p50 vs enforcement off"],
    results.map((result) => [result.label, result.latency.p50 / 1000, result.latency.p99 / 1000, result.callsPerSecond, `${((result.latency.p50 / off.latency.p50) * 100).toFixed(0)}%`]),
  ));
  console.log("");
}

// The SDK's HTTP client leaves one abort listener per request on its signal until the garbage collector runs, and
// Node warns past 1500 of them under load: count those warnings instead of printing thousands of lines.
let listenerWarnings = 0;
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "MaxListenersExceededWarning") listenerWarnings++;
  else console.error(warning);
});

// BENCH_MCP_TRANSPORTS=stdio (or http) measures one transport only, for quicker comparisons while tuning.
const transports = (process.env["BENCH_MCP_TRANSPORTS"] ?? "stdio,http").split(",").map((t) => t.trim()).filter((t) => t === "stdio" || t === "http");
const results: Record<string, Measured[]> = {};
try {
  if (transports.includes("stdio")) results["stdio"] = await measureAll(stdioTargets);
  if (transports.includes("http")) results["http"] = await measureAll(httpTargets);
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log("## MCP proxy\n");
if (results["stdio"]) report("stdio", results["stdio"]);
if (results["http"]) report("Streamable HTTP", results["http"]);
const find = (transport: string, needle: string) => results[transport]!.find((result) => result.label.includes(needle))!;
for (const transport of transports) {
  const full = find(transport, "full enforcement");
  const off = find(transport, "enforcement off");
  const peer = find(transport, "mcp-proxy");
  console.log(`- ${transport}: full enforcement adds ${(((full.latency.p50 / off.latency.p50) - 1) * 100).toFixed(0)}% at p50 over enforcement off (target <= 25%); guarded proxy p50 ${(full.latency.p50 / 1000).toFixed(2)} ms vs mcp-proxy ${(peer.latency.p50 / 1000).toFixed(2)} ms (${(peer.latency.p50 / full.latency.p50).toFixed(2)}x)`);
}
if (listenerWarnings > 0) console.log(`(the SDK HTTP client raised ${listenerWarnings} MaxListenersExceeded warnings under concurrent load; they concern the client, in every HTTP target)`);
console.log("");
