/** RFC 6901 JSON pointers, as findings, redactions and flow matches address values. */

/** A property name as one pointer segment: `~` becomes `~0`, `/` becomes `~1`. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The unescaped segments of a pointer; "" (the root) has none. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The value a pointer names in `value`, or undefined. */
export function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const segment of pointerSegments(pointer)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The text a finding's pointer names: the string (or number, as digits) there, or with `inKey` the property name
 * the pointer ends in, when the object holds it. Undefined for anything else.
 */
export function stringAt(value: unknown, pointer: string, inKey: boolean): string | undefined {
  const segments = pointerSegments(pointer);
  let current = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (current === null || typeof current !== "object") return undefined;
    if (inKey && i === segments.length - 1) return segment in current ? segment : undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return typeof current === "string" ? current : typeof current === "number" ? String(current) : undefined;
}
