import { createHash } from "node:crypto";
import type { AuthorizationRequest, EngineDecision, PolicyEngine } from "./engine.js";

/** A policy written as a TypeScript function: the "custom DSL" hook. It sees the same request Cedar sees. */
export type PolicyFunction = (request: AuthorizationRequest) => EngineDecision | Promise<EngineDecision>;

export interface FunctionEngineOptions {
  readonly name?: string;
  /** Recorded in every verdict; defaults to a digest of the function's source. */
  readonly revision?: string;
}

/**
 * Wraps a function as a `PolicyEngine`. The function must handle `context.approvals` itself: the guard re-decides an
 * approved call with the approving policies' ids there, and an `ask` rule should then stand aside.
 */
export function createFunctionEngine(decide: PolicyFunction, options: FunctionEngineOptions = {}): PolicyEngine {
  const revision = options.revision ?? createHash("sha256").update(decide.toString()).digest("hex").slice(0, 12);
  return {
    name: options.name ?? "function",
    revision,
    authorize: (request) => decide(request),
  };
}
