/**
 * The MCP examples run as shipped: the scripted demo (`npm run demo`), the desktop client configuration, and
 * the aggregated proxy configuration with its pins.
 */
import { spawn, spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProxyConfig } from "../../../adapters/mcp/config.js";
import { REPO, cliArgs, connectStdioProxy } from "./processes.js";

/** Inside the example declaration's lifespan (2026-11-24 .. 2027-02-20), as the demo uses. */
const EXAMPLE_AT = "2026-12-01T09:00:00Z";
import { textOf } from "./helpers.js";

describe("examples/mcp-demo.ts (npm run demo)", () => {
  it("runs offline and shows an allowed call, a withheld secret, a denied write and an intact audit log", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "examples/mcp-demo.ts"], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("may start here [deploy-declared-purpose]");
    expect(run.stdout).toContain("ALLOWED   docs__read_text_file");
    expect(run.stdout).toMatch(/(WITHHELD|REDACTED) +ops__read_text_file/);
    expect(run.stdout).toContain("the key reached the agent: no");
    expect(run.stdout).toContain("DENIED    docs__write_file");
    expect(run.stdout).toContain("the file exists afterwards: no");
    expect(run.stdout).toMatch(/\d+ records, chain intact/);
    expect(run.stdout).not.toContain("AKIA");
  });
});

describe("examples/mcp/claude_desktop_config.json", () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), "pg-desktop-"));
    await cp(join(REPO, "examples"), join(copy, "examples"), { recursive: true });
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it("starts the guarded filesystem server a desktop client would start", async () => {
    const config = JSON.parse(await readFile(join(REPO, "examples/mcp/claude_desktop_config.json"), "utf8")) as { mcpServers: Record<string, { command: string; args: string[] }> };
    const server = config.mcpServers["docs"]!;
    expect(server.command).toBe("npx");
    expect(server.args.slice(0, 2)).toEqual(["purpose-guard", "proxy"]);
    // The placeholder becomes a copy of the repository's examples; `npx purpose-guard` becomes the CLI from source;
    // --at decides inside the example declaration's lifespan.
    const args = server.args.slice(2).map((arg) => arg.replaceAll("/path/to/purpose-guard", copy));
    const dashes = args.indexOf("--");
    const connection = await connectStdioProxy([...args.slice(0, dashes), "--at", EXAMPLE_AT, ...args.slice(dashes)]);
    try {
      const names = (await connection.client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain("read_text_file");
      expect(names).not.toContain("write_file");
      const read = await connection.client.callTool({ name: "read_text_file", arguments: { path: join(copy, "examples/mcp/docs/handbook.md") } });
      expect(textOf(read)).toContain("Team handbook");
    } finally {
      await connection.close();
    }
    expect(await readFile(join(copy, ".purpose-guard/docs-audit.jsonl"), "utf8")).toContain('"tool":"read_text_file"');
  });
});

describe("examples/mcp/purpose-guard.yaml", () => {
  it("is a valid proxy configuration", async () => {
    const config = await loadProxyConfig(join(REPO, "examples/mcp/purpose-guard.yaml"));
    expect(config.upstreams.map((upstream) => upstream.name)).toEqual(["docs", "ops"]);
    expect(config.declaration).toBe(join(REPO, "examples/mcp/docs-assistant.yaml"));
    expect(config.pins).toBe(join(REPO, "examples/mcp/purpose-guard.lock.json"));
  });

  it("has pins that match the installed filesystem server (purpose-guard pin --check)", async () => {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, cliArgs("pin", ["--config", join(REPO, "examples/mcp/purpose-guard.yaml"), "--check"]), { cwd: REPO, stdio: ["ignore", "pipe", "ignore"] });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      child.once("exit", (exit) => resolve({ code: exit, stdout: out }));
    });
    expect(stdout).toContain("match the servers");
    expect(code).toBe(0);
  });
});


