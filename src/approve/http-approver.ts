import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { GuardError, messageOf } from "../errors.js";
import { isLoopbackHost } from "../monitor/notify.js";
import type { ApprovalAnswer, ApprovalRequest, Approver } from "./approver.js";

export interface HttpApproverOptions {
  /** Address to listen on; default 127.0.0.1. Anything off this machine needs `allowRemote`. */
  readonly host?: string;
  /** Default 0: a free port (read `url`). */
  readonly port?: number;
  /** The bearer token; default a random 256-bit one. Approvers then name themselves in each answer. */
  readonly token?: string;
  /** Tokens per approver (identity → token): the answer is recorded under the identity its token belongs to. */
  readonly approvers?: Readonly<Record<string, string>>;
  readonly allowRemote?: boolean;
  /** Writes `{url, token, pid}` here (mode 0600) for `purpose-guard approvals`; removed on close. */
  readonly stateFile?: string;
  /** Called when a request starts waiting, e.g. to tell someone where to answer it. */
  readonly onRequest?: (request: ApprovalRequest) => void;
  readonly name?: string;
}

/** A pending approval as the endpoint lists it. */
export interface PendingApproval extends ApprovalRequest {
  readonly state: "pending";
}

export interface HttpApprover extends Approver {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the API lives under `/v1/approvals`. */
  readonly url: string;
  /** The shared token (empty when only per-approver tokens are accepted). */
  readonly token: string;
  pending(): readonly PendingApproval[];
  close(): Promise<void>;
}

interface Waiting {
  readonly request: ApprovalRequest;
  readonly resolve: (answer: ApprovalAnswer) => void;
}

const MAX_BODY = 16 * 1024;
const ID = /^\/v1\/approvals\/([A-Za-z0-9-]{1,64})(\/(approve|deny))?$/;

/**
 * An approval broker behind a small HTTP API, bound to loopback by default: the guard's `ask` waits here until a
 * person answers with `purpose-guard approvals approve|deny ID` (or any HTTP client), or the guard's timeout denies.
 *
 *   GET  /v1/approvals               pending requests (arguments previewed with findings redacted)
 *   GET  /v1/approvals/ID            one of them
 *   POST /v1/approvals/ID/approve    {approver?, note?, callDigest?}
 *   POST /v1/approvals/ID/deny       {approver?, note?}
 *
 * Every request needs `Authorization: Bearer TOKEN`. Requests from browsers (an `Origin` header) and, on loopback,
 * for a foreign `Host` (DNS rebinding) are refused.
 */
