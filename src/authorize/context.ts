import { classesOutside, sameTenant, tenantOf, type DataClass } from "../model/data-class.js";
import type { Declaration } from "../model/declaration.js";
import { pointerSegments, valueAt } from "../model/pointer.js";
import type { ToolDescriptor } from "../model/tool.js";
import type { FlowMatch } from "../flow/flow-store.js";
import type { DecisionContext, RuntimeBounds, SessionCounters } from "./engine.js";
import { destinationKeys, egressDestinations, keepsDestination } from "./egress.js";
import { flowLabels, PROVENANCE_ONLY } from "../flow/labels.js";
import { isEmailAddress, isWebAddress } from "../flow/web-address.js";
import { CONTENT_PHRASE_WORDS, PHRASE_CLASS, phraseWords } from "../flow/phrases.js";

export const NO_FLOWS: DecisionContext["flows"] = { classes: [], sources: [], untrusted: false, untrustedDestination: false, dictated: false, forgotten: false };
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
    /** The user's own words this turn (`ToolCall.userValues`). */
    readonly userValues?: readonly string[];
    /** The flow memory of the session has forgotten values trusted results carried (`FlowStore.forgotten`). */
    readonly forgotten?: boolean;
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
    return id !== undefined && !sameTenant(id, tenant) ? [id] : [];
  }));
  return {
    now: Math.floor(input.nowMs / 1000),
    runtime: input.runtime,
    classes,
    classesOutsideReadScope: classesOutside(declaration.dataScope.read, classes),
    classesOutsideWriteScope: classesOutside(declaration.dataScope.write, classes),
    foreignTenants,
    flows: flowsContext(call),
    egress: call ? egressOf(call.tool, call.args, call.allowsDestination, declaration.egress?.allowUserNamed ? call.userValues : undefined) : NO_EGRESS,
    userNamedDestination: call?.userValues?.length ? userNamesDestination(call.tool, call.args, call.userValues) : false,
    approvals: input.approvals ?? [],
    session: input.session,
  };
}

function flowsContext(call: ContextInput["call"]): DecisionContext["flows"] {
  const flows = call && call.flows.length > 0 ? flowsOf(call.flows, call.tool, call.args) : NO_FLOWS;
  return call?.forgotten ? { ...flows, forgotten: true } : flows;
}

function flowsOf(matches: readonly FlowMatch[], tool: ToolDescriptor, args: unknown): DecisionContext["flows"] {
  const counted = matches.filter((match) => !namesRecord(match, tool, args) && !shortFact(match, tool, args));
  // Provenance-only markers (a URL or a phrase an open-world tool returned) count for `untrusted`, not as flowing
  // data classes. An address from a trusted record that is itself where the call goes counts for the sources only.
  const labels = flowLabels(counted);
  const carried = flowLabels(counted.filter((match) => !addresses(match, tool, args)));
  return {
    ...labels,
    classes: carried.classes,
    untrustedDestination: labels.untrusted && counted.some((match) => match.source.untrusted && decidesDestination(match, tool, args)),
    dictated: counted.some((match) => match.class === PHRASE_CLASS && !inDestinationArg(match, tool)),
    forgotten: false,
  };
}

/**
 * Whether the user's request states, verbatim, every destination of the call (its declared destination arguments):
 * the user chose where it goes. Compared as lower-cased words, so `Le Marais Boutique` matches "…recommended 'le
 * marais boutique'…" but `Palace` does not match "palaces". False when the tool names no destinations or the call
 * has none.
 */
function userNamesDestination(tool: ToolDescriptor, args: unknown, userValues: readonly string[]): boolean {
  if (!tool.destinationArgs?.length) return false;
  const destinations = egressDestinations(tool, args);
  if (destinations.length === 0) return false;
  const stated = userStatement(userValues);
  return destinations.every(stated);
}

/**
 * Whether a destination stands whole in one of the user's values: an address, link or account number exactly (case
 * aside; `john-doe@x.example` is not `john.doe@x.example`), a name of several words as those words in that order.
 */
function userStatement(userValues: readonly string[]): (destination: string) => boolean {
  const said = userValues.map((text) => ` ${phraseWords(text).join(" ")} `);
  const raw = userValues.map((text) => text.toLowerCase());
  return (destination) => {
    const trimmed = destination.trim().toLowerCase();
    if (trimmed.length > 0 && !/\s/.test(trimmed) && /[^\p{L}\p{N}]/u.test(trimmed)) {
      return raw.some((text) => standsAlone(text, trimmed));
    }
    const words = phraseWords(destination);
    if (words.length === 0) return false;
    const needle = ` ${words.join(" ")} `;
    return said.some((text) => text.includes(needle));
  };
}

