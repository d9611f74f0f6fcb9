/**
 * Tool pinning against "rug pulls": a server that changes a tool's description or schema after the user approved
 * it (to smuggle instructions to the model, or to widen what the tool does). Each tool's digest is pinned at first
 * sight, or read from a lock file that `purpose-guard pin` writes; a tool whose digest differs from its pin, or a
 * tool a lock file does not list, is hidden and raises an alert until someone approves it again.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile, rename } from "node:fs/promises";
import { unwatchFile, watchFile } from "node:fs";
import { GuardError } from "../../src/errors.js";
import { isRecord } from "./jsonrpc.js";

/** The fields of a tool definition that are pinned: what the model reads and what decides how the guard sees it. */
export const PINNED_FIELDS = ["title", "description", "inputSchema", "outputSchema", "annotations"] as const;

/** `sha256:` + hex SHA-256 of the canonical JSON of the pinned fields. */
export function toolDigest(tool: Readonly<Record<string, unknown>>): string {
  const pinned: Record<string, unknown> = {};
  for (const field of PINNED_FIELDS) if (tool[field] !== undefined) pinned[field] = tool[field];
  return `sha256:${createHash("sha256").update(canonicalJson(pinned)).digest("hex")}`;
}

/** JSON with object keys sorted at every level, so equal values have equal digests. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** `server/tool`, as in the lock file and the audit log. */
export function pinKey(server: string, tool: string): string {
  return `${server}/${tool}`;
}

export interface PinEntry {
  readonly digest: string;
  readonly pinnedAt: string;
}

export interface LockFile {
  readonly version: 1;
  readonly tools: Readonly<Record<string, PinEntry>>;
}

/** `pinned`: matches; `changed`: differs from its pin; `unpinned`: a lock file is in force and does not list it. */
export type PinStatus = "pinned" | "changed" | "unpinned";

export interface PinCheck {
  readonly status: PinStatus;
  /** The digest it was pinned with, for `changed`. */
  readonly expected?: string;
  /** True the first time this tool was seen with this digest: raise the alert then, not on every list. */
  readonly firstReport: boolean;
}

export interface PinStore {
  /** `lock` when a lock file is in force, `first-sight` otherwise. */
  readonly mode: "lock" | "first-sight";
  readonly file: string | undefined;
  check(server: string, tool: string, digest: string): PinCheck;
  /** Called after the lock file changed on disk and was reloaded: hidden tools may be approved now. */
  onChange(listener: () => void): () => void;
  close(): void;
}

/** Pins each tool at the first digest this process sees (across all sessions). */
export function firstSightPins(): PinStore {
  const pins = new Map<string, string>();
  const reported = new Set<string>();
  return {
    mode: "first-sight",
    file: undefined,
    check(server, tool, digest) {
      const key = pinKey(server, tool);
      const pinned = pins.get(key);
      if (pinned === undefined) {
        pins.set(key, digest);
        return { status: "pinned", firstReport: false };
      }
      if (pinned === digest) return { status: "pinned", firstReport: false };
      return { status: "changed", expected: pinned, firstReport: once(reported, `${key}@${digest}`) };
    },
    onChange: () => () => undefined,
    close: () => undefined,
  };
}

/**
 * Pins from a lock file; the file is watched and reloaded when `purpose-guard pin` rewrites it. A file that becomes
 * unreadable or invalid keeps the last good pins in force (and says so), never a looser set.
 */
export async function lockFilePins(file: string, log: (line: string) => void = () => undefined): Promise<PinStore> {
  let lock = await readLockFile(file);
  const reported = new Set<string>();
  const listeners = new Set<() => void>();
  const reload = async () => {
    try {
      lock = await readLockFile(file);
      reported.clear();
      log(`pins reloaded from ${file} (${Object.keys(lock.tools).length} tools)`);
      for (const listener of listeners) listener();
    } catch (error) {
      log(`pins in ${file} not reloaded, the previous pins stay in force: ${error instanceof GuardError ? error.describe() : String(error)}`);
    }
  };
  const onStat = (current: { mtimeMs: number }, previous: { mtimeMs: number }) => {
    if (current.mtimeMs !== previous.mtimeMs) void reload();
  };
  watchFile(file, { interval: 1000, persistent: false }, onStat);
  return {
    mode: "lock",
    file,
    check(server, tool, digest) {
      const key = pinKey(server, tool);
      const entry = lock.tools[key];
      if (!entry) return { status: "unpinned", firstReport: once(reported, `${key}@${digest}`) };
      if (entry.digest === digest) return { status: "pinned", firstReport: false };
      return { status: "changed", expected: entry.digest, firstReport: once(reported, `${key}@${digest}`) };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => unwatchFile(file, onStat),
  };
}

export async function readLockFile(file: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new GuardError("CONFIG_INVALID", `cannot read the pins file \`${file}\``, {
      cause: error,
      issues: [{ file, message: missing ? "the file does not exist" : String(error), fix: "run `purpose-guard pin` to write it, or remove the pins setting" }],
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GuardError("CONFIG_INVALID", `the pins file \`${file}\` is not valid JSON`, {
      cause: error,
      issues: [{ file, message: (error as Error).message, fix: "rewrite it with `purpose-guard pin`" }],
    });
  }
  const problem = lockFileProblem(parsed);
  if (problem) {
    throw new GuardError("CONFIG_INVALID", `the pins file \`${file}\` is not a purpose-guard lock file`, {
      issues: [{ file, path: problem.path, message: problem.message, fix: "rewrite it with `purpose-guard pin`" }],
    });
  }
  return parsed as LockFile;
}

function lockFileProblem(value: unknown): { path: string; message: string } | undefined {
  if (!isRecord(value)) return { path: "", message: "expected an object with `version` and `tools`" };
  if (value["version"] !== 1) return { path: "version", message: `expected 1, found ${JSON.stringify(value["version"])}` };
  const tools = value["tools"];
  if (!isRecord(tools)) return { path: "tools", message: "expected an object keyed by `server/tool`" };
  for (const [key, entry] of Object.entries(tools)) {
    if (!key.includes("/")) return { path: `tools.${key}`, message: "keys are `server/tool`" };
    if (!isRecord(entry) || typeof entry["digest"] !== "string" || !entry["digest"].startsWith("sha256:")) {
      return { path: `tools.${key}.digest`, message: "expected a `sha256:` digest" };
    }
  }
  return undefined;
}

/** Writes a lock file atomically (temp file + rename), keys sorted so diffs stay readable. */
export async function writeLockFile(file: string, lock: LockFile): Promise<void> {
  const tools: Record<string, PinEntry> = {};
  for (const key of Object.keys(lock.tools).sort()) tools[key] = lock.tools[key]!;
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ version: 1, tools }, null, 2)}\n`, "utf8");
  await rename(temp, file);
}

function once(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}
