import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { GuardError, type Issue } from "../../src/errors.js";

/**
 * How each suite's assistant is deployed for the eval: its declaration, the policy packs added to the base policies,
 * where it runs, the monitor's settings, and the clock the guard sees (fixed, so results never depend on today's date). Read from
 * `deployments.yaml` in the declarations folder; relative paths resolve against that file.
 */
export interface Deployment {
  readonly suite: string;
  readonly declaration: string;
  readonly policies: readonly string[];
  readonly runtime: { readonly environment?: string; readonly region?: string; readonly account?: string; readonly tenant?: string };
  /** The guard's monitor settings (drift rules, sensitive classes), passed as they are; the guard validates them. */
  readonly monitor?: Readonly<Record<string, unknown>>;
  /** Milliseconds since the epoch when the first call happens; each later call is `stepMs` later. */
  readonly clockStart: number;
  readonly stepMs: number;
}

const entrySchema = z.strictObject({
  declaration: z.string().min(1),
  policies: z.array(z.string().min(1)).default([]),
  runtime: z.strictObject({ environment: z.string().optional(), region: z.string().optional(), account: z.string().optional(), tenant: z.string().optional() }).default({}),
  clock: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 timestamp, e.g. 2026-11-25T09:00:00Z"),
  stepSeconds: z.number().positive().default(2),
  monitor: z.record(z.string(), z.unknown()).optional(),
});
const fileSchema = z.strictObject({ suites: z.record(z.string(), entrySchema) });

export async function loadDeployments(dir: string): Promise<Readonly<Record<string, Deployment>>> {
  const file = resolve(dir, "deployments.yaml");
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new GuardError("CONFIG_INVALID", `cannot read \`${file}\``, {
      issues: [{ file, message: error.code === "ENOENT" ? "the file does not exist" : error.message, fix: "pass --declarations DIR pointing at a folder with deployments.yaml and the suites' declarations" }],
    });
  });
  const doc = parseDocument(text);
  if (doc.errors[0]) {
    const pos = doc.errors[0].linePos?.[0];
    throw new GuardError("CONFIG_INVALID", `\`${file}\` is not valid YAML`, { issues: [{ file, ...(pos ? { line: pos.line, column: pos.col } : {}), message: doc.errors[0].message.split("\n")[0]!, fix: "fix the YAML syntax" }] });
  }
  const parsed = fileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issues: Issue[] = parsed.error.issues.map((issue) => ({ file, path: issue.path.map(String).join("."), message: issue.message, fix: "see evals/README.md (deployments)" }));
    throw new GuardError("CONFIG_INVALID", `\`${file}\` is invalid`, { issues });
  }
  const base = dirname(file);
  const out: Record<string, Deployment> = {};
  for (const [suite, entry] of Object.entries(parsed.data.suites)) {
    out[suite] = {
      suite,
      declaration: resolve(base, entry.declaration),
      policies: entry.policies.map((path) => resolve(base, path)),
      runtime: entry.runtime,
      ...(entry.monitor ? { monitor: entry.monitor } : {}),
      clockStart: Date.parse(entry.clock),
      stepMs: entry.stepSeconds * 1000,
    };
  }
  return out;
}
