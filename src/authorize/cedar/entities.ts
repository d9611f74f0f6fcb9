import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { LoadedDeclaration } from "../../model/declaration.js";
import { toolKey, type ToolDescriptor } from "../../model/tool.js";
import type { DecisionContext } from "../engine.js";
import { familiesOf, sessionAttributes } from "../session-attributes.js";

export type EntityJson = cedar.EntityJson;
export type EntityUid = { type: string; id: string };

export const RUNTIME_UID: EntityUid = { type: "Runtime", id: "runtime" };

export function agentUid(loaded: LoadedDeclaration): EntityUid {
  return { type: "Agent", id: loaded.declaration.id };
}

export function toolUid(tool: ToolDescriptor): EntityUid {
  return { type: "Tool", id: toolKey(tool.server, tool.name) };
}

/** The principal: the agent as its declaration describes it. */
export function agentEntity(loaded: LoadedDeclaration): EntityJson {
  const d = loaded.declaration;
  const budgets: Record<string, number> = {};
  for (const [key, value] of Object.entries(d.budgets ?? {})) if (typeof value === "number") budgets[key] = value;
  const attrs: Record<string, cedar.CedarValueJson> = {
    declaration: d.id,
    version: d.version,
    agent: d.agent,
    use: d.use.id,
    environment: d.bounds.environment,
    readScope: [...d.dataScope.read],
    writeScope: [...d.dataScope.write],
    readOnly: d.dataScope.write.length === 0,
    tools: d.tools.flatMap((grant) => grant.allow.map((name) => toolKey(grant.server, name))),
    issuedAt: Math.floor(loaded.issuedAtMs / 1000),
    expiresAt: Math.floor(loaded.expiresAtMs / 1000),
    signed: loaded.signatureVerified,
    budgets,
  };
  for (const key of ["region", "account", "tenant"] as const) {
    const value = d.bounds[key];
    if (value !== undefined) attrs[key] = value;
  }
  return { uid: agentUid(loaded), attrs, parents: [] };
}

export function toolEntity(tool: ToolDescriptor): EntityJson {
  return {
    uid: toolUid(tool),
    attrs: {
      key: toolKey(tool.server, tool.name),
      server: tool.server,
      name: tool.name,
      intent: tool.intent,
      intentSource: tool.intentSource,
      zone: tool.zone,
    },
    parents: [],
  };
}

export function runtimeEntity(): EntityJson {
  return { uid: RUNTIME_UID, attrs: {}, parents: [] };
}

/**
 * The request context in Cedar JSON. Runtime bounds are always present ("" = unknown) rather than optional: an
 * optional attribute would make `context has region` true during partial evaluation, where every attribute is an
 * unknown placeholder, so specialized policies could disagree with the full evaluation.
 */
export function cedarContext(context: DecisionContext): Record<string, cedar.CedarValueJson> {
  const out: Record<string, cedar.CedarValueJson> = {};
  for (const attribute of CONTEXT_ATTRIBUTES) out[attribute] = contextAttribute(context, attribute);
  return out;
}

/** The names of the context's top-level attributes: the unknowns of partial evaluation. */
export const CONTEXT_ATTRIBUTES = [
  "now", "environment", "region", "account", "tenant", "classes", "families", "classesOutsideReadScope", "classesOutsideWriteScope",
  "foreignTenants", "flows", "egress", "userNamedDestination", "approvals", "session",
] as const;

export type ContextAttribute = (typeof CONTEXT_ATTRIBUTES)[number];

/** One attribute of the request context in Cedar JSON, built alone (a specialized set reads only a few). */
export function contextAttribute(context: DecisionContext, attribute: ContextAttribute): cedar.CedarValueJson {
  switch (attribute) {
    case "now":
      return context.now;
    case "environment":
    case "region":
    case "account":
    case "tenant":
      return context.runtime[attribute] ?? "";
    case "classes":
      return context.classes as string[];
    case "families":
      return familiesOf(context.classes, context.flows.classes);
    case "classesOutsideReadScope":
      return context.classesOutsideReadScope as string[];
    case "classesOutsideWriteScope":
      return context.classesOutsideWriteScope as string[];
    case "foreignTenants":
      return context.foreignTenants as string[];
    case "flows":
      return { classes: context.flows.classes as string[], sources: context.flows.sources as string[], untrusted: context.flows.untrusted, untrustedDestination: context.flows.untrustedDestination, dictated: context.flows.dictated, forgotten: context.flows.forgotten };
    case "userNamedDestination":
      return context.userNamedDestination;
    case "egress":
      return { destinations: context.egress.destinations as string[], outsideAllow: context.egress.outsideAllow as string[], undetermined: context.egress.undetermined };
    case "approvals":
      return context.approvals as string[];
    case "session":
      return sessionAttributes(context.session) as unknown as Record<string, cedar.CedarValueJson>;
  }
}
