import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { GuardError, type Issue } from "../errors.js";

/** A parsed YAML or JSON text that can tell where any field path sits in the file. */
export interface SourceDocument {
  readonly file: string;
  readonly value: unknown;
  /** 1-based line and column of the field at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PropertyKey[]): { line: number; column: number };
  readonly document: Document;
}

/**
 * Parses YAML 1.2 (JSON is a subset) with the core schema, so timestamps stay strings and `0123` stays what YAML
 * says. Duplicate keys are errors: a reviewer must never read one value while the guard enforces another.
 */
export function parseSource(text: string, file: string): SourceDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, schema: "core", uniqueKeys: true, prettyErrors: false, strict: true });
  if (document.errors.length > 0) {
    const issues: Issue[] = document.errors.map((error) => {
      const pos = lineCounter.linePos(error.pos[0]);
      return { file, line: pos.line, column: pos.col, message: error.message.split("\n")[0] ?? error.message, fix: "correct the YAML/JSON syntax" };
    });
    throw new GuardError("DECLARATION_SYNTAX", `${file} is not valid YAML or JSON`, { issues });
  }
  const locate = (path: readonly PropertyKey[]) => {
    const offset = offsetOf(document.contents, path);
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return { file, value: document.toJS({ maxAliasCount: 100 }), locate, document };
}

/** Offset of the deepest node along `path`: the key of a map entry, the item of a sequence. */
function offsetOf(root: unknown, path: readonly PropertyKey[]): number {
  let node: unknown = root;
  let offset = rangeStart(root);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item);
      node = item;
    } else break;
  }
  return offset;
}

function rangeStart(node: unknown): number {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : 0;
}
