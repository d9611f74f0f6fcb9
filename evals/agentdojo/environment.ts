import type { Json, JsonObject, SuiteEnvironment, TemplateSlot } from "./dataset.js";

/**
 * Filling an environment's injection vectors. A vector holds either its benign default (YAML source text, so
 * `\t`/`\n` escapes count where the placeholder sits in a double-quoted scalar, as in the benchmark), or content we
 * put there: an attack, or a canary. Our content is inserted verbatim.
 */

/** Content for some vectors; the others keep their defaults. */
export type VectorFill = Readonly<Record<string, string>>;

export interface RenderedEnvironment {
  readonly tree: JsonObject;
  /**
   * Strings of the default environment that render differently here (e.g. a channel named `External_{vector}`),
   * default text -> this text. A scripted agent that names such a thing must use its name in this environment.
   */
  readonly renamed: ReadonlyMap<string, string>;
}

export function renderEnvironment(env: SuiteEnvironment, fill: VectorFill = {}): RenderedEnvironment {
  const tree = structuredClone(env.tree);
  const renamed = new Map<string, string>();
  // Values before keys, deeper keys first, so a slot's path stays valid while we rewrite.
  const ordered = [...env.slots].sort((a, b) => Number(a.inKey) - Number(b.inKey) || b.path.length - a.path.length);
  for (const slot of ordered) {
    const text = renderSlot(env, slot, fill);
    const baseline = renderSlot(env, slot, {});
    if (text !== baseline) renamed.set(baseline, text);
    if (slot.inKey) renameKey(tree, slot.path, text);
    else setAt(tree, slot.path, text);
  }
  return { tree, renamed };
}

function renderSlot(env: SuiteEnvironment, slot: TemplateSlot, fill: VectorFill): string {
  return slot.text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
    const given = fill[name];
    if (given !== undefined) return given;
    const vector = env.vectors[name];
    if (!vector) return match;
    return slot.doubleQuoted ? unescapeDoubleQuoted(vector.default) : vector.default;
  });
}

function setAt(root: JsonObject, path: readonly (string | number)[], value: Json): void {
  let node: Json = root;
  for (let i = 0; i < path.length - 1; i++) node = (node as Record<string | number, Json>)[path[i]!] as Json;
  (node as Record<string | number, Json>)[path[path.length - 1]!] = value;
}

function renameKey(root: JsonObject, path: readonly (string | number)[], key: string): void {
  let node: Json = root;
  for (let i = 0; i < path.length - 1; i++) node = (node as Record<string | number, Json>)[path[i]!] as Json;
  const parent = node as JsonObject;
  const old = String(path[path.length - 1]);
  if (old === key) return;
  // Rebuild to keep the key's position (listings return entries in order).
  const entries = Object.entries(parent).map(([k, v]) => [k === old ? key : k, v] as const);
  for (const k of Object.keys(parent)) delete parent[k];
  for (const [k, v] of entries) parent[k] = v;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/", " ": " ", b: "\b", f: "\f", v: "\v", e: "\x1b", a: "\x07" };

/** What a YAML double-quoted scalar makes of `text` (escape sequences only; the text has no quotes to close). */
export function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (match, code: string) => {
    if (code.length > 1) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    return ESCAPES[code] ?? match;
  });
}

/** A canary string for a vector: unique, inert, and easy to find in any serialization of a result. */
export function canaryFor(vector: string): string {
  return `CANARY${vector.replace(/[^A-Za-z0-9]/g, "")}CANARY`;
}

/** The attack text placed in a vector: the template with the injection task's goal and the defaults filled. */
export function attackText(template: string, goal: string, defaults: { readonly user: string; readonly model: string }): string {
  return template.replaceAll("{goal}", goal).replaceAll("{user}", defaults.user).replaceAll("{model}", defaults.model);
}
