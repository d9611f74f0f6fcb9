/**
 * What `purpose-guard proxy` and `purpose-guard pin` share: which upstream servers to use (a config file, or one
 * command after `--`), under which names, and with which pins.
 */
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { GuardError } from "../../src/errors.js";
import type { Declaration } from "../../src/model/declaration.js";
import { loadProxyConfig, type ProxyConfig } from "./config.js";
import { firstSightPins, lockFilePins, type PinStore } from "./pins.js";
import type { UpstreamSpec } from "./upstream.js";

export const DEFAULT_CONFIG_FILE = "purpose-guard.yaml";

export interface UpstreamChoice {
  readonly config?: ProxyConfig;
  readonly upstreams: readonly UpstreamSpec[];
}

/**
 * `--config FILE`, or a command after `--` (named by `--name`, or by the declaration's only server), or
 * `./purpose-guard.yaml` when neither is given.
 */
export async function chooseUpstreams(options: {
  readonly configFile?: string;
  readonly command: readonly string[];
  readonly name?: string;
  readonly declaration?: Declaration;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<UpstreamChoice> {
  const { command, cwd } = options;
  if (options.configFile && command.length > 0) {
    throw new GuardError("USAGE", "give the upstream servers either in --config or after `--`, not both", {
      issues: [{ message: `--config ${options.configFile} and \`-- ${command.join(" ")}\``, fix: "add the command to the config file's `servers`, or drop --config" }],
    });
  }
  if (command.length > 0) {
    const name = options.name ?? onlyServer(options.declaration);
    // The server after `--` inherits the proxy's environment, as it would have inherited the client's without it.
    const env = Object.fromEntries(Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return { upstreams: [{ name, transport: "stdio", command: command[0]!, args: command.slice(1), cwd, env }] };
  }
  if (options.name) {
    throw new GuardError("USAGE", "--name names the server given after `--`, and no command follows `--`", {
      issues: [{ message: "--name without a command", fix: "append `-- COMMAND ARGS...`, or name servers in the config file" }],
    });
  }
  const configFile = options.configFile ?? resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!options.configFile && !(await exists(configFile))) {
    throw new GuardError("USAGE", "no upstream server: give a command after `--`, or a config file", {
      issues: [{ message: `neither \`-- COMMAND\` nor --config was given, and ${configFile} does not exist`, fix: "e.g. `purpose-guard proxy --declaration d.yaml --name fs -- npx @modelcontextprotocol/server-filesystem ./data`" }],
    });
  }
  const config = await loadProxyConfig(resolve(cwd, configFile), options.env);
  return { config, upstreams: config.upstreams };
}

/** In single-server mode without --name, the declaration's only server names the upstream. */
function onlyServer(declaration: Declaration | undefined): string {
  const servers = [...new Set(declaration?.tools.map((grant) => grant.server) ?? [])];
  if (servers.length === 1) return servers[0]!;
  throw new GuardError("USAGE", "--name is needed to say which of the declaration's servers the command is", {
    issues: [{
      message: servers.length === 0 ? "the declaration names no server" : `the declaration names ${servers.map((s) => `\`${s}\``).join(", ")}`,
      fix: `add --name ${servers[0] ?? "NAME"} (the declaration's tools[].server for this command)`,
    }],
  });
}

/** A lock file when one is configured (it must exist), else pins at first sight. */
export async function openPins(file: string | undefined, log: (line: string) => void): Promise<PinStore> {
  if (file === undefined) return firstSightPins();
  return lockFilePins(file, log);
}

/** Whether a file (a configuration, a lock file) is there to read. */
export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
