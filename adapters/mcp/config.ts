/**
 * `purpose-guard.yaml`: the proxy's configuration (upstream servers, naming, pins, the HTTP listener, and where the
 * declaration, policies and audit log are). Validated with zod; every complaint names the file, line and column,
 * the field, what is wrong and how to fix it. Relative paths resolve against the file's directory; `${VAR}` in
 * strings is replaced from the environment (a missing variable is an error, never an empty string).
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from "yaml";
import { z } from "zod";
import { GuardError, type Issue } from "../../src/errors.js";
import type { HttpListenOptions } from "./http.js";
import type { NamingOptions } from "./naming.js";
import type { RestartPolicy, UpstreamSpec } from "./upstream.js";

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const stringMap = z.record(z.string(), z.string());
const positiveMs = z.number().int().positive();

const serverSchema = z.strictObject({
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  cwd: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  headers: stringMap.optional(),
  timeoutMs: z.number().int().nonnegative().optional(),
});

const listenSchema = z.strictObject({
  address: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, "expected HOST:PORT, e.g. 127.0.0.1:8080").optional(),
  path: z.string().startsWith("/").optional(),
  token: z.string().min(1).optional(),
  allowedHosts: z.array(z.string().min(1)).optional(),
  allowedOrigins: z.array(z.string().url()).optional(),
  maxSessions: z.number().int().positive().optional(),
  sessionIdleMs: positiveMs.optional(),
});

export const proxyConfigSchema = z.strictObject({
  apiVersion: z.literal("purpose-guard/v1").optional(),
  kind: z.literal("ProxyConfig").optional(),
  declaration: z.string().min(1).optional(),
  policies: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  audit: z.string().min(1).optional(),
  runtime: z.strictObject({
    environment: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    account: z.string().min(1).optional(),
    tenant: z.string().min(1).optional(),
  }).optional(),
  servers: z.record(z.string(), serverSchema),
  tools: z.strictObject({
    prefix: z.enum(["auto", "always", "never"]).optional(),
    separator: z.string().min(1).optional(),
    undeclared: z.enum(["hide", "deny"]).optional(),
  }).optional(),
  pins: z.string().min(1).optional(),
  listen: listenSchema.optional(),
  restart: z.strictObject({ initialDelayMs: positiveMs.optional(), maxDelayMs: positiveMs.optional() }).optional(),
});

export type ProxyConfigFile = z.infer<typeof proxyConfigSchema>;

/** The configuration as the proxy uses it: paths absolute, variables expanded, defaults applied. */
export interface ProxyConfig {
  readonly file: string;
  readonly declaration?: string;
  readonly policies?: readonly string[];
  readonly audit?: string;
  readonly runtime: { readonly environment?: string; readonly region?: string; readonly account?: string; readonly tenant?: string };
  readonly upstreams: readonly UpstreamSpec[];
  readonly naming: NamingOptions;
  readonly undeclared: "hide" | "deny";
  readonly pins?: string;
  /** The HTTP listener's options, as `listen` in the file gives them (the address split into host and port). */
  readonly listen?: Omit<HttpListenOptions, "log"> & { readonly host: string };
  readonly restart?: Partial<RestartPolicy>;
}

export async function loadProxyConfig(file: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<ProxyConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new GuardError("CONFIG_INVALID", `cannot read the proxy configuration \`${file}\``, {
      cause: error,
      issues: [{ file, message: (error as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : String(error), fix: "check the --config path" }],
    });
  }
  return parseProxyConfig(text, path, env);
}

