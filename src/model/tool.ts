import type { DataClass } from "./data-class.js";

/** What a tool does to the world. `execute` covers anything that runs code; it is treated as a write. */
export type Intent = "read" | "write" | "egress" | "execute";

/** Where an intent came from: explicit configuration beats MCP annotations beats the tool's name. */
export type IntentSource = "declaration" | "config" | "annotations" | "name" | "default";

/**
 * Trust zone of a tool's results. `open-world` tools (web fetch, inbound mail, public channels) return text an
 * attacker may have written: their values are untrusted when they later shape a call.
 */
export type Zone = "internal" | "open-world";

/** The MCP tool annotations the guard reads (MCP 2025-03-26 and later). */
export interface ToolAnnotations {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/** What the guard knows of a tool when a call reaches it. */
export interface ToolDescriptor {
  readonly server: string;
  readonly name: string;
  readonly intent: Intent;
  readonly intentSource: IntentSource;
  readonly zone: Zone;
  readonly annotations?: ToolAnnotations;
  /** Classes the tool is known to return, from configuration; added to what the classifier finds. */
  readonly outputClasses?: readonly DataClass[];
  /** Argument names that hold the destination of an egress tool (`to`, `url`, `recipient`). */
  readonly destinationArgs?: readonly string[];
  /** SHA-256 of the tool's description and input schema, for pinning. */
  readonly digest?: string;
}

/** The stable key of a tool across the guard, the policies and the audit log: `server/name`. */
export function toolKey(server: string, name: string): string {
  return `${server}/${name}`;
}
