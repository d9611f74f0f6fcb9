import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDeclaration } from "../../../src/declare/load.js";
import { generateSigningKeys, keyFingerprint, readKey, signDeclaration, verifyDeclaration, verifyingKey } from "../../../src/declare/sign.js";
import { withSignature } from "../../../src/declare/sign-file.js";
import { GuardError, messageOf } from "../../../src/errors.js";
import { describeFlags, EXIT, parseArgs, type CliIO, type Command } from "../command.js";

const SIGN_FLAGS = {
  key: { type: "string", value: "PEM", description: "the approver's Ed25519 private key (PKCS#8 PEM)" },
  "key-id": { type: "string", value: "ID", description: "name of the key, recorded in the signature" },
  out: { type: "string", value: "FILE", description: "write the signed declaration here instead of in place" },
} as const;

export const signCommand: Command = {
  name: "sign",
  summary: "sign a reviewed declaration with an approver's Ed25519 key",
  help: `Usage: purpose-guard sign --key PRIVATE.pem [--key-id ID] [--out FILE] DECLARATION

Validates the declaration (a vague or invalid one is not signed), signs its canonical form (every field but
\`signature\`; comments and formatting are not covered) and writes the \`signature\` field into the file, keeping
its comments. A guard configured with the matching public key refuses the declaration once anything in it changes.

Flags:
${describeFlags(SIGN_FLAGS)}

Example:
  purpose-guard keygen --out-dir keys --name security
  purpose-guard sign --key keys/security.key.pem --key-id security examples/declarations/support.yaml`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, SIGN_FLAGS);
    const file = single(positionals, "DECLARATION");
    if (!flags.key) throw new GuardError("USAGE", "--key is required", { issues: [{ message: "no private key given", fix: "--key PRIVATE.pem (create one with `purpose-guard keygen`)" }] });
    const key = readKey(await readText(flags.key, "KEY_INVALID"), "private", flags.key);
    const text = await readText(file, "DECLARATION_UNREADABLE");
    const loaded = parseDeclaration(text, file);
    const signature = signDeclaration(loaded.declaration, key, flags["key-id"]);
    const out = flags.out ?? file;
    const signed = withSignature(text, file, signature);
    // Appending a block to a file written as one flow mapping (or ending in `...`) would not load: check before writing.
    let reloaded: ReturnType<typeof parseDeclaration>;
    try {
      reloaded = parseDeclaration(signed, out);
    } catch (error) {
      throw new GuardError("DECLARATION_SYNTAX", `signing ${file} would write a file that does not load: ${messageOf(error)}`, {
        issues: [{ message: "the signature could not be added to this file's layout", fix: "write the declaration as a block mapping (one top-level key per line), without a `...` end marker, and sign again" }],
      });
    }
    if (!verifyDeclaration(reloaded.declaration, [key])) {
      throw new GuardError("DECLARATION_SYNTAX", `signing ${file} would write a signature that does not verify`, { issues: [{ message: "the signed file reads differently from the one signed", fix: "write the declaration as a block mapping and sign again" }] });
    }
    await writeFile(out, signed);
    io.stdout.write(`signed ${loaded.declaration.id} v${loaded.declaration.version} (sha256:${loaded.digest}) → ${out}\n`);
    return EXIT.ok;
  },
};

const VERIFY_FLAGS = {
  "public-key": { type: "list", value: "PEM", description: "trusted Ed25519 public key (repeatable)" },
} as const;

