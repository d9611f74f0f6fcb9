import { classesOutside, tenantOf, type DataClass } from "../model/data-class.js";
import type { Declaration } from "../model/declaration.js";
import type { ToolDescriptor } from "../model/tool.js";
import type { FlowMatch } from "../flow/flow-store.js";
import type { DecisionContext, RuntimeBounds, SessionCounters } from "./engine.js";
import { DESTINATION_KEYS, egressDestinations, keepsDestination } from "./egress.js";
import { flowLabels } from "../flow/labels.js";

export const NO_FLOWS: DecisionContext["flows"] = { classes: [], sources: [], untrusted: false, untrustedDestination: false };
export const NO_EGRESS: DecisionContext["egress"] = { destinations: [], outsideAllow: [], undetermined: false };

export interface ContextInput {
  readonly nowMs: number;
  readonly runtime: RuntimeBounds;
  readonly declaration: Declaration;
  readonly classes: readonly DataClass[];
  readonly session: SessionCounters;
  readonly approvals?: readonly string[];
  /** For calls: the tool, its arguments and the flows found in them. */
  readonly call?: {
    readonly tool: ToolDescriptor;
    readonly args: unknown;
    readonly flows: readonly FlowMatch[];
    readonly allowsDestination: (destination: string) => boolean;
  };
}

/**
 * Builds the facts a policy sees. The declaration's dotted-class and glob semantics are applied here, once, so that
 * policies compare plain sets: `classesOutsideReadScope`, `egress.outsideAllow`, `foreignTenants`.
 */
export function decisionContext(input: ContextInput): DecisionContext {
  const { declaration, classes, call } = input;
  const tenant = declaration.bounds.tenant;
  const foreignTenants = tenant === undefined ? [] : unique(classes.flatMap((cls) => {
    const id = tenantOf(cls);
    return id !== undefined && id !== tenant ? [id] : [];
  }));
  return {
    now: Math.floor(input.nowMs / 1000),
    runtime: input.runtime,
    classes,
    classesOutsideReadScope: classesOutside(declaration.dataScope.read, classes),
    classesOutsideWriteScope: classesOutside(declaration.dataScope.write, classes),
    foreignTenants,
    flows: call && call.flows.length > 0 ? flowsOf(call.flows, call.tool) : NO_FLOWS,
    egress: call ? egressOf(call.tool, call.args, call.allowsDestination) : NO_EGRESS,
    approvals: input.approvals ?? [],
    session: input.session,
  };
}

function flowsOf(matches: readonly FlowMatch[], tool: ToolDescriptor): DecisionContext["flows"] {
  // Provenance-only markers (a URL an open-world tool returned) count for `untrusted`, not as flowing data classes.
  const labels = flowLabels(matches);
  return { ...labels, untrustedDestination: labels.untrusted && matches.some((match) => match.source.untrusted && decidesDestination(match, tool)) };
}

/**
 * Whether a remembered value sits where the call's destination is: in an argument the declaration names as a
 * destination (or, when it names none, one with a destination-like name), or, for a tool that sends data out and
 * names no destination arguments, anywhere an address or link would be taken as the destination.
 */
function decidesDestination(match: FlowMatch, tool: ToolDescriptor): boolean {
  if (match.encoding === "split") return false;
  const keys = tool.destinationArgs ? new Set(tool.destinationArgs) : DESTINATION_KEYS;
  const segments = match.pointer.split("/").slice(1).map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (segments.some((segment) => keys.has(segment))) return true;
  const sendsOut = tool.intent === "egress" || tool.zone === "open-world";
  return sendsOut && !tool.destinationArgs && (match.class === "pii.email" || match.class === "network.url");
}

/** Egress tools and open-world tools send their arguments out of the organization: both have destinations. */
function egressOf(tool: ToolDescriptor, args: unknown, allows: (destination: string) => boolean): DecisionContext["egress"] {
  if (tool.intent !== "egress" && tool.zone !== "open-world") return NO_EGRESS;
  const destinations = egressDestinations(tool, args);
  return {
    destinations,
    outsideAllow: destinations.filter((destination) => !allows(destination)),
    undetermined: destinations.length === 0 && !keepsDestination(tool, args),
  };
}

export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
