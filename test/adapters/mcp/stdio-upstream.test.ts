import { describe, expect, it } from "vitest";
import { StdioUpstreamTransport } from "../../../adapters/mcp/stdio-upstream.js";

/** Runs `script` as a server process and collects what the transport reports of its stderr until it exits. */
async function stderrOf(script: string): Promise<{ lines: string[]; tail: readonly string[] }> {
  const lines: string[] = [];
  const transport = new StdioUpstreamTransport({ command: process.execPath, args: ["-e", script], onStderrLine: (line) => lines.push(line) });
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await transport.start();
  await closed;
  return { lines, tail: transport.exit!.stderrTail };
}

describe("StdioUpstreamTransport's stderr", () => {
  it("reports each line a server writes, and the last one without a newline at exit", async () => {
    const { lines, tail } = await stderrOf(`process.stderr.write("starting\\r\\nready\\nbye")`);
    expect(lines).toEqual(["starting", "ready", "bye"]);
    expect(tail).toEqual(["starting", "ready", "bye"]);
  });

  it("cuts a line that never ends (a progress bar drawn with \\r) and drops its rest, keeping the lines after it", { timeout: 20_000 }, async () => {
    const script = `const bar = "#".repeat(65536) + "\\r"; for (let i = 0; i < 80; i++) process.stderr.write(bar); process.stderr.write("\\nafter\\n")`;
    const { lines } = await stderrOf(script);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#{16384} … \(line cut at 16384 characters\)$/);
    expect(lines[1]).toBe("after");
  });
});
