/**
 * `purpose-guard proxy` (the CLI, as a process) in front of the real @modelcontextprotocol/server-filesystem, with
 * the real SDK client, over real stdio and over Streamable HTTP.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditLog } from "../../../src/audit/verify.js";
import { FILESYSTEM_SERVER, AT, connectHttp, connectStdioProxy, startHttpProxy, testDeclaration, workspace, type Workspace } from "./processes.js";
import { textOf } from "./helpers.js";

let ws: Workspace;
let data: string;
let declarationFile: string;

beforeAll(async () => {
  ws = await workspace();
  data = join(ws.dir, "data");
  await mkdir(data);
  await ws.file("data/handbook.md", "# Handbook\nAsk jane.doe@example.com about holidays.\n");
  // Not AWS's documentation key (the classifier ignores keys ending in EXAMPLE): one that looks real.
  await ws.file("data/deploy-notes.txt", "Deploy with key AKIAZ7Q3K2M9X4TB8WLP, then watch the dashboards.\n");
  await ws.file("data/vault-export.txt", "export 7f3c9a2e-credential-blob (format unknown to any detector)\n");
  declarationFile = await ws.declaration(testDeclaration({
    id: "docs-reader",
    tools: [
      { server: "fs", allow: ["list_directory", "read_text_file", "write_file", "list_allowed_directories"] },
      // Declared to return credentials: when the classifier cannot locate them in a result, it is withheld whole.
      { server: "fs", allow: ["read_multiple_files"], outputClasses: ["secret.vault_credential"] },
    ],
  }));
});

afterAll(async () => {
  await ws.remove();
});

function proxyArgs(audit: string): string[] {
  return ["--declaration", declarationFile, "--environment", "test", "--at", AT, "--audit", audit, "--name", "fs", "--", process.execPath, FILESYSTEM_SERVER, data];
}

describe("purpose-guard proxy in front of server-filesystem", () => {
  for (const transport of ["stdio", "http"] as const) {
    describe(`over ${transport}`, () => {
      let client: Awaited<ReturnType<typeof connectStdioProxy>>["client"];
      let stop: () => Promise<unknown>;
      let audit: string;

      beforeAll(async () => {
        audit = join(ws.dir, `audit-${transport}.jsonl`);
        if (transport === "stdio") {
          const connection = await connectStdioProxy(proxyArgs(audit));
          client = connection.client;
          stop = connection.close;
        } else {
          const proxy = await startHttpProxy(proxyArgs(audit));
          const connection = await connectHttp(proxy.url);
          client = connection.client;
          stop = async () => {
            await connection.close();
            await proxy.stop();
          };
        }
      });

      afterAll(async () => {
        await stop();
      });

      it("lists only the declared tools, under their own names", async () => {
        const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
        expect(names).toEqual(["list_allowed_directories", "list_directory", "read_multiple_files", "read_text_file", "write_file"]);
      });

      it("forwards allowed calls and returns the server's results", async () => {
        const listing = await client.callTool({ name: "list_directory", arguments: { path: data } });
        expect(textOf(listing)).toContain("[FILE] handbook.md");
        const read = await client.callTool({ name: "read_text_file", arguments: { path: join(data, "handbook.md") } });
        expect(textOf(read)).toContain("jane.doe@example.com");
      });

      it("never forwards a denied write: the file is not created", async () => {
        const target = join(data, `created-over-${transport}.txt`);
        const result = await client.callTool({ name: "write_file", arguments: { path: target, content: "should not exist" } });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/\[write-under-read-only-purpose\]/);
        expect(existsSync(target)).toBe(false);
      });

      it("redacts a secret found in a file read, and returns the rest", async () => {
        const result = await client.callTool({ name: "read_text_file", arguments: { path: join(data, "deploy-notes.txt") } });
        expect(result.isError).toBeFalsy();
        expect(textOf(result)).toBe("Deploy with key [REDACTED:secret.aws_access_key], then watch the dashboards.\n");
        expect(JSON.stringify(result)).not.toContain("AKIAZ7Q3K2M9X4TB8WLP");
      });

      it("withholds a result declared to carry a class outside the scope that cannot be located in it", async () => {
        const result = await client.callTool({ name: "read_multiple_files", arguments: { paths: [join(data, "vault-export.txt")] } });
        expect(result.isError).toBe(true);
        expect(JSON.stringify(result)).not.toContain("7f3c9a2e");
        expect(textOf(result)).toContain("[redaction-failed]");
      });

      it("denies a call to an undeclared (hidden) tool without reaching the server", async () => {
        const target = join(data, "moved.md");
        const result = await client.callTool({ name: "move_file", arguments: { source: join(data, "handbook.md"), destination: target } });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/\[tool-outside-declaration\]/);
        expect(existsSync(target)).toBe(false);
        expect(existsSync(join(data, "handbook.md"))).toBe(true);
      });

      it("records every decision in a hash-chained audit log that verifies", async () => {
        await stop();
        stop = async () => undefined;
        const records = (await readFile(audit, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(records.find((record) => record["event"] === "start")).toMatchObject({ decision: "allow" });
        const denied = records.find((record) => record["event"] === "call" && record["tool"] === "write_file");
        expect(denied).toMatchObject({ decision: "deny", server: "fs", policyIds: ["write-under-read-only-purpose"] });
        expect((denied?.["trace"] as Record<string, unknown>)["mcpSessionId"]).toBeTypeOf("string");
        expect(JSON.stringify(records)).not.toContain("AKIAZ7Q3K2M9X4TB8WLP");
        expect(records.find((record) => record["event"] === "result" && record["decision"] === "redact")).toMatchObject({ tool: "read_text_file", classes: ["secret.aws_access_key"] });
        const report = await verifyAuditLog([audit]);
        expect(report.ok).toBe(true);
      });
    });
  }
});
