import { join } from "node:path";
import { compilePolicies, type CompiledPolicySet } from "./compile.js";
import { policiesHome, readPolicySources, readSchema } from "./policy-source.js";

export interface PolicyLoadOptions {
  /** User policy files or directories, added to the base policies. */
  readonly policies?: string | readonly string[];
  /** Include `policies/base` (default true). */
  readonly basePolicies?: boolean;
  /** A schema other than the package's (default `policies/schema.cedarschema`). */
  readonly schema?: string;
}

/** Reads, parses and validates the schema, the base policies and the user's policies. */
export async function loadCedarPolicies(options: PolicyLoadOptions = {}): Promise<CompiledPolicySet> {
  const home = await policiesHome();
  const schema = await readSchema(options.schema ?? join(home, "schema.cedarschema"));
  const user = options.policies === undefined ? [] : typeof options.policies === "string" ? [options.policies] : options.policies;
  const paths = [...(options.basePolicies === false ? [] : [join(home, "base")]), ...user];
  return compilePolicies(schema, await readPolicySources(paths));
}