export function parseProxyConfig(text: string, file: string, env: Readonly<Record<string, string | undefined>> = process.env): ProxyConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new GuardError("CONFIG_INVALID", `\`${file}\` is not valid YAML`, {
      issues: doc.errors.map((error) => {
        const at = lineCounter.linePos(error.pos[0]);
        return { file, line: at.line, column: at.col, message: error.message.split("\n")[0]!, fix: "fix the YAML syntax at that position" };
      }),
    });
  }
  const at = locator(doc, lineCounter, file);
  const parsed = proxyConfigSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new GuardError("CONFIG_INVALID", `\`${file}\` is not a valid purpose-guard proxy configuration`, {
      issues: parsed.error.issues.map((issue) => zodIssue(issue, at)),
    });
  }
  const issues: Issue[] = [];
  const base = dirname(file);
  const expand = (value: string, path: readonly (string | number)[]): string =>
    value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) {
        issues.push({ ...at(path), message: `environment variable \`${name}\` is not set`, fix: `set ${name} in the proxy's environment, or write the value here` });
        return "";
      }
      return found;
    });
  const expandMap = (map: Readonly<Record<string, string>> | undefined, path: readonly (string | number)[]) =>
    map === undefined ? undefined : Object.fromEntries(Object.entries(map).map(([key, value]) => [key, expand(value, [...path, key])]));

  const config = parsed.data;
  const separator = config.tools?.separator ?? "__";
  const names = Object.keys(config.servers);
  if (names.length === 0) issues.push({ ...at(["servers"]), message: "no server is configured", fix: "add at least one server under `servers`, e.g. `fs: { command: npx, args: [...] }`" });
  const upstreams: UpstreamSpec[] = [];
  for (const name of names) {
    const server = config.servers[name]!;
    const where = ["servers", name];
    if (!SERVER_NAME.test(name)) issues.push({ ...at(where, "key"), message: `server name \`${name}\` may only use letters, digits, \`_\`, \`.\` and \`-\``, fix: "rename the server (the declaration's tools[].server must use the same name)" });
    else if (name.includes(separator)) issues.push({ ...at(where, "key"), message: `server name \`${name}\` contains the tool-name separator \`${separator}\``, fix: "rename the server, or set another `tools.separator`" });
    if ((server.command === undefined) === (server.url === undefined)) {
      issues.push({ ...at(where), message: server.command === undefined ? "a server needs `command` (stdio) or `url` (Streamable HTTP)" : "a server has either `command` or `url`, not both", fix: "keep exactly one of them" });
      continue;
    }
    const timeoutMs = server.timeoutMs === undefined ? {} : { timeoutMs: server.timeoutMs };
    if (server.url !== undefined) {
      for (const field of ["args", "env", "cwd"] as const) {
        if (server[field] !== undefined) issues.push({ ...at([...where, field], "key"), message: `\`${field}\` applies to stdio servers (with \`command\`), not to a \`url\``, fix: `remove \`${field}\`` });
      }
      const url = expand(server.url, [...where, "url"]);
      if (issues.length === 0 && !/^https?:\/\//.test(url)) issues.push({ ...at([...where, "url"]), message: `\`${url}\` is not an http(s) URL`, fix: "write the server's Streamable HTTP endpoint, e.g. http://127.0.0.1:3001/mcp" });
      const headers = expandMap(server.headers, [...where, "headers"]);
      upstreams.push({ name, transport: "http", url, ...(headers ? { headers } : {}), ...timeoutMs });
    } else {
      if (server.headers !== undefined) issues.push({ ...at([...where, "headers"], "key"), message: "`headers` applies to HTTP servers (with `url`), not to a `command`", fix: "remove `headers`, or pass values through `env`" });
      const env = expandMap(server.env, [...where, "env"]);
      upstreams.push({
        name,
        transport: "stdio",
        command: expand(server.command!, [...where, "command"]),
        ...(server.args ? { args: server.args.map((arg, i) => expand(arg, [...where, "args", i])) } : {}),
        ...(env ? { env } : {}),
        cwd: resolve(base, server.cwd ?? "."),
        ...timeoutMs,
      });
    }
  }
  if (config.tools?.prefix === "never" && names.length > 1) {
    issues.push({ ...at(["tools", "prefix"]), message: "`never` with several servers lets their tool names collide", fix: "use `auto` (prefix only when aggregating) or `always`" });
  }
  let listen: ProxyConfig["listen"];
  if (config.listen) {
    const address = config.listen.address ?? "127.0.0.1:8080";
    const { host, port } = splitAddress(address);
    if (port > 65535) issues.push({ ...at(["listen", "address"]), message: `port ${port} is out of range`, fix: "use a port from 1 to 65535 (0 picks a free one)" });
    const token = config.listen.token === undefined ? undefined : expand(config.listen.token, ["listen", "token"]);
    if (token !== undefined && token !== "" && token.length < 16) {
      issues.push({ ...at(["listen", "token"]), message: "a bearer token needs at least 16 characters", fix: FIELD_FIXES["listen.token"]! });
    }
    listen = {
      host,
      port,
      ...(config.listen.path ? { path: config.listen.path } : {}),
      ...(token ? { token } : {}),
      ...(config.listen.allowedHosts ? { allowedHosts: config.listen.allowedHosts } : {}),
      ...(config.listen.allowedOrigins ? { allowedOrigins: config.listen.allowedOrigins } : {}),
      ...(config.listen.maxSessions ? { maxSessions: config.listen.maxSessions } : {}),
      ...(config.listen.sessionIdleMs ? { sessionIdleMs: config.listen.sessionIdleMs } : {}),
    };
  }
  if (issues.length > 0) throw new GuardError("CONFIG_INVALID", `\`${file}\` is not a valid purpose-guard proxy configuration`, { issues });
  const policies = config.policies === undefined ? undefined : (Array.isArray(config.policies) ? config.policies : [config.policies]).map((p) => resolve(base, p));
  return {
    file,
    ...(config.declaration ? { declaration: resolve(base, config.declaration) } : {}),
    ...(policies ? { policies } : {}),
    ...(config.audit ? { audit: config.audit === "stderr" ? "stderr" : resolve(base, config.audit) } : {}),
    runtime: config.runtime ?? {},
    upstreams,
    naming: { prefix: config.tools?.prefix ?? "auto", separator },
    undeclared: config.tools?.undeclared ?? "hide",
    ...(config.pins ? { pins: resolve(base, config.pins) } : {}),
    ...(listen ? { listen } : {}),
    ...(config.restart ? { restart: config.restart } : {}),
  };
}

