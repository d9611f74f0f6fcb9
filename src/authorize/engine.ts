import type { DataClass } from "../model/data-class.js";
import type { LoadedDeclaration } from "../model/declaration.js";
import type { ToolDescriptor } from "../model/tool.js";
import type { Response } from "../model/verdict.js";

/** The moments the guard decides at. */
export type Action = "start" | "call_tool" | "receive_result";

/** Where the workload actually runs (the environment binding); unset fields are unknown. */
export interface RuntimeBounds {
  readonly environment?: string;
  readonly region?: string;
  readonly account?: string;
  readonly tenant?: string;
}

/** Counts per top-level class family; classes of families the guard does not know count under `other`. */
export interface FamilyCounts {
  readonly pii: number;
  readonly financial: number;
  readonly secret: number;
  readonly health: number;
  readonly network: number;
  readonly commerce: number;
  readonly tenant: number;
  readonly other: number;
}

/** The rungs of the containment ladder a session has reached (remediation is recorded beside it). */
export type ContainmentLevel = "none" | "alert" | "block" | "halt";

/**
 * Per-session state the monitor keeps; policies may compare it with limits. The fields after `distinctTools` are
 * optional here (the guard's monitor always fills them; a policy engine sees their empty values when absent).
 */
export interface SessionCounters {
  readonly calls: number;
  readonly callsLastMinute: number;
  readonly denials: number;
  /** Records read, counting the result under decision on `receive_result`. */
  readonly recordsRead: number;
  readonly bytesRead: number;
  readonly distinctTools: number;
  /** Denials (deny, halt, unresolved ask) among the session's most recent decisions (default: the last 20). */
  readonly recentDenials?: number;
  /** Records whose values carried a class of each family. */
  readonly recordsByFamily?: FamilyCounts;
  /** Bytes of classified values read, per family. */
  readonly bytesByFamily?: FamilyCounts;
  /** Classes that results delivered to the agent carried. */
  readonly classesRead?: readonly DataClass[];
  /** Their top-level families (`secret` for `secret.aws_key`). */
  readonly familiesRead?: readonly string[];
  /** Classes that flowed from earlier results into later arguments. */
  readonly flowClasses?: readonly DataClass[];
  /** The intents of the session's recent calls, oldest first, space-separated (`read read egress`). */
  readonly intentSequence?: string;
  /** Approvals a person granted in this session that are still valid. */
  readonly approvalsGranted?: number;
  /** Decisions of this session that raised an alert. */
  readonly alerts?: number;
  readonly containment?: ContainmentLevel;
  /** Ids of the drift rules that fire for the decision at hand. */
  readonly drift?: readonly string[];
}

/**
 * Everything a policy may look at besides the principal (the declaration) and the resource (the tool). Set-valued
 * facts that need the declaration's dotted-class or glob semantics are computed before the engine sees them.
 */
export interface DecisionContext {
  /** Seconds since the epoch. */
  readonly now: number;
  readonly runtime: RuntimeBounds;
  /** Classes found in the value under decision (arguments for `call_tool`, the result for `receive_result`). */
  readonly classes: readonly DataClass[];
  readonly classesOutsideReadScope: readonly DataClass[];
  readonly classesOutsideWriteScope: readonly DataClass[];
  /** Tenant ids of `tenant:<id>` classes found, other than the declaration's tenant. */
  readonly foreignTenants: readonly string[];
  readonly flows: {
    readonly classes: readonly DataClass[];
    /** `server/tool` keys of the results the values came from. */
    readonly sources: readonly string[];
    /** True when a value from an open-world tool shapes this call. */
    readonly untrusted: boolean;
    /** True when such a value decides where the call sends something: it sits in a destination argument. */
    readonly untrustedDestination: boolean;
    /**
     * True when an argument's whole text (a phrase of four words or more) is a run of words that untrusted content
     * held and neither the user nor a trusted result stated: that content dictates what the call writes.
     */
    readonly dictated: boolean;
    /**
     * True when the session's flow memory has forgotten values that trusted results carried (it read more than it
     * keeps): their flows can no longer be seen, so a policy can fail closed.
     */
    readonly forgotten: boolean;
  };
  /**
   * True when the tool names its destination arguments and every destination this call has is stated verbatim in
   * the user's own request (the hotel the user asked to book): the user, not a tool result, chose where it goes.
   */
  readonly userNamedDestination: boolean;
  readonly egress: {
    /** Where an egress tool sends data: addresses, hosts, or the values of its destination arguments. */
    readonly destinations: readonly string[];
    /** The destinations that `egress.allow` does not match. */
    readonly outsideAllow: readonly string[];
    /**
     * True when an egress or open-world call's destination cannot be determined: none was found, and the call does
     * not simply leave out every destination argument the declaration names (which keeps the destination it had).
     */
    readonly undetermined: boolean;
  };
  /** Ids of `ask` policies a person approved for this exact call. */
  readonly approvals: readonly string[];
  readonly session: SessionCounters;
}

export interface AuthorizationRequest {
  readonly action: Action;
  readonly declaration: LoadedDeclaration;
  /** Absent for `start`. */
  readonly tool?: ToolDescriptor;
  readonly context: DecisionContext;
}

/** A policy that determined the decision. */
export interface DeterminingPolicy {
  readonly id: string;
  readonly effect: "permit" | "forbid";
  /** From `@response`; forbids without one deny. Permits have none. */
  readonly response?: Response;
  /** From `@reason`, or a sentence made from the id. */
  readonly reason: string;
  /** For `redact` forbids: the classes to remove (`@redact`); default, the classes outside the scope. */
  readonly redactClasses?: readonly string[];
  /** Remediations to run when the policy decides (`@remediate`). */
  readonly remediate?: readonly string[];
}

export interface EngineDecision {
  readonly decision: "allow" | "deny";
  /** For allow, the permits that matched; for deny, the forbids that matched (empty on a default deny). */
  readonly determining: readonly DeterminingPolicy[];
  /** Evaluation errors. The guard denies whenever this is non-empty, even if the engine allowed. */
  readonly errors: readonly string[];
}

/**
 * Decides one request. Implementations compile their policies at construction and throw a `GuardError` there for
 * invalid ones; at decision time, they may throw (the guard turns a throw into a deny with the error recorded).
 */
export interface PolicyEngine {
  readonly name: string;
  /** Short digest of the policy set in force, recorded in every verdict. */
  readonly revision: string;
  authorize(request: AuthorizationRequest): EngineDecision | Promise<EngineDecision>;
  close?(): void;
}
