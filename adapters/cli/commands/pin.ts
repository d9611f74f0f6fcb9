import { resolve } from "node:path";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { GuardError } from "../../../src/errors.js";
import { loadDeclarationFile } from "../../../src/declare/load.js";
import type { Declaration } from "../../../src/model/declaration.js";
import { isRecord } from "../../mcp/jsonrpc.js";
import { pinKey, readLockFile, toolDigest, writeLockFile, type LockFile, type PinEntry } from "../../mcp/pins.js";
import { chooseUpstreams, exists } from "../../mcp/setup.js";
import { Upstream, fetchAllPages } from "../../mcp/upstream.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";

const FLAGS = {
  config: { type: "string", value: "FILE", description: "proxy configuration with the upstream servers (default: ./purpose-guard.yaml when no command follows --)" },
  name: { type: "string", value: "NAME", description: "server name of the command after -- (as in the declaration's tools[].server)" },
  declaration: { type: "string", value: "FILE", description: "takes the server name from the declaration's only server when --name is not given" },
  pins: { type: "string", value: "FILE", description: "the pins file to write (default: `pins` in the config file, else ./purpose-guard.lock.json)" },
  only: { type: "list", value: "SERVER/TOOL", description: "approve only this tool; other pins stay as they are (repeatable)" },
  check: { type: "boolean", description: "write nothing; exit 1 when the servers' tools differ from the pins (for CI)" },
} as const;

export const pinCommand: Command = {
  name: "pin",
  summary: "pin (approve) the tool descriptions and schemas of MCP servers for the proxy",
  help: `Usage: purpose-guard pin [--config purpose-guard.yaml | --name NAME -- COMMAND ARGS...] [--pins FILE] [--only SERVER/TOOL] [--check]

Connects to each upstream server, lists its tools, and writes a digest of each tool's title, description, input and
output schemas and annotations to the pins file. A proxy started with --pins FILE (or \`pins:\` in its config) hides
any tool whose definition no longer matches its pin, or that has no pin, and raises an alert; running this command
again is how an operator approves the new definitions. A running proxy reloads the file when it changes.

Prints each tool as + new, ~ changed, - removed or = unchanged. Exit codes: 0 written (or, with --check, nothing
changed), 1 with --check when something changed, 2 invalid input, 3 a server could not be reached.

Flags:
${describeFlags(FLAGS)}

Examples:
  purpose-guard pin --name fs --pins fs.lock.json -- npx @modelcontextprotocol/server-filesystem ./data
  purpose-guard pin --config purpose-guard.yaml --only fs/write_file
  purpose-guard pin --config purpose-guard.yaml --check`,
  run: runPin,
};

interface Seen {
  readonly key: string;
  readonly digest: string;
}

