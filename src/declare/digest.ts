import type { Declaration } from "../model/declaration.js";
import { canonicalJson, sha256Hex } from "./canonical.js";

/** The bytes a signature covers: the canonical JSON of the declaration without its `signature`. */
export function signedContent(declaration: Declaration): string {
  const { signature: _signature, ...unsigned } = declaration;
  return canonicalJson(unsigned);
}

/** Hex SHA-256 of the signed content: the identity of the exact declaration in verdicts and audit records. */
export function declarationDigest(declaration: Declaration): string {
  return sha256Hex(signedContent(declaration));
}
