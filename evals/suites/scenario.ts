import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { GuardError, type Issue } from "../../src/errors.js";

/**
 * Our own attack suites as data (the format is documented in evals/README.md). A file is one category: a deployment
 * (declaration, policies, runtime, clock), a tool server described by data (tools and their behaviour over an
 * environment), and scenarios, each an attack or a benign look-alike, made of scripted steps with expected verdicts
 * and expected effects on the environment.
 */

const decision = z.enum(["allow", "deny", "redact", "ask", "halt", "forwarded", "stopped"]);

const toolSchema = z.strictObject({
  server: z.string().min(1),
  name: z.string().min(1),
  description: z.string(),
  inputSchema: z.record(z.string(), z.unknown()).default({ type: "object" }),
  annotations: z.strictObject({ readOnlyHint: z.boolean().optional(), destructiveHint: z.boolean().optional(), idempotentHint: z.boolean().optional(), openWorldHint: z.boolean().optional() }).optional(),
  /** What the tool answers: a record of `from` whose `key` field equals argument `arg`, all of `from`, or a fixed `value`. */
  returns: z.strictObject({ from: z.string().optional(), key: z.string().optional(), arg: z.string().optional(), value: z.unknown().optional() }).optional(),
  /** What the tool changes: appends its arguments to a collection, updates or removes the record `arg` names. */
  effect: z.strictObject({ append: z.string().optional(), update: z.string().optional(), remove: z.string().optional(), key: z.string().optional(), arg: z.string().optional() }).optional(),
});

const callStep = z.strictObject({
  call: z.strictObject({
    server: z.string().min(1),
    tool: z.string().min(1),
    args: z.record(z.string(), z.unknown()).default({}),
    /** Another session than the scenario's own (approval replay across sessions). */
    session: z.string().optional(),
    userValues: z.array(z.string()).optional(),
  }),
  expect: decision,
  /** A policy id the verdict must cite. */
  policy: z.string().optional(),
  /** How a person answers if the guard asks (default: nobody answers, so `ask` stands). */
  approve: z.enum(["approve", "decline"]).optional(),
});
const checkStep = z.strictObject({
  check: z.strictObject({ environment: z.string().optional(), region: z.string().optional(), account: z.string().optional(), tenant: z.string().optional() }),
  expect: z.enum(["allow", "deny"]),
  policy: z.string().optional(),
});
const advanceStep = z.strictObject({ advance: z.string().regex(/^\d+(s|m|h|d)$/, "a duration such as 90s, 11m, 2h, 91d") });
const listStep = z.strictObject({ listTools: z.strictObject({ visible: z.array(z.string()).default([]), hidden: z.array(z.string()).default([]) }) });
const mutateStep = z.strictObject({
  mutateTool: z.strictObject({ server: z.string().min(1), name: z.string().min(1), description: z.string().optional(), inputSchema: z.record(z.string(), z.unknown()).optional() }),
});
const stepSchema = z.union([callStep, checkStep, advanceStep, listStep, mutateStep]);

const scenarioSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case words joined by dashes"),
  kind: z.enum(["attack", "benign"]),
  description: z.string().min(1),
  /** Pieces of purpose-guard the scenario exercises beyond the core: classifier, redactor, flow, proxy, pinning, approvals. */
  requires: z.array(z.enum(["classifier", "redactor", "flow", "proxy", "pinning", "approvals"])).default([]),
  /** Overrides of the category's runtime and clock. */
  runtime: z.strictObject({ environment: z.string().optional(), region: z.string().optional(), account: z.string().optional(), tenant: z.string().optional() }).optional(),
  clock: z.string().optional(),
  steps: z.array(stepSchema).min(1),
  /** Expected number of changes under each environment path once the steps ran (e.g. `/outbox: 0`). */
  effects: z.record(z.string(), z.number().int().nonnegative()).default({}),
});

