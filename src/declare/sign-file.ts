import { parseDocument } from "yaml";
import type { DeclarationSignature } from "../model/declaration.js";

/**
 * Puts `signature` into a declaration's text and returns the new text. YAML keeps its comments and layout (the
 * reviewer's notes survive signing); JSON is rewritten with two-space indentation.
 */
export function withSignature(text: string, file: string, signature: DeclarationSignature): string {
  if (/\.json$/i.test(file)) {
    const value = JSON.parse(text) as Record<string, unknown>;
    return `${JSON.stringify({ ...value, signature }, null, 2)}\n`;
  }
  const document = parseDocument(text, { schema: "core" });
  document.set("signature", document.createNode({ ...signature }, { flow: false }));
  return document.toString({ lineWidth: 0 });
}
