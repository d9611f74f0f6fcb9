import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GuardError, messageOf } from "../../errors.js";

/** One policy file's text and where it came from. */
export interface PolicySource {
  readonly file: string;
  readonly text: string;
}

/** The package's own `policies/` folder (schema, base policies, packs), found from this module in src/ or dist/. */
export async function policiesHome(): Promise<string> {
  for (const up of ["../../../policies", "../../../../policies"]) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (await exists(join(dir, "schema.cedarschema"))) return dir;
  }
  throw new GuardError("POLICY_UNREADABLE", "cannot find the package's policies/ folder", {
    issues: [{ message: "policies/schema.cedarschema is missing from the installation", fix: "reinstall purpose-guard" }],
  });
}

/**
 * Reads `.cedar` files from files and directories (directories non-recursively, sorted by name so the policy set and
 * its revision do not depend on the file system's order).
 */
export async function readPolicySources(paths: readonly string[]): Promise<PolicySource[]> {
  const sources: PolicySource[] = [];
  for (const path of paths) {
    const full = resolve(path);
    let info;
    try {
      info = await stat(full);
    } catch (error) {
      throw unreadable(path, error);
    }
    const files = info.isDirectory()
      ? (await readdir(full)).filter((name) => name.endsWith(".cedar")).sort().map((name) => join(full, name))
      : [full];
    for (const file of files) {
      try {
        sources.push({ file, text: await readFile(file, "utf8") });
      } catch (error) {
        throw unreadable(file, error);
      }
    }
  }
  return sources;
}

export async function readSchema(file: string): Promise<PolicySource> {
  try {
    return { file, text: await readFile(file, "utf8") };
  } catch (error) {
    throw unreadable(file, error);
  }
}

function unreadable(path: string, error: unknown): GuardError {
  return new GuardError("POLICY_UNREADABLE", `cannot read policies at ${path}: ${messageOf(error)}`, {
    issues: [{ file: path, message: messageOf(error), fix: "pass a .cedar file or a directory of them" }],
    cause: error,
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
