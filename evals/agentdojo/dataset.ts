import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type ParsedNode, type Scalar } from "yaml";
import { z } from "zod";
import { GuardError, type Issue } from "../../src/errors.js";
import { jsonErrorOffset } from "./json-position.js";

/**
 * The AgentDojo data as a folder lays it out (see the dataset README): `tasks.json`, `attacks.json`, and per suite
 * `environments/<suite>/environment.yaml` (with `!include`s) and `injection_vectors.yaml`. Everything is validated
 * here, once, with errors that name the file, the field and the fix; the rest of the harness trusts these types.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments, as the dataset gives it (served as the MCP `inputSchema`). */
  readonly parameters: JsonObject;
}

export interface GroundTruthCall {
  readonly function: string;
  readonly args: JsonObject;
}

export interface UserTask {
  readonly id: string;
  readonly prompt: string;
  readonly difficulty?: string;
  readonly groundTruth: readonly GroundTruthCall[];
}

export interface InjectionTask {
  readonly id: string;
  readonly goal: string;
  readonly groundTruth: readonly GroundTruthCall[];
}

export interface SuiteTasks {
  readonly tools: readonly ToolSpec[];
  /** Vector name -> default content, as tasks.json lists them. */
  readonly injectionVectors: Readonly<Record<string, string>>;
  readonly userTasks: readonly UserTask[];
  readonly injectionTasks: readonly InjectionTask[];
}

export interface InjectionVector {
  readonly name: string;
  readonly description: string;
  /** Benign content, as YAML source text (escapes such as `\t` are interpreted where the placeholder sits in a double-quoted scalar). */
  readonly default: string;
}

/** One place in the environment tree whose string holds `{placeholders}`. */
export interface TemplateSlot {
  /** Path of keys and indexes from the environment root. */
  readonly path: readonly (string | number)[];
  /** True when the placeholder is in a map key rather than a value. */
  readonly inKey: boolean;
  readonly text: string;
  /** The scalar was double-quoted in YAML: vector defaults are YAML-unescaped there. */
  readonly doubleQuoted: boolean;
}

export interface SuiteEnvironment {
  /** The parsed environment with `!include`s resolved; strings still hold their `{placeholders}`. */
  readonly tree: JsonObject;
  readonly slots: readonly TemplateSlot[];
  readonly vectors: Readonly<Record<string, InjectionVector>>;
  readonly file: string;
}

export interface AttackTemplates {
  readonly defaults: { readonly user: string; readonly model: string };
  readonly templates: Readonly<Record<string, string>>;
}

export interface AgentDojoData {
  readonly dir: string;
  readonly tasksFile: string;
  readonly suites: Readonly<Record<string, SuiteTasks>>;
  readonly attacks: AttackTemplates;
  /** The dataset README, when present: published figures are read from it for the comparison table. */
  readonly readme?: string;
  environment(suite: string): Promise<SuiteEnvironment>;
}

const toolSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
const callSchema = z.object({ function: z.string().min(1), args: z.record(z.string(), z.unknown()) });
const userTaskSchema = z.object({
  id: z.string().min(1),
  prompt: z.string(),
  difficulty: z.string().optional(),
  ground_truth: z.array(callSchema),
});
const injectionTaskSchema = z.object({ id: z.string().min(1), goal: z.string(), ground_truth: z.array(callSchema) });
const suiteSchema = z.object({
  tools: z.array(toolSchema).min(1),
  injection_vectors: z.record(z.string(), z.string()),
  user_tasks: z.array(userTaskSchema),
  injection_tasks: z.array(injectionTaskSchema),
});
const tasksSchema = z.record(z.string(), suiteSchema);
const attacksSchema = z.object({
  defaults: z.object({ user: z.string(), model: z.string() }),
  templates: z.record(z.string(), z.string()).refine((t) => Object.keys(t).length > 0, "no attack templates"),
});
const vectorsSchema = z.record(z.string(), z.object({ description: z.string().default(""), default: z.string().nullable().default("") }));

/** Where the data folder is when no `--data` is given: `../shared/datasets/agentdojo-v1` beside a CI clone. */
export function defaultDataDir(repoRoot: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  return env["AGENTDOJO_DATA"] ? resolve(env["AGENTDOJO_DATA"]) : resolve(repoRoot, "../shared/datasets/agentdojo-v1");
}

export interface LoadOptions {
  /** Another task file of the same format, replacing `<dir>/tasks.json`. */
  readonly tasksFile?: string;
}

