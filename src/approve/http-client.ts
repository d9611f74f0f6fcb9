import { readFile } from "node:fs/promises";
import { GuardError, messageOf } from "../errors.js";
import type { PendingApproval } from "./http-approver.js";

/** Where an HTTP approval endpoint is and how to authenticate to it (what `stateFile` holds). */
export interface ApprovalEndpoint {
  readonly url: string;
  readonly token: string;
}

export interface ApprovalDecision {
  readonly approved: boolean;
  readonly approver?: string;
  readonly note?: string;
  /** The digest of the call as the person reviewed it: the endpoint refuses the answer if the request differs. */
  readonly callDigest?: string;
}

export interface ApprovalClient {
  list(): Promise<PendingApproval[]>;
  get(id: string): Promise<PendingApproval | undefined>;
  answer(id: string, decision: ApprovalDecision): Promise<{ approvalId: string; approved: boolean; approver: string }>;
}

/** A client of `startHttpApprover`'s API, used by `purpose-guard approvals` and by programs that answer approvals. */
export function createApprovalClient(endpoint: ApprovalEndpoint): ApprovalClient {
  const base = endpoint.url.replace(/\/+$/, "");
  async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoint.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new GuardError("APPROVAL_FAILED", `cannot reach the approval endpoint ${base}: ${messageOf(error)}`, {
        issues: [{ message: messageOf(error), fix: "is the guard running with an HTTP approver? check --url or the state file" }],
      });
    }
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { error: text.slice(0, 200) };
    }
    if (response.status === 401) throw new GuardError("APPROVAL_FAILED", "the approval endpoint refused the token", { issues: [{ message: String(json["error"] ?? "unauthorized"), fix: "pass the token of this guard (--token-env VAR, or its state file)" }] });
    return { status: response.status, json };
  }
  return {
    async list() {
      const { status, json } = await call("GET", "/v1/approvals");
      if (status !== 200) throw failed(status, json);
      return (json["approvals"] as PendingApproval[] | undefined) ?? [];
    },
    async get(id) {
      const { status, json } = await call("GET", `/v1/approvals/${encodeURIComponent(id)}`);
      if (status === 404) return undefined;
      if (status !== 200) throw failed(status, json);
      return json as unknown as PendingApproval;
    },
    async answer(id, decision) {
      const { approved, ...body } = decision;
      const { status, json } = await call("POST", `/v1/approvals/${encodeURIComponent(id)}/${approved ? "approve" : "deny"}`, body);
      if (status !== 200) throw failed(status, json);
      return json as { approvalId: string; approved: boolean; approver: string };
    },
  };
}

/** Reads the state file an HTTP approver wrote (`{url, token}`). */
export async function readApprovalEndpoint(file: string): Promise<ApprovalEndpoint> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new GuardError("APPROVAL_FAILED", `cannot read the approval endpoint from ${file}: ${messageOf(error)}`, {
      issues: [{ file, message: messageOf(error), fix: "start the guard with an HTTP approver and a stateFile, or pass --url and --token-env" }],
    });
  }
  const record = value as Partial<ApprovalEndpoint> | null;
  if (typeof record?.url !== "string" || typeof record.token !== "string") {
    throw new GuardError("APPROVAL_FAILED", `${file} does not describe an approval endpoint`, { issues: [{ file, message: "expected {url, token}", fix: "pass --url and --token-env" }] });
  }
  return { url: record.url, token: record.token };
}

function failed(status: number, json: Record<string, unknown>): GuardError {
  const error = typeof json["error"] === "string" ? json["error"] : `HTTP ${status}`;
  return new GuardError("APPROVAL_FAILED", error, { issues: [{ message: `the approval endpoint answered ${status}: ${error}` }] });
}
