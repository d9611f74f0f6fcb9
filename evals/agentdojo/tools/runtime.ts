import type { Json, JsonObject } from "../dataset.js";

/**
 * What every suite's tools share: a state, typed argument reading, and tool failures as values. The tools are our
 * own, written from the tool names, descriptions and parameter schemas of the task file and from the environment
 * data; they are deterministic (the clock is the environment's), so two runs of the same calls give the same state.
 */

/** A tool refused its input (unknown id, missing argument...). The agent sees an error result, the run goes on. */
export class ToolError extends Error {
  override readonly name = "ToolError";
}

export interface SuiteState {
  /** Everything the judge compares: the suite's world. */
  readonly data: JsonObject;
  /** Bookkeeping the judge ignores: id counters and facts fixed at start. */
  readonly meta: { next: Record<string, number>; readonly fixed: JsonObject };
}

export interface ToolContext {
  readonly state: SuiteState;
  /** Records the id of an entity the call created, so a scripted agent can refer to it later. */
  created(id: string): void;
  /** A fresh id for `kind`, continuing after the largest id the environment started with. */
  nextId(kind: string): string;
}

export type ToolFn = (args: Args, ctx: ToolContext) => Json;

export interface SuiteTools {
  readonly suite: string;
  /** Builds the state from an environment tree (already rendered with its injection vectors). */
  init(tree: JsonObject): SuiteState;
  readonly tools: Readonly<Record<string, ToolFn>>;
}

export interface ToolOutcome {
  readonly ok: boolean;
  /** The result on success; `{ error }` on failure. */
  readonly value: Json;
  /** Ids of entities the call created. */
  readonly created: readonly string[];
}

/** Runs one tool call on a state, turning a `ToolError` into an error outcome. Other throws are bugs and propagate. */
export function invoke(suite: SuiteTools, state: SuiteState, tool: string, rawArgs: unknown): ToolOutcome {
  const fn = suite.tools[tool];
  const created: string[] = [];
  if (!fn) return { ok: false, value: { error: `unknown tool \`${tool}\`` }, created };
  const ctx: ToolContext = {
    state,
    created: (id) => created.push(id),
    nextId: (kind) => {
      const next = state.meta.next[kind] ?? 0;
      state.meta.next[kind] = next + 1;
      return String(next);
    },
  };
  try {
    return { ok: true, value: fn(new Args(tool, rawArgs), ctx), created };
  } catch (error) {
    if (error instanceof ToolError) return { ok: false, value: { error: error.message }, created };
    throw error;
  }
}

/** Typed access to a call's arguments; every complaint names the tool and the argument. */
export class Args {
  private readonly values: Readonly<Record<string, unknown>>;

  constructor(
    private readonly tool: string,
    raw: unknown,
  ) {
    if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
      throw new ToolError(`${tool}: arguments must be an object`);
    }
    this.values = (raw ?? {}) as Record<string, unknown>;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== null;
  }

  string(name: string): string {
    const value = this.values[name];
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    throw this.wrong(name, "a string");
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  number(name: string): number {
    const value = this.values[name];
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    throw this.wrong(name, "a number");
  }

  optionalNumber(name: string): number | undefined {
    return this.has(name) ? this.number(name) : undefined;
  }

  boolean(name: string): boolean {
    const value = this.values[name];
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    throw this.wrong(name, "a boolean");
  }

  optionalBoolean(name: string): boolean | undefined {
    return this.has(name) ? this.boolean(name) : undefined;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    if (typeof value === "string") return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return [...(value as string[])];
    throw this.wrong(name, "a list of strings");
  }

  optionalStrings(name: string): string[] | undefined {
    return this.has(name) ? this.strings(name) : undefined;
  }

  objects(name: string): JsonObject[] {
    const value = this.values[name];
    if (Array.isArray(value) && value.every((item) => typeof item === "object" && item !== null && !Array.isArray(item))) {
      return value as JsonObject[];
    }
    throw this.wrong(name, "a list of objects");
  }

  private wrong(name: string, expected: string): ToolError {
    return this.values[name] === undefined || this.values[name] === null
      ? new ToolError(`${this.tool}: missing argument \`${name}\` (${expected})`)
      : new ToolError(`${this.tool}: argument \`${name}\` must be ${expected}`);
  }
}

/** The largest numeric id of a list of records, so new ids continue after the environment's own. */
export function maxId(items: readonly Json[], field = "id"): number {
  let max = -1;
  for (const item of items) {
    if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      const id = Number((item as JsonObject)[field]);
      if (Number.isInteger(id) && id > max) max = id;
    }
  }
  return max;
}

export function asObject(value: Json | undefined, what: string): JsonObject {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
  throw new Error(`environment: ${what} must be a mapping`);
}

export function asArray(value: Json | undefined, what: string): Json[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return [];
  throw new Error(`environment: ${what} must be a list`);
}

export function str(value: Json | undefined, fallback = ""): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return fallback;
}

/** Case-insensitive containment, the way a search box behaves. */
export function includesFold(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

/** `YYYY-MM-DD HH:MM` (or with a `T`) to the environment's stored form `YYYY-MM-DDTHH:MM`. */
export function parseDateTime(tool: string, name: string, value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::\d{2})?$/.exec(value.trim());
  if (!match) throw new ToolError(`${tool}: \`${name}\` must be in the format YYYY-MM-DD HH:MM, got \`${value}\``);
  return `${match[1]}T${match[2]}`;
}

export function parseDate(tool: string, name: string, value: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})$/.exec(value.trim());
  if (!match) throw new ToolError(`${tool}: \`${name}\` must be in the format YYYY-MM-DD, got \`${value}\``);
  return match[1]!;
}
