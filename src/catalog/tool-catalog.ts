import type { Declaration, ToolGrant } from "../model/declaration.js";
import { toolKey, type Intent, type ToolAnnotations, type ToolDescriptor, type Zone } from "../model/tool.js";
import type { DataClass } from "../model/data-class.js";
import { intentFromAnnotations, intentFromName, zoneFromHints } from "./intent.js";

/** Facts about a tool from the guard's configuration (beside the declaration), e.g. for tools it does not grant. */
export interface ToolConfig {
  readonly server: string;
  readonly name: string;
  readonly intent?: Intent;
  readonly zone?: Zone;
  readonly destinations?: readonly string[];
  readonly outputClasses?: readonly DataClass[];
}

export interface ToolHints {
  readonly annotations?: ToolAnnotations;
  readonly intent?: Intent;
  readonly zone?: Zone;
  readonly digest?: string;
}

export interface ToolCatalog {
  /** Resolves what the guard knows of a tool; one source of truth for intent, recorded with where it came from. */
  describe(server: string, name: string, hints?: ToolHints): ToolDescriptor;
  isDeclared(server: string, name: string): boolean;
}

/**
 * Intent precedence: the declaration's grant, then the guard's tool configuration, then the adapter's explicit
 * hint, then MCP annotations, then the tool's name; a tool nothing describes is treated as `execute`, the most
 * powerful non-egress intent, so an unknown tool is never taken for a read.
 */
export function createToolCatalog(declaration: Declaration, config: readonly ToolConfig[] = []): ToolCatalog {
  const grants = new Map<string, ToolGrant>();
  for (const grant of declaration.tools) for (const name of grant.allow) grants.set(toolKey(grant.server, name), grant);
  const configured = new Map(config.map((tool) => [toolKey(tool.server, tool.name), tool]));
  // A descriptor depends only on the tool and its hints: memoize it for the hot path (bounded). Adapters that pass
  // the same hints object for every call of a tool (the MCP proxy) are recognised by identity, with no key to build.
  const memo = new Map<string, ToolDescriptor>();
  const byHints = new WeakMap<ToolHints, ToolDescriptor>();

  function describe(server: string, name: string, hints?: ToolHints): ToolDescriptor {
    const same = hints ? byHints.get(hints) : undefined;
    if (same && same.server === server && same.name === name) return same;
    const key = toolKey(server, name);
    const memoKey = hints ? `${key}\u0000${hintsKey(hints)}` : key;
    const known = memo.get(memoKey);
    if (known) {
      if (hints && isStable(hints)) byHints.set(hints, known);
      return known;
    }
    const grant = grants.get(key);
    const tool = configured.get(key);
    const annotated = intentFromAnnotations(hints?.annotations);
    const named = intentFromName(name);
    const [intent, intentSource] = grant?.intent
      ? [grant.intent, "declaration" as const]
      : tool?.intent
        ? [tool.intent, "config" as const]
        : hints?.intent
          ? [hints.intent, "annotations" as const]
          : annotated
            ? [annotated, "annotations" as const]
            : named
              ? [named, "name" as const]
              : ["execute" as const, "default" as const];
    const zone = grant?.zone ?? tool?.zone ?? hints?.zone ?? zoneFromHints(name, hints?.annotations) ?? "internal";
    const destinations = grant?.destinations ?? tool?.destinations;
    const outputClasses = grant?.outputClasses ?? tool?.outputClasses;
    const descriptor: ToolDescriptor = {
      server,
      name,
      intent,
      intentSource,
      zone,
      ...(hints?.annotations ? { annotations: hints.annotations } : {}),
      ...(destinations ? { destinationArgs: destinations } : {}),
      ...(outputClasses ? { outputClasses } : {}),
      ...(hints?.digest ? { digest: hints.digest } : {}),
    };
    if (memo.size < 4096) memo.set(memoKey, descriptor);
    if (hints && isStable(hints)) byHints.set(hints, descriptor);
    return descriptor;
  }

  return { describe, isDeclared: (server, name) => grants.has(toolKey(server, name)) };
}

/** Hints that cannot change after this call (frozen, annotations included) can be recognised by identity. */
function isStable(hints: ToolHints): boolean {
  return Object.isFrozen(hints) && (hints.annotations === undefined || Object.isFrozen(hints.annotations));
}

/** Every field of the hints that can change a descriptor, as a short string. */
function hintsKey(hints: ToolHints): string {
  const a = hints.annotations;
  const flag = (value: boolean | undefined) => (value === undefined ? "-" : value ? "1" : "0");
  const annotations = a ? `${flag(a.readOnlyHint)}${flag(a.destructiveHint)}${flag(a.idempotentHint)}${flag(a.openWorldHint)}` : "";
  return `${hints.intent ?? ""}|${hints.zone ?? ""}|${annotations}|${hints.digest ?? ""}`;
}
