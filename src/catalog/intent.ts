import type { Intent, ToolAnnotations, Zone } from "../model/tool.js";

const READ_VERBS = new Set(["get", "list", "read", "search", "find", "query", "lookup", "describe", "show", "view", "check", "count", "fetch", "browse", "download", "retrieve", "inspect", "stat", "head", "tail", "grep", "echo", "ping", "whoami", "explain", "summarize", "validate", "verify", "compare"]);
const EGRESS_VERBS = new Set(["send", "post", "email", "mail", "share", "publish", "upload", "notify", "invite", "message", "reply", "forward", "tweet", "broadcast", "webhook", "transfer", "export", "submit", "dm", "text", "sms", "call"]);
const WRITE_VERBS = new Set(["create", "update", "delete", "remove", "write", "set", "add", "edit", "modify", "put", "patch", "move", "rename", "append", "cancel", "reserve", "book", "schedule", "pay", "insert", "upsert", "drop", "truncate", "save", "store", "archive", "approve", "reject", "assign", "close", "open", "merge", "commit", "push", "revoke", "grant", "reset", "change", "make", "mkdir", "kick", "join", "leave"]);
const EXECUTE_VERBS = new Set(["run", "exec", "execute", "eval", "evaluate", "shell", "bash", "sh", "python", "invoke", "spawn", "install", "deploy", "launch", "start", "stop", "kill", "restart"]);
const OPEN_WORLD_WORDS = new Set(["web", "webpage", "website", "url", "browse", "browser", "http", "https", "internet", "scrape", "crawl", "google", "bing"]);

/** `get_customer`, `sendEmail`, `list-files` → ["get", "customer"], ["send", "email"], ["list", "files"]. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * The intent a tool's name suggests, from its leading verb; undefined when the name says nothing. The first token
 * decides (`read_and_send` is a read by this rule), so explicit configuration should cover compound tools.
 */
export function intentFromName(name: string): Intent | undefined {
  for (const token of nameTokens(name)) {
    if (EXECUTE_VERBS.has(token)) return "execute";
    if (EGRESS_VERBS.has(token)) return "egress";
    if (WRITE_VERBS.has(token)) return "write";
    if (READ_VERBS.has(token)) return "read";
  }
  return undefined;
}

/**
 * The intent MCP annotations state. Annotations are hints from the server, trusted only as far as the server is:
 * they rank below explicit configuration.
 */
export function intentFromAnnotations(annotations: ToolAnnotations | undefined): Intent | undefined {
  if (!annotations) return undefined;
  if (annotations.readOnlyHint === true) return "read";
  if (annotations.readOnlyHint === false || annotations.destructiveHint === true) {
    return annotations.openWorldHint === true ? "egress" : "write";
  }
  return undefined;
}

export function zoneFromHints(name: string, annotations: ToolAnnotations | undefined): Zone | undefined {
  if (annotations?.openWorldHint === true) return "open-world";
  return nameTokens(name).some((token) => OPEN_WORLD_WORDS.has(token)) ? "open-world" : undefined;
}