async function runPin(argv: readonly string[], io: CliIO): Promise<number> {
  const { flags, positionals, rest } = parseArgs(argv, FLAGS);
  if (positionals.length > 0) throw new GuardError("USAGE", `unexpected argument \`${positionals[0]}\``, { issues: [{ message: "the server command goes after `--`", fix: `purpose-guard pin --name NAME -- ${positionals.join(" ")}` }] });
  let declaration: Declaration | undefined;
  if (flags.declaration) declaration = (await loadDeclarationFile(resolve(io.cwd, flags.declaration))).declaration;
  const choice = await chooseUpstreams({
    ...(flags.config ? { configFile: flags.config } : {}),
    command: rest,
    ...(flags.name ? { name: flags.name } : {}),
    ...(declaration ? { declaration } : {}),
    cwd: io.cwd,
    env: io.env,
  });
  const file = flags.pins ? resolve(io.cwd, flags.pins) : choice.config?.pins ?? resolve(io.cwd, "purpose-guard.lock.json");
  const previous: LockFile = (await exists(file)) ? await readLockFile(file) : { version: 1, tools: {} };
  const only = flags.only ? new Set(flags.only) : undefined;
  for (const key of only ?? []) {
    if (!key.includes("/")) throw new GuardError("USAGE", `--only \`${key}\` is not SERVER/TOOL`, { issues: [{ message: "expected e.g. fs/write_file", fix: "--only SERVER/TOOL" }] });
  }

  const seen: Seen[] = [];
  const failures: string[] = [];
  for (const spec of choice.upstreams) {
    const upstream = new Upstream(spec, {
      onRequest: (source, request) => source.respond(request.id, { error: { code: -32601, message: "purpose-guard pin answers no server requests" } }),
      onNotification: () => undefined,
      onRecovered: () => undefined,
      log: (line) => void io.stderr.write(`purpose-guard: ${line}\n`),
    }, { restart: { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, stableAfterMs: 0 } });
    try {
      const init = await upstream.start({ protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "purpose-guard-pin", version: "0.1.0" } });
      if (init.error) {
        failures.push(`${spec.name}: ${init.error.message}`);
        continue;
      }
      upstream.initialized();
      if (!upstream.has("tools")) continue;
      const { items, error } = await fetchAllPages(upstream, "tools/list", "tools");
      if (error) {
        failures.push(`${spec.name}: tools/list failed: ${error}`);
        continue;
      }
      for (const tool of items) {
        if (isRecord(tool) && typeof tool["name"] === "string") seen.push({ key: pinKey(spec.name, tool["name"]), digest: toolDigest(tool) });
      }
    } finally {
      await upstream.close();
    }
  }
  if (failures.length > 0) {
    io.stderr.write(`purpose-guard pin: could not list the tools of every server; nothing written\n${failures.map((line) => `  ${line}`).join("\n")}\n`);
    return EXIT.failed;
  }

  const now = new Date().toISOString();
  const next: Record<string, PinEntry> = { ...previous.tools };
  const lines: string[] = [];
  let changes = 0;
  const current = new Map(seen.map((entry) => [entry.key, entry.digest]));
  const selected = (key: string) => only === undefined || only.has(key);
  for (const { key, digest } of seen) {
    const old = previous.tools[key];
    const mark = !old ? "+" : old.digest === digest ? "=" : "~";
    const note = mark === "+" ? "new" : mark === "~" ? `changed (was ${old!.digest.slice(0, 19)}…)` : "unchanged";
    if (mark !== "=") {
      if (!selected(key)) {
        lines.push(`  ${mark} ${key.padEnd(40)} ${digest.slice(0, 19)}…  ${note}, not approved (not in --only)`);
        continue;
      }
      changes++;
      next[key] = { digest, pinnedAt: now };
    }
    lines.push(`  ${mark} ${key.padEnd(40)} ${digest.slice(0, 19)}…  ${note}`);
  }
  const servers = new Set(choice.upstreams.map((upstream) => upstream.name));
  for (const key of Object.keys(previous.tools)) {
    if (current.has(key) || !servers.has(key.slice(0, key.indexOf("/")))) continue;
    if (!selected(key)) continue;
    changes++;
    delete next[key];
    lines.push(`  - ${key.padEnd(40)} ${"".padEnd(20)}  removed`);
  }
  for (const key of only ?? []) {
    if (!current.has(key) && !previous.tools[key]) io.stderr.write(`purpose-guard pin: --only ${key}: no server offers this tool\n`);
  }
  io.stdout.write(`${lines.join("\n")}\n`);
  if (flags.check) {
    io.stdout.write(changes === 0 ? `pins in ${file} match the servers\n` : `${changes} tool(s) differ from the pins in ${file}; run purpose-guard pin to approve them\n`);
    return changes === 0 ? EXIT.ok : EXIT.denied;
  }
  await writeLockFile(file, { version: 1, tools: next });
  io.stdout.write(`wrote ${file} (${Object.keys(next).length} tools pinned, ${changes} change(s))\n`);
  return EXIT.ok;
}
