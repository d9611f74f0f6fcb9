import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createJsonlSink } from "../../src/audit/jsonl-sink.js";
import { record } from "../audit/audit-sink.contract.js";
import { tempDir } from "../helpers.js";
import { cli } from "./run-cli.js";

async function log(count: number, maxBytes?: number): Promise<string> {
  const path = join(tempDir(), "audit.jsonl");
  const sink = createJsonlSink({ path, ...(maxBytes ? { maxBytes } : {}) });
  for (let n = 1; n <= count; n++) sink.write(record(n));
  await sink.close();
  return path;
}

describe("purpose-guard audit verify", () => {
  it("exits 0 for an intact log, including its rotated files", async () => {
    const path = await log(30, 2048);
    const run = await cli(["audit", "verify", path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OK {2}30 records in \d+ files, chain intact/);
  });

  it("exits 1 and locates the first tampered record", async () => {
    const path = await log(5);
    const lines = readFileSync(path, "utf8").split("\n");
    lines.splice(1, 1);
    writeFileSync(path, lines.join("\n"));
    const run = await cli(["audit", "verify", path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`TAMPERED  removed at ${path}:2 (record 3): record 2 is missing before record 3`);
  });

  it("exits 2 without a file, and explains its subcommands", async () => {
    expect((await cli(["audit", "verify"])).code).toBe(2);
    expect((await cli(["audit"])).stderr).toContain("Subcommands:");
  });
});
