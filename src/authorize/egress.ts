import type { ToolDescriptor } from "../model/tool.js";
import { webAddresses } from "../flow/web-address.js";
import { hasAmbiguousAuthority } from "../model/egress-pattern.js";

/** Argument names that usually hold where an egress tool sends data, when the declaration names none. */
export const DESTINATION_KEYS: ReadonlySet<string> = new Set(["to", "cc", "bcc", "recipient", "recipients", "email", "emails", "address", "url", "uri", "endpoint", "webhook", "webhook_url", "host", "destination", "target", "channel", "user", "iban", "account"]);
/**
 * Argument names that send a copy wherever they appear: a declaration's `destinations` names where a tool sends, it
 * cannot hide a `bcc` beside the declared `to` (a declaration written for `to` alone would let one through unchecked).
 */
export const RECIPIENT_KEYS: ReadonlySet<string> = new Set(["to", "cc", "bcc", "recipient", "recipients"]);

/**
 * Addresses as mail servers take them, more loosely than the classifier does (a destination missed here is a place
 * not checked). A match starts only where a local part starts, so the search is linear in the text; an apostrophe
 * inside a name belongs to it (`o'brien@…` is not `brien@…`), one before punctuation ends a word (`x'.bob@…`).
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])(?:(?<![A-Za-z0-9]')|(?=[._%+-]))[A-Za-z0-9._%+-](?:[A-Za-z0-9._%+-]|(?<=[A-Za-z0-9])'(?=[A-Za-z0-9]))*@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const URL_RE = /\bhttps?:\/\/[^\s"'<>]+/gi;

/**
 * Where an egress call sends data. With `destinations` in the declaration, the values of those arguments and of
 * recipient arguments (`destinationKeys`: strings or lists of strings, at any depth); otherwise the values under
 * destination-like keys plus every email address and URL in the arguments. Normalized for matching: lower-case
 * addresses and hosts.
 */
export function egressDestinations(tool: ToolDescriptor, args: unknown): string[] {
  const found = new Set<string>();
  const keys = destinationKeys(tool);
  const explicit = tool.destinationArgs !== undefined;
  const visit = (value: unknown, key: string | undefined, depth: number): void => {
    if (depth > 32) return;
    if (typeof value === "string") {
      if (key !== undefined && keys.has(key)) found.add(normalizeDestination(value));
      if (!explicit) {
        for (const match of value.matchAll(EMAIL)) found.add(match[0].toLowerCase());
        for (const match of value.matchAll(URL_RE)) found.add(normalizeDestination(match[0]));
        // Addresses written without a scheme (`www.x.example`, `x.example/path`); those with one were read whole above,
        // and read again without their scheme they would be a second place that `https://…` patterns do not allow.
        for (const address of webAddresses(value.replace(URL_RE, " "))) found.add(normalizeDestination(address));
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key, depth + 1);
    } else if (value !== null && typeof value === "object") {
      for (const [childKey, child] of Object.entries(value)) visit(child, childKey, depth + 1);
    }
  };
  visit(args, undefined, 0);
  return [...found].filter(Boolean);
}

const keysByTool = new WeakMap<ToolDescriptor, ReadonlySet<string>>();

/**
 * The names of a tool's destination arguments: those its declaration names plus `RECIPIENT_KEYS`, or the usual
 * destination-like names (`DESTINATION_KEYS`) when it names none. Made once per descriptor.
 */
export function destinationKeys(tool: ToolDescriptor): ReadonlySet<string> {
  let keys = keysByTool.get(tool);
  if (!keys) keysByTool.set(tool, (keys = tool.destinationArgs ? new Set([...tool.destinationArgs, ...RECIPIENT_KEYS]) : DESTINATION_KEYS));
  return keys;
}

/** Lower-cases addresses and URL hosts, trims, drops a URL's query and fragment (they are payload, not place). */
export function normalizeDestination(value: string): string {
  const trimmed = value.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    // Normalized, `https://a.example\\@b.example` would read as a.example: kept raw, it matches no pattern.
    if (hasAmbiguousAuthority(trimmed)) return trimmed.toLowerCase();
    try {
      const url = new URL(trimmed);
      return `${url.protocol}//${url.host}${url.pathname}`.toLowerCase();
    } catch {
      return trimmed.toLowerCase();
    }
  }
  if (/^www\./i.test(trimmed)) return trimmed.toLowerCase();
  return trimmed.includes("@") ? trimmed.toLowerCase() : trimmed;
}

/**
 * True when the tool's declaration names its destination arguments and the call passes none of them: the call sends
 * nothing to a new place (an amount-only update of a standing order), so its destination is not unknown.
 */
export function keepsDestination(tool: ToolDescriptor, args: unknown): boolean {
  const names = tool.destinationArgs;
  if (!names || names.length === 0 || args === null || typeof args !== "object") return false;
  return !containsKey(args, new Set(names), 0);
}

function containsKey(value: unknown, names: ReadonlySet<string>, depth: number): boolean {
  if (depth > 32 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((item) => containsKey(item, names, depth + 1));
  return Object.entries(value).some(([key, child]) => (names.has(key) && child !== null && child !== undefined) || containsKey(child, names, depth + 1));
}
