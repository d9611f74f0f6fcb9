import { isMap, isPair, isScalar, parseDocument, type Node } from "yaml";
import type { DeclarationSignature } from "../model/declaration.js";

/**
 * Puts `signature` into a declaration's text and returns the new text. Everything else in a YAML file stays byte for
 * byte as the reviewer approved it (comments, layout, flow style): only the `signature` entry is appended or
 * replaced. JSON is rewritten with two-space indentation.
 */
export function withSignature(text: string, file: string, signature: DeclarationSignature): string {
  if (/\.json$/i.test(file)) {
    const value = JSON.parse(text) as Record<string, unknown>;
    return `${JSON.stringify({ ...value, signature }, null, 2)}\n`;
  }
  const block = [
    "signature:",
    `  alg: ${signature.alg}`,
    ...(signature.keyId ? [`  keyId: ${JSON.stringify(signature.keyId)}`] : []),
    `  value: ${signature.value}`,
  ].join("\n");
  const document = parseDocument(text, { schema: "core" });
  const root = document.contents;
  const existing = isMap(root) ? root.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === "signature") : undefined;
  if (existing && isPair(existing)) {
    const start = (existing.key as Node).range?.[0];
    const end = (existing.value as Node | null)?.range?.[1];
    if (start !== undefined && end !== undefined) {
      const newline = text.slice(start, end).endsWith("\n") ? "\n" : "";
      return `${text.slice(0, start)}${block}${newline}${text.slice(end)}`;
    }
  }
  return `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${block}\n`;
}
