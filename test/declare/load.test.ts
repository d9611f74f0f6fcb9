import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { declarationFromObject, loadDeclarationFile, parseDeclaration } from "../../src/declare/load.js";
import { GuardError } from "../../src/errors.js";
import { example, supportDeclaration, tempDir } from "../helpers.js";

function loadError(run: () => unknown): GuardError {
  try {
    run();
  } catch (error) {
    if (error instanceof GuardError) return error;
    throw error;
  }
  throw new Error("expected a GuardError");
}

const SUPPORT_YAML = `apiVersion: purpose-guard/v1
kind: Declaration
id: support-agent
version: 3
agent: support-bot
use: { id: customer-support, description: Answer customers' questions about their own orders }
dataScope:
  read: [pii.email, pii.name, commerce.order]
  write: []
tools:
  - { server: crm,  allow: [get_customer, list_orders] }
  - { server: mail, allow: [send_email], intent: egress }
egress: { allow: ["*@acme.example"] }
bounds: { environment: production, region: eu-west-1, account: "123456789012", tenant: acme }
lifespan: { issuedAt: 2026-11-24T00:00:00Z, expiresAt: 2026-12-24T00:00:00Z }
budgets: { callsPerMinute: 60, recordsRead: 200 }
approvedBy: security@acme.example
`;

describe("loadDeclarationFile", () => {
  it("loads the contract's example declaration and identifies it by digest", async () => {
    const loaded = await loadDeclarationFile(example("support.yaml"));
    expect(loaded.declaration.id).toBe("support-agent");
    expect(loaded.declaration.dataScope.write).toEqual([]);
    expect(loaded.declaration.bounds.account).toBe("123456789012");
    expect(loaded.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.expiresAtMs).toBe(Date.parse("2026-12-24T00:00:00Z"));
  });

  it("gives the same digest to the same declaration in YAML, in JSON and as an object", () => {
    const yaml = parseDeclaration(SUPPORT_YAML, "support.yaml");
    const json = parseDeclaration(JSON.stringify(supportDeclaration(), null, 2), "support.json");
    const object = declarationFromObject(supportDeclaration());
    expect(json.digest).toBe(yaml.digest);
    expect(object.digest).toBe(yaml.digest);
  });

  it("gives a different digest when any field changes", () => {
    const base = declarationFromObject(supportDeclaration());
    const widened = declarationFromObject(supportDeclaration({ dataScope: { read: ["pii.email", "pii.name", "commerce.order", "pii.phone"], write: [] } }));
    expect(widened.digest).not.toBe(base.digest);
  });

  it("reports an unreadable file with its path", async () => {
    await expect(loadDeclarationFile("/nonexistent/agent.yaml")).rejects.toMatchObject({ code: "DECLARATION_UNREADABLE", issues: [{ file: "/nonexistent/agent.yaml" }] });
  });

  it("reports YAML syntax errors with line and column", () => {
    const error = loadError(() => parseDeclaration("apiVersion: purpose-guard/v1\nkind: [Declaration\n", "bad.yaml"));
    expect(error.code).toBe("DECLARATION_SYNTAX");
    expect(error.issues[0]).toMatchObject({ file: "bad.yaml", line: expect.any(Number), column: expect.any(Number) });
  });

  it("refuses duplicate keys, so a reviewer never reads one value while the guard enforces another", () => {
    const error = loadError(() => parseDeclaration(SUPPORT_YAML.replace("version: 3\n", "version: 3\nid: other\n"), "dup.yaml"));
    expect(error.code).toBe("DECLARATION_SYNTAX");
  });

  it("names file, line, column, field path and a fix for a schema error", () => {
    const text = SUPPORT_YAML.replace('account: "123456789012"', "account: 123456789012");
    const error = loadError(() => parseDeclaration(text, "support.yaml"));
    expect(error.code).toBe("DECLARATION_INVALID");
    expect(error.issues).toEqual([
      expect.objectContaining({ file: "support.yaml", line: 14, path: "bounds.account", fix: expect.stringContaining("quote the value") }),
    ]);
    expect(error.describe()).toContain("support.yaml:14:");
  });

  it("refuses an unknown field and points at it", () => {
    const error = loadError(() => parseDeclaration(SUPPORT_YAML.replace("agent: support-bot", "agent: support-bot\ndataScpoe: []"), "typo.yaml"));
    expect(error.issues[0]).toMatchObject({ line: 6, column: 1, path: "dataScpoe", message: "unknown field `dataScpoe`" });
  });

  it("validates objects with field paths", () => {
    const error = loadError(() => declarationFromObject(supportDeclaration({ version: 0 })));
    expect(error.issues[0]).toMatchObject({ file: "<object>", path: "version" });
  });

  it("loads an expired declaration (the gates deny it, not the loader)", () => {
    const loaded = declarationFromObject(supportDeclaration({ lifespan: { issuedAt: "2020-01-01T00:00:00Z", expiresAt: "2020-02-01T00:00:00Z" } }));
    expect(loaded.expiresAtMs).toBeLessThan(Date.parse("2026-01-01T00:00:00Z"));
  });
});

