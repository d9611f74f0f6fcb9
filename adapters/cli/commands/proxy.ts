import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import type { AuditSinkConfig } from "../../../src/audit/sinks.js";
import type { RuntimeBounds } from "../../../src/authorize/engine.js";
import { runtimeFromEnv } from "../../../src/config.js";
import { GuardError, formatIssue, isGuardError } from "../../../src/errors.js";
import { createGuard, type Guard } from "../../../src/guard.js";
import { splitAddress } from "../../mcp/config.js";
import { guardedEnforcer } from "../../mcp/guarded.js";
import { listenHttp } from "../../mcp/http.js";
import { createProxy } from "../../mcp/proxy.js";
import { StdioServerTransport } from "../../mcp/stdio-server.js";
import { chooseUpstreams, openPins } from "../../mcp/setup.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";
import { clockAt } from "../time-flag.js";

const FLAGS = {
  declaration: { type: "string", value: "FILE", description: "the purpose declaration to enforce (default: `declaration` in the config file)" },
  config: { type: "string", value: "FILE", description: "proxy configuration with the upstream servers (default: ./purpose-guard.yaml when no command follows --)" },
  name: { type: "string", value: "NAME", description: "server name of the command after -- (the declaration's tools[].server; default: the declaration's only server)" },
  listen: { type: "string", value: "HOST:PORT", description: "serve Streamable HTTP on this address instead of stdio, e.g. 127.0.0.1:8080" },
  token: { type: "string", value: "T", description: "HTTP clients must send `Authorization: Bearer T` (default: $PURPOSE_GUARD_TOKEN)" },
  "allowed-host": { type: "list", value: "NAME", description: "host name HTTP clients may use in Host (repeatable; default: loopback names)" },
  "allowed-origin": { type: "list", value: "ORIGIN", description: "browser origin allowed to call the HTTP endpoint (repeatable)" },
  policies: { type: "list", value: "PATH", description: "policy file or directory added to the base policies (repeatable)" },
  audit: { type: "string", value: "FILE", description: "hash-chained audit log, or `stderr` (default: .purpose-guard/audit.jsonl)" },
  pins: { type: "string", value: "FILE", description: "tool pins written by `purpose-guard pin` (default: pin each tool at first sight)" },
  undeclared: { type: "string", value: "hide|deny", description: "undeclared tools: hide them (default), or list them and deny every call" },
  separator: { type: "string", value: "S", description: "between server and tool name when aggregating (default `__`)" },
  environment: { type: "string", value: "E", description: "where this runs (default: config `runtime`, then $PURPOSE_GUARD_ENVIRONMENT)" },
  region: { type: "string", value: "R", description: "the region this runs in (default: config, then $PURPOSE_GUARD_REGION)" },
  account: { type: "string", value: "A", description: "the account this runs in (default: config, then $PURPOSE_GUARD_ACCOUNT)" },
  tenant: { type: "string", value: "T", description: "the tenant served (default: config, then $PURPOSE_GUARD_TENANT)" },
  at: { type: "string", value: "TIME", description: "decide as of this ISO 8601 time instead of now (demos and tests)" },
} as const;

export const proxyCommand: Command = {
  name: "proxy",
  summary: "run a guarded MCP server in front of MCP tool servers (stdio or Streamable HTTP)",
  help: `Usage: purpose-guard proxy --declaration FILE [--config purpose-guard.yaml] [--listen HOST:PORT] -- COMMAND ARGS...

Serves MCP to an agent and forwards to one or more MCP servers, enforcing the purpose declaration on every
tools/call, resources/read and prompts/get: a denied call never reaches the server and comes back as a tool error
that names the policy; results carrying data outside the declared scope are redacted or withheld. Tools the
declaration does not grant are not listed, and a tool whose description or schema changes after it was pinned is
hidden until re-approved (purpose-guard pin). The declaration must pass the deploy-time gate (as in
\`purpose-guard check\`) or the proxy does not start.

One server: put its command after \`--\`; its tools keep their names. Several servers: list them in the config
file; their tools are named SERVER__TOOL. Over stdio, stdout carries only MCP messages: logs go to stderr and
decisions to the audit log.

Exit codes: 0 stopped normally, 1 refused to start (deploy gate denied), 2 invalid input, 3 failure.

Flags:
${describeFlags(FLAGS)}

Examples:
  purpose-guard proxy --declaration support.yaml --name fs -- npx @modelcontextprotocol/server-filesystem ./data
  purpose-guard proxy --config purpose-guard.yaml --listen 127.0.0.1:8080 --token "$PURPOSE_GUARD_TOKEN"
  purpose-guard pin --config purpose-guard.yaml      # approve the current tool definitions`,
  run: runProxy,
};

