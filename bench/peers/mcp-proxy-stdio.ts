/**
 * Benchmark peer: the npm `mcp-proxy` package relaying stdio to stdio, wired as its README shows for `proxyServer`
 * (its CLI only serves HTTP and SSE). It uses the SDK that mcp-proxy itself depends on (v2), resolved from there.
 *
 *   node .bench-build/bench/peers/mcp-proxy-stdio.js -- COMMAND ARGS...   (compiled by the MCP bench)
 *   node --import tsx bench/peers/mcp-proxy-stdio.ts -- COMMAND ARGS...
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const argv = process.argv.slice(2);
const [command, ...args] = argv.slice(argv.indexOf("--") + 1);
if (!command) throw new Error("usage: mcp-proxy-stdio.ts -- COMMAND ARGS...");

const fromProxy = createRequire(createRequire(import.meta.url).resolve("mcp-proxy"));
const load = (specifier: string) => import(pathToFileURL(fromProxy.resolve(specifier)).href);
const { proxyServer } = await import("mcp-proxy");
const { Client } = await load("@modelcontextprotocol/client");
const { StdioClientTransport } = await load("@modelcontextprotocol/client/stdio");
const { Server } = await load("@modelcontextprotocol/server");
const { StdioServerTransport } = await load("@modelcontextprotocol/server/stdio");

const client = new Client({ name: "mcp-proxy-bench", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command, args, stderr: "ignore" }));
const serverCapabilities = client.getServerCapabilities();
const server = new Server(client.getServerVersion(), { capabilities: serverCapabilities });
await proxyServer({ client, server, serverCapabilities });
await server.connect(new StdioServerTransport());
process.stdin.once("end", () => void client.close().then(() => process.exit(0)));
