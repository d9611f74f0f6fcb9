/**
 * `npm run demo`: a scripted MCP session through the guarded proxy, offline. A real MCP client (the official
 * SDK) starts `purpose-guard proxy --config examples/mcp/purpose-guard.yaml` over stdio, exactly as a desktop client
 * would, and the proxy fronts two real @modelcontextprotocol/server-filesystem servers. The session shows an allowed
 * call, a result the purpose may not see, a denied write, and where the audit log is.
 *
 * The example files are copied to a temporary folder first, so nothing in the repository can change. The
 * declaration is valid 2026-11-24 .. 2027-02-20 (a purpose is re-approved at least every 90 days), so decisions are
 * made as of a fixed time inside that window rather than today.
 */
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { verifyAuditLog } from "../src/audit/verify.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = "2026-12-01T09:00:00Z";
const work = await mkdtemp(join(tmpdir(), "purpose-guard-mcp-demo-"));
await cp(join(root, "examples/mcp"), work, { recursive: true });
const audit = join(work, "audit.jsonl");

const say = (text = "") => console.log(text);
const indent = (text: string) => text.split("\n").map((line) => `     ${line}`).join("\n");
const textOf = (result: unknown) => ((result as { content?: { text?: string }[] }).content ?? []).map((block) => block.text ?? "").join("\n");

say("purpose-guard MCP demo: an MCP client -> purpose-guard proxy -> two @modelcontextprotocol/server-filesystem servers");
say(`  config:      examples/mcp/purpose-guard.yaml (servers \`docs\` and \`ops\`, pins in purpose-guard.lock.json)`);
say(`  declaration: examples/mcp/docs-assistant.yaml (read-only; ops files are known to hold AWS keys)`);
say(`  decisions as of ${at}, inside the declaration's lifespan`);
say();

const stderr: string[] = [];
const transport = new StdioClientTransport({
  command: process.execPath,
  args: ["--import", "tsx", join(root, "adapters/cli/main.ts"), "proxy", "--config", join(work, "purpose-guard.yaml"), "--at", at, "--audit", audit],
  cwd: root,
  env: getDefaultEnvironment(),
  stderr: "pipe",
});
transport.stderr?.on("data", (chunk: Buffer) => stderr.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
const client = new Client({ name: "mcp-demo", version: "1.0.0" });
try {
  await client.connect(transport);
} catch (error) {
  console.error(`the proxy did not start: ${String(error)}\n${stderr.join("\n")}`);
  process.exit(1);
}

try {
  const gate = stderr.find((line) => line.includes("may start here")) ?? "";
  say("1. The proxy ran the deploy-time gate before serving:");
  say(`     ${gate.replace(/^purpose-guard: /, "")}`);
  say();

  const tools = (await client.listTools()).tools.map((tool) => tool.name);
  say("2. Tools the agent is shown (only what the declaration grants; each one pinned):");
  say(indent(tools.join(", ")));
  say();

  const handbook = await client.callTool({ name: "docs__read_text_file", arguments: { path: join(work, "docs/handbook.md") } });
  say("3. ALLOWED   docs__read_text_file docs/handbook.md");
  say(indent(textOf(handbook).split("\n").slice(0, 3).join("\n")));
  say();

  const runbook = await client.callTool({ name: "ops__read_text_file", arguments: { path: join(work, "ops/deploy-runbook.md") } });
  const runbookText = textOf(runbook);
  const leaked = runbookText.includes("AKIA");
  say(`4. ${runbook.isError ? "WITHHELD" : "REDACTED"}  ops__read_text_file ops/deploy-runbook.md (the file holds an AWS key)`);
  say(indent(runbook.isError ? runbookText : runbookText.split("\n").slice(0, 6).join("\n")));
  say(`     the key reached the agent: ${leaked ? "YES (this is a bug)" : "no"}`);
  say();

  const target = join(work, "docs/notes.md");
  const write = await client.callTool({ name: "docs__write_file", arguments: { path: target, content: "TODO: share the deploy keys with the contractor" } });
  say("5. DENIED    docs__write_file docs/notes.md (the purpose is read-only, and the tool is not granted)");
  say(indent(textOf(write)));
  say(`     the file exists afterwards: ${existsSync(target) ? "YES (this is a bug)" : "no"}`);
  say();
  if (leaked || existsSync(target) || !write.isError) process.exitCode = 1;
} finally {
  await client.close();
}

// Closing the client ended the proxy's stdin; the proxy flushed its audit log and exited before close() returned.
const report = await verifyAuditLog([audit]);
const records = (await readFile(audit, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
say(`6. Audit log: ${audit}`);
say(`     ${report.records} records, ${report.ok ? "chain intact" : "CHAIN BROKEN"} (check it: purpose-guard audit verify ${audit})`);
for (const record of records.slice(-6)) {
  const tool = record["tool"] ? `${String(record["server"])}/${String(record["tool"])}` : String(record["event"]);
  say(`     ${String(record["event"]).padEnd(6)} ${String(record["decision"]).padEnd(6)} ${tool.padEnd(24)} ${(record["policyIds"] as string[]).join(", ")}`);
}
if (!report.ok) process.exitCode = 1;
