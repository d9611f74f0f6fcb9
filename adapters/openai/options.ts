import type { Approver } from "../../src/index.js";
import type { ToolMap } from "../common/tool-names.js";

/** Options of both OpenAI entry points. */
export interface OpenAIGuardOptions<Context = unknown> {
  /**
   * Function name → declaration server (`"crm"`), or `{server, name?, intent?, zone?}`. Unlisted functions take the
   * server of the one declaration grant that allows their name.
   */
  readonly tools?: ToolMap;
  /** Server for functions that neither `tools` nor the declaration names (the guard denies them); default `openai`. */
  readonly server?: string;
  /** Resolves `ask` verdicts; default: the guard's configured approver. */
  readonly approver?: Approver;
  /**
   * The guard session of a call (flow memory, budgets, halts). Default: one session per `runTools` runner, or per
   * `guardResponsesFunctions` helper (one conversation loop).
   */
  readonly sessionId?: string | ((context: Context) => string | undefined);
  /** Labels for every decision's trace (tenant, user): short strings, never payloads. */
  readonly labels?: Readonly<Record<string, string>> | ((context: Context) => Readonly<Record<string, string>> | undefined);
}

export function optionOf<T, Context>(option: T | ((context: Context) => T | undefined) | undefined, context: Context): T | undefined {
  return typeof option === "function" ? (option as (context: Context) => T | undefined)(context) : option;
}
