import { createHmac, randomBytes } from "node:crypto";
import { GuardError } from "../errors.js";

/**
 * A data class is a dotted label (`pii.email`, `secret.aws_key`, `health.diagnosis`) or a tenant label
 * (`tenant:acme`). Dotted classes nest: `pii` covers `pii.email` and `pii.email.work`.
 */
export type DataClass = string;

/** The top-level families the guard knows; custom classes may add more through configuration. */
export const KNOWN_FAMILIES = ["pii", "financial", "secret", "health", "network", "commerce", "tenant"] as const;

/** True when `scope` names `cls` itself or one of its ancestors. `tenant:acme` only covers itself (or its mask). */
export function classCovers(scope: DataClass, cls: DataClass): boolean {
  if (scope === cls) return true;
  if (cls.startsWith(MASKED_TENANT)) return scope.startsWith("tenant:") && sameTenant(cls.slice(7), scope.slice(7));
  return cls.length > scope.length && cls.startsWith(scope) && cls.charCodeAt(scope.length) === 46; // "."
}

/** True when any entry of the scope covers `cls`. */
export function scopeCovers(scope: readonly DataClass[], cls: DataClass): boolean {
  for (const entry of scope) if (classCovers(entry, cls)) return true;
  return false;
}

/** The classes of `found` that no entry of `scope` covers, without duplicates, in first-seen order. */
export function classesOutside(scope: readonly DataClass[], found: Iterable<DataClass>): DataClass[] {
  // A set, not `out.includes`: a value can carry thousands of distinct classes (one `tenant:<id>` per record).
  const out = new Set<DataClass>();
  for (const cls of found) if (!out.has(cls) && !scopeCovers(scope, cls)) out.add(cls);
  return [...out];
}

/** The tenant id of a `tenant:<id>` class, or undefined for other classes. */
export function tenantOf(cls: DataClass): string | undefined {
  return cls.startsWith("tenant:") ? cls.slice(7) : undefined;
}

/** How a masked tenant class starts: `tenant:~` and a digest. */
const MASKED_TENANT = "tenant:~";

/**
 * The name a tenant id goes by when the id is itself a sensitive value (a card number or an email address under
 * `org_id`): `~` and a keyed digest. Class names are written into audit records, redaction labels and deny reasons,
 * so they must not carry such a value. The key is `PURPOSE_GUARD_MASK_KEY` when set (replicas and restarts that must
 * name a masked tenant alike), else drawn once per process: the name is stable while the guard runs, so the
 * declaration's own tenant is still told from another (`sameTenant`), but without the key it names nothing.
 */
export function maskedTenantId(id: string): string {
  let masked = masks.get(id);
  if (masked === undefined) {
    masked = `~${createHmac("sha256", maskKey()).update(id).digest("hex").slice(0, 16)}`;
    if (masks.size >= 4096) masks.clear();
    masks.set(id, masked);
  }
  return masked;
}

/** True when the tenant id of a class (`tenantOf`), masked or not, is the tenant `declared`. */
export function sameTenant(id: string, declared: string): boolean {
  return id === declared || (id.startsWith("~") && id === maskedTenantId(declared));
}

let key: Buffer | undefined;

/** Read once; a key too short to resist guessing is refused (the classifier then fails, and the guard denies). */
function maskKey(): Buffer {
  if (key) return key;
  const configured = process.env["PURPOSE_GUARD_MASK_KEY"];
  if (configured !== undefined && configured.length < 16) {
    throw new GuardError("CONFIG_INVALID", "PURPOSE_GUARD_MASK_KEY must have at least 16 characters (draw one from a secret store)");
  }
  key = configured === undefined ? randomBytes(32) : Buffer.from(configured, "utf8");
  return key;
}
// Declared tenants are few; found ids many, so the memo is bounded and simply restarts when full.
const masks = new Map<string, string>();
