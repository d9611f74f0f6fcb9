import { z } from "zod";
import type { Declaration } from "../model/declaration.js";

/**
 * The purpose-guard/v1 declaration schema. Shape errors come from here; vagueness (wildcards, missing bounds, long
 * lifespans) is judged separately in `specificity.ts`, so that fields whose absence makes a declaration vague are
 * optional here and refused there with a reason that says why they matter.
 */
const name = z.string().trim().min(1, { error: "must not be empty" });
const dataClass = z.string().regex(/^(?:[a-z*][a-z0-9_*-]*(?:\.[a-z0-9_*-]+)*|tenant:[A-Za-z0-9._*-]+)$/, {
  error: "must be a data class such as `pii.email`, `secret.aws_key` or `tenant:acme`",
});
const intent = z.enum(["read", "write", "egress", "execute"]);
const timestamp = z.iso.datetime({ offset: true, error: "must be an ISO 8601 timestamp with a zone, e.g. 2026-11-24T00:00:00Z" });
const count = z.number().int().positive();

const toolGrant = z.strictObject({
  server: name,
  allow: z.array(name),
  intent: intent.optional(),
  zone: z.enum(["internal", "open-world"]).optional(),
  destinations: z.array(name).optional(),
  outputClasses: z.array(dataClass).optional(),
});

export const declarationSchema = z.strictObject({
  apiVersion: z.literal("purpose-guard/v1", { error: "must be `purpose-guard/v1`" }),
  kind: z.literal("Declaration", { error: "must be `Declaration`" }),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "must be letters, digits, `.`, `_` or `-`" }),
  version: count,
  agent: name,
  use: z.strictObject({ id: name, description: z.string().optional() }),
  dataScope: z.strictObject({ read: z.array(dataClass), write: z.array(dataClass).default([]) }),
  tools: z.array(toolGrant).min(1, { error: "must grant at least one tool: a purpose with no tools cannot act" }),
  egress: z.strictObject({ allow: z.array(name), allowUserNamed: z.boolean().optional() }).optional(),
  bounds: z.strictObject({
    environment: name.optional(),
    region: name.optional(),
    account: name.optional(),
    tenant: name.optional(),
  }),
  lifespan: z.strictObject({ issuedAt: timestamp, expiresAt: timestamp }).optional(),
  budgets: z
    .strictObject({
      callsPerMinute: count.optional(),
      callsPerSession: count.optional(),
      recordsRead: count.optional(),
      bytesRead: count.optional(),
    })
    .optional(),
  approvedBy: name.optional(),
  signature: z
    .strictObject({ alg: z.literal("ed25519"), keyId: name.optional(), value: z.base64() })
    .optional(),
});

/** What the schema accepts; `specificity` narrows it to a `Declaration` (environment, lifespan, use present). */
export type DeclarationDraft = z.output<typeof declarationSchema>;

/** Compile-time check that a complete draft is a Declaration, so the model type and the schema cannot drift. */
export type _DraftMatchesModel = DeclarationDraft extends Omit<Declaration, "bounds" | "lifespan" | "use">
  ? true
  : never;
