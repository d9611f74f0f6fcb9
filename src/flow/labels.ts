import type { DataClass } from "../model/data-class.js";
import { toolKey } from "../model/tool.js";
import type { FlowMatch } from "./flow-store.js";
import { PHRASE_CLASS } from "./phrases.js";

/** The `flows` record of the policy context (`context.flows` in policies/schema.cedarschema). */
export interface FlowLabels {
  readonly classes: readonly DataClass[];
  readonly sources: readonly string[];
  readonly untrusted: boolean;
}

/**
 * Classes remembered only because an untrusted tool returned them: a URL, a phrase an untrusted result dictated
 * (`text.phrase`). They are no data of their own.
 */
export const PROVENANCE_ONLY: ReadonlySet<DataClass> = new Set<DataClass>(["network.url", PHRASE_CLASS]);

/**
 * Turns a store's matches into the call's flow labels: the data classes that flow (provenance-only markers such as
 * URLs from open-world tools excluded), the `server/tool` keys they came from, and whether an untrusted source shapes
 * the call.
 */
export function flowLabels(matches: readonly FlowMatch[]): FlowLabels {
  const classes: DataClass[] = [];
  const sources: string[] = [];
  let untrusted = false;
  for (const match of matches) {
    if (!PROVENANCE_ONLY.has(match.class) && !classes.includes(match.class)) classes.push(match.class);
    const key = toolKey(match.source.server, match.source.tool);
    if (!sources.includes(key)) sources.push(key);
    if (match.source.untrusted) untrusted = true;
  }
  return { classes, sources, untrusted };
}
