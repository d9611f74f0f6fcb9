/**
 * One downstream MCP session (a stdio client, or one `Mcp-Session-Id` over HTTP) and its own connections to every
 * upstream. Each session has its own upstream connections so that everything that is per-session in MCP stays
 * exact: the client's capabilities and identity reach the servers, sampling/elicitation/roots requests go back to
 * the session that caused them, log levels and subscriptions do not leak between clients.
 *
 * Messages are relayed as raw JSON-RPC. The session reads only what it routes on (method, ids, names, URIs,
 * progress tokens); results and errors pass through unchanged, so an upstream error reaches the client once, as
 * the upstream worded it.
 */
import { randomUUID } from "node:crypto";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { MessageExtraInfo } from "@modelcontextprotocol/sdk/types.js";
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import { PROMPT_GET, RESOURCE_READ, type CallContext, type Enforcer } from "./enforcer.js";
import {
  RPC,
  failure,
  isRecord,
  progressTokenOf,
  success,
  type Notification,
  type Outcome,
  type Params,
  type Request,
  type RequestId,
} from "./jsonrpc.js";
import type { Naming } from "./naming.js";
import { argumentsOf, forwardedParams } from "./forward.js";
import { RpcPeer } from "./peer.js";
import { PINNED_FIELDS, pinKey, toolDigest, type PinStore } from "./pins.js";
import { luhnValid } from "../../src/classify/text.js";
import { traceOf } from "./trace.js";
import { Upstream, fetchAllPages, type UpstreamListener, type UpstreamOptions, type UpstreamSpec } from "./upstream.js";

/** What every session of one proxy shares. */
export interface SessionShared {
  readonly upstreams: readonly UpstreamSpec[];
  readonly naming: Naming;
  readonly pins: PinStore;
  readonly enforcer: Enforcer;
  readonly upstreamOptions: UpstreamOptions;
  /** Announced to clients when several servers are aggregated (a single server announces itself). */
  readonly serverInfo: { readonly name: string; readonly version: string };
  log(line: string): void;
}

/**
 * Why a tool is not offered: its definition changed, no pin covers it, the declaration does not grant it, or its name
 * is one the declaration uses for something else (`resources/read`, a method name; see `isReservedName`).
 */
export type ToolStatus = "visible" | "changed" | "unpinned" | "undeclared" | "reserved";

export interface ToolEntry {
  readonly exposed: string;
  readonly upstream: Upstream;
  readonly name: string;
  readonly definition: Readonly<Record<string, unknown>>;
  readonly digest: string;
  readonly status: ToolStatus;
  /** The pinned digest, when the status is `changed`. */
  readonly expected?: string;
}

interface Flight {
  readonly method: string;
  readonly controller: AbortController;
  /** The client's progress token, restored on the upstream's progress notifications. */
  readonly progressToken: string | number | undefined;
  /** The token the upstream sees instead: the proxy's own number, so no client text rides on it. */
  readonly upstreamToken: number | undefined;
  upstream: Upstream | undefined;
  /** What the guard decided the request as, once it did: what the server sends while it works belongs to it. */
  context: CallContext | undefined;
  /**
   * The server's notifications for this request, in the order they came, each sent once checked: the answer waits
   * for them (over HTTP they go on the request's stream, which the answer closes).
   */
  relays: Promise<void>;
}

/** Server-to-client requests a client may be asked (ping is answered by the proxy); others are refused. */
const RELAYED_REQUESTS = new Set(["sampling/createMessage", "elicitation/create", "roots/list"]);

/** Methods whose list a session aggregates across upstreams, with the key of the list in the result. */
const LISTS = {
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
  "prompts/list": "prompts",
} as const;

export class ProxySession {
  readonly id: string;
  readonly #shared: SessionShared;
  readonly #downstream: RpcPeer;
  readonly #upstreams: readonly Upstream[];
  readonly #byName: ReadonlyMap<string, Upstream>;
  readonly #flights = new Map<RequestId, Flight>();
  /** Requests an upstream sent to the client, by `server\0id`, so the upstream can cancel them. */
  readonly #relayed = new Map<string, AbortController>();
  /** Progress tokens of relayed server-to-client requests, so the client's progress reaches the right upstream. */
  readonly #relayedTokens = new Map<string | number, Upstream>();
  #tools: Map<string, ToolEntry> | undefined;
  #toolsLoading: Promise<Map<string, ToolEntry>> | undefined;
  readonly #resourceOwners = new Map<string, Upstream>();
  #templates: { readonly template: UriTemplate; readonly upstream: Upstream }[] = [];
  readonly #templateKeys = new Set<string>();
  readonly #subscriptions = new Map<string, Upstream>();
  /** The URI each subscription was sent as (a redact verdict can rewrite it): what unsubscribe must name. */
  readonly #subscribedAs = new Map<string, string>();
  /** The list cursors servers handed out in this session, by method: only these are passed back (single server). */
  readonly #cursors = new Set<string>();
  #logLevel: string | undefined;
  #clientCapabilities: Readonly<Record<string, unknown>> = {};
  #clientName: string | undefined;
  #initialized = false;
  #initializing = false;
  #closed = false;
  #nextProgressToken = 1;
  /** Aborted when the session closes: the signal of checks that belong to no client request. */
  readonly #lifetime = new AbortController();
  /** Notifications that belong to no request, in the order they came (see `Flight.relays`). */
  #unrelated: Promise<void> = Promise.resolve();
  /** Tool definitions as listed, checked once per catalog entry. */
  readonly #listed = new WeakMap<ToolEntry, Promise<Readonly<Record<string, unknown>>>>();
  readonly #closedPromise: Promise<void>;
  #resolveClosed!: () => void;

