import { GuardError, type Guard, type Intent, type ToolCall, type Zone } from "../../src/index.js";

/** Where a framework's tool sits in the declaration: its server, its declared name, and what it does. */
export interface ToolMapping {
  /** The declaration's `tools[].server` that grants this tool. */
  readonly server: string;
  /** The tool's name in the declaration, when the framework calls it something else. */
  readonly name?: string;
  /** What the tool does, when neither the declaration nor the guard's `tools` configuration says. */
  readonly intent?: Intent;
  readonly zone?: Zone;
}

/** Framework tool name → a server name, or a full mapping. */
export type ToolMap = Readonly<Record<string, string | ToolMapping>>;

/** What a framework tool becomes in a `ToolCall`. */
export interface ResolvedTool {
  readonly server: string;
  readonly tool: string;
  readonly hints?: ToolCall["hints"];
}

/**
 * Maps framework tool names to declared tools, once per name. A name the map does not list takes the server of the
 * one declaration grant that allows it; a name no grant allows takes `fallbackServer`, and the guard then denies it
 * as a tool outside the declaration. A name that several servers grant must be mapped: guessing would let one
 * server's grant cover another's tool.
 */
export function createToolResolver(guard: Guard, map: ToolMap = {}, fallbackServer: string): (name: string) => ResolvedTool {
  const grants = guard.declaration.declaration.tools;
  const memo = new Map<string, ResolvedTool>();
  for (const [name, entry] of Object.entries(map)) {
    const server = typeof entry === "string" ? entry : entry?.server;
    if (typeof server !== "string" || server === "") {
      throw new GuardError("CONFIG_INVALID", `the tool mapping for \`${name}\` has no server`, {
        issues: [{ path: `tools.${name}`, message: "must be a server name or {server, name?, intent?, zone?}", fix: `map it like \`${name}: "crm"\`` }],
      });
    }
  }

  function resolve(name: string): ResolvedTool {
    const known = memo.get(name);
    if (known) return known;
    const entry = map[name];
    let resolved: ResolvedTool;
    if (entry !== undefined) {
      const mapping = typeof entry === "string" ? { server: entry } : entry;
      const hints = mapping.intent || mapping.zone ? { ...(mapping.intent ? { intent: mapping.intent } : {}), ...(mapping.zone ? { zone: mapping.zone } : {}) } : undefined;
      resolved = { server: mapping.server, tool: mapping.name ?? name, ...(hints ? { hints } : {}) };
    } else {
      const servers = [...new Set(grants.filter((grant) => grant.allow.includes(name)).map((grant) => grant.server))];
      if (servers.length > 1) {
        throw new GuardError("CONFIG_INVALID", `the tool \`${name}\` is granted on several servers (${servers.join(", ")})`, {
          issues: [{ path: `tools.${name}`, message: "the server of this tool is ambiguous", fix: `map it in the adapter's options, e.g. tools: { ${name}: "${servers[0]}" }` }],
        });
      }
      resolved = { server: servers[0] ?? fallbackServer, tool: name };
    }
    if (memo.size < 4096) memo.set(name, resolved);
    return resolved;
  }

  return resolve;
}
