import { GuardError } from "../../src/errors.js";

/** Parses `--at 2026-12-01T00:00:00Z` into a fixed clock; undefined keeps the real clock. */
export function clockAt(at: string | undefined): (() => number) | undefined {
  if (at === undefined) return undefined;
  const ms = Date.parse(at);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(at) || Number.isNaN(ms)) {
    throw new GuardError("USAGE", `\`--at ${at}\` is not an ISO 8601 time`, { issues: [{ message: "bad time", fix: "e.g. --at 2026-12-01T00:00:00Z" }] });
  }
  return () => ms;
}