/** `HOST:PORT` → parts; IPv6 hosts in brackets. */
export function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const rawHost = address.slice(0, colon);
  return { host: rawHost.startsWith("[") ? rawHost.slice(1, -1) : rawHost, port: Number(address.slice(colon + 1)) };
}

type Locate = (path: readonly PropertyKey[], part?: "key" | "value") => Pick<Issue, "file" | "line" | "column" | "path">;

/** Finds where a field is in the YAML source; a missing field points at its nearest existing parent. */
function locator(doc: Document, lineCounter: LineCounter, file: string): Locate {
  return (path, part = "value") => {
    const segments = path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
    let node: Node | undefined;
    let depth = segments.length;
    for (; depth >= 0; depth--) {
      const found = depth === 0 ? doc.contents : doc.getIn(segments.slice(0, depth), true);
      if (found && typeof found === "object" && "range" in found) {
        node = found as Node;
        break;
      }
    }
    if (part === "key" && depth > 0) {
      const parent = depth === 1 ? doc.contents : doc.getIn(segments.slice(0, depth - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segments[depth - 1]);
        if (pair && isScalar(pair.key) && pair.key.range) node = pair.key;
      }
    }
    const offset = node?.range?.[0];
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return {
      file,
      ...(position ? { line: position.line, column: position.col } : {}),
      ...(segments.length > 0 ? { path: formatPath(segments) } : {}),
    };
  };
}

function formatPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((out, segment) => (typeof segment === "number" ? `${out}[${segment}]` : out === "" ? segment : `${out}.${segment}`), "");
}

const FIELD_FIXES: Readonly<Record<string, string>> = {
  servers: "map each server name to `{ command, args }` (stdio) or `{ url }` (Streamable HTTP)",
  "tools.prefix": "use `auto`, `always` or `never`",
  "tools.undeclared": "use `hide` (undeclared tools are not listed) or `deny` (listed, every call denied)",
  "listen.address": "write HOST:PORT, e.g. 127.0.0.1:8080",
  "listen.token": "use a long random value, e.g. from `openssl rand -hex 32`, or `${PURPOSE_GUARD_TOKEN}`",
};

function zodIssue(issue: z.core.$ZodIssue, at: Locate): Issue {
  const path = issue.path as (string | number)[];
  const field = formatPath(path.map((segment) => (typeof segment === "number" ? segment : String(segment))).map((segment) => (typeof segment === "string" && /^\d+$/.test(segment) ? Number(segment) : segment)));
  const generic = field.replace(/^servers\.[^.]+/, "servers.*");
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(path);
      const key = issue.keys[0]!;
      const suggestion = closest(key, known);
      return {
        ...at([...path, key], "key"),
        message: `unknown field \`${key}\`${issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => `\`${k}\``).join(", ")})` : ""}`,
        fix: suggestion ? `did you mean \`${suggestion}\`?` : `known fields here: ${known.join(", ")}`,
      };
    }
    case "invalid_type":
      return {
        ...at(path),
        message: issue.message.includes("received undefined") ? "missing" : issue.message.replace(/^Invalid input: /, ""),
        fix: FIELD_FIXES[generic] ?? (issue.expected === "string" && !issue.message.includes("undefined") ? "quote the value, e.g. \"1\"" : `write a ${issue.expected} here`),
      };
    case "invalid_value":
      return { ...at(path), message: issue.message.replace(/^Invalid (option|input): /, ""), fix: FIELD_FIXES[generic] ?? `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` };
    default:
      return { ...at(path), message: issue.message, ...(FIELD_FIXES[generic] ? { fix: FIELD_FIXES[generic] } : {}) };
  }
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = proxyConfigSchema;
  for (const segment of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) schema = (inner.shape as Record<string, z.ZodType>)[String(segment)] ?? inner;
    else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.ZodType;
    else if (inner instanceof z.ZodArray) schema = inner.element as z.ZodType;
  }
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

/** The known key nearest to a typo, if it is near enough to be a plausible typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