export const verifyCommand: Command = {
  name: "verify",
  summary: "check a declaration's signature (exit 0 valid, 1 unsigned or invalid, 2 invalid input)",
  help: `Usage: purpose-guard verify --public-key PUBLIC.pem DECLARATION

Checks that the declaration is valid and was signed, unchanged, by one of the given keys.

Flags:
${describeFlags(VERIFY_FLAGS)}

Example:
  purpose-guard verify --public-key keys/security.pub.pem examples/declarations/support.yaml`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, VERIFY_FLAGS);
    const file = single(positionals, "DECLARATION");
    const keyFiles = flags["public-key"] ?? [];
    if (keyFiles.length === 0) throw new GuardError("USAGE", "--public-key is required", { issues: [{ message: "no key to verify with", fix: "--public-key PUBLIC.pem" }] });
    const keys = await Promise.all(keyFiles.map(async (keyFile) => readKey(await readText(keyFile, "KEY_INVALID"), "public", keyFile)));
    const loaded = parseDeclaration(await readText(file, "DECLARATION_UNREADABLE"), file);
    if (!loaded.declaration.signature) {
      io.stdout.write(`UNSIGNED ${file}: no signature field\n`);
      return EXIT.denied;
    }
    const signer = verifyingKey(loaded.declaration, keys);
    if (signer === undefined) {
      io.stdout.write(`INVALID  ${file}: the signature does not verify (changed after signing, or another key)\n`);
      return EXIT.denied;
    }
    // The key that verifies says who signed; the keyId in the file is not signed and is shown only as a claim.
    const claimed = loaded.declaration.signature.keyId;
    io.stdout.write(`VALID    ${file}: ${loaded.declaration.id} v${loaded.declaration.version} (sha256:${loaded.digest}) signed with ${keyFiles[signer]} (${keyFingerprint(keys[signer]!)})${claimed ? `; the file names the key ${JSON.stringify(claimed)}` : ""}\n`);
    return EXIT.ok;
  },
};

const KEYGEN_FLAGS = {
  "out-dir": { type: "string", value: "DIR", description: "where to write the key pair (default: current directory)" },
  name: { type: "string", value: "NAME", description: "file name stem (default: purpose-guard)" },
} as const;

export const keygenCommand: Command = {
  name: "keygen",
  summary: "create an Ed25519 key pair for signing declarations",
  help: `Usage: purpose-guard keygen [--out-dir DIR] [--name NAME]

Writes NAME.key.pem (private, mode 0600; keep it with the approver) and NAME.pub.pem (give it to the guards).
Existing files are never overwritten.

Flags:
${describeFlags(KEYGEN_FLAGS)}`,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { flags, positionals } = parseArgs(argv, KEYGEN_FLAGS);
    if (positionals.length > 0) throw new GuardError("USAGE", `unexpected argument \`${positionals[0]}\``);
    const dir = flags["out-dir"] ?? io.cwd;
    const name = flags.name ?? "purpose-guard";
    const { privateKeyPem, publicKeyPem } = generateSigningKeys();
    await mkdir(dir, { recursive: true });
    const privatePath = join(dir, `${name}.key.pem`);
    const publicPath = join(dir, `${name}.pub.pem`);
    try {
      await writeFile(privatePath, privateKeyPem, { flag: "wx", mode: 0o600 });
      await chmod(privatePath, 0o600);
      await writeFile(publicPath, publicKeyPem, { flag: "wx" });
    } catch (error) {
      throw new GuardError("KEY_INVALID", `cannot write the key pair: ${messageOf(error)}`, { issues: [{ file: dir, message: messageOf(error), fix: "choose another --name or --out-dir" }] });
    }
    io.stdout.write(`private key: ${privatePath}\npublic key:  ${publicPath}\n`);
    return EXIT.ok;
  },
};

function single(positionals: readonly string[], what: string): string {
  if (positionals.length !== 1) {
    throw new GuardError("USAGE", `expected one ${what}, got ${positionals.length}`, { issues: [{ message: `pass exactly one ${what}`, fix: "see --help" }] });
  }
  return positionals[0]!;
}

async function readText(file: string, code: "KEY_INVALID" | "DECLARATION_UNREADABLE"): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new GuardError(code, `cannot read ${file}: ${messageOf(error)}`, { issues: [{ file, message: messageOf(error), fix: "check the path" }], cause: error });
  }
}