describe("bounded intent", () => {
  const refused = (overrides: Record<string, unknown>, options = {}) => loadError(() => declarationFromObject(supportDeclaration(overrides), options));

  it("refuses a wildcard in the data scope", () => {
    const error = refused({ dataScope: { read: ["pii.*"], write: [] } });
    expect(error.code).toBe("DECLARATION_TOO_BROAD");
    expect(error.issues[0]).toMatchObject({ path: "dataScope.read[0]", message: expect.stringContaining("wildcard") });
  });

  it("refuses a bare top-level class unless broad scopes are allowed", () => {
    expect(refused({ dataScope: { read: ["pii"], write: [] } }).issues[0]).toMatchObject({ path: "dataScope.read[0]", fix: expect.stringContaining("allowBroadScopes") });
    expect(declarationFromObject(supportDeclaration({ dataScope: { read: ["pii"], write: [] } }), { allowBroadScopes: true }).declaration.dataScope.read).toEqual(["pii"]);
  });

  it("never accepts a wildcard, even with broad scopes allowed", () => {
    expect(refused({ dataScope: { read: ["*"], write: [] } }, { allowBroadScopes: true }).code).toBe("DECLARATION_TOO_BROAD");
  });

  it("refuses a tool list of `*`", () => {
    expect(refused({ tools: [{ server: "crm", allow: ["*"] }] }).issues[0]).toMatchObject({ path: "tools[0].allow[0]" });
  });

  it("refuses a missing or empty use description", () => {
    expect(refused({ use: { id: "support" } }).issues[0]).toMatchObject({ path: "use.description" });
    expect(refused({ use: { id: "support", description: "   " } }).issues[0]).toMatchObject({ path: "use.description" });
  });

  it("refuses a missing environment", () => {
    expect(refused({ bounds: { region: "eu-west-1" } }).issues[0]).toMatchObject({ path: "bounds", message: "no environment is bound" });
  });

  it("refuses a missing lifespan", () => {
    expect(refused({ lifespan: undefined }).issues[0]).toMatchObject({ path: "lifespan" });
  });

  it("refuses a lifespan longer than the configured maximum (default 90 days)", () => {
    const ninetyOne = { issuedAt: "2026-11-24T00:00:00Z", expiresAt: "2027-02-23T00:00:01Z" };
    expect(refused({ lifespan: ninetyOne }).issues[0]).toMatchObject({ path: "lifespan.expiresAt", message: expect.stringContaining("90-day maximum") });
    expect(refused({ lifespan: { issuedAt: "2026-11-24T00:00:00Z", expiresAt: "2026-12-24T00:00:01Z" } }, { maxLifespanDays: 30 }).code).toBe("DECLARATION_TOO_BROAD");
    expect(declarationFromObject(supportDeclaration({ lifespan: ninetyOne }), { maxLifespanDays: 120 }).declaration.id).toBe("support-agent");
  });

  it("refuses an egress allow-list that lets data go anywhere", () => {
    expect(refused({ egress: { allow: ["*@*"] } }).issues[0]).toMatchObject({ path: "egress.allow[0]" });
    for (const pattern of ["http*", "https://**", "*m", "*@*.com"]) {
      expect(refused({ egress: { allow: ["*@acme.example", pattern] } }).issues[0]).toMatchObject({ path: "egress.allow[1]" });
    }
  });

  it("reports every vagueness problem at once", () => {
    const error = refused({ dataScope: { read: ["*"], write: ["pii"] }, tools: [{ server: "crm", allow: ["*"] }], bounds: {}, lifespan: undefined });
    expect(error.issues.map((issue) => issue.path)).toEqual(["dataScope.read[0]", "dataScope.write[0]", "tools[0].allow[0]", "bounds", "lifespan"]);
  });

  it("locates vagueness problems in files by line and column", async () => {
    const dir = tempDir();
    const file = join(dir, "vague.yaml");
    writeFileSync(file, SUPPORT_YAML.replace("read: [pii.email, pii.name, commerce.order]", "read: [pii.email, pii]"));
    await expect(loadDeclarationFile(file)).rejects.toMatchObject({ code: "DECLARATION_TOO_BROAD", issues: [{ file, line: 8, column: 21, path: "dataScope.read[1]" }] });
  });
});
