import type { DataClass } from "../model/data-class.js";
import type { Encoding, Finding } from "../model/finding.js";

type MaybePromise<T> = T | Promise<T>;

/** Where a remembered value came from. */
export interface FlowSource {
  readonly server: string;
  readonly tool: string;
  /** True for open-world tools: their values may have been written by an attacker. */
  readonly untrusted: boolean;
}

/** A value seen in an earlier result that reappears in the arguments of a later call. */
export interface FlowMatch {
  readonly class: DataClass;
  readonly source: FlowSource;
  /** Pointer into the later call's arguments. */
  readonly pointer: string;
  /** How the value was disguised there (plain, base64, hex, url, split...). */
  readonly encoding: Encoding | "split";
  /**
   * The whole argument equals a string an untrusted result listed (an element of a list: a channel's or a user's
   * name), so the argument names that record rather than carrying its text.
   */
  readonly listed?: boolean;
  /** A trusted result held the value as a whole field (a record's address), not inside text someone wrote. */
  readonly field?: boolean;
}

/**
 * Per-session memory of sensitive values that results carried, kept as salted hashes of normalized forms. Methods
 * may be async so a shared store (Redis) can serve several proxy replicas.
 */
export interface FlowStore {
  remember(sessionId: string, value: unknown, findings: readonly Finding[], source: FlowSource): MaybePromise<void>;
  match(sessionId: string, args: unknown, findings: readonly Finding[]): MaybePromise<readonly FlowMatch[]>;
  forget(sessionId: string): MaybePromise<void>;
  /**
   * Optional: values the user typed in this turn (`ToolCall.userValues`). A remembered untrusted value equal to one of
   * them is trusted from then on: the user, not the attacker, chose it.
   */
  trust?(sessionId: string, values: readonly string[]): MaybePromise<void>;
  /**
   * Optional: how many values that trusted results carried the session's memory has forgotten for lack of room (0
   * when none). A flow of a forgotten value goes unseen, so the guard tells policies (`context.flows.forgotten`).
   */
  forgotten?(sessionId: string): MaybePromise<number>;
}
