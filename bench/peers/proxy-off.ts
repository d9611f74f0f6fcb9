/**
 * Benchmark peer: the purpose-guard proxy with enforcement off (`passThrough`), in front of one stdio server, served
 * over stdio or over HTTP (`--listen PORT`). It measures the proxy's own relaying cost; the CLI never runs this way.
 *
 *   node .bench-build/bench/peers/proxy-off.js [--listen PORT] -- COMMAND ARGS...   (compiled by the MCP bench)
 *   node --import tsx bench/peers/proxy-off.ts [--listen PORT] -- COMMAND ARGS...
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { passThrough } from "../../adapters/mcp/enforcer.js";
import { listenHttp } from "../../adapters/mcp/http.js";
import { createProxy } from "../../adapters/mcp/proxy.js";

const argv = process.argv.slice(2);
const dashes = argv.indexOf("--");
const listen = argv[0] === "--listen" ? Number(argv[1]) : undefined;
const [command, ...args] = argv.slice(dashes + 1);
if (dashes === -1 || !command) throw new Error("usage: proxy-off.ts [--listen PORT] -- COMMAND ARGS...");

const proxy = createProxy({
  upstreams: [{ name: "upstream", transport: "stdio", command, args }],
  enforcer: passThrough,
  upstream: { forwardStderr: false },
  log: (line) => void process.stderr.write(`proxy-off: ${line}\n`),
});
if (listen !== undefined) {
  const listener = await listenHttp(proxy, { port: listen, log: () => undefined });
  process.stderr.write(`listening on ${listener.url}\n`);
  process.once("SIGTERM", () => void listener.close().then(() => proxy.close()).then(() => process.exit(0)));
} else {
  const session = await proxy.connect(new StdioServerTransport());
  process.stdin.once("end", () => void session.close());
  await session.closed;
  await proxy.close();
}
