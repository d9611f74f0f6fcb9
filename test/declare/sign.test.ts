import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemorySink } from "../../src/audit/memory-sink.js";
import { parseDeclaration } from "../../src/declare/load.js";
import { generateSigningKeys, readKey, signDeclaration, verifyDeclaration } from "../../src/declare/sign.js";
import { withSignature } from "../../src/declare/sign-file.js";
import { createGuard } from "../../src/guard.js";
import { DURING_SUPPORT, example, fixedClock, SUPPORT_RUNTIME, tempDir } from "../helpers.js";

function signedCopy(): { file: string; publicKeyPem: string; privateKeyPem: string; text: string } {
  const keys = generateSigningKeys();
  const source = example("support.yaml");
  const text = readFileSync(source, "utf8");
  const loaded = parseDeclaration(text, source);
  const signature = signDeclaration(loaded.declaration, readKey(keys.privateKeyPem, "private", "test key"), "security");
  const file = join(tempDir(), "support.yaml");
  const signedText = withSignature(text, file, signature);
  writeFileSync(file, signedText);
  return { file, ...keys, text: signedText };
}

const guardFor = (declaration: string, trustedKeys: string[]) =>
  createGuard({ declaration, trustedKeys, audit: [createMemorySink()], runtime: SUPPORT_RUNTIME, clock: fixedClock(DURING_SUPPORT) });

describe("declaration signatures", () => {
  it("keeps the reviewer's comments when the signature is written into the file", () => {
    const { text } = signedCopy();
    expect(text).toContain("# nothing may be written: a read-only purpose");
    expect(text.startsWith(readFileSync(example("support.yaml"), "utf8"))).toBe(true);
    expect(text).toMatch(/signature:\n\s+alg: ed25519\n\s+keyId: "security"\n\s+value: /);
  });

  it("verifies with the signer's public key and not with another", () => {
    const { file, publicKeyPem } = signedCopy();
    const loaded = parseDeclaration(readFileSync(file, "utf8"), file);
    expect(verifyDeclaration(loaded.declaration, [readKey(publicKeyPem, "public", "pub")])).toBe(true);
    expect(verifyDeclaration(loaded.declaration, [readKey(generateSigningKeys().publicKeyPem, "public", "other")])).toBe(false);
  });

  it("stays valid when only formatting and comments change", async () => {
    const { file, publicKeyPem, text } = signedCopy();
    writeFileSync(file, `# reviewed again\n${text.replace("version: 3", "version:    3   # bumped by review")}`);
    const guard = await guardFor(file, [publicKeyPem]);
    expect(guard.declaration.signatureVerified).toBe(true);
    await guard.close();
  });

  it("lets a guard with a trusted key refuse an altered declaration, so an agent cannot widen its own purpose", async () => {
    const { file, publicKeyPem, text } = signedCopy();
    writeFileSync(file, text.replace("read: [pii.email, pii.name, commerce.order]", "read: [pii.email, pii.name, commerce.order, pii.ssn]"));
    await expect(guardFor(file, [publicKeyPem])).rejects.toMatchObject({ code: "DECLARATION_SIGNATURE", issues: [{ path: "signature" }] });
  });

  it("lets a guard with a trusted key refuse an unsigned declaration", async () => {
    await expect(guardFor(example("support.yaml"), [generateSigningKeys().publicKeyPem])).rejects.toMatchObject({ code: "DECLARATION_SIGNATURE" });
  });

  it("refuses a key of the wrong type with a clear error", () => {
    expect(() => readKey("not a key", "public", "bad.pem")).toThrow(/bad.pem is not a PEM public key/);
  });
});

describe("withSignature", () => {
  it("replaces an existing signature in place, leaving the rest of the file unchanged", () => {
    const first = withSignature("id: a\nversion: 1 # keep me\n", "a.yaml", { alg: "ed25519", value: "QUFB" });
    const second = withSignature(first, "a.yaml", { alg: "ed25519", keyId: "k2", value: "QkJC" });
    expect(second).toBe('id: a\nversion: 1 # keep me\nsignature:\n  alg: ed25519\n  keyId: "k2"\n  value: QkJC\n');
  });
});
