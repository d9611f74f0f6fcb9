/**
 * A data class is a dotted label (`pii.email`, `secret.aws_key`, `health.diagnosis`) or a tenant label
 * (`tenant:acme`). Dotted classes nest: `pii` covers `pii.email` and `pii.email.work`.
 */
export type DataClass = string;

/** The top-level families the guard knows; custom classes may add more through configuration. */
export const KNOWN_FAMILIES = ["pii", "financial", "secret", "health", "network", "commerce", "tenant"] as const;

/** True when `scope` names `cls` itself or one of its ancestors. `tenant:acme` only covers itself. */
export function classCovers(scope: DataClass, cls: DataClass): boolean {
  if (scope === cls) return true;
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
