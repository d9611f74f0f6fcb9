import { describe, expect, it } from "vitest";
import { parseProxyConfig } from "../../../adapters/mcp/config.js";
import { GuardError } from "../../../src/errors.js";

const FILE = "/etc/pg/purpose-guard.yaml";

function issuesOf(text: string, env: Record<string, string> = {}) {
  try {
    parseProxyConfig(text, FILE, env);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardError);
    return (error as GuardError).issues;
  }
  throw new Error("expected the configuration to be refused");
}

describe("parseProxyConfig", () => {
  it("resolves paths against the file's directory, expands variables and applies defaults", () => {
    const config = parseProxyConfig(`
declaration: decl.yaml
policies: [policies]
audit: logs/audit.jsonl
pins: pins.lock.json
servers:
  fs:
    command: npx
    args: ["@modelcontextprotocol/server-filesystem", "\${DATA_DIR}"]
    env: { API_KEY: "\${FS_KEY}" }
  crm:
    url: https://crm.internal/mcp
    headers: { Authorization: "Bearer \${CRM_TOKEN}" }
    timeoutMs: 5000
listen: { address: "127.0.0.1:9000", token: "\${PG_TOKEN}" }
`, FILE, { DATA_DIR: "/srv/data", FS_KEY: "k1", CRM_TOKEN: "t2", PG_TOKEN: "0123456789abcdef0123" });
    expect(config.declaration).toBe("/etc/pg/decl.yaml");
    expect(config.policies).toEqual(["/etc/pg/policies"]);
    expect(config.audit).toBe("/etc/pg/logs/audit.jsonl");
    expect(config.pins).toBe("/etc/pg/pins.lock.json");
    expect(config.upstreams).toEqual([
      { name: "fs", transport: "stdio", command: "npx", args: ["@modelcontextprotocol/server-filesystem", "/srv/data"], env: { API_KEY: "k1" }, cwd: "/etc/pg" },
      { name: "crm", transport: "http", url: "https://crm.internal/mcp", headers: { Authorization: "Bearer t2" }, timeoutMs: 5000 },
    ]);
    expect(config.naming).toEqual({ prefix: "auto", separator: "__" });
    expect(config.undeclared).toBe("hide");
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 9000, token: "0123456789abcdef0123" });
  });

  it("names the line, column, field and a likely fix for an unknown field", () => {
    const [issue] = issuesOf("servers:\n  fs:\n    comand: npx\n");
    expect(issue).toMatchObject({ file: FILE, line: 3, column: 5, path: "servers.fs.comand", message: "unknown field `comand`", fix: "did you mean `command`?" });
  });

  it("refuses a server with neither or both of command and url", () => {
    expect(issuesOf("servers:\n  fs:\n    args: [x]\n")[0]).toMatchObject({ line: 3, path: "servers.fs", message: "a server needs `command` (stdio) or `url` (Streamable HTTP)" });
    expect(issuesOf("servers:\n  fs: { command: npx, url: 'http://x/mcp' }\n")[0]?.message).toBe("a server has either `command` or `url`, not both");
  });

  it("refuses settings that belong to the other kind of server", () => {
    const issues = issuesOf("servers:\n  crm:\n    url: http://crm/mcp\n    cwd: /tmp\n  fs:\n    command: npx\n    headers: { a: b }\n");
    expect(issues.map((issue) => issue.path)).toEqual(["servers.crm.cwd", "servers.fs.headers"]);
  });

  it("refuses a variable that is not set, at the field that uses it", () => {
    const [issue] = issuesOf("servers:\n  crm:\n    url: http://crm/mcp\n    headers:\n      Authorization: Bearer ${CRM_TOKEN}\n");
    expect(issue).toMatchObject({ line: 5, path: "servers.crm.headers.Authorization", message: "environment variable `CRM_TOKEN` is not set" });
  });

  it("refuses server names that would break tool names", () => {
    expect(issuesOf("servers:\n  my__fs: { command: npx }\n")[0]).toMatchObject({ line: 2, column: 3, message: "server name `my__fs` contains the tool-name separator `__`" });
    expect(issuesOf("servers:\n  'f s': { command: npx }\n")[0]?.message).toMatch(/may only use letters/);
  });

  it("refuses unprefixed names with several servers, and bad enum values with the choices", () => {
    expect(issuesOf("servers:\n  a: { command: x }\n  b: { command: y }\ntools: { prefix: never }\n")[0]?.path).toBe("tools.prefix");
    expect(issuesOf("servers:\n  a: { command: x }\ntools: { undeclared: ignore }\n")[0]).toMatchObject({ path: "tools.undeclared", fix: expect.stringContaining("hide") });
  });

  it("reports YAML syntax errors with their position", () => {
    const [issue] = issuesOf("servers:\n  fs: { command: npx\n");
    expect(issue?.file).toBe(FILE);
    expect(issue?.line).toBeGreaterThan(0);
  });

  it("refuses an empty server list", () => {
    expect(issuesOf("servers: {}\n")[0]).toMatchObject({ path: "servers", message: "no server is configured" });
  });
});
