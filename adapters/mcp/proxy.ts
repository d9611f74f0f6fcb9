/**
 * `createProxy`: an MCP server made of other MCP servers, with the guard in between. The proxy owns what sessions
 * share (upstream specs, naming, pins, the enforcer); `connect` turns any server-side SDK transport (stdio,
 * Streamable HTTP, in-memory) into a session.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { GuardError } from "../../src/errors.js";
import type { Enforcer } from "./enforcer.js";
import { DEFAULT_NAMING, createNaming, type NamingOptions } from "./naming.js";
import { firstSightPins, type PinStore } from "./pins.js";
import { ProxySession, type SessionShared } from "./session.js";
import type { UpstreamOptions, UpstreamSpec } from "./upstream.js";

export interface ProxyOptions {
  readonly upstreams: readonly UpstreamSpec[];
  /**
   * Decides every tool call and filters every result: `guardedEnforcer(guard)` in production. `passThrough` relays
   * unguarded and exists for measuring the proxy itself.
   */
  readonly enforcer: Enforcer;
  readonly naming?: NamingOptions;
  /** Default: pins at first sight, in memory. */
  readonly pins?: PinStore;
  readonly upstream?: UpstreamOptions;
  /** Announced when several servers are aggregated. */
  readonly serverInfo?: { readonly name: string; readonly version: string };
  /** Diagnostics; default stderr. Never stdout: over stdio, stdout is the protocol channel. */
  readonly log?: (line: string) => void;
}

export interface Proxy {
  /** Serves one client over `transport`; the session lives until the client disconnects or the proxy closes. */
  connect(transport: Transport, options?: { readonly sessionId?: string }): Promise<ProxySession>;
  readonly sessions: ReadonlySet<ProxySession>;
  readonly pins: PinStore;
  readonly enforcer: Enforcer;
  /** Closes every session and its upstreams, stops watching pins, flushes the enforcer's audit. */
  close(): Promise<void>;
}

export function createProxy(options: ProxyOptions): Proxy {
  const servers = options.upstreams.map((upstream) => upstream.name);
  const naming = options.naming ?? DEFAULT_NAMING;
  validateUpstreams(servers, naming);
  const log = options.log ?? ((line: string) => void process.stderr.write(`purpose-guard: ${line}\n`));
  const pins = options.pins ?? firstSightPins();
  const sessions = new Set<ProxySession>();
  const shared: SessionShared = {
    upstreams: options.upstreams,
    naming: createNaming(naming, servers),
    pins,
    enforcer: options.enforcer,
    upstreamOptions: options.upstream ?? {},
    serverInfo: options.serverInfo ?? { name: "purpose-guard", version: "0.1.0" },
    log,
  };
  // A reloaded lock file can approve (or revoke) tools in every session at once.
  const unsubscribe = pins.onChange(() => {
    for (const session of sessions) session.toolsChanged();
  });
  let closed = false;

  return {
    sessions,
    pins,
    enforcer: options.enforcer,
    async connect(transport, connectOptions) {
      if (closed) throw new GuardError("GUARD_CLOSED", "the proxy is closed; create a new one");
      const session = new ProxySession(transport, shared, connectOptions?.sessionId);
      sessions.add(session);
      void session.closed.then(() => sessions.delete(session));
      await session.start();
      return session;
    },
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      await Promise.all([...sessions].map((session) => session.close()));
      pins.close();
      await options.enforcer.close();
    },
  };
}

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function validateUpstreams(servers: readonly string[], naming: NamingOptions): void {
  const issues: { path: string; message: string; fix: string }[] = [];
  if (servers.length === 0) issues.push({ path: "servers", message: "no upstream server is configured", fix: "name at least one server" });
  if (naming.separator === "") issues.push({ path: "tools.separator", message: "the separator is empty", fix: "use `__` (the default)" });
  if (naming.prefix === "never" && servers.length > 1) {
    issues.push({ path: "tools.prefix", message: "`never` with several servers lets tool names collide", fix: "use `auto` or `always`" });
  }
  const seen = new Set<string>();
  servers.forEach((name, i) => {
    if (!SERVER_NAME.test(name)) issues.push({ path: `servers[${i}]`, message: `server name \`${name}\` has characters other than letters, digits, \`_\`, \`.\`, \`-\``, fix: "rename it" });
    if (naming.separator !== "" && name.includes(naming.separator)) {
      issues.push({ path: `servers[${i}]`, message: `server name \`${name}\` contains the separator \`${naming.separator}\``, fix: "rename the server or choose another separator" });
    }
    if (seen.has(name)) issues.push({ path: `servers[${i}]`, message: `server name \`${name}\` is used twice`, fix: "give each server its own name" });
    seen.add(name);
  });
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", "the proxy's upstream servers are misconfigured", { issues });
}