  constructor(transport: Transport, shared: SessionShared, sessionId?: string) {
    this.id = sessionId ?? `stdio-${randomUUID()}`;
    this.#shared = shared;
    this.#closedPromise = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#downstream = new RpcPeer(transport, {
      name: "the client",
      onRequest: (request, extra) => void this.#onClientRequest(request, extra),
      onNotification: (notification) => this.#onClientNotification(notification),
      onClose: () => void this.close(),
      onError: (error) => shared.log(`session ${this.id}: ${error.message}`),
    });
    const listener: UpstreamListener = {
      onRequest: (upstream, request) => void this.#onUpstreamRequest(upstream, request),
      onNotification: (upstream, notification) => this.#onUpstreamNotification(upstream, notification),
      onRecovered: (upstream) => this.#onUpstreamRecovered(upstream),
      log: (line) => shared.log(line),
    };
    this.#upstreams = shared.upstreams.map((spec) => new Upstream(spec, listener, shared.upstreamOptions));
    this.#byName = new Map(this.#upstreams.map((upstream) => [upstream.name, upstream]));
  }

  start(): Promise<void> {
    return this.#downstream.start();
  }

  /** Settles when the client disconnects or `close()` is called. */
  get closed(): Promise<void> {
    return this.#closedPromise;
  }

  get upstreams(): readonly Upstream[] {
    return this.#upstreams;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetime.abort();
    for (const flight of this.#flights.values()) flight.controller.abort();
    for (const controller of this.#relayed.values()) controller.abort();
    await Promise.all([this.#downstream.close(), ...this.#upstreams.map((upstream) => upstream.close())]);
    await this.#shared.enforcer.endSession(this.id).catch((error: unknown) => this.#shared.log(`session ${this.id}: ${String(error)}`));
    this.#resolveClosed();
  }

  /**
   * Closes once the requests in flight are answered (or after `graceMs`): for a stdio client that closed its input
   * but still reads the answers to what it asked.
   */
  async closeWhenIdle(graceMs = 5000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.#flights.size > 0 && Date.now() < deadline && !this.#closed) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.close();
  }

  /** The tool list changed for a reason the upstream cannot know (pins reloaded): list again and tell the client. */
  toolsChanged(): void {
    this.#tools = undefined;
    if (this.#initialized) void this.#downstream.notify("notifications/tools/list_changed");
  }

  /** Resolves every tool of every ready upstream, with its pin and declaration status. */
  async tools(): Promise<ReadonlyMap<string, ToolEntry>> {
    if (this.#tools) return this.#tools;
    this.#toolsLoading ??= this.#loadTools().finally(() => (this.#toolsLoading = undefined));
    return this.#toolsLoading;
  }

  // ---- client to server -------------------------------------------------------------------------------------

  async #onClientRequest(request: Request, extra: MessageExtraInfo | undefined): Promise<void> {
    const progressToken = progressTokenOf(request.params);
    const flight: Flight = {
      method: request.method,
      controller: new AbortController(),
      progressToken,
      upstreamToken: progressToken === undefined ? undefined : this.#nextProgressToken++,
      upstream: undefined,
      context: undefined,
      relays: Promise.resolve(),
    };
    this.#flights.set(request.id, flight);
    let outcome: Outcome;
    try {
      outcome = await this.#dispatch(request, flight, extra);
    } catch (error) {
      // A bug of ours must still answer the client, and must not have forwarded anything half-decided.
      this.#shared.log(`session ${this.id}: ${request.method} failed inside the proxy: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      outcome = failure(RPC.internalError, `purpose-guard proxy failed while handling \`${request.method}\``);
    }
    await flight.relays;
    this.#flights.delete(request.id);
    // A cancelled request gets no answer (MCP cancellation), whatever arrived meanwhile.
    if (flight.controller.signal.aborted) return;
    await this.#downstream.respond(request.id, outcome);
  }

  #dispatch(request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const params = request.params;
    switch (request.method) {
      case "initialize":
        return this.#initialize(params);
      case "ping":
        return Promise.resolve(success({}));
      case "tools/list":
        return this.#listTools();
      case "tools/call":
        return this.#callTool(request, flight, extra);
      case "resources/list":
      case "resources/templates/list":
      case "prompts/list":
        return this.#list(request.method, request, flight, extra);
      case "resources/read":
        return this.#readResource(request, flight, extra);
      case "resources/subscribe":
      case "resources/unsubscribe":
        return this.#subscription(request.method, request, flight, extra);
      case "prompts/get":
        return this.#getPrompt(request, flight, extra);
      case "completion/complete":
        return this.#complete(request, flight, extra);
      case "logging/setLevel":
        return this.#setLevel(params);
      default:
        return this.#other(request, flight, extra);
    }
  }

  async #initialize(params: Params | undefined): Promise<Outcome> {
    // One handshake per session: a second one, even while the first runs, would start every upstream again.
    if (this.#initialized || this.#initializing) return failure(RPC.invalidRequest, "the session is already initialized");
    this.#initializing = true;
    try {
      return await this.#handshake(params);
    } finally {
      this.#initializing = false;
    }
  }

  async #handshake(params: Params | undefined): Promise<Outcome> {
    const clientParams = clientInitParams(params ?? {});
    this.#clientCapabilities = isRecord(clientParams["capabilities"]) ? clientParams["capabilities"] : {};
    const clientInfo = clientParams["clientInfo"];
    if (isRecord(clientInfo) && typeof clientInfo["name"] === "string") this.#clientName = clientInfo["name"];
    const answers = await Promise.all(this.#upstreams.map((upstream) => upstream.start(clientParams)));
    const ready = this.#upstreams.filter((upstream) => upstream.init !== undefined);
    if (ready.length === 0) {
      // Why a server did not start can quote it (a stderr line, its own refusal): checked like its instructions.
      const checked = await Promise.all(answers.map((answer, i) => answer.error ? this.#shared.enforcer.after(this.#channelContext(this.#upstreams[i]!, "initialize"), answer) : answer));
      const first = checked.find((answer) => answer.error);
      if (this.#upstreams.length === 1 && first) return first; // the one server's own refusal
      const reasons = checked.map((answer, i) => `${this.#upstreams[i]!.name}: ${answer.error?.message ?? "?"}`).join("; ");
      return failure(RPC.internalError, `no upstream server could be started (${reasons})`, { reason: "no-upstream" });
    }
    const instructions = new Map(await Promise.all(ready.map(async (upstream) => [upstream, await this.#instructionsOf(upstream)] as const)));
    this.#initialized = true;
    if (this.#upstreams.length === 1) return success(adjustCapabilities(ready[0]!.init!.raw, instructions.get(ready[0]!), this.#shared.serverInfo));
    return success(this.#mergedInit(ready, String(clientParams["protocolVersion"] ?? ""), instructions));
  }

  /**
   * A server's instructions are text for the model, written by the server: checked like a result of the pseudo-tool
   * `initialize` of that server (granted like `resources/read`), and left out when the guard does not pass them.
   */
  async #instructionsOf(upstream: Upstream): Promise<string | undefined> {
    const instructions = upstream.init!.instructions;
    if (!instructions) return undefined;
    const checked = await this.#shared.enforcer.screen(this.#channelContext(upstream, "initialize"), { instructions });
    return typeof checked?.["instructions"] === "string" ? checked["instructions"] : undefined;
  }

  #mergedInit(ready: readonly Upstream[], requested: string, checked: ReadonlyMap<Upstream, string | undefined>): Record<string, unknown> {
    const versions = ready.map((upstream) => upstream.init!.protocolVersion);
    // Servers may settle on different versions; answer with the oldest so every server can follow the client.
    const protocolVersion = versions.every((version) => version === requested) ? requested : [...versions].sort()[0]!;
    const capabilities: Record<string, Record<string, unknown>> = {};
    for (const upstream of ready) {
      for (const [key, value] of Object.entries(knownCapabilities(upstream.init!.capabilities))) capabilities[key] = { ...capabilities[key], ...value };
    }
    // Aggregated lists change whenever any upstream restarts or recovers, whatever each one declared.
    for (const key of ["tools", "prompts", "resources"] as const) {
      if (capabilities[key]) capabilities[key] = { ...capabilities[key], listChanged: true };
    }
    capabilities["tools"] ??= { listChanged: true };
    const instructions = ready
      .filter((upstream) => checked.get(upstream))
      .map((upstream) => `## ${upstream.name}\n${checked.get(upstream)}`)
      .join("\n\n");
    return {
      protocolVersion,
      capabilities,
      serverInfo: { name: this.#shared.serverInfo.name, version: this.#shared.serverInfo.version },
      ...(instructions ? { instructions } : {}),
    };
  }

  async #listTools(): Promise<Outcome> {
    const tools = await this.tools();
    const visible = [...tools.values()].filter((entry) => entry.status === "visible");
    return success({ tools: await Promise.all(visible.map((entry) => this.#listedDefinition(entry))) });
  }

  /**
   * A tool's definition as the client sees it: its pinned fields only (a change to `_meta`, `icons` or a field of the
   * server's own would reach the client without changing the pin). They are server text for the model: checked like a
   * result of the tool itself (once per definition), and a definition the guard does not pass is listed by name only
   * (a tool shown to be denied, under `undeclared: deny`).
   */
  async #listedDefinition(entry: ToolEntry): Promise<Readonly<Record<string, unknown>>> {
    let listed = this.#listed.get(entry);
    if (!listed) {
      const context: CallContext = {
        kind: "tool", sessionId: this.id, server: entry.upstream.name, tool: entry.name, target: entry.exposed,
        definition: entry.definition, digest: entry.digest, args: {}, trace: { mcpSessionId: this.id }, signal: this.#lifetime.signal,
      };
      const pinned: Record<string, unknown> = {};
      for (const field of PINNED_FIELDS) if (entry.definition[field] !== undefined) pinned[field] = entry.definition[field];
      listed = this.#shared.enforcer.screen(context, pinned).then((checked) => ({ ...(checked ?? { inputSchema: { type: "object" } }), name: entry.exposed }));
      this.#listed.set(entry, listed);
    }
    return listed;
  }

  async #loadTools(): Promise<Map<string, ToolEntry>> {
    const { naming, pins, enforcer } = this.#shared;
    const catalog = new Map<string, ToolEntry>();
    const lists = await Promise.all(
      this.#upstreams.map(async (upstream) => (upstream.has("tools") && upstream.state === "ready" ? this.#fetchAll(upstream, "tools/list", "tools") : [])),
    );
    lists.forEach((list, i) => {
      const upstream = this.#upstreams[i]!;
      for (const definition of list) {
        if (!isRecord(definition) || typeof definition["name"] !== "string") continue;
        const name = definition["name"];
        const exposed = naming.expose(upstream.name, name);
        const digest = toolDigest(definition);
        const pin = pins.check(upstream.name, name, digest);
        let status: ToolStatus = pin.status === "pinned" ? "visible" : pin.status;
        if (isReservedName(name)) status = "reserved";
        if (status === "visible" && !enforcer.visible(upstream.name, name)) status = "undeclared";
        if (pin.status !== "pinned" && pin.firstReport) this.#alertPin(upstream.name, name, pin.status, digest, pin.expected);
        catalog.set(exposed, { exposed, upstream, name, definition, digest, status, ...(pin.expected ? { expected: pin.expected } : {}) });
      }
    });
    this.#tools = catalog;
    return catalog;
  }

  #alertPin(server: string, tool: string, status: "changed" | "unpinned", digest: string, expected?: string): void {
    const detail = status === "changed"
      ? `definition changed since it was pinned (pinned ${short(expected)}, now ${short(digest)}); the tool is hidden until re-approved with \`purpose-guard pin\``
      : `not in the pins file ${this.#shared.pins.file ?? ""}; the tool is hidden until approved with \`purpose-guard pin\``;
    this.#shared.log(`ALERT ${pinKey(server, tool)}: ${detail}`);
    this.#shared.enforcer.alert({
      server,
      tool,
      sessionId: this.id,
      rule: status === "changed" ? "tool-definition-changed" : "tool-unpinned",
      detail,
    });
  }

  /** Reads every page of a list from one upstream (aggregated lists are returned as one page). */
  async #fetchAll(upstream: Upstream, method: string, key: string, signal?: AbortSignal): Promise<unknown[]> {
    const { items, error } = await fetchAllPages(upstream, method, key, signal ? { signal } : {});
    if (error) this.#shared.log(`upstream \`${upstream.name}\` failed \`${method}\`: ${error}`);
    return items;
  }

  async #callTool(request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const params = request.params ?? {};
    const exposed = params["name"];
    if (typeof exposed !== "string") return failure(RPC.invalidParams, "tools/call needs a string `name`");
    const args = argumentsOf(params);
    if (!args) return failure(RPC.invalidParams, "tools/call needs `arguments` to be an object");
    let entry = (await this.tools()).get(exposed);
    if (!entry && this.#tools !== undefined) {
      // The client may know a tool we have not listed since the upstream added it: list once more.
      this.#tools = undefined;
      entry = (await this.tools()).get(exposed);
    }
    if (!entry) return this.#callUnlisted(request, flight, extra, exposed, args);
    if (entry.status === "reserved") return reservedRefusal(exposed);
    if (entry.status === "changed" || entry.status === "unpinned") return this.#refusePinned(entry);
    flight.upstream = entry.upstream;
    const context = this.#context(request, flight, extra, {
      kind: "tool",
      server: entry.upstream.name,
      tool: entry.name,
      target: exposed,
      definition: entry.definition,
      digest: entry.digest,
      args,
    });
    return this.#guarded(context, entry.upstream, flight, "tools/call", (admitted) => forwardedParams(params, { name: entry.name, arguments: admitted }, flight.upstreamToken));
  }

  /**
   * A tool no server lists: still a call the guard decides (and audits). Denied, it gets the same kind of answer as
   * any refused call; granted, it goes to its server, which answers as it would without the proxy.
   */
  #callUnlisted(request: Request, flight: Flight, extra: MessageExtraInfo | undefined, exposed: string, args: Readonly<Record<string, unknown>>): Promise<Outcome> {
    const target = this.#shared.naming.resolve(exposed);
    const upstream = target ? this.#byName.get(target.server) : undefined;
    if (!target || !upstream) return Promise.resolve(failure(RPC.invalidParams, `Unknown tool: ${exposed}`));
    if (isReservedName(target.name)) return Promise.resolve(reservedRefusal(exposed));
    flight.upstream = upstream;
    const params = request.params ?? {};
    const context = this.#context(request, flight, extra, { kind: "tool", server: upstream.name, tool: target.name, target: exposed, args });
    return this.#guarded(context, upstream, flight, "tools/call", (admitted) => forwardedParams(params, { name: target.name, arguments: admitted }, flight.upstreamToken));
  }

  /**
   * The one path by which anything that acts or returns data is forwarded: a verdict first, the upstream only when
   * the verdict permits, and the answer through the enforcer again.
   */
  async #guarded(context: CallContext, upstream: Upstream, flight: Flight, method: string, paramsFor: (args: unknown) => Params): Promise<Outcome> {
    const { enforcer } = this.#shared;
    const admission = await enforcer.before(context);
    if (!admission.forward) return admission.outcome;
    if (flight.controller.signal.aborted) return failure(RPC.requestTimeout, "request cancelled");
    const outcome = await upstream.request(method, paramsFor(admission.args), { signal: flight.controller.signal });
    return enforcer.after(context, outcome);
  }

  #context(
    request: Request,
    flight: Flight,
    extra: MessageExtraInfo | undefined,
    call: Pick<CallContext, "kind" | "server" | "tool" | "target" | "args"> & Partial<Pick<CallContext, "definition" | "digest">>,
  ): CallContext {
    const elicit = this.#canElicit()
      ? (params: Params, signal: AbortSignal) => this.#downstream.request("elicitation/create", params, { signal, relatedRequestId: request.id })
      : undefined;
    const context: CallContext = {
      ...call,
      sessionId: this.id,
      trace: traceOf(this.id, request.id, request.params, extra?.requestInfo?.headers),
      signal: flight.controller.signal,
      ...(elicit ? { elicit } : {}),
      ...(this.#clientName ? { clientName: this.#clientName } : {}),
    };
    flight.context = context;
    return context;
  }

  /**
   * What a server sends or is sent outside a client request belongs to: a pseudo-tool named by the MCP method
   * (`roots/list`, `notifications/message`), granted in a declaration like `resources/read`.
   */
  #channelContext(upstream: Upstream, method: string, kind: CallContext["kind"] = "method"): CallContext {
    return { kind, sessionId: this.id, server: upstream.name, tool: method, target: method, args: {}, trace: { mcpSessionId: this.id }, signal: this.#lifetime.signal };
  }

  /** The decided client request a server's message belongs to (see `#relatedTo`), or the method's pseudo-tool. */
  #contextFor(upstream: Upstream, method: string): { readonly context: CallContext; readonly related: RequestId | undefined } {
    const related = this.#relatedTo(upstream);
    const context = related === undefined ? undefined : this.#flights.get(related)?.context;
    return { context: context ?? this.#channelContext(upstream, method), related };
  }

  #refusePinned(entry: ToolEntry): Outcome {
    const why = entry.status === "changed"
      ? `its definition changed since it was pinned (pinned ${short(entry.expected)}, now ${short(entry.digest)})`
      : "no pin covers it";
    const text = `purpose-guard: tool \`${entry.exposed}\` is hidden because ${why}; an operator must approve it with \`purpose-guard pin\``;
    this.#shared.enforcer.alert({
      server: entry.upstream.name,
      tool: entry.name,
      sessionId: this.id,
      rule: entry.status === "changed" ? "tool-definition-changed" : "tool-unpinned",
      detail: `call refused: ${why}`,
    });
    return success({ content: [{ type: "text", text }], isError: true });
  }

  /**
   * Lists: relayed from a single unprefixed server page by page; aggregated (one page) otherwise. Names, descriptions
   * and URIs are server text for the model: each server's part is checked like a read of its resources or prompts
   * (the grant under which they are listed), and a part the guard withholds is left out.
   */
  async #list(method: keyof typeof LISTS, request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const key = LISTS[method];
    const prompts = method === "prompts/list";
    const grant = prompts ? PROMPT_GET : RESOURCE_READ;
    const sources = this.#upstreams.filter((upstream) => upstream.has(prompts ? "prompts" : "resources"));
    if (sources.length === 0) return failure(RPC.methodNotFound, `Method not found: ${method}`);
    const contextOf = (upstream: Upstream) => this.#context(request, flight, extra, { kind: prompts ? "prompt" : "resource", server: upstream.name, tool: grant, target: method, args: {} });
    const params = request.params;
    if (this.#upstreams.length === 1 && !this.#shared.naming.prefixed) {
      const upstream = sources[0]!;
      flight.upstream = upstream;
      // Not granted by the declaration (and hidden): an empty list, as from a server that has none.
      if (!this.#shared.enforcer.visible(upstream.name, grant)) return success({ [key]: [] });
      // Only a cursor this server handed out (in a checked answer) goes back to it: any other string is client data.
      const cursor = params?.["cursor"];
      if (cursor !== undefined && (typeof cursor !== "string" || !this.#cursors.has(`${method}\u0000${cursor}`))) return failure(RPC.invalidParams, `${method}: unknown cursor`);
      const outcome = await upstream.request(method, typeof cursor === "string" ? { cursor } : {}, { signal: flight.controller.signal });
      const checked = await this.#shared.enforcer.after(contextOf(upstream), outcome);
      const next = checked.result?.["nextCursor"];
      if (typeof next === "string") {
        if (this.#cursors.size >= MAX_CURSORS) this.#cursors.clear();
        this.#cursors.add(`${method}\u0000${next}`);
      }
      return checked;
    }
    if (typeof params?.["cursor"] === "string") return success({ [key]: [] }); // we never hand out cursors
    const lists = await Promise.all(sources.map((upstream) => this.#fetchAll(upstream, method, key, flight.controller.signal)));
    const parts = await Promise.all(lists.map(async (list, i) => {
      const upstream = sources[i]!;
      const records = list.filter(isRecord);
      if (!prompts) records.forEach((item) => this.#noteResource(upstream, item)); // routing knows owners of unlisted ones too
      if (records.length === 0 || !this.#shared.enforcer.visible(upstream.name, grant)) return [];
      const checked = (await this.#shared.enforcer.screen(contextOf(upstream), { [key]: records }))?.[key];
      if (!Array.isArray(checked)) return [];
      return checked.filter(isRecord).map((item) => (prompts && typeof item["name"] === "string" ? { ...item, name: this.#shared.naming.expose(upstream.name, item["name"]) } : item));
    }));
    return success({ [key]: parts.flat() });
  }

  #noteResource(upstream: Upstream, item: Readonly<Record<string, unknown>>): void {
    if (typeof item["uri"] === "string") this.#resourceOwners.set(item["uri"], upstream);
    if (typeof item["uriTemplate"] === "string") {
      const source = item["uriTemplate"];
      try {
        // Known templates by upstream and text, not by a search of the list (a server listing thousands re-lists them).
        const key = `${upstream.name}\u0000${source}`;
        if (!this.#templateKeys.has(key)) {
          this.#templates.push({ template: new UriTemplate(source), upstream });
          this.#templateKeys.add(key);
        }
      } catch {
        // An invalid template cannot route anything; reads of its URIs fall back to the other rules.
      }
    }
  }

  /** Which upstream serves a resource URI: the only one, the one that listed it, or the one whose template matches. */
  async #ownerOf(uri: string, signal: AbortSignal): Promise<Upstream | undefined> {
    const sources = this.#upstreams.filter((upstream) => upstream.has("resources"));
    if (sources.length <= 1) return sources[0];
    const known = this.#resourceOwners.get(uri) ?? this.#matchTemplate(uri);
    if (known) return known;
    // The client did not list (or the lists changed): learn the URIs and templates once more.
    await Promise.all(sources.flatMap((upstream) => [
      this.#fetchAll(upstream, "resources/list", "resources", signal).then((list) => list.forEach((item) => isRecord(item) && this.#noteResource(upstream, item))),
      this.#fetchAll(upstream, "resources/templates/list", "resourceTemplates", signal).then((list) => list.forEach((item) => isRecord(item) && this.#noteResource(upstream, item))),
    ]));
    return this.#resourceOwners.get(uri) ?? this.#matchTemplate(uri);
  }

  #matchTemplate(uri: string): Upstream | undefined {
    for (const { template, upstream } of this.#templates) if (template.match(uri) !== null) return upstream;
    return undefined;
  }

  async #readResource(request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const params = request.params ?? {};
    const uri = params["uri"];
    if (typeof uri !== "string") return failure(RPC.invalidParams, "resources/read needs a string `uri`");
    const upstream = await this.#ownerOf(uri, flight.controller.signal);
    if (!upstream) return failure(RPC.resourceNotFound, `Resource not found: no upstream server lists \`${uri}\``, { uri });
    flight.upstream = upstream;
    const context = this.#context(request, flight, extra, { kind: "resource", server: upstream.name, tool: RESOURCE_READ, target: uri, args: { uri } });
    return this.#guarded(context, upstream, flight, RESOURCE_READ, (args) => forwardedParams(params, { uri: isRecord(args) && typeof args["uri"] === "string" ? args["uri"] : uri }, flight.upstreamToken));
  }

  async #subscription(method: "resources/subscribe" | "resources/unsubscribe", request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const params = request.params;
    const uri = params?.["uri"];
    if (typeof uri !== "string") return failure(RPC.invalidParams, `${method} needs a string \`uri\``);
    // Only a subscription this client made (which had a verdict) is forwarded to end: any other URI would reach a
    // server undecided, and there is nothing to end.
    if (method === "resources/unsubscribe" && !this.#subscriptions.has(uri)) return success({});
    const upstream = method === "resources/unsubscribe" ? this.#subscriptions.get(uri) : await this.#ownerOf(uri, flight.controller.signal);
    if (!upstream) return failure(RPC.resourceNotFound, `Resource not found: no upstream server lists \`${uri}\``, { uri });
    flight.upstream = upstream;
    // What is sent: the URI as the verdict admitted it (a redact verdict rewrites it, as for a read).
    let sent = method === "resources/unsubscribe" ? this.#subscribedAs.get(uri) ?? uri : uri;
    if (method === "resources/subscribe") {
      // A subscription brings the resource's updates: it needs what a read needs, the grant and a verdict.
      if (!this.#shared.enforcer.visible(upstream.name, RESOURCE_READ)) return failure(RPC.resourceNotFound, `Resource not found: no upstream server lists \`${uri}\``, { uri });
      const admission = await this.#shared.enforcer.before(this.#context(request, flight, extra, { kind: "resource", server: upstream.name, tool: RESOURCE_READ, target: uri, args: { uri } }));
      if (!admission.forward) return admission.outcome;
      if (isRecord(admission.args) && typeof admission.args["uri"] === "string") sent = admission.args["uri"];
      if (flight.controller.signal.aborted) return failure(RPC.requestTimeout, "request cancelled");
    }
    const outcome = await upstream.request(method, forwardedParams(params, { uri: sent }, flight.upstreamToken), { signal: flight.controller.signal });
    if (!outcome.error) {
      if (method === "resources/subscribe") {
        this.#subscriptions.set(uri, upstream);
        this.#subscribedAs.set(uri, sent);
      } else {
        this.#subscriptions.delete(uri);
        this.#subscribedAs.delete(uri);
      }
      return success({});
    }
    // An error can quote the resource or the server's state: checked like a read of the resource.
    return this.#shared.enforcer.after(this.#context(request, flight, extra, { kind: "resource", server: upstream.name, tool: RESOURCE_READ, target: uri, args: { uri } }), outcome);
  }

  async #getPrompt(request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const params = request.params ?? {};
    const exposed = params["name"];
    if (typeof exposed !== "string") return failure(RPC.invalidParams, "prompts/get needs a string `name`");
    const target = this.#shared.naming.resolve(exposed);
    const upstream = target ? this.#byName.get(target.server) : undefined;
    if (!target || !upstream || !upstream.has("prompts")) return failure(RPC.invalidParams, `Unknown prompt: ${exposed}`);
    const promptArgs = argumentsOf(params);
    if (!promptArgs) return failure(RPC.invalidParams, "prompts/get needs `arguments` to be an object");
    flight.upstream = upstream;
    const context = this.#context(request, flight, extra, { kind: "prompt", server: upstream.name, tool: PROMPT_GET, target: exposed, args: { name: target.name, arguments: promptArgs } });
    // What the guard admitted is what the server gets: its (possibly redacted) name and arguments, nothing else.
    return this.#guarded(context, upstream, flight, PROMPT_GET, (admitted) => forwardedParams(params, isRecord(admitted) ? { name: admitted["name"], arguments: admitted["arguments"] } : {}, flight.upstreamToken));
  }

  /**
   * Completions suggest argument values, which are data too, in both directions: the request (the value typed so far
   * and the other arguments) is decided like the prompt or resource read it completes, and the suggestions pass the
   * same result check. They are offered only where the declaration grants that prompt or resource read.
   */
  async #complete(request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    const params = request.params ?? {};
    const ref = params["ref"];
    if (!isRecord(ref)) return failure(RPC.invalidParams, "completion/complete needs a `ref`");
    let upstream: Upstream | undefined;
    let forwardedRef: Record<string, unknown> | undefined;
    let kind: "prompt" | "resource" = "prompt";
    if (ref["type"] === "ref/prompt" && typeof ref["name"] === "string") {
      const target = this.#shared.naming.resolve(ref["name"]);
      upstream = target ? this.#byName.get(target.server) : undefined;
      if (target) forwardedRef = { type: "ref/prompt", name: target.name };
    } else if (ref["type"] === "ref/resource" && typeof ref["uri"] === "string") {
      kind = "resource";
      upstream = this.#upstreams.length === 1 ? this.#upstreams[0] : this.#matchTemplateSource(ref["uri"]) ?? (await this.#ownerOf(ref["uri"], flight.controller.signal));
      forwardedRef = { type: "ref/resource", uri: ref["uri"] };
    }
    const unknown = () => failure(RPC.invalidParams, `no upstream server knows the completion reference ${JSON.stringify(ref)}`);
    if (!upstream || !forwardedRef) return unknown();
    const grant = kind === "prompt" ? PROMPT_GET : RESOURCE_READ;
    if (!this.#shared.enforcer.visible(upstream.name, grant)) return unknown();
    flight.upstream = upstream;
    const args = {
      ref: forwardedRef,
      ...(params["argument"] === undefined ? {} : { argument: params["argument"] }),
      ...(params["context"] === undefined ? {} : { context: params["context"] }),
    };
    const context = this.#context(request, flight, extra, { kind, server: upstream.name, tool: grant, target: String(ref["name"] ?? ref["uri"]), args });
    return this.#guarded(context, upstream, flight, "completion/complete", (admitted) => forwardedParams(params, isRecord(admitted) ? admitted : {}, flight.upstreamToken));
  }

  #matchTemplateSource(source: string): Upstream | undefined {
    return this.#templates.find((known) => known.template.toString() === source)?.upstream;
  }

  async #setLevel(params: Params | undefined): Promise<Outcome> {
    const level = params?.["level"];
    // The RFC 5424 names MCP defines, and nothing else: the level is forwarded to every server, undecided.
    if (typeof level !== "string" || !LOG_LEVELS.has(level)) return failure(RPC.invalidParams, `logging/setLevel needs \`level\` to be one of ${[...LOG_LEVELS].join(", ")}`);
    const targets = this.#upstreams.filter((upstream) => upstream.has("logging"));
    if (targets.length === 0) return failure(RPC.methodNotFound, "Method not found: logging/setLevel");
    this.#logLevel = level;
    const outcomes = await Promise.all(targets.map((upstream) => upstream.request("logging/setLevel", { level })));
    const failed = outcomes.findIndex((outcome) => outcome.error);
    if (failed === -1) return success({});
    // A refusal's words are the server's: checked like its log messages, under the method's pseudo-tool.
    return this.#shared.enforcer.after(this.#channelContext(targets[failed]!, "logging/setLevel"), outcomes[failed]!);
  }

  /**
   * Methods the proxy does not route by content: relayed to a single server, unknown when aggregating. Their params
   * are client data like a tool's arguments, so the method is decided as a pseudo-tool of the server (granted like
   * `resources/read`, by its method name), and its answer is checked like a result.
   */
  #other(request: Request, flight: Flight, extra: MessageExtraInfo | undefined): Promise<Outcome> {
    if (this.#upstreams.length !== 1 || request.method.startsWith("tasks/")) {
      return Promise.resolve(failure(RPC.methodNotFound, `Method not found: ${request.method}`));
    }
    const upstream = this.#upstreams[0]!;
    flight.upstream = upstream;
    const { _meta: _clientMeta, ...args } = request.params ?? {};
    const context = this.#context(request, flight, extra, { kind: "method", server: upstream.name, tool: request.method, target: request.method, args });
    return this.#guarded(context, upstream, flight, request.method, (admitted) => forwardedParams(request.params, isRecord(admitted) ? admitted : {}, flight.upstreamToken));
  }

  #onClientNotification(notification: Notification): void {
    const params = notification.params;
    switch (notification.method) {
      case "notifications/initialized":
        for (const upstream of this.#upstreams) upstream.initialized();
        return;
      case "notifications/cancelled": {
        const id = params?.["requestId"];
        if (typeof id === "string" || typeof id === "number") this.#flights.get(id)?.controller.abort();
        return;
      }
      case "notifications/progress": {
        // Progress on a request a server sent the client, to that server only, and only its numbers: the token is
        // the server's own, and the client's `message` is text no verdict covers.
        const token = params?.["progressToken"];
        const upstream = typeof token === "string" || typeof token === "number" ? this.#relayedTokens.get(token) : undefined;
        const progress = params?.["progress"];
        const total = params?.["total"];
        if (upstream && typeof progress === "number") upstream.notify(notification.method, { progressToken: token!, progress, ...(typeof total === "number" ? { total } : {}) });
        return;
      }
      case "notifications/roots/list_changed":
        // Carries nothing but the news: servers that want the roots ask, and that answer is checked.
        for (const upstream of this.#upstreams) upstream.notify(notification.method);
        return;
      default:
        // Any other notification would carry client data to every server with no verdict: not relayed.
        return;
    }
  }

  #canElicit(): boolean {
    const elicitation = this.#clientCapabilities["elicitation"];
    // `{}` is form mode (2025-06-18); since 2025-11-25 clients may declare `form` and/or `url`.
    return isRecord(elicitation) && (Object.keys(elicitation).length === 0 || isRecord(elicitation["form"]));
  }

  // ---- server to client -------------------------------------------------------------------------------------

  async #onUpstreamRequest(upstream: Upstream, request: Request): Promise<void> {
    if (request.method === "ping") {
      upstream.respond(request.id, success({}));
      return;
    }
    if (!RELAYED_REQUESTS.has(request.method)) {
      upstream.respond(request.id, failure(RPC.methodNotFound, `Method not found: ${request.method}`));
      return;
    }
    const key = `${upstream.name}\0${request.id}`;
    const controller = new AbortController();
    this.#relayed.set(key, controller);
    const token = progressTokenOf(request.params);
    if (token !== undefined) this.#relayedTokens.set(token, upstream);
    const { context, related } = this.#contextFor(upstream, request.method);
    // What the server asks the client to show or sample is server data: checked like a result of the same call.
    const params = await this.#shared.enforcer.screen(context, request.params ?? {});
    if (!params) {
      this.#relayed.delete(key);
      if (token !== undefined) this.#relayedTokens.delete(token);
      upstream.respond(request.id, failure(RPC.denied, `purpose-guard withheld \`${request.method}\` from the client`));
      return;
    }
    const outcome = await this.#downstream.request(request.method, params, {
      signal: controller.signal,
      ...(related === undefined ? {} : { relatedRequestId: related }),
    });
    this.#relayed.delete(key);
    if (token !== undefined) this.#relayedTokens.delete(token);
    if (controller.signal.aborted) return;
    upstream.respond(request.id, await this.#clientAnswer(context, request.method, outcome));
  }

  /**
   * The client's answer to a server's request is client data on its way to the server (a sampled text, a form the
   * user filled in, the roots): checked like a result of the call the server is working on, and withheld when the
   * guard does not let it pass. A client's error keeps its code, not its words.
   */
  async #clientAnswer(context: CallContext, method: string, outcome: Outcome): Promise<Outcome> {
    if (outcome.error) return failure(outcome.error.code, `the client did not answer \`${method}\``);
    const admitted = await this.#shared.enforcer.screen(context, outcome.result);
    return admitted ? success(admitted) : failure(RPC.denied, `purpose-guard withheld the client's answer to \`${method}\``);
  }

  #onUpstreamNotification(upstream: Upstream, notification: Notification): void {
    const params = notification.params;
    switch (notification.method) {
      case "notifications/progress": {
        // Only progress on a request of this client, under the client's own token.
        const related = this.#flightWithToken(params?.["progressToken"], upstream);
        if (related === undefined) return;
        const progress = { ...params, progressToken: related.flight.progressToken! };
        // The hot path: numbers carry no class, so bare progress needs no check; a message or anything else does.
        const checked = onlyNumbers(params!) ? progress : this.#shared.enforcer.screen(related.flight.context ?? this.#channelContext(upstream, notification.method), progress);
        this.#relay(notification.method, checked, related);
        return;
      }
      case "notifications/cancelled": {
        const id = params?.["requestId"];
        this.#relayed.get(`${upstream.name}\0${String(id)}`)?.abort();
        return;
      }
      case "notifications/tools/list_changed":
        this.#tools = undefined;
        void this.#downstream.notify(notification.method);
        return;
      case "notifications/prompts/list_changed":
      case "notifications/resources/list_changed":
        // The news only: the lists themselves are checked when the client asks for them.
        void this.#downstream.notify(notification.method);
        return;
      case "notifications/message": {
        const { context, related } = this.#contextFor(upstream, notification.method);
        const flight = related === undefined ? undefined : this.#flights.get(related);
        this.#relay(notification.method, this.#shared.enforcer.screen(context, params ?? {}), flight && { id: related!, flight });
        return;
      }
      case "notifications/resources/updated": {
        // Only for a subscription of this client (which had a verdict), checked like a read of the resource.
        const uri = params?.["uri"];
        if (typeof uri !== "string" || this.#subscriptions.get(uri) !== upstream) return;
        const context = { ...this.#channelContext(upstream, RESOURCE_READ, "resource"), target: uri, args: { uri } };
        this.#relay(notification.method, this.#shared.enforcer.screen(context, { uri }), undefined);
        return;
      }
      default:
        // A notification the proxy does not know carries server data it cannot place: not relayed.
        return;
    }
  }

  /**
   * Sends a server's notification as the guard passed it (redacted), or not at all, after the ones before it: the
   * checks run side by side, the sends keep the server's order.
   */
  #relay(method: string, checked: Params | undefined | Promise<Params | undefined>, related: { readonly id: RequestId; readonly flight: Flight } | undefined): void {
    const send = async () => {
      try {
        const params = await checked;
        if (params && !this.#closed) await this.#downstream.notify(method, params, related?.id);
      } catch (error) {
        // The check itself broke: nothing is sent unchecked.
        this.#shared.log(`session ${this.id}: \`${method}\` from a server was withheld: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    if (related) related.flight.relays = related.flight.relays.then(send);
    else this.#unrelated = this.#unrelated.then(send);
  }

  #onUpstreamRecovered(upstream: Upstream): void {
    if (this.#closed) return;
    if (this.#logLevel !== undefined && upstream.has("logging")) void upstream.request("logging/setLevel", { level: this.#logLevel });
    for (const [uri, owner] of this.#subscriptions) {
      if (owner === upstream) void upstream.request("resources/subscribe", { uri });
    }
    if (!this.#initialized) return;
    this.#tools = undefined;
    void this.#downstream.notify("notifications/tools/list_changed");
    if (upstream.has("prompts")) void this.#downstream.notify("notifications/prompts/list_changed");
    if (upstream.has("resources")) void this.#downstream.notify("notifications/resources/list_changed");
  }

  /**
   * The client request a server-initiated message most likely belongs to: the latest one still waiting on that
   * upstream. Over HTTP this puts the message on that request's stream, which the client is reading for sure.
   */
  #relatedTo(upstream: Upstream): RequestId | undefined {
    let related: RequestId | undefined;
    for (const [id, flight] of this.#flights) if (flight.upstream === upstream) related = id;
    return related;
  }

  /** The client request an upstream progress token belongs to (the proxy's token, see `Flight.upstreamToken`). */
  /** The client request a progress token names, if it went to `upstream` (another server could guess the token). */
  #flightWithToken(token: unknown, upstream: Upstream): { readonly id: RequestId; readonly flight: Flight } | undefined {
    if (typeof token !== "number") return undefined;
    for (const [id, flight] of this.#flights) if (flight.upstreamToken === token && flight.upstream === upstream) return { id, flight };
    return undefined;
  }
}

/**
 * The initialize result of a single server, with the capabilities the proxy changes and the instructions as the guard
 * passed them. Only the fields MCP defines are kept: anything else the server wrote would reach the client unchecked.
 */
function adjustCapabilities(result: Readonly<Record<string, unknown>>, instructions: string | undefined, fallback: { readonly name: string; readonly version: string }): Record<string, unknown> {
  const capabilities = knownCapabilities(result["capabilities"]);
  // Pins can hide or reveal tools at any time, so the tool list can change even if the server's never does.
  if (capabilities["tools"]) capabilities["tools"] = { ...capabilities["tools"], listChanged: true };
  return {
    protocolVersion: result["protocolVersion"],
    capabilities,
    serverInfo: plainServerInfo(result["serverInfo"], fallback),
    ...(instructions === undefined ? {} : { instructions }),
  };
}

/**
 * The capabilities MCP defines, with their flags: a server's `experimental` entries, unknown keys and anything but
 * a boolean under a known one are server data nobody checks, so they are not passed on (nor are tasks, see below).
 */
const CAPABILITY_FLAGS: Readonly<Record<string, readonly string[]>> = {
  logging: [], completions: [], prompts: ["listChanged"], resources: ["subscribe", "listChanged"], tools: ["listChanged"],
};

function knownCapabilities(raw: unknown): Record<string, Record<string, boolean>> {
  const out: Record<string, Record<string, boolean>> = {};
  if (!isRecord(raw)) return out;
  for (const [key, flags] of Object.entries(CAPABILITY_FLAGS)) {
    const value = raw[key];
    if (!isRecord(value)) continue;
    const kept: Record<string, boolean> = {};
    for (const flag of flags) if (typeof value[flag] === "boolean") kept[flag] = value[flag] as boolean;
    out[key] = kept;
  }
  return out;
}

/**
 * A server's name and version as the client sees them: only these two, and only when they read as a name and a
 * version (no long token, no run of digits a card or an id would have). Anything else a server puts there (a title,
 * a description, icons, its own fields) is server text nobody checks; the proxy's own name stands in.
 */
function plainServerInfo(raw: unknown, fallback: { readonly name: string; readonly version: string }): { name: string; version: string } {
  const info = isRecord(raw) ? raw : {};
  const name = info["name"];
  const version = info["version"];
  return isPlainLabel(name) && isPlainLabel(version) ? { name, version } : { name: fallback.name, version: fallback.version };
}

function isPlainLabel(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > 100 || !/^[\p{L}\p{N}@./+:() _-]+$/u.test(value)) return false;
  // A token of letters and digits mixed (a key) or a card or social security number is no name; a Go pseudo-version's
  // timestamp, a long word or a short hash are.
  for (const run of value.match(/[A-Za-z0-9]{20,}/g) ?? []) if (/\d/.test(run) && /[A-Za-z]/.test(run)) return false;
  for (const run of value.match(/\d(?:[ -]?\d){12,18}/g) ?? []) if (luhnValid(run.replace(/\D/g, ""))) return false;
  return !/(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)/.test(value);
}

/** MCP protocol versions are dates: anything else in the field is text nobody checks. */
const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What the proxy tells servers of the client at initialize: the protocol version, the capabilities MCP defines (each
 * as flags: booleans and empty objects) and the client's name and version when they read as such. Anything else in the
 * client's params (`_meta`, extra fields, `experimental`) is client data no verdict covers. Task-augmented requests
 * (experimental in MCP 2025-11-25) return their result through `tasks/result`, outside the call the guard decided on;
 * the proxy does not offer them, in either direction.
 */
function clientInitParams(params: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof params["protocolVersion"] === "string" && PROTOCOL_VERSION.test(params["protocolVersion"])) out["protocolVersion"] = params["protocolVersion"];
  const capabilities: Record<string, unknown> = {};
  const raw = isRecord(params["capabilities"]) ? params["capabilities"] : {};
  for (const [key, flags] of Object.entries(CLIENT_FLAGS)) {
    const value = raw[key];
    if (isRecord(value)) capabilities[key] = flagsOf(value, flags);
  }
  out["capabilities"] = capabilities;
  const info = isRecord(params["clientInfo"]) ? params["clientInfo"] : {};
  out["clientInfo"] = isPlainLabel(info["name"]) && isPlainLabel(info["version"]) ? { name: info["name"], version: info["version"] } : { name: "mcp-client", version: "0.0.0" };
  return out;
}

/** The client capabilities MCP defines and their flags (a flag is a boolean or an empty object). */
const CLIENT_FLAGS: Readonly<Record<string, readonly string[]>> = { roots: ["listChanged"], sampling: ["context", "tools"], elicitation: ["form", "url"] };

/** A capability's known flags: booleans as they are, objects as empty objects (their contents are no flag of MCP's). */
function flagsOf(value: Readonly<Record<string, unknown>>, flags: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of flags) {
    const given = value[flag];
    if (typeof given === "boolean") out[flag] = given;
    else if (isRecord(given)) out[flag] = {};
  }
  return out;
}

/**
 * Tool names a declaration grants as something else: `resources/read`, `prompts/get` and the MCP methods decided as
 * pseudo-tools (every one has a `/`, or is `initialize` or `ping`). A server's tool by such a name would be granted
 * by that grant, so it is neither listed nor called. MCP tool names have no `/` (2025-11-25: letters, digits, `_-.`).
 */
export function isReservedName(name: string): boolean {
  return name.includes("/") || name === "initialize" || name === "ping";
}

function reservedRefusal(exposed: string): Outcome {
  const text = `purpose-guard: tool \`${exposed}\` is hidden because its name is one a declaration grants as something else (a resource read, a prompt, an MCP method); rename it on the server`;
  return success({ content: [{ type: "text", text }], isError: true });
}

/** Cursors remembered per session; a client paging through more lists than this starts over. */
const MAX_CURSORS = 1024;
const LOG_LEVELS: ReadonlySet<string> = new Set(["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]);

/** The keys of bare progress: the token and two counts. */
const BARE_PROGRESS: ReadonlySet<string> = new Set(["progressToken", "progress", "total"]);
/** Counts below this have fewer digits than any card, account or national id the classifier knows. */
const SMALL_COUNT = 1e8;

/**
 * Whether a progress notification holds only its token and small counts (`progress`, `total`): then nothing in it can
 * be data. Other keys (a key's name can be a secret), text, or a count with the digits of a card number are checked.
 */
function onlyNumbers(params: Params): boolean {
  for (const key in params) {
    if (!BARE_PROGRESS.has(key)) return false;
    if (key === "progressToken") continue;
    const value = params[key];
    if (typeof value !== "number" || !(Math.abs(value) < SMALL_COUNT)) return false;
  }
  return true;
}

function short(digest: string | undefined): string {
  return digest ? digest.slice(0, 19) : "none";
}
