import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { example, tempDir } from "../helpers.js";
import { cli } from "./run-cli.js";

describe("purpose-guard keygen, sign, verify", () => {
  it("signs a declaration that verify accepts, and that check only accepts with the key", async () => {
    const dir = tempDir();
    expect((await cli(["keygen", "--out-dir", dir, "--name", "security"])).code).toBe(0);
    const file = join(dir, "support.yaml");
    copyFileSync(example("support.yaml"), file);
    const signed = await cli(["sign", "--key", join(dir, "security.key.pem"), "--key-id", "security", file]);
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/^signed support-agent v3 \(sha256:[0-9a-f]{64}\)/);
    expect((await cli(["verify", "--public-key", join(dir, "security.pub.pem"), file])).stdout).toMatch(/^VALID/);

    const target = ["--environment", "production", "--region", "eu-west-1", "--account", "123456789012", "--at", "2026-12-01T00:00:00Z", "--public-key", join(dir, "security.pub.pem")];
    expect((await cli(["check", "--declaration", file, ...target])).code).toBe(0);
    writeFileSync(file, readFileSync(file, "utf8").replace("commerce.order]", "commerce.order, pii.ssn]"));
    const tampered = await cli(["check", "--declaration", file, ...target]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain("signature does not verify");
    expect((await cli(["verify", "--public-key", join(dir, "security.pub.pem"), file])).code).toBe(1);
  });

  // The keyId sits outside what is signed: edited after signing, it named another signer and still verified.
  it("names the key that verifies, not the keyId the file claims", async () => {
    const dir = tempDir();
    await cli(["keygen", "--out-dir", dir, "--name", "security"]);
    await cli(["keygen", "--out-dir", dir, "--name", "other"]);
    const file = join(dir, "support.yaml");
    copyFileSync(example("support.yaml"), file);
    await cli(["sign", "--key", join(dir, "security.key.pem"), "--key-id", "security", file]);
    writeFileSync(file, readFileSync(file, "utf8").replace('keyId: "security"', 'keyId: "other"'));
    const verified = await cli(["verify", "--public-key", join(dir, "other.pub.pem"), "--public-key", join(dir, "security.pub.pem"), file]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/signed with \S*security\.pub\.pem \(sha256:[0-9a-f]{16}\); the file names the key "other"/);
  });

  it("refuses to sign a file whose layout the signature cannot be added to, and leaves it as it was", async () => {
    const dir = tempDir();
    await cli(["keygen", "--out-dir", dir, "--name", "security"]);
    const file = join(dir, "support.yaml");
    const text = `${readFileSync(example("support.yaml"), "utf8")}...\n`;
    writeFileSync(file, text);
    const signed = await cli(["sign", "--key", join(dir, "security.key.pem"), file]);
    expect(signed.code).not.toBe(0);
    expect(signed.stderr).toContain("would write a file that does not load");
    expect(readFileSync(file, "utf8")).toBe(text);
  });

  it("refuses to overwrite an existing key pair", async () => {
    const dir = tempDir();
    await cli(["keygen", "--out-dir", dir]);
    const again = await cli(["keygen", "--out-dir", dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("cannot write the key pair");
  });

  it("does not sign a vague declaration", async () => {
    const dir = tempDir();
    await cli(["keygen", "--out-dir", dir]);
    const run = await cli(["sign", "--key", join(dir, "purpose-guard.key.pem"), example("vague-wildcards.yaml")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("DECLARATION_TOO_BROAD");
  });

  it("reports an unsigned declaration", async () => {
    const dir = tempDir();
    await cli(["keygen", "--out-dir", dir]);
    const run = await cli(["verify", "--public-key", join(dir, "purpose-guard.pub.pem"), example("support.yaml")]);
    expect(run).toMatchObject({ code: 1, stdout: expect.stringMatching(/^UNSIGNED/) });
  });
});
