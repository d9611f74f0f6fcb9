import { readFile } from "node:fs/promises";
import type { KeyObject } from "node:crypto";
import { GuardError, messageOf, type Issue } from "../errors.js";
import type { Declaration, LoadedDeclaration } from "../model/declaration.js";
import { declarationDigest } from "./digest.js";
import { declarationSchema } from "./schema.js";
import { verifyDeclaration } from "./sign.js";
import { parseSource, type SourceDocument } from "./source.js";
import { asDeclaration, findVagueness, type SpecificityOptions } from "./specificity.js";

export interface LoadOptions extends SpecificityOptions {
  /**
   * Public keys (Ed25519) trusted to sign declarations. When set, an unsigned or altered declaration is refused, so
   * an agent that can write its own declaration still cannot widen its purpose.
   */
  readonly trustedKeys?: readonly KeyObject[];
}

/** Reads and validates a declaration file (YAML or JSON). Every problem is reported with file, line and column. */
export async function loadDeclarationFile(file: string, options: LoadOptions = {}): Promise<LoadedDeclaration> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new GuardError("DECLARATION_UNREADABLE", `cannot read ${file}: ${messageOf(error)}`, {
      issues: [{ file, message: messageOf(error), fix: "check the path and its permissions" }],
      cause: error,
    });
  }
  return parseDeclaration(text, file, options);
}

/** Validates a declaration's text; `file` names it in errors. */
export function parseDeclaration(text: string, file: string, options: LoadOptions = {}): LoadedDeclaration {
  return validateDeclaration(parseSource(text, file), options);
}

/** Validates a declaration given as an object (no line numbers: issues name field paths). */
export function declarationFromObject(value: unknown, options: LoadOptions = {}): LoadedDeclaration {
  const source: SourceDocument = {
    file: "<object>",
    value,
    locate: () => ({ line: 0, column: 0 }),
    document: undefined as never,
  };
  return validateDeclaration(source, options);
}

function validateDeclaration(source: SourceDocument, options: LoadOptions): LoadedDeclaration {
  const parsed = declarationSchema.safeParse(source.value, { reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue): Issue[] => {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
      return keys.map((key) => {
        const path = key === undefined ? issue.path : [...issue.path, key];
        return { ...where(source, path), message: schemaMessage(issue, key), fix: schemaFix(issue, key) };
      });
    });
    throw new GuardError("DECLARATION_INVALID", `${source.file} is not a valid purpose-guard/v1 declaration`, { issues });
  }
  const vague = findVagueness(parsed.data, options);
  if (vague.length > 0) {
    const issues = vague.map((issue) => ({ ...where(source, issue.path), message: issue.message, fix: issue.fix }));
    throw new GuardError("DECLARATION_TOO_BROAD", `${source.file} does not bound the workload's intent`, { issues });
  }
  const declaration: Declaration = asDeclaration(parsed.data);
  const signatureVerified = options.trustedKeys ? checkSignature(declaration, options.trustedKeys, source) : false;
  return {
    declaration,
    digest: declarationDigest(declaration),
    source: source.file,
    signatureVerified,
    issuedAtMs: Date.parse(declaration.lifespan.issuedAt),
    expiresAtMs: Date.parse(declaration.lifespan.expiresAt),
  };
}

function checkSignature(declaration: Declaration, keys: readonly KeyObject[], source: SourceDocument): true {
  if (!declaration.signature) {
    throw new GuardError("DECLARATION_SIGNATURE", `${source.file} is not signed, and this guard only accepts signed declarations`, {
      issues: [{ ...where(source, []), message: "no `signature` field", fix: "sign it with `purpose-guard sign --key PRIVATE.pem FILE`" }],
    });
  }
  if (!verifyDeclaration(declaration, keys)) {
    throw new GuardError("DECLARATION_SIGNATURE", `${source.file}'s signature does not verify with any trusted key`, {
      issues: [{ ...where(source, ["signature"]), message: "the declaration was changed after signing, or signed with an untrusted key", fix: "have the approver re-sign the reviewed declaration" }],
    });
  }
  return true;
}

function where(source: SourceDocument, path: readonly PropertyKey[]): Pick<Issue, "file" | "line" | "column" | "path"> {
  const fieldPath = formatPath(path);
  if (source.file === "<object>") return { file: source.file, ...(fieldPath ? { path: fieldPath } : {}) };
  return { file: source.file, ...source.locate(path), ...(fieldPath ? { path: fieldPath } : {}) };
}

/** `dataScope.read[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === "number" ? `${out}[${segment}]` : out ? `${out}.${String(segment)}` : String(segment)), "");
}

interface SchemaIssue {
  readonly code: string;
  readonly message: string;
  readonly expected?: unknown;
  readonly input?: unknown;
}

function schemaMessage(issue: SchemaIssue, key: string | undefined): string {
  if (key !== undefined) return `unknown field \`${key}\``;
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  // Issues carry the offending input (reportInput) only for the fix; messages never echo it.
  return issue.message.replace(/^Invalid input: /, "");
}

function schemaFix(issue: SchemaIssue, key: string | undefined): string {
  if (key !== undefined) return "remove it or correct its spelling (see the declaration reference in README.md)";
  if (issue.code === "invalid_type" && issue.expected === "string" && typeof issue.input === "number") {
    return "quote the value, e.g. \"123456789012\", so YAML keeps it a string";
  }
  if (issue.code === "invalid_type" && issue.input === undefined) return "add the field";
  return "correct the value";
}