async function runProxy(argv: readonly string[], io: CliIO): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, FLAGS);
  if (positionals.length > 0) {
    throw new GuardError("USAGE", `unexpected argument \`${positionals[0]}\``, { issues: [{ message: "the server command goes after `--`", fix: `purpose-guard proxy ... -- ${positionals.join(" ")}` }] });
  }
  const undeclared = flags.undeclared ?? undefined;
  if (undeclared !== undefined && undeclared !== "hide" && undeclared !== "deny") {
    throw new GuardError("USAGE", `--undeclared must be \`hide\` or \`deny\`, not \`${undeclared}\``);
  }
  const address = flags.listen === undefined ? undefined : parseListen(flags.listen);
  const log = (line: string) => void io.stderr.write(`purpose-guard: ${line}\n`);
  const clock = clockAt(flags.at);

  // A config file is read first: it may name the declaration; a `--` command is named from the declaration.
  let choice = rest.length === 0 ? await chooseUpstreams({ ...(flags.config ? { configFile: flags.config } : {}), command: [], ...(flags.name ? { name: flags.name } : {}), cwd: io.cwd, env: io.env }) : undefined;
  const config = choice?.config;
  const declaration = flags.declaration ? resolve(io.cwd, flags.declaration) : config?.declaration;
  if (!declaration) {
    throw new GuardError("USAGE", "--declaration is required", { issues: [{ message: "no declaration given, and the config file names none", fix: "--declaration FILE, or `declaration:` in purpose-guard.yaml" }] });
  }
  const runtime: RuntimeBounds = {
    ...runtimeFromEnv(io.env),
    ...config?.runtime,
    ...(flags.environment ? { environment: flags.environment } : {}),
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.account ? { account: flags.account } : {}),
    ...(flags.tenant ? { tenant: flags.tenant } : {}),
  };
  const auditTarget = flags.audit ?? config?.audit ?? resolve(io.cwd, ".purpose-guard/audit.jsonl");
  if (auditTarget === "stdout") {
    throw new GuardError("USAGE", "the proxy cannot audit to stdout", { issues: [{ message: "over stdio, stdout carries the MCP protocol", fix: "--audit FILE or --audit stderr" }] });
  }
  const audit: AuditSinkConfig = auditTarget === "stderr" ? { type: "stderr" } : { type: "jsonl", path: resolve(io.cwd, auditTarget) };
  const policies = [...(config?.policies ?? []), ...(flags.policies ?? []).map((path) => resolve(io.cwd, path))];

  let guard: Guard;
  try {
    guard = await createGuard({
      declaration,
      ...(policies.length > 0 ? { policies } : {}),
      audit: [audit],
      runtime,
      ...(clock ? { clock } : {}),
    });
  } catch (error) {
    // A declaration refused as too vague or wrongly signed is the gate saying no, as in `check`.
    if (isGuardError(error) && (error.code === "DECLARATION_TOO_BROAD" || error.code === "DECLARATION_SIGNATURE")) {
      io.stderr.write(`purpose-guard proxy: refusing to start: ${error.message}\n${error.issues.map(formatIssue).join("\n")}\n`);
      return EXIT.denied;
    }
    throw error;
  }

  try {
    const gate = await guard.check();
    const { id, version } = guard.declaration.declaration;
    const digest = guard.declaration.digest;
    if (gate.decision !== "allow") {
      io.stderr.write(`purpose-guard proxy: refusing to start: ${"message" in gate ? gate.message : gate.decision}\n`);
      await guard.close();
      return EXIT.denied;
    }
    choice ??= await chooseUpstreams({ command: rest, ...(flags.name ? { name: flags.name } : {}), declaration: guard.declaration.declaration, cwd: io.cwd, env: io.env });
    const pins = await openPins(flags.pins ? resolve(io.cwd, flags.pins) : config?.pins, log);
    const proxy = createProxy({
      upstreams: choice.upstreams,
      enforcer: guardedEnforcer(guard, { undeclared: undeclared ?? config?.undeclared ?? "hide" }),
      naming: { prefix: config?.naming.prefix ?? "auto", separator: flags.separator ?? config?.naming.separator ?? "__" },
      pins,
      ...(config?.restart ? { upstream: { restart: { initialDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000, ...config.restart } } } : {}),
      log,
    });
    log(`declaration ${id} v${version} (sha256:${digest.slice(0, 16)}) may start here [${gate.policyIds.join(", ")}]`);
    log(`audit log: ${audit.type === "jsonl" ? audit.path : "stderr"}`);
    log(pins.mode === "lock" ? `tool pins: ${pins.file}` : "tool pins: first sight (pass --pins FILE, written by `purpose-guard pin`, to keep pins across restarts)");
    log(`upstream: ${choice.upstreams.map((upstream) => `${upstream.name} (${upstream.transport === "http" ? upstream.url : upstream.transport === "stdio" ? [upstream.command, ...(upstream.args ?? [])].join(" ") : "in-process"})`).join(", ")}`);
    const stop = stopSignal();
    try {
      const listen = address ?? (config?.listen ? { host: config.listen.host, port: config.listen.port } : undefined);
      if (listen) {
        const token = flags.token ?? config?.listen?.token ?? io.env["PURPOSE_GUARD_TOKEN"];
        if (token !== undefined && token.length < 16) {
          throw new GuardError("USAGE", "the bearer token is too short", { issues: [{ message: "a bearer token needs at least 16 characters", fix: "use e.g. `openssl rand -hex 32`" }] });
        }
        const allowedHosts = flags["allowed-host"] ?? config?.listen?.allowedHosts;
        const allowedOrigins = flags["allowed-origin"] ?? config?.listen?.allowedOrigins;
        const listener = await listenHttp(proxy, {
          host: listen.host,
          port: listen.port,
          ...(config?.listen?.path ? { path: config.listen.path } : {}),
          ...(token ? { token } : {}),
          ...(allowedHosts ? { allowedHosts } : {}),
          ...(allowedOrigins ? { allowedOrigins } : {}),
          ...(config?.listen?.maxSessions ? { maxSessions: config.listen.maxSessions } : {}),
          ...(config?.listen?.sessionIdleMs ? { sessionIdleMs: config.listen.sessionIdleMs } : {}),
          log,
        });
        log(`listening on ${listener.url}${token ? " (bearer token required)" : ""}`);
        await stop.promise;
        await listener.close();
      } else {
        const transport = new StdioServerTransport(io.stdin as Readable, io.stdout as unknown as Writable);
        const session = await proxy.connect(transport);
        // The SDK's stdio transport does not notice the client closing stdin; the session ends then, once what the
        // client asked before is answered.
        const ended = new Promise<void>((done) => {
          io.stdin.once("end", done);
          io.stdin.once("close", done);
        }).then(() => session.closeWhenIdle());
        log("serving MCP on stdio");
        await Promise.race([session.closed, ended, stop.promise]);
      }
    } finally {
      stop.dispose();
      await proxy.close();
    }
    return EXIT.ok;
  } catch (error) {
    await guard.close();
    throw error;
  }
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const parsed = match ? splitAddress(value) : undefined;
  if (!parsed || parsed.port > 65535) {
    throw new GuardError("USAGE", `--listen \`${value}\` is not HOST:PORT`, { issues: [{ message: "expected an address and a port", fix: "--listen 127.0.0.1:8080 (port 0 picks a free one)" }] });
  }
  return parsed;
}

/** Settles on SIGINT or SIGTERM, so the audit log is flushed and upstream processes are stopped before exit. */
function stopSignal(): { promise: Promise<void>; dispose(): void } {
  let done!: () => void;
  const promise = new Promise<void>((resolve) => (done = resolve));
  const onSignal = () => done();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    promise,
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
