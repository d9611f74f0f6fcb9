import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { StdioServerTransport, readIncoming } from "../../../adapters/mcp/stdio-server.js";

/** A transport on in-memory streams: what it delivers, what it answers by itself, and what it reports. */
async function wired(options: { maxMessageBytes?: number } = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const transport = new StdioServerTransport(stdin, stdout, options);
  const delivered: unknown[] = [];
  const answered: unknown[] = [];
  const errors: string[] = [];
  transport.onmessage = (message) => void delivered.push(message);
  transport.onerror = (error) => void errors.push(error.message);
  let rest = "";
  stdout.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) answered.push(JSON.parse(line));
  });
  await transport.start();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
  return { stdin, transport, delivered, answered, errors, settle };
}

describe("StdioServerTransport", () => {
  it("answers each malformed message, with its id when one can be read, and delivers the well-formed ones", async () => {
    const { stdin, delivered, answered, errors, settle } = await wired();
    const lines = [
      JSON.stringify([{ jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "read_note", arguments: {} } }]),
      JSON.stringify({ jsonrpc: "2.0", id: 11, method: "tools/call", params: "read_note" }),
      `{"jsonrpc":"2.0","id":14,"method":"tools/call",`,
      JSON.stringify({ jsonrpc: "1.0", id: 15, method: "tools/call", params: { name: "read_note" } }),
      JSON.stringify({ jsonrpc: "2.0", id: { x: 1 }, method: "tools/call" }),
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: 5 }),
      JSON.stringify({ jsonrpc: "2.0", id: 20, method: "tools/call", params: { name: "read_note", arguments: {} } }),
    ];
    stdin.write(`${lines.join("\n")}\n`);
    await settle();
    expect(answered).toEqual([
      { jsonrpc: "2.0", id: 10, error: { code: -32600, message: "Invalid Request: JSON-RPC batches are not supported" } },
      { jsonrpc: "2.0", id: 11, error: { code: -32602, message: "Invalid params: `params` of `tools/call` must be an object" } },
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the line is not JSON" } },
      { jsonrpc: "2.0", id: 15, error: { code: -32600, message: 'Invalid Request: `jsonrpc` must be "2.0"' } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request: `id` must be a string or a number" } },
    ]);
    expect(delivered).toEqual([{ jsonrpc: "2.0", id: 20, method: "tools/call", params: { name: "read_note", arguments: {} } }]);
    expect(errors).toHaveLength(6); // every malformed line is reported, the notification too (it gets no answer)
  });

  it("answers a message longer than the limit with a parse error and reads the next line", async () => {
    const { stdin, delivered, answered, settle } = await wired({ maxMessageBytes: 64 });
    stdin.write(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${"x".repeat(100)}`);
    stdin.write(`${"y".repeat(100)}"}}\n`);
    stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" })}\n`);
    await settle();
    expect(answered).toEqual([{ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: a message longer than 64 bytes" } }]);
    expect(delivered).toEqual([{ jsonrpc: "2.0", id: 2, method: "ping" }]);
  });
});

describe("StdioServerTransport on lines a review found unanswered", () => {
  it("refuses a request with a null id, reads a line after a byte order mark, and refuses a whole over-long line", async () => {
    const { stdin, delivered, answered, settle } = await wired({ maxMessageBytes: 200 });
    const request = JSON.stringify({ jsonrpc: "2.0", id: 30, method: "tools/call", params: { name: "read_note", arguments: {} } });
    stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: null, method: "tools/call", params: {} })}\n\uFEFF${request}\n${JSON.stringify({ jsonrpc: "2.0", id: 31, method: "x", params: { pad: "y".repeat(300) } })}\n`);
    await settle();
    expect(answered).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringContaining("null") } },
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: expect.stringContaining("longer than 200 bytes") } },
    ]);
    expect(delivered).toEqual([JSON.parse(request)]);
  });
});

describe("readIncoming", () => {
  it("takes responses and notifications as they are", () => {
    expect(readIncoming('{"jsonrpc":"2.0","id":"a","result":{}}').message).toEqual({ jsonrpc: "2.0", id: "a", result: {} });
    expect(readIncoming('{"jsonrpc":"2.0","method":"notifications/initialized"}').message).toEqual({ jsonrpc: "2.0", method: "notifications/initialized" });
  });
});
