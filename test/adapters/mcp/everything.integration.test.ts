/**
 * `purpose-guard proxy` in front of the real @modelcontextprotocol/server-everything (over stdio), with the real
 * SDK client over stdio and over Streamable HTTP: progress, logging, sampling, elicitation, roots, resources with
 * subscriptions, prompts and completion all cross the guarded proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AT, EVERYTHING_SERVER, connectHttp, connectStdioProxy, startHttpProxy, testDeclaration, workspace, type Workspace } from "./processes.js";
import { eventually, textOf, type ClientLog } from "./helpers.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";

let ws: Workspace;
let declarationFile: string;

beforeAll(async () => {
  ws = await workspace();
  declarationFile = await ws.declaration(testDeclaration({
    id: "everything-tester",
    // A purpose that may write names: toggles count as writes, so the purpose must not be read-only.
    dataScope: { read: ["pii.email", "pii.name"], write: ["pii.name"] },
    tools: [
      {
        server: "everything",
        allow: ["echo", "get-sum", "trigger-long-running-operation", "trigger-sampling-request", "trigger-elicitation-request", "get-roots-list", "resources/read", "prompts/get"],
        intent: "read",
      },
      // What the server sends outside a call: its instructions, and log messages that come after the request they
      // are about (the subscription's) has been answered.
      { server: "everything", allow: ["initialize", "notifications/message"], intent: "read" },
      { server: "everything", allow: ["toggle-subscriber-updates"], intent: "write" },
    ],
  }));
});

afterAll(async () => {
  await ws.remove();
});

function proxyArgs(): string[] {
  return ["--declaration", declarationFile, "--environment", "test", "--at", AT, "--audit", "stderr", "--", process.execPath, EVERYTHING_SERVER, "stdio"];
}

describe("purpose-guard proxy in front of server-everything", () => {
  for (const transport of ["stdio", "http"] as const) {
    describe(`over ${transport}`, () => {
      let client: Client;
      let log: ClientLog;
      let stop: () => Promise<unknown>;

      beforeAll(async () => {
        if (transport === "stdio") {
          const connection = await connectStdioProxy(proxyArgs());
          ({ client, log } = connection);
          stop = connection.close;
        } else {
          const proxy = await startHttpProxy(proxyArgs());
          const connection = await connectHttp(proxy.url);
          ({ client, log } = connection);
          stop = async () => {
            await connection.close();
            await proxy.stop();
          };
        }
      });

      afterAll(async () => {
        await stop();
      });

      it("presents the server (name, instructions) and only the granted tools", async () => {
        expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
        expect(client.getInstructions()).toBeTruthy();
        expect(client.getServerCapabilities()?.tasks).toBeUndefined();
        // Tools that depend on the client's capabilities appear after initialization (list_changed).
        await eventually(async () => {
          const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
          expect(names).toEqual(["echo", "get-roots-list", "get-sum", "toggle-subscriber-updates", "trigger-elicitation-request", "trigger-long-running-operation", "trigger-sampling-request"]);
        });
        const denied = await client.callTool({ name: "get-env", arguments: {} });
        expect(denied.isError).toBe(true);
        expect(textOf(denied)).toContain("[tool-outside-declaration]");
      });

      it("relays calls and their results", async () => {
        expect(textOf(await client.callTool({ name: "echo", arguments: { message: "hi" } }))).toBe("Echo: hi");
        expect(textOf(await client.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } }))).toContain("5");
      });

      it("relays progress notifications with the client's token", async () => {
        const progress: number[] = [];
        const result = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } }, undefined, {
          onprogress: (update) => void progress.push(update.progress),
        });
        expect(textOf(result)).toContain("Long running operation completed");
        // The SDK client runs notification handlers a microtask later than it settles a response: the last step, sent
        // right before the result, is dropped when both arrive in one read (a busy machine). The steps before it are not.
        expect(progress.slice(0, 2)).toEqual([1, 2]);
        expect(progress).toEqual([1, 2, 3].slice(0, progress.length));
      });

      it("relays a sampling request to the client and its answer back", async () => {
        const result = await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "Say hi", maxTokens: 20 } });
        expect(JSON.stringify(result)).toContain("a short summary");
        expect(log.sampling).toHaveLength(1);
      });

      it("relays an elicitation request to the client and its answer back", async () => {
        const result = await client.callTool({ name: "trigger-elicitation-request", arguments: {} });
        expect(JSON.stringify(result)).toContain("Test User");
        expect(log.elicitations).toHaveLength(1);
      });

      it("relays the server's roots request and its log messages", async () => {
        await client.setLoggingLevel("debug");
        const result = await client.callTool({ name: "get-roots-list", arguments: {} });
        expect(JSON.stringify(result)).toContain("file:///work/project");
        await eventually(() => expect(JSON.stringify(log.logs)).toContain("Roots updated"));
      });

      it("relays resources, subscriptions and update notifications", async () => {
        const { resources } = await client.listResources();
        expect(resources.length).toBeGreaterThan(0);
        const uri = resources.find((resource) => resource.mimeType?.startsWith("text/"))?.uri ?? resources[0]!.uri;
        const read = await client.readResource({ uri });
        expect(read.contents[0]?.uri).toBe(uri);
        expect((await client.listResourceTemplates()).resourceTemplates.length).toBeGreaterThan(0);
        await client.subscribeResource({ uri });
        await eventually(() => expect(JSON.stringify(log.logs)).toContain("Received Subscribe Resource request"));
        await client.callTool({ name: "toggle-subscriber-updates", arguments: {} });
        await eventually(() => expect(log.updated).toContain(uri), 15_000);
        await client.callTool({ name: "toggle-subscriber-updates", arguments: {} });
      });

      it("relays prompts and completion", async () => {
        const names = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
        expect(names).toContain("completable-prompt");
        const prompt = await client.getPrompt({ name: "args-prompt", arguments: { city: "Lyon" } });
        expect(JSON.stringify(prompt.messages)).toContain("Lyon");
        const completion = await client.complete({ ref: { type: "ref/prompt", name: "completable-prompt" }, argument: { name: "department", value: "En" } });
        expect(completion.completion.values).toEqual(["Engineering"]);
      });
    });
  }
});