/**
 * A value inside a destination argument that equals, whole, a name an untrusted result listed (a channel called
 * `External_<text with a link and a person's name>`): the call picks that existing record, as it could pick any other;
 * the text inside its name goes nowhere. A listed name that is itself an address (an email, a link) is still where
 * the call goes, and where a name's text is copied into content (a message body) it still counts.
 */
function namesRecord(match: FlowMatch, tool: ToolDescriptor, args: unknown): boolean {
  if (match.listed !== true || !inDestinationArg(match, tool)) return false;
  const value = valueAt(args, match.pointer);
  return typeof value === "string" && !isEmailAddress(value) && !isWebAddress(value);
}

/** A dictated phrase too short to be more than a fact (`CONTENT_PHRASE_WORDS`), outside a destination argument. */
function shortFact(match: FlowMatch, tool: ToolDescriptor, args: unknown): boolean {
  if (match.class !== PHRASE_CLASS || inDestinationArg(match, tool)) return false;
  const value = valueAt(args, match.pointer);
  return typeof value !== "string" || phraseWords(value).length < CONTENT_PHRASE_WORDS;
}

/** `needle` occurs in `text` with no address character glued to either side. */
function standsAlone(text: string, needle: string): boolean {
  const glued = /[\p{L}\p{N}._%+@\/-]/u;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = text[at - 1];
    const after = text[at + needle.length];
    if ((before === undefined || !glued.test(before)) && (after === undefined || !glued.test(after) || (after === "." && !glued.test(text[at + needle.length + 1] ?? " ")))) return true;
  }
  return false;
}

/**
 * An email address that a trusted result (the user's calendar, contacts) held as a record's field, standing whole in
 * a destination argument: inviting or writing to a person at the address the user's own records hold is addressing
 * them, not carrying data to an outsider (whatever else the call carries still counts). An address from untrusted
 * content, or one that only appeared inside text (an event's description, which whoever sent the invitation wrote),
 * never qualifies: that is how an injected recipient arrives.
 */
function addresses(match: FlowMatch, tool: ToolDescriptor, args: unknown): boolean {
  if (match.source.untrusted || match.field !== true || match.class !== "pii.email" || match.encoding !== "plain") return false;
  if (!inDestinationArg(match, tool)) return false;
  const value = valueAt(args, match.pointer);
  return typeof value === "string" && isEmailAddress(value);
}

function inDestinationArg(match: FlowMatch, tool: ToolDescriptor): boolean {
  if (match.encoding === "split") return false;
  const keys = destinationKeys(tool);
  return pointerSegments(match.pointer).some((segment) => keys.has(segment));
}

/**
 * Whether a remembered value sits where the call's destination is: in an argument the declaration names as a
 * destination (or, when it names none, one with a destination-like name), or, for a tool that sends data out and
 * names no destination arguments, anywhere an address or link would be taken as the destination. A link decides the
 * destination only where the argument is that address, not where it sits inside other text (a name, a sentence).
 */
function decidesDestination(match: FlowMatch, tool: ToolDescriptor, args: unknown): boolean {
  if (match.encoding === "split") return false;
  if (inDestinationArg(match, tool)) {
    if (match.class !== "network.url" || match.encoding !== "plain") return true;
    const value = valueAt(args, match.pointer);
    return typeof value !== "string" || isWebAddress(value);
  }
  const sendsOut = tool.intent === "egress" || tool.zone === "open-world";
  return sendsOut && !tool.destinationArgs && (match.class === "pii.email" || match.class === "network.url");
}

/**
 * Egress tools and open-world tools send their arguments out of the organization: both have destinations. With
 * `userValues` (the declaration's `egress.allowUserNamed`), a destination the user's request states is allowed too.
 */
function egressOf(tool: ToolDescriptor, args: unknown, allows: (destination: string) => boolean, userValues?: readonly string[]): DecisionContext["egress"] {
  if (tool.intent !== "egress" && tool.zone !== "open-world") return NO_EGRESS;
  const destinations = egressDestinations(tool, args);
  const stated = userValues?.length ? userStatement(userValues) : undefined;
  return {
    destinations,
    outsideAllow: destinations.filter((destination) => !allows(destination) && !stated?.(destination)),
    undetermined: destinations.length === 0 && !keepsDestination(tool, args),
  };
}

export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}