export async function startHttpApprover(options: HttpApproverOptions = {}): Promise<HttpApprover> {
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.allowRemote) {
    throw new GuardError("CONFIG_INVALID", `the approval endpoint would listen on \`${host}\`, off this machine`, {
      issues: [{ path: "host", message: "approvals are served on loopback unless you say otherwise", fix: "use 127.0.0.1, or set allowRemote: true behind TLS" }],
    });
  }
  const identities = new Map(Object.entries(options.approvers ?? {}).map(([identity, token]) => [token, identity]));
  for (const [token, identity] of identities) {
    if (token.length < 16) throw new GuardError("CONFIG_INVALID", `the token of approver ${identity} is shorter than 16 characters`, { issues: [{ path: `approvers.${identity}`, message: "too short to resist guessing", fix: "use at least 16 random characters" }] });
  }
  const token = options.token ?? (identities.size > 0 ? "" : randomBytes(32).toString("base64url"));
  if (options.token !== undefined && options.token.length < 16) {
    throw new GuardError("CONFIG_INVALID", "the approval token is shorter than 16 characters", { issues: [{ path: "token", message: "too short to resist guessing", fix: "use at least 16 random characters, or leave it unset for a random one" }] });
  }
  const name = options.name ?? "http";
  const waiting = new Map<string, Waiting>();
  let port = 0;

  /** The approver a token stands for: its identity, `""` for the shared token, undefined when it is not accepted. */
  function authenticate(header: string | undefined): string | undefined {
    const given = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    if (!given) return undefined;
    for (const [known, identity] of identities) if (sameSecret(given, known)) return identity;
    return token !== "" && sameSecret(given, token) ? "" : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.origin !== undefined) return send(res, 403, { error: "requests from web pages are not accepted" });
    if (loopback && !isLoopbackHost(hostOf(req.headers.host))) return send(res, 403, { error: "unexpected Host header" });
    const identity = authenticate(req.headers.authorization);
    if (identity === undefined) return send(res, 401, { error: "missing or wrong bearer token" }, { "www-authenticate": "Bearer" });
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/v1/approvals") {
      if (req.method !== "GET") return send(res, 405, { error: "use GET" }, { allow: "GET" });
      return send(res, 200, { approvals: list() });
    }
    const match = ID.exec(path);
    if (!match) return send(res, 404, { error: "not found" });
    const id = match[1]!;
    const verb = match[3] as "approve" | "deny" | undefined;
    const entry = waiting.get(id);
    if (!verb) {
      if (req.method !== "GET") return send(res, 405, { error: "use GET, or POST to /approve or /deny" }, { allow: "GET" });
      return entry ? send(res, 200, { ...entry.request, state: "pending" }) : send(res, 404, { error: `no pending approval ${id}: answered, expired or unknown` });
    }
    if (req.method !== "POST") return send(res, 405, { error: "use POST" }, { allow: "POST" });
    const body = await readJson(req);
    if (body instanceof Error) return send(res, 400, { error: body.message });
    if (!entry) return send(res, 404, { error: `no pending approval ${id}: answered, expired or unknown` });
    const claimed = typeof body["approver"] === "string" ? body["approver"].trim() : "";
    const approver = identity !== "" ? identity : claimed;
    if (approver === "") return send(res, 400, { error: "name the approver: {\"approver\": \"you@example.com\"}" });
    if (identity !== "" && claimed !== "" && claimed !== identity) return send(res, 403, { error: `this token belongs to ${identity}, not ${claimed}` });
    const callDigest = body["callDigest"];
    if (callDigest !== undefined && callDigest !== entry.request.callDigest) {
      return send(res, 409, { error: "the call digest differs: this approval is for other arguments than the ones you reviewed" });
    }
    const note = typeof body["note"] === "string" ? body["note"].slice(0, 500) : undefined;
    waiting.delete(id);
    const approved = verb === "approve";
    entry.resolve({ approved, approver, ...(note ? { note } : {}), callDigest: entry.request.callDigest });
    return send(res, 200, { approvalId: id, approved, approver });
  }

  function list(): PendingApproval[] {
    return [...waiting.values()].map((entry) => ({ ...entry.request, state: "pending" }));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: messageOf(error) }));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new GuardError("CONFIG_INVALID", `the approval endpoint cannot listen on ${host}:${options.port ?? 0}: ${messageOf(error)}`, { cause: error })));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (options.stateFile) {
    await mkdir(dirname(options.stateFile), { recursive: true });
    await writeFile(options.stateFile, `${JSON.stringify({ url, token, pid: process.pid }, null, 2)}\n`, { mode: 0o600 });
  }

  return {
    name,
    url,
    token,
    pending: list,
    request: function httpApproval(request, signal) {
      return new Promise<ApprovalAnswer>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        waiting.set(request.approvalId, { request, resolve });
        // The guard aborts at its timeout: the request leaves the list and a late answer finds nothing to approve.
        signal.addEventListener("abort", () => {
          waiting.delete(request.approvalId);
          reject(signal.reason);
        }, { once: true });
        options.onRequest?.(request);
      });
    },
    async close() {
      if (options.stateFile) await rm(options.stateFile, { force: true });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return new Error(`the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : new Error("the body must be a JSON object");
  } catch (error) {
    return new Error(`the body is not JSON: ${messageOf(error)}`);
  }
}

function hostOf(header: string | undefined): string {
  if (!header) return "";
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1);
  const colon = header.lastIndexOf(":");
  return colon === -1 ? header : header.slice(0, colon);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
