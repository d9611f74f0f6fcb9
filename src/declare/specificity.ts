import type { Declaration } from "../model/declaration.js";
import { egressPatternProblem } from "../model/egress-pattern.js";
import type { DeclarationDraft } from "./schema.js";

export interface SpecificityOptions {
  /** Accept bare top-level classes (`pii`) in the data scope. Wildcards are never accepted. */
  readonly allowBroadScopes?: boolean;
  /** Longest accepted lifespan; default 90 days. */
  readonly maxLifespanDays?: number;
}

/** One reason a declaration is too vague, located by its field path (segments, for source positions). */
export interface VaguenessIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly fix: string;
}

export const DEFAULT_MAX_LIFESPAN_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * Judges whether a schema-valid declaration bounds its workload's intent. Returns every problem at once (a reviewer
 * fixes them in one pass); an empty list means the declaration is specific enough to enforce.
 */
export function findVagueness(draft: DeclarationDraft, options: SpecificityOptions = {}): VaguenessIssue[] {
  const issues: VaguenessIssue[] = [];
  const add = (path: (string | number)[], message: string, fix: string) => issues.push({ path, message, fix });

  if (!draft.use.description?.trim()) {
    add(["use", "description"], "the use has no description, so nobody can judge what the workload is for", "describe the business function in a sentence");
  }

  for (const mode of ["read", "write"] as const) {
    draft.dataScope[mode].forEach((cls, index) => {
      if (cls.includes("*")) {
        add(["dataScope", mode, index], `\`${cls}\` is a wildcard: a scope must name the classes it touches`, "list the classes, e.g. `pii.email`");
      } else if (!cls.includes(".") && !cls.startsWith("tenant:") && !options.allowBroadScopes) {
        add(["dataScope", mode, index], `\`${cls}\` is a whole family of classes`, `name the classes inside it, e.g. \`${cls}.email\`, or set allowBroadScopes in the guard configuration`);
      }
    });
  }

  draft.tools.forEach((grant, index) => {
    if (grant.server.includes("*")) add(["tools", index, "server"], `server \`${grant.server}\` is a wildcard`, "name the server");
    if (grant.allow.length === 0) add(["tools", index, "allow"], "the grant allows no tool", "list the tools, or remove the entry");
    grant.allow.forEach((tool, toolIndex) => {
      if (tool.includes("*")) add(["tools", index, "allow", toolIndex], `\`${tool}\` is a wildcard: a purpose names its tools`, "list each tool the workload needs");
    });
  });

  draft.egress?.allow.forEach((pattern, index) => {
    if (/^[*@.:/]*$/.test(pattern) || /^https?:\/\/\*\/?$/.test(pattern)) {
      add(["egress", "allow", index], `\`${pattern}\` lets data leave to any destination`, "name the domains or addresses, e.g. `*@acme.example`");
      return;
    }
    const problem = egressPatternProblem(pattern);
    if (problem) {
      add(["egress", "allow", index], `\`${pattern}\` ${problem}, so data could leave to another organization`, "name the domain: `*@acme.example`, `*.acme.example`, `https://hooks.acme.example/*`");
    }
  });

  const { environment } = draft.bounds;
  if (environment === undefined) add(["bounds"], "no environment is bound", "add `environment: production` (or wherever the workload runs)");
  for (const key of ["environment", "region", "account", "tenant"] as const) {
    const value = draft.bounds[key];
    if (value?.includes("*")) add(["bounds", key], `${key} \`${value}\` is a wildcard`, `name the ${key}`);
  }

  if (!draft.lifespan) {
    add(["lifespan"], "no lifespan: the purpose would never need re-approval", "add `lifespan: { issuedAt: ..., expiresAt: ... }`");
  } else {
    const issued = Date.parse(draft.lifespan.issuedAt);
    const expires = Date.parse(draft.lifespan.expiresAt);
    const maxDays = options.maxLifespanDays ?? DEFAULT_MAX_LIFESPAN_DAYS;
    if (expires <= issued) {
      add(["lifespan", "expiresAt"], "expires before it is issued", "set expiresAt after issuedAt");
    } else if (expires - issued > maxDays * DAY_MS) {
      const days = Math.ceil((expires - issued) / DAY_MS);
      add(["lifespan", "expiresAt"], `the lifespan is ${days} days, longer than the ${maxDays}-day maximum`, `re-approve at most every ${maxDays} days (or raise maxLifespanDays in the guard configuration)`);
    }
  }
  return issues;
}

/** Narrows a draft with no vagueness issues to a Declaration. */
export function asDeclaration(draft: DeclarationDraft): Declaration {
  if (!draft.lifespan || draft.bounds.environment === undefined || !draft.use.description) {
    throw new TypeError("asDeclaration called on a vague draft");
  }
  return draft as Declaration;
}
