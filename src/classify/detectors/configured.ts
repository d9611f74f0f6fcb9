import type { Detector, Match, ScanContext } from "../detector.js";

/** A class the user defines: a pattern, an optional validator and the keys whose values it applies to. */
export interface CustomClass {
  /** Dotted class name, e.g. `commerce.order_id`. */
  readonly class: string;
  /** Regular expression source (no flags); it must not nest quantifiers, so scanning stays linear. */
  readonly pattern?: string;
  /** `i` for case-insensitive; `u` for Unicode classes. */
  readonly flags?: string;
  /** Returns false to reject a match (checksums, allow-lists). */
  readonly validate?: (value: string) => boolean;
  /** Property names (any case or separator style) whose whole values belong to the class. */
  readonly keys?: readonly string[];
  readonly confidence?: number;
}

/** How tenant ids appear: `tenant:<id>` classes come from matches of `pattern` (group 1 or the `id` group). */
export interface TenantPattern {
  readonly pattern: string;
  readonly flags?: string;
  /** Property names whose values are tenant ids (default `tenant`, `tenant_id`, `org_id`, `organization_id`). */
  readonly keys?: readonly string[];
}

export interface CompiledCustom {
  readonly class: string;
  readonly pattern?: RegExp;
  readonly validate?: (value: string) => boolean;
  readonly keys: ReadonlySet<string>;
  readonly confidence: number;
}

export const normalizeKey = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");

/** User-defined classes (pattern + validator + keys). Patterns are compiled once, at classifier construction. */
export function customDetector(classes: readonly CompiledCustom[]): Detector<string> {
  return {
    family: "custom",
    forKey: (words) => words.join(""),
    idleFor: (key) => !classes.some((custom) => custom.pattern !== undefined || (key !== "" && custom.keys.has(key))),
    readsQuietText: () => true,
    scan: function scanCustom(text: string, _context: ScanContext, out: Match[], _profile: unknown, key: string) {
      for (const custom of classes) {
        if (key && custom.keys.has(key) && text.trim().length > 0) {
          const value = text.trim();
          if (!custom.validate || custom.validate(value)) {
            const start = text.indexOf(value);
            out.push({ class: custom.class, start, end: start + value.length, detector: `key:${custom.class}`, confidence: custom.confidence });
            continue;
          }
        }
        if (!custom.pattern) continue;
        custom.pattern.lastIndex = 0;
        for (let m = custom.pattern.exec(text); m !== null; m = custom.pattern.exec(text)) {
          if (m[0].length === 0) {
            custom.pattern.lastIndex++;
            continue;
          }
          if (custom.validate && !safeValidate(custom.validate, m[0])) continue;
          out.push({ class: custom.class, start: m.index, end: m.index + m[0].length, detector: `custom:${custom.class}`, confidence: custom.confidence });
        }
      }
    },
  };
}

/** Tenant ids: `tenant:<id>` for every match of the configured pattern and every value under a tenant-named key. */
export function tenantDetector(pattern: RegExp | undefined, keys: ReadonlySet<string>): Detector<boolean> {
  return {
    family: "tenant",
    forKey: (words) => words.length > 0 && keys.has(words.join("")),
    idleFor: (tenantKey) => !tenantKey && pattern === undefined,
    readsQuietText: () => true,
    scan: function scanTenants(text: string, _context: ScanContext, out: Match[], _profile: unknown, tenantKey: boolean) {
      if (tenantKey) {
        const value = text.trim();
        if (value.length > 0 && value.length <= 128 && !/\s/.test(value)) {
          const start = text.indexOf(value);
          out.push({ class: `tenant:${value}`, start, end: start + value.length, detector: "key:tenant", confidence: 0.9 });
          return;
        }
      }
      if (!pattern) return;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        if (m[0].length === 0) {
          pattern.lastIndex++;
          continue;
        }
        const id = m.groups?.["id"] ?? m[1] ?? m[0];
        out.push({ class: `tenant:${id}`, start: m.index, end: m.index + m[0].length, detector: "pattern:tenant", confidence: 0.9 });
      }
    },
  };
}

function safeValidate(validate: (value: string) => boolean, value: string): boolean {
  try {
    return validate(value) === true;
  } catch {
    // A validator that throws cannot vouch for the value; report it so nothing slips through unclassified.
    return true;
  }
}

/**
 * Rejects patterns whose time can grow faster than their input: a quantified group that itself ends in a quantifier
 * (`(a+)+`, `(\w*)*`, `(x|y+){2,}`), and backreferences. A heuristic, deliberately strict; it names the problem.
 */
export function unsafePatternReason(source: string): string | undefined {
  if (/\\[1-9]|\\k</.test(source)) return "backreferences can take exponential time";
  // Find groups followed by a quantifier and check whether their body contains a quantifier.
  const stack: number[] = [];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (ch === "[") {
      // skip character class
      i++;
      while (i < source.length && source[i] !== "]") {
        if (source[i] === "\\") i++;
        i++;
      }
      continue;
    }
    if (ch === "(") stack.push(i);
    else if (ch === ")") {
      const open = stack.pop();
      if (open === undefined) continue;
      const next = source[i + 1];
      const quantified = next === "*" || next === "+" || (next === "{" && /^\{\d*,\d*\}/.test(source.slice(i + 1)) && !/^\{\d+\}/.test(source.slice(i + 1)));
      if (!quantified) continue;
      const body = source.slice(open + 1, i).replace(/\\./g, "").replace(/\[[^\]]*\]/g, "c");
      if (/[*+]|\{\d*,\d*\}/.test(body)) return `the group \`${source.slice(open, i + 2)}\` repeats a repeated pattern (catastrophic backtracking)`;
    }
  }
  return undefined;
}
