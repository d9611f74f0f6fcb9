/**
 * Where the string values of a JSON text sit in it. The classifier walks the parsed value of a string that holds JSON;
 * a finding in one of its strings is moved to that string's literal in the text, so that redaction replaces it in
 * place. Found by the value's path, not by searching for the value: a search finds the first of equal values (the
 * second `"asthma"` of a list of diagnoses stayed in clear) and costs a pass over the text per string.
 */

/** A string literal, quotes included: `text.slice(start, end)` is `"…"`. */
export interface LiteralSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * The shape of the parsed value with each string replaced by its literal's span: arrays by index, objects by key (the
 * last of duplicate keys, as `JSON.parse` keeps it), numbers, booleans and null by `null`.
 */
export type LiteralTree = LiteralSpan | LiteralTree[] | Map<string, LiteralTree> | null;

interface Frame {
  readonly node: LiteralTree[] | Map<string, LiteralTree>;
  /** In an object: the key whose value comes next, once read. */
  key: string | undefined;
}

/**
 * Reads the literals of `text`, which must be JSON that `JSON.parse` accepts (the classifier only calls it on such
 * text). One pass, no recursion: nesting as deep as the text allows costs no stack.
 */
export function jsonLiterals(text: string): LiteralTree {
  const stack: Frame[] = [];
  let root: LiteralTree = null;
  const put = (value: LiteralTree): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) root = value;
    else if (Array.isArray(top.node)) top.node.push(value);
    else {
      top.node.set(top.key!, value);
      top.key = undefined;
    }
  };
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code === 123 /* { */ || code === 91 /* [ */) {
      const node = code === 123 ? new Map<string, LiteralTree>() : [];
      put(node);
      stack.push({ node, key: undefined });
      i++;
    } else if (code === 125 /* } */ || code === 93 /* ] */) {
      stack.pop();
      i++;
    } else if (code === 34 /* " */) {
      const end = literalEnd(text, i);
      const top = stack[stack.length - 1];
      if (top !== undefined && !Array.isArray(top.node) && top.key === undefined) top.key = keyOf(text, i, end);
      else put({ start: i, end });
      i = end;
    } else if (code === 32 || code === 9 || code === 10 || code === 13 || code === 44 /* , */ || code === 58 /* : */) {
      i++;
    } else {
      // A number, `true`, `false` or `null`: runs to the next delimiter.
      while (i < text.length && !isDelimiter(text.charCodeAt(i))) i++;
      put(null);
    }
  }
  return root;
}

/** The literal at `path` (array indexes and object keys) in `tree`; undefined where no string value sits. */
export function literalAt(tree: LiteralTree, path: readonly (string | number)[]): LiteralSpan | undefined {
  let node: LiteralTree | undefined = tree;
  for (const segment of path) {
    if (typeof segment === "number") node = Array.isArray(node) ? node[segment] : undefined;
    else node = node instanceof Map ? node.get(segment) : undefined;
    if (node === undefined || node === null) return undefined;
  }
  return node !== null && !Array.isArray(node) && !(node instanceof Map) ? node : undefined;
}

/** The index after the closing quote of the literal that opens at `start`. */
function literalEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 92 /* \ */) i += 2;
    else if (code === 34) return i + 1;
    else i++;
  }
  return text.length;
}

function keyOf(text: string, start: number, end: number): string {
  const literal = text.slice(start, end);
  return literal.includes("\\") ? (JSON.parse(literal) as string) : literal.slice(1, -1);
}

function isDelimiter(code: number): boolean {
  return code === 44 || code === 93 || code === 125 || code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * Whether JSON `text`, parsed as `value`, names a key twice in one object. `JSON.parse` keeps only the last of
 * duplicate keys, so a walk of `value` never sees the values before it, which stay in the text that is delivered
 * (`{"ssn": "219-09-9991", "ssn": "n/a"}`). Told by counting: the keys in the text (string literals followed by
 * `:`) against the keys of the parsed objects. Two linear passes, no allocation per key.
 */
export function hasDuplicateKeys(text: string, value: unknown): boolean {
  return keysInText(text) !== keysInValue(value);
}

function keysInText(text: string): number {
  let keys = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 34 /* " */) continue;
    // Past the string literal: a backslash escapes the next character.
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 34) break;
    }
    let next = i + 1;
    while (next < text.length && isJsonSpace(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) === 58 /* : */) keys++;
  }
  return keys;
}

function keysInValue(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== "object") continue;
    if (Array.isArray(item)) {
      for (const child of item) if (child !== null && typeof child === "object") stack.push(child);
      continue;
    }
    for (const key in item) {
      keys++;
      const child = (item as Record<string, unknown>)[key];
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return keys;
}

const isJsonSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