/** Loads and validates a data folder. Environments load lazily (per suite) but are validated on first use. */
export async function loadAgentDojo(dir: string, options: LoadOptions = {}): Promise<AgentDojoData> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw dataError(`the AgentDojo data folder \`${root}\` does not exist`, {
      file: root,
      message: "not a directory",
      fix: "pass --data DIR (or set AGENTDOJO_DATA) pointing at a folder laid out like ../shared/datasets/agentdojo-v1; evals/README.md explains how to assemble one",
    });
  }
  const tasksFile = options.tasksFile ? resolve(options.tasksFile) : join(root, "tasks.json");
  const rawTasks = tasksSchemaParse(tasksFile, await readJson(tasksFile));
  const suites: Record<string, SuiteTasks> = {};
  for (const [name, suite] of Object.entries(rawTasks)) {
    checkTasks(tasksFile, name, suite);
    suites[name] = {
      tools: suite.tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters as JsonObject })),
      injectionVectors: suite.injection_vectors,
      userTasks: suite.user_tasks.map((task) => ({
        id: task.id,
        prompt: task.prompt,
        ...(task.difficulty === undefined ? {} : { difficulty: task.difficulty }),
        groundTruth: task.ground_truth.map(toCall),
      })),
      injectionTasks: suite.injection_tasks.map((task) => ({ id: task.id, goal: task.goal, groundTruth: task.ground_truth.map(toCall) })),
    };
  }
  const attacksFile = join(root, "attacks.json");
  const attacks = parseWith(attacksSchema, attacksFile, await readJson(attacksFile), "an object with `defaults` {user, model} and `templates` {name: text}");
  const readme = await readFile(join(root, "README.md"), "utf8").catch(() => undefined);
  const environments = new Map<string, Promise<SuiteEnvironment>>();
  return {
    dir: root,
    tasksFile,
    suites,
    attacks,
    ...(readme === undefined ? {} : { readme }),
    environment(suite: string) {
      let loaded = environments.get(suite);
      if (!loaded) {
        loaded = loadEnvironment(root, suite, suites[suite]);
        environments.set(suite, loaded);
      }
      return loaded;
    },
  };
}

function toCall(call: { function: string; args: Record<string, unknown> }): GroundTruthCall {
  return { function: call.function, args: call.args as JsonObject };
}

function tasksSchemaParse(file: string, value: unknown): z.infer<typeof tasksSchema> {
  return parseWith(tasksSchema, file, value, "an object of suites, each with `tools`, `injection_vectors`, `user_tasks` and `injection_tasks`");
}

/** Cross-field checks zod cannot express: unique ids, calls that name a tool of the suite. */
function checkTasks(file: string, suite: string, tasks: z.infer<typeof suiteSchema>): void {
  const issues: Issue[] = [];
  const tools = new Set(tasks.tools.map((tool) => tool.name));
  const seen = new Set<string>();
  const check = (kind: "user_tasks" | "injection_tasks", index: number, id: string, calls: readonly { function: string }[]) => {
    if (seen.has(id)) issues.push({ file, path: `${suite}.${kind}[${index}].id`, message: `duplicate task id \`${id}\``, fix: "give every task of a suite its own id" });
    seen.add(id);
    calls.forEach((call, at) => {
      if (!tools.has(call.function)) {
        issues.push({
          file,
          path: `${suite}.${kind}[${index}].ground_truth[${at}].function`,
          message: `\`${call.function}\` is not a tool of suite \`${suite}\``,
          fix: `use one of the suite's tools (${[...tools].slice(0, 6).join(", ")}, ...)`,
        });
      }
    });
  };
  tasks.user_tasks.forEach((task, i) => check("user_tasks", i, task.id, task.ground_truth));
  tasks.injection_tasks.forEach((task, i) => check("injection_tasks", i, task.id, task.ground_truth));
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", `the task file \`${file}\` is inconsistent`, { issues });
}

