import type { DataClass } from "./data-class.js";
import type { Intent, Zone } from "./tool.js";

/** A grant of tools on one server. Every tool in `allow` shares the entry's intent, zone and destinations. */
export interface ToolGrant {
  readonly server: string;
  readonly allow: readonly string[];
  /** Overrides MCP annotations and name heuristics for these tools. */
  readonly intent?: Intent;
  readonly zone?: Zone;
  /** Argument names that hold where an egress tool sends data (`to`, `url`); otherwise addresses are detected. */
  readonly destinations?: readonly string[];
  /** Classes these tools are known to return, added to what the classifier finds. */
  readonly outputClasses?: readonly DataClass[];
}

/** Operational bounds: where the workload may run and whose data it serves. */
export interface Bounds {
  readonly environment: string;
  readonly region?: string;
  readonly account?: string;
  readonly tenant?: string;
}

export interface Lifespan {
  /** ISO 8601 timestamps with a zone. */
  readonly issuedAt: string;
  readonly expiresAt: string;
}

/** Behaviour budgets the monitor enforces per session. */
export interface Budgets {
  readonly callsPerMinute?: number;
  readonly callsPerSession?: number;
  readonly recordsRead?: number;
  readonly bytesRead?: number;
}

export interface DeclarationSignature {
  readonly alg: "ed25519";
  /** Free-form key name, so a verifier holding several keys can pick one. */
  readonly keyId?: string;
  /** Base64 signature over the declaration's canonical form (everything but `signature`). */
  readonly value: string;
}

/** A workload's declared purpose (apiVersion purpose-guard/v1). The field names are a public contract. */
export interface Declaration {
  readonly apiVersion: "purpose-guard/v1";
  readonly kind: "Declaration";
  readonly id: string;
  readonly version: number;
  readonly agent: string;
  readonly use: { readonly id: string; readonly description: string };
  readonly dataScope: { readonly read: readonly DataClass[]; readonly write: readonly DataClass[] };
  readonly tools: readonly ToolGrant[];
  readonly egress?: {
    readonly allow: readonly string[];
    /**
     * Destinations the user's own request states verbatim are allowed too (default false): the user, whom an
     * injection cannot type for, chose them. Destinations the agent took from anywhere else still need `allow`.
     */
    readonly allowUserNamed?: boolean;
  };
  readonly bounds: Bounds;
  readonly lifespan: Lifespan;
  readonly budgets?: Budgets;
  readonly approvedBy?: string;
  readonly signature?: DeclarationSignature;
}

/** A declaration as the guard holds it: validated, identified by digest, with where it came from. */
export interface LoadedDeclaration {
  readonly declaration: Declaration;
  /** Hex SHA-256 of the canonical JSON of the declaration without its signature. */
  readonly digest: string;
  /** File path, or `<object>` when given in code. */
  readonly source: string;
  /** Whether a trusted key verified the signature (false when no key was configured). */
  readonly signatureVerified: boolean;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
}
