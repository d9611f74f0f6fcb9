import { KNOWN_FAMILIES, type DataClass } from "../model/data-class.js";
import type { FamilyCounts, SessionCounters } from "./engine.js";

export const NO_FAMILY_COUNTS: FamilyCounts = Object.freeze({ pii: 0, financial: 0, secret: 0, health: 0, network: 0, commerce: 0, tenant: 0, other: 0 });

/** The session of a decision with no history (the deploy-time gate, a fresh session). */
export const EMPTY_SESSION: Required<SessionCounters> = Object.freeze({
  calls: 0,
  callsLastMinute: 0,
  denials: 0,
  recordsRead: 0,
  bytesRead: 0,
  distinctTools: 0,
  recentDenials: 0,
  recordsByFamily: NO_FAMILY_COUNTS,
  bytesByFamily: NO_FAMILY_COUNTS,
  classesRead: [],
  familiesRead: [],
  flowClasses: [],
  intentSequence: "",
  approvalsGranted: 0,
  alerts: 0,
  containment: "none",
  drift: [],
});

/** Every attribute the schema's `Session` type requires: what the counters lack takes its empty value. */
export function sessionAttributes(session: SessionCounters): Required<SessionCounters> {
  return session.recentDenials !== undefined && session.drift !== undefined && session.containment !== undefined
    ? (session as Required<SessionCounters>)
    : { ...EMPTY_SESSION, ...stripUndefined(session) };
}

/** The top-level family of a class: `secret` for `secret.aws_key`, `tenant` for `tenant:acme`. */
export function familyOf(cls: DataClass): string {
  if (cls.startsWith("tenant:")) return "tenant";
  const dot = cls.indexOf(".");
  return dot === -1 ? cls : cls.slice(0, dot);
}

/** The counting bucket of a class: its family when the guard knows it, else `other`. */
export function familyBucket(cls: DataClass): keyof FamilyCounts {
  const family = familyOf(cls);
  return (KNOWN_FAMILIES as readonly string[]).includes(family) ? (family as keyof FamilyCounts) : "other";
}

/** The families of the classes of a value and of the flows into it, without duplicates. */
export function familiesOf(classes: readonly DataClass[], flowClasses: readonly DataClass[]): string[] {
  if (classes.length === 0 && flowClasses.length === 0) return [];
  const out = new Set<string>();
  for (const cls of classes) out.add(familyOf(cls));
  for (const cls of flowClasses) out.add(familyOf(cls));
  return [...out];
}

function stripUndefined(session: SessionCounters): SessionCounters {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(session)) if (value !== undefined) out[key] = value;
  return out as unknown as SessionCounters;
}