async function loadEnvironment(root: string, suite: string, tasks: SuiteTasks | undefined): Promise<SuiteEnvironment> {
  if (!tasks) throw dataError(`unknown suite \`${suite}\``, { message: `no suite \`${suite}\` in the task file`, fix: "pick a suite the task file defines" });
  const file = join(root, "environments", suite, "environment.yaml");
  const doc = await readYaml(file);
  const slots: TemplateSlot[] = [];
  const tree = await toJson(doc.contents, file, [], slots);
  if (!isObject(tree)) throw dataError(`\`${file}\` is not a YAML mapping`, { file, message: "the environment must be a mapping of components", fix: "see the dataset README" });
  const vectorsFile = join(root, "environments", suite, "injection_vectors.yaml");
  const rawVectors = parseWith(vectorsSchema, vectorsFile, (await readYaml(vectorsFile)).toJS(), "a mapping of vector name -> {description, default}");
  const vectors: Record<string, InjectionVector> = {};
  for (const [name, vector] of Object.entries(rawVectors)) vectors[name] = { name, description: vector.description, default: vector.default ?? "" };
  // Every vector the tasks know must exist in the environment, or attacks would silently land nowhere.
  const placed = new Set(slots.flatMap((slot) => placeholders(slot.text)));
  const issues: Issue[] = [];
  for (const name of Object.keys(tasks.injectionVectors)) {
    if (!vectors[name]) issues.push({ file: vectorsFile, path: name, message: `vector \`${name}\` of tasks.json has no entry here`, fix: "add it with a `default`" });
    if (!placed.has(name)) issues.push({ file, path: name, message: `vector \`${name}\` appears in no string of the environment`, fix: `place \`{${name}}\` where the attacker's text would appear` });
  }
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", `the ${suite} environment does not match its injection vectors`, { issues });
  return { tree, slots: slots.filter((slot) => placeholders(slot.text).some((name) => vectors[name])), vectors, file };
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The `{name}` placeholders of a string, in order. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

/** Converts a YAML node to JSON, resolving `!include FILE` relative to the including file. */
async function toJson(node: unknown, file: string, path: (string | number)[], slots: TemplateSlot[]): Promise<Json> {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    const scalar = node as Scalar;
    if (scalar.tag === "!include") return includeFile(file, String(scalar.value), path, slots);
    const value = scalar.value;
    if (typeof value === "string") {
      if (value.includes("{")) slots.push({ path: [...path], inKey: false, text: value, doubleQuoted: scalar.type === "QUOTE_DOUBLE" });
      return value;
    }
    if (value === null || typeof value === "boolean" || typeof value === "number") return value;
    return String(value);
  }
  if (isSeq(node)) {
    const out: Json[] = [];
    for (const [index, item] of node.items.entries()) out.push(await toJson(item, file, [...path, index], slots));
    return out;
  }
  if (isMap(node)) {
    const out: JsonObject = {};
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      if (key.includes("{")) slots.push({ path: [...path, key], inKey: true, text: key, doubleQuoted: isScalar(keyNode) && keyNode.type === "QUOTE_DOUBLE" });
      out[key] = await toJson(pair.value, file, [...path, key], slots);
    }
    return out;
  }
  throw dataError(`unsupported YAML node in \`${file}\``, { file, path: path.join("."), message: "aliases and custom tags other than !include are not supported" });
}

async function includeFile(from: string, target: string, path: (string | number)[], slots: TemplateSlot[]): Promise<Json> {
  const file = resolve(dirname(from), target);
  const doc = await readYaml(file).catch((error: unknown) => {
    throw dataError(`\`${from}\` includes \`${target}\`, which cannot be read`, {
      file: from,
      path: path.join("."),
      message: error instanceof GuardError ? error.message : String(error),
      fix: "keep included files beside the environment file (include/*.yaml)",
    });
  });
  return toJson(doc.contents, file, path, slots);
}

async function readYaml(file: string): Promise<Document.Parsed<ParsedNode>> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw dataError(`cannot read \`${file}\``, { file, message: error.code === "ENOENT" ? "the file does not exist" : error.message, fix: "check the data folder's layout against the dataset README" });
  });
  // `!include` is kept as a tagged scalar and resolved by toJson.
  const doc = parseDocument(text, { customTags: [{ tag: "!include", resolve: (value: string) => value }], keepSourceTokens: false });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw dataError(`\`${file}\` is not valid YAML`, { file, ...(pos ? { line: pos.line, column: pos.col } : {}), message: error.message.split("\n")[0]!, fix: "fix the YAML syntax" });
  }
  return doc;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw dataError(`cannot read \`${file}\``, { file, message: error.code === "ENOENT" ? "the file does not exist" : error.message, fix: "check the path (and the data folder's layout against the dataset README)" });
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
    const offset = jsonErrorOffset(text);
    throw dataError(`\`${file}\` is not valid JSON`, { file, ...(offset === undefined ? {} : lineColumn(text, offset)), message, fix: "fix the JSON syntax" });
  }
}

function parseWith<T>(schema: z.ZodType<T>, file: string, value: unknown, expected: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: Issue[] = result.error.issues.slice(0, 20).map((issue) => ({
    file,
    path: issue.path.map(String).join("."),
    message: issue.message,
    fix: `expected ${expected}`,
  }));
  throw new GuardError("CONFIG_INVALID", `\`${file}\` does not have the AgentDojo layout`, { issues });
}

function dataError(message: string, issue: Issue): GuardError {
  return new GuardError("CONFIG_INVALID", message, { issues: [issue] });
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
