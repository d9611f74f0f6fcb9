import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { PolicyJson } from "./compile.js";

/** What Cedar would answer for a residual set, when the evaluator could decide it without an error. */
export interface ResidualAnswer {
  readonly decision: "allow" | "deny";
  /** The satisfied forbids of a deny, or the satisfied permits of an allow (Cedar's `diagnostics.reason`). */
  readonly reason: readonly string[];
}

/** Decides a request from its (pruned) Cedar context, or returns undefined when Cedar itself must decide. */
export type ResidualEvaluator = (context: Readonly<Record<string, cedar.CedarValueJson>>) => ResidualAnswer | undefined;

/**
 * Residuals of a specialized set are mostly tests on the context: `!context.classesOutsideReadScope.isEmpty()`,
 * `context.now < 1798070400`. Crossing into WASM to evaluate them costs more than the rest of a decision (the input
 * is serialized to JSON, parsed, checked and the answer serialized back), so a set made only of the operators below
 * is evaluated here, with Cedar's semantics for well-typed values. Whatever could make Cedar report an error (a
 * missing attribute, a value of another type, an integer JavaScript cannot hold exactly) or use an operator not
 * listed makes the evaluator give up, and Cedar evaluates the request: the answer is always Cedar's. A property
 * test compares the two over random requests.
 */
export function residualEvaluator(residuals: Readonly<Record<string, PolicyJson>>): ResidualEvaluator | undefined {
  const policies: { readonly id: string; readonly forbid: boolean; readonly conditions: PolicyJson["conditions"] }[] = [];
  for (const [id, policy] of Object.entries(residuals)) {
    if (!allScopes(policy) || !policy.conditions.every((clause) => supported(clause.body))) return undefined;
    policies.push({ id, forbid: policy.effect === "forbid", conditions: policy.conditions });
  }
  // Cedar reports its reasons as a set; in id order here, like the order outcomes cite them in.
  policies.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return function evaluateResiduals(context) {
    const forbids: string[] = [];
    const permits: string[] = [];
    for (const policy of policies) {
      let satisfied = true;
      for (const clause of policy.conditions) {
        const value = evaluate(clause.body, context);
        if (typeof value !== "boolean") return undefined;
        if (value !== (clause.kind === "when")) {
          satisfied = false;
          break;
        }
      }
      if (satisfied) (policy.forbid ? forbids : permits).push(policy.id);
    }
    if (forbids.length > 0) return { decision: "deny", reason: forbids };
    return { decision: permits.length > 0 ? "allow" : "deny", reason: permits };
  };
}

type Expr = Record<string, unknown>;
type Value = cedar.CedarValueJson | undefined;

/** Stands for "Cedar must decide": a value no Cedar expression evaluates to. */
const GIVE_UP = undefined;

const BINARY = new Set(["&&", "||", "==", "!=", "<", "<=", ">", ">=", "contains", "containsAll", "containsAny"]);

function allScopes(policy: PolicyJson): boolean {
  return policy.principal.op === "All" && policy.action.op === "All" && policy.resource.op === "All";
}

/** Whether every node of the expression is one this evaluator knows; checked once, when the plan is made. */
function supported(node: unknown): boolean {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return false;
  const keys = Object.keys(node);
  if (keys.length !== 1) return false;
  const op = keys[0]!;
  const body = (node as Expr)[op];
  if (op === "Value") return typeof body === "boolean" || typeof body === "string" || (typeof body === "number" && Number.isSafeInteger(body));
  if (op === "Var") return body === "context";
  if (body === null || typeof body !== "object") return false;
  const operands = body as Expr;
  if (op === "." || op === "has") return typeof operands["attr"] === "string" && supported(operands["left"]);
  if (op === "!" || op === "isEmpty") return supported(operands["arg"]);
  if (BINARY.has(op)) return supported(operands["left"]) && supported(operands["right"]);
  return false;
}

function evaluate(node: unknown, context: Readonly<Record<string, cedar.CedarValueJson>>): Value {
  const expr = node as Expr;
  for (const op in expr) {
    const body = expr[op] as Expr;
    switch (op) {
      case "Value":
        return body as unknown as cedar.CedarValueJson;
      case "Var":
        return context as cedar.CedarValueJson;
      case ".": {
        const record = evaluate(body["left"], context);
        if (!isRecord(record) || !Object.hasOwn(record, body["attr"] as string)) return GIVE_UP;
        return (record as Record<string, cedar.CedarValueJson>)[body["attr"] as string];
      }
      case "has": {
        const record = evaluate(body["left"], context);
        return isRecord(record) ? Object.hasOwn(record, body["attr"] as string) : GIVE_UP;
      }
      case "!": {
        const value = evaluate(body["arg"], context);
        return typeof value === "boolean" ? !value : GIVE_UP;
      }
      case "isEmpty": {
        const set = evaluate(body["arg"], context);
        return isPrimitiveSet(set) ? set.length === 0 : GIVE_UP;
      }
      case "&&":
      case "||": {
        const left = evaluate(body["left"], context);
        if (typeof left !== "boolean") return GIVE_UP;
        // Cedar does not evaluate the right side once the left decides.
        if (left === (op === "||")) return left;
        const right = evaluate(body["right"], context);
        return typeof right === "boolean" ? right : GIVE_UP;
      }
      default:
        return binary(op, evaluate(body["left"], context), evaluate(body["right"], context));
    }
  }
  return GIVE_UP;
}

function binary(op: string, left: Value, right: Value): Value {
  switch (op) {
    case "==":
    case "!=":
      // Equality of two scalars; values of different types are unequal in Cedar, as with ===.
      if (!isScalar(left) || !isScalar(right)) return GIVE_UP;
      return (left === right) === (op === "==");
    case "<":
      return isLong(left) && isLong(right) ? left < right : GIVE_UP;
    case "<=":
      return isLong(left) && isLong(right) ? left <= right : GIVE_UP;
    case ">":
      return isLong(left) && isLong(right) ? left > right : GIVE_UP;
    case ">=":
      return isLong(left) && isLong(right) ? left >= right : GIVE_UP;
    case "contains":
      return isPrimitiveSet(left) && isScalar(right) ? left.includes(right) : GIVE_UP;
    case "containsAll":
      return isPrimitiveSet(left) && isPrimitiveSet(right) ? right.every((item) => left.includes(item)) : GIVE_UP;
    case "containsAny":
      return isPrimitiveSet(left) && isPrimitiveSet(right) ? right.some((item) => left.includes(item)) : GIVE_UP;
    default:
      return GIVE_UP;
  }
}

function isRecord(value: Value): value is Record<string, cedar.CedarValueJson> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !("__entity" in value) && !("__extn" in value);
}

function isLong(value: Value): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

function isScalar(value: Value): value is string | number | boolean {
  return typeof value === "string" || typeof value === "boolean" || isLong(value);
}

function isPrimitiveSet(value: Value): value is (string | number | boolean)[] {
  return Array.isArray(value) && value.every(isScalar);
}
