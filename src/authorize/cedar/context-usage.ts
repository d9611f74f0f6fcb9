import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { PolicyJson } from "./compile.js";

/**
 * Which parts of the context a (residual) policy set reads, and how it reads `now`. Cedar's cost grows with every
 * context attribute it is sent (a few µs each, measured), and a cache key over unread attributes would never hit,
 * so the engine sends and keys only what the policies read.
 */
export interface ContextUsage {
  /** Top-level attribute → the nested fields read (`session` → {calls}), or "all" when the record is read whole. */
  readonly attributes: ReadonlyMap<string, ReadonlySet<string> | "all">;
  /** True when the policies use `context` in a way this analysis cannot narrow: send everything. */
  readonly everything: boolean;
  /**
   * When `now` is only ever compared with constants, those constants: a decision then depends only on which side
   * of each it falls, so the cache can key on that instead of the second. Undefined when `now` is used otherwise.
   */
  readonly nowThresholds?: readonly number[];
}

const COMPARISONS = new Set(["<", "<=", ">", ">=", "==", "!="]);

export function contextUsage(policies: Iterable<PolicyJson>): ContextUsage {
  const attributes = new Map<string, Set<string> | "all">();
  const thresholds = new Set<number>();
  let everything = false;
  let nowOpaque = false;

  const use = (attr: string, field?: string) => {
    const known = attributes.get(attr);
    if (known === "all") return;
    if (field === undefined) attributes.set(attr, "all");
    else attributes.set(attr, (known ?? new Set()).add(field));
  };

  /** `context.X` → "X"; anything else → undefined. */
  const contextAttr = (node: unknown): string | undefined => {
    const access = (node as { ".": { left: unknown; attr: string } } | null)?.["."];
    return access && isContextVar(access.left) ? access.attr : undefined;
  };

  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (isContextVar(record)) {
      everything = true;
      return;
    }
    const [op] = Object.keys(record);
    const body = op === undefined ? undefined : (record[op] as Record<string, unknown> | undefined);
    if ((op === "." || op === "has") && body) {
      const left = body["left"];
      const attr = body["attr"] as string;
      if (isContextVar(left)) {
        use(attr);
        if (attr === "now" && op === ".") nowOpaque = true;
        return;
      }
      const outer = contextAttr(left);
      if (outer !== undefined) {
        use(outer, attr);
        return;
      }
    }
    if (op !== undefined && COMPARISONS.has(op) && body) {
      const [left, right] = [body["left"], body["right"]];
      const constant = (side: unknown) => (side as { Value?: unknown } | null)?.Value;
      if (contextAttr(left) === "now" && typeof constant(right) === "number") {
        use("now");
        thresholds.add(constant(right) as number);
        return;
      }
      if (contextAttr(right) === "now" && typeof constant(left) === "number") {
        use("now");
        thresholds.add(constant(left) as number);
        return;
      }
    }
    for (const value of Object.values(record)) visit(value);
  };

  for (const policy of policies) for (const clause of policy.conditions) visit(clause.body as cedar.Expr);
  return {
    attributes,
    everything,
    ...(nowOpaque || everything ? {} : { nowThresholds: [...thresholds].sort((a, b) => a - b) }),
  };
}

function isContextVar(node: unknown): boolean {
  return (node as { Var?: unknown } | null)?.Var === "context";
}
