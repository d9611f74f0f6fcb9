import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { GuardError, messageOf } from "../errors.js";
import type { Declaration, DeclarationSignature } from "../model/declaration.js";
import { signedContent } from "./digest.js";

/** Signs the declaration's canonical form (everything but `signature`) with an Ed25519 private key. */
export function signDeclaration(declaration: Declaration, privateKey: KeyObject, keyId?: string): DeclarationSignature {
  assertEd25519(privateKey, "private");
  const value = sign(null, Buffer.from(signedContent(declaration)), privateKey).toString("base64");
  return keyId ? { alg: "ed25519", keyId, value } : { alg: "ed25519", value };
}

/** True when some key verifies the signature (a matching keyId is tried first; other keys still count). */
export function verifyDeclaration(declaration: Declaration, publicKeys: readonly KeyObject[]): boolean {
  return verifyingKey(declaration, publicKeys) !== undefined;
}

/**
 * The index of the key that verifies the signature, or undefined. The signature's `keyId` is outside what is signed,
 * so it names nobody: who signed is the key that verifies.
 */
export function verifyingKey(declaration: Declaration, publicKeys: readonly KeyObject[]): number | undefined {
  const signature = declaration.signature;
  if (!signature) return undefined;
  const content = Buffer.from(signedContent(declaration));
  const bytes = Buffer.from(signature.value, "base64");
  const index = publicKeys.findIndex((key) => {
    try {
      return verify(null, content, key, bytes);
    } catch {
      return false;
    }
  });
  return index < 0 ? undefined : index;
}

/** `sha256:` and the first 16 hex digits of the key's SPKI DER: how a person tells keys apart. */
export function keyFingerprint(key: KeyObject): string {
  const der = (key.type === "private" ? createPublicKey(key) : key).export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex").slice(0, 16)}`;
}

/** Parses a PEM key; a private key given where a public one is needed yields its public half. */
export function readKey(pem: string, kind: "private" | "public", label: string): KeyObject {
  let key: KeyObject;
  try {
    key = kind === "private" ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new GuardError("KEY_INVALID", `${label} is not a PEM ${kind} key: ${messageOf(error)}`, {
      issues: [{ file: label, message: messageOf(error), fix: "create a key pair with `purpose-guard keygen`" }],
    });
  }
  assertEd25519(key, kind, label);
  return key;
}

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public). */
export function generateSigningKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function assertEd25519(key: KeyObject, kind: string, label = "key"): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new GuardError("KEY_INVALID", `${label} is a ${key.asymmetricKeyType ?? "symmetric"} ${kind} key; declarations are signed with Ed25519`, {
      issues: [{ file: label, message: "wrong key type", fix: "create a key pair with `purpose-guard keygen`" }],
    });
  }
}