const categorySchema = z.strictObject({
  category: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string().min(1),
  description: z.string().min(1),
  declaration: z.record(z.string(), z.unknown()),
  policies: z.array(z.string()).default([]),
  runtime: z.strictObject({ environment: z.string().optional(), region: z.string().optional(), account: z.string().optional(), tenant: z.string().optional() }).default({}),
  clock: z.string().refine((value) => !Number.isNaN(Date.parse(value)), "an ISO 8601 timestamp"),
  /** Options for the guard's classifier (tenant id patterns, custom classes), as createGuard's `classification`. */
  classifier: z.record(z.string(), z.unknown()).optional(),
  /** The guard's monitor settings (drift rules, sensitive classes), as createGuard's `monitor`. */
  monitor: z.record(z.string(), z.unknown()).optional(),
  tools: z.array(toolSchema).min(1),
  environment: z.record(z.string(), z.unknown()).default({}),
  scenarios: z.array(scenarioSchema).min(1),
});

export type ToolDef = z.infer<typeof toolSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Scenario = z.infer<typeof scenarioSchema>;
export interface Category extends z.infer<typeof categorySchema> {
  readonly file: string;
  /** Policy paths, absolute. */
  readonly policyFiles: readonly string[];
}

/** Loads every `*.yaml` category of a folder, sorted by file name. */
export async function loadCategories(dir: string): Promise<Category[]> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    throw new GuardError("CONFIG_INVALID", `cannot read the scenario folder \`${dir}\``, { issues: [{ file: dir, message: error.code === "ENOENT" ? "no such folder" : error.message, fix: "pass --scenarios DIR" }] });
  });
  const files = entries.filter((name) => name.endsWith(".yaml") || name.endsWith(".yml")).sort();
  if (files.length === 0) throw new GuardError("CONFIG_INVALID", `no scenario files in \`${dir}\``, { issues: [{ file: dir, message: "no *.yaml files", fix: "see evals/README.md for the format" }] });
  return Promise.all(files.map((name) => loadCategory(join(dir, name))));
}

export async function loadCategory(file: string): Promise<Category> {
  const text = await readFile(file, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors[0]) {
    const pos = doc.errors[0].linePos?.[0];
    throw new GuardError("CONFIG_INVALID", `\`${file}\` is not valid YAML`, { issues: [{ file, ...(pos ? { line: pos.line, column: pos.col } : {}), message: doc.errors[0].message.split("\n")[0]!, fix: "fix the YAML syntax" }] });
  }
  const parsed = categorySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issues: Issue[] = parsed.error.issues.slice(0, 20).map((issue) => {
      const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
      const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
      return { file, ...(pos ? { line: pos.line, column: pos.col } : {}), path: issue.path.map(String).join("."), message: issue.message, fix: "see the scenario format in evals/README.md" };
    });
    throw new GuardError("CONFIG_INVALID", `\`${file}\` is not a valid scenario file`, { issues });
  }
  const category = parsed.data;
  const issues = crossCheck(file, category);
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", `\`${file}\` is inconsistent`, { issues });
  return { ...category, file, policyFiles: category.policies.map((path) => resolve(dirname(file), path)) };
}

/** Steps must call tools the file defines; scenario ids must be unique. */
function crossCheck(file: string, category: z.infer<typeof categorySchema>): Issue[] {
  const issues: Issue[] = [];
  const tools = new Set(category.tools.map((tool) => `${tool.server}/${tool.name}`));
  const ids = new Set<string>();
  category.scenarios.forEach((scenario, i) => {
    if (ids.has(scenario.id)) issues.push({ file, path: `scenarios.${i}.id`, message: `duplicate scenario id \`${scenario.id}\``, fix: "give each scenario its own id" });
    ids.add(scenario.id);
    scenario.steps.forEach((step, j) => {
      if ("call" in step && !tools.has(`${step.call.server}/${step.call.tool}`)) {
        issues.push({ file, path: `scenarios.${i}.steps.${j}.call`, message: `no tool \`${step.call.server}/${step.call.tool}\` in \`tools\``, fix: "define the tool, or fix the name" });
      }
    });
  });
  return issues;
}

/** `11m` -> milliseconds. */
export function durationMs(text: string): number {
  const n = Number.parseInt(text, 10);
  const unit = text.at(-1);
  return n * (unit === "s" ? 1000 : unit === "m" ? 60_000 : unit === "h" ? 3_600_000 : 86_400_000);
}
